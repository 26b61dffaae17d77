"""What a new browser user found on Review edits: after a successful Apply the page read as if
the Apply had failed (the CLI's "changed in the library ... never written back" note about the
block just written, and the consultation's folder missing from the header); a DOCX made before
a wording changed was shown in the CLI's words, its library change counted as the reviewer's
edit, with no advice; diffs were raw ``[-...-]{+...+}`` text."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest

from web.webtools import client, csrf_of, make_app

CONSULTATION = "examples/ntia-botnets-comments.yaml"
BLOCK = "market-driven-botnet-mitigation"
TITLE = "Abuse can only be mitigated, through a global, market-driven process"
CLI_NOTE = "changed in the library since the filing was drafted"


def edited_filing(workspace, tmp_path, old="thankful", new="grateful <b>&amp;"):
    """The NTIA botnets filing drafted now, with ``old`` replaced by ``new`` in the paragraph
    of ``BLOCK`` that starts "We are thankful that NTIA": the saved DOCX's path."""
    import docx
    from docx.oxml.ns import qn

    from drafter.load.workspace import discover
    from drafter.pipeline import Session

    session = Session(discover(start=workspace))
    filing = session.render(session.draft(workspace / CONSULTATION), "docx")
    document = docx.Document(io.BytesIO(filing))
    changed = 0
    for p in document.element.body.iter(qn("w:p")):
        texts = list(p.iter(qn("w:t")))
        if "".join(t.text or "" for t in texts).startswith("We are thankful that NTIA"):
            for t in texts:
                if old in (t.text or ""):
                    t.text = t.text.replace(old, new)
                    changed += 1
                    break
    assert changed == 1
    path = tmp_path / "edited.docx"
    document.save(path)
    return path


def _block(workspace):
    """``BLOCK`` as the library has it (the filing uses its as-filed wording)."""
    from drafter.load.library import load_library

    return load_library(workspace / "positions").blocks[BLOCK]


def _compare(web, path):
    token = csrf_of(web.get("/review").text)
    page = web.post("/review", data={"csrf": token},
                    files={"edited": ("edited.docx", path.read_bytes(),
                                      "application/octet-stream")})
    assert page.status_code == 200, page.text
    return page


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _item(html: str, title: str) -> str:
    found = re.search(r'<li class="[^"]*" aria-label="' + re.escape(title) + r'">(.*?)</li>',
                      html, re.S)
    assert found, html
    return found.group(1)


def test_after_apply_the_page_says_what_was_written_not_that_it_failed(workspace, tmp_path):
    block = _block(workspace)
    path = edited_filing(workspace, tmp_path, new="grateful")
    web = client(make_app(workspace))
    page = _compare(web, path)
    assert f"({CONSULTATION})" in page.text
    upload = re.search(r'name="upload" value="([^"]+)"', page.text).group(1)
    applied = web.post("/review/apply", data={"csrf": csrf_of(page.text), "upload": upload,
                                              "name": "edited.docx", "block": BLOCK})
    assert applied.status_code == 200
    text = _text(applied.text)
    assert "We are grateful that" in block.path.read_text(encoding="utf-8")
    rel = f"positions/{block.path.relative_to(workspace / 'positions').as_posix()}"
    assert (f"Applied the edit to “{TITLE}”: wrote the reviewer's text into its as-filed "
            f"wording ({rel}).") in text
    assert block.meta.status.value == "approved" and block.meta.approved_hash
    assert ("The as-filed wording was approved; with this edit it counts as not approved "
            "until a reviewer approves it again, on its position page.") in text
    # the block just written is not presented as a problem
    assert CLI_NOTE not in text and "outdated" not in text and "never written back" not in text
    item = _text(_item(applied.text, TITLE))
    assert item.startswith("applied ")
    assert "The library's as-filed wording now reads as this file" in item
    assert "Apply" not in item
    # the header keeps the consultation's folder
    assert f"<small>({CONSULTATION})</small>" in applied.text
    assert "1 applied" in text and "0 edited" in text


def test_comparing_again_after_apply_says_the_wording_is_already_in_the_library(
        workspace, tmp_path):
    path = edited_filing(workspace, tmp_path, new="grateful")
    web = client(make_app(workspace))
    page = _compare(web, path)
    upload = re.search(r'name="upload" value="([^"]+)"', page.text).group(1)
    web.post("/review/apply", data={"csrf": csrf_of(page.text), "upload": upload,
                                    "name": "edited.docx", "block": BLOCK})
    again = _compare(web, path)
    item = _text(_item(again.text, TITLE))
    assert item.startswith("already in the library ")
    assert CLI_NOTE not in _text(again.text)
    assert "1 already in the library" in _text(again.text)


def test_a_docx_made_before_a_wording_changed_says_so_for_staff(workspace, tmp_path):
    block = _block(workspace)
    path = edited_filing(workspace, tmp_path, new="grateful")
    # the library's wording changes after the download
    text = block.path.read_text(encoding="utf-8")
    changed = text.replace("We are thankful that", "We are truly thankful that", 1)
    assert changed != text
    block.path.write_text(changed, encoding="utf-8")
    web = client(make_app(workspace))
    page = _compare(web, path)
    html = page.text
    assert CLI_NOTE not in _text(html) and "never written back" not in html
    item = _item(html, TITLE)
    said = _text(item)
    assert said.startswith("changed in the library since download ")
    # an untouched file gives the same page: the differences may be the library's own change
    assert ("This position's wording was changed in the library after this file was "
            "downloaded: the differences below may be that change rather than a reviewer's "
            "edit, so nothing here can be applied automatically. If the reviewer edited this "
            "passage, compare by hand, or download the filing again and redo the edit.") in said
    assert "Differences from the library's current wording" in said
    assert "The reviewer's edit" not in said
    assert "Apply" not in item
    summary = _text(re.search(r'<p id="review-summary">(.*?)</p>', html, re.S).group(1))
    assert "0 edited" in summary and "1 changed in the library since download" in summary


def test_diffs_are_deletions_and_insertions_with_the_text_escaped(workspace, tmp_path):
    path = edited_filing(workspace, tmp_path)         # "grateful <b>&amp;": text, not markup
    web = client(make_app(workspace))
    html = _compare(web, path).text
    item = _item(html, TITLE)
    assert "[-" not in item and "{+" not in item
    assert re.search(r'<del><span class="sr-only">deleted: </span>thankful<span '
                     r'class="sr-only"> \(end of deletion\)</span></del>', item)
    assert re.search(r'<ins><span class="sr-only">inserted: </span>grateful &lt;b&gt;&amp;amp;'
                     r'<span class="sr-only"> \(end of insertion\)</span></ins>', item)
    assert "<b>" not in item
    assert "The reviewer's edit" in _text(item)


@pytest.mark.parametrize("old,new", [
    (["One two three four."], ["One two 3 four five."]),
    (["Keep.", "Gone para.", "Also kept here."], ["Keep.", "Also kept there.", "New para."]),
    ([" ".join(f"w{i}" for i in range(40))],
     [" ".join(f"w{i}" if i != 20 else "X" for i in range(40))]),
    (["[-odd-] {+marks+} in text"], ["[-odd-] {+marks+} in the text"]),
])
def test_structured_diff_spells_the_same_lines_as_the_cli(old, new):
    from drafter.harvest.compare import block_diff
    from drafter.harvest.compare import diff_lines, marked

    for context in (None, 8, 2):
        lines = diff_lines(old, new, context)
        assert marked(lines) == block_diff(old, new, context)
        assert all(kind in ("same", "del", "ins") for line in lines for kind, _ in line)
    assert any(kind != "same" for line in diff_lines(old, new) for kind, _ in line)


@pytest.mark.browser
def test_in_chromium_apply_reads_as_done_and_diffs_are_struck_and_underlined(
        workspace, tmp_path, serve, page):
    from playwright.sync_api import expect

    path = edited_filing(workspace, tmp_path, new="grateful")
    server = serve(make_app(workspace))
    page.goto(server.url + "/review")
    page.get_by_label("Edited DOCX").set_input_files(str(path))
    page.get_by_role("button", name="Compare").click()
    item = page.get_by_role("listitem", name=TITLE)
    deletion, insertion = item.get_by_role("deletion"), item.get_by_role("insertion")
    expect(deletion).to_have_text("deleted: thankful (end of deletion)")
    expect(insertion).to_have_text("inserted: grateful (end of insertion)")
    # seen: the word alone, struck through or underlined (the words for screen readers hidden)
    for hidden in item.locator(".sr-only").all():
        box = hidden.bounding_box()
        assert box is not None and box["width"] <= 1 and box["height"] <= 1
    assert "line-through" in deletion.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in insertion.evaluate("e => getComputedStyle(e).textDecorationLine")
    expect(item.get_by_role("figure")).to_contain_text("The reviewer's edit")
    item.get_by_role("button", name=f"Apply the edit to {TITLE}").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Applied the edit to “{TITLE}”: wrote the reviewer's text into its as-filed wording")
    expect(page.get_by_role("heading", level=2)).to_have_text(f"edited.docx ({CONSULTATION})")
    expect(page.get_by_role("main")).not_to_contain_text(CLI_NOTE)
    item = page.get_by_role("listitem", name=TITLE)
    expect(item).to_contain_text("The library's as-filed wording now reads as this file")
    expect(item.get_by_role("button")).to_have_count(0)


def test_apply_to_a_variant_names_the_us_wording_and_its_file(workspace, tmp_path):
    """A US filing uses the US wording of the accepted position: Apply says so, and where."""
    import docx
    from docx.oxml.ns import qn

    from drafter.load.library import load_library
    from drafter.load.workspace import discover
    from drafter.pipeline import Session
    from web.webtools import ACCEPTED, RESILIENCE_REL, accepted_consultation

    accepted_consultation(workspace)
    us = load_library(workspace / "positions").blocks[ACCEPTED].variants["us"]
    session = Session(discover(start=workspace))
    document = docx.Document(io.BytesIO(session.render(
        session.draft(workspace / RESILIENCE_REL), "docx")))
    first = next(w for w in us.body.split() if len(w) > 6 and w.isalpha())
    changed = 0
    for t in document.element.body.iter(qn("w:t")):
        if not changed and f" {first} " in f" {t.text} ":
            t.text = f" {t.text} ".replace(f" {first} ", f" {first.upper()} ", 1)[1:-1]
            changed += 1
    assert changed == 1
    path = tmp_path / "edited.docx"
    document.save(path)
    web = client(make_app(workspace))
    page = _compare(web, path)
    assert f"<small>({RESILIENCE_REL})</small>" in page.text
    title = load_library(workspace / "positions").blocks[ACCEPTED].meta.title
    assert "the US wording · positions/encryption/eu-oppose-backdoors.us.md" in _text(
        _item(page.text, title))
    upload = re.search(r'name="upload" value="([^"]+)"', page.text).group(1)
    applied = web.post("/review/apply", data={"csrf": csrf_of(page.text), "upload": upload,
                                              "name": "edited.docx", "block": ACCEPTED})
    text = _text(applied.text)
    assert (f"Applied the edit to “{title}”: wrote the reviewer's text into its US wording "
            "(positions/encryption/eu-oppose-backdoors.us.md).") in text
    assert "The US wording is a draft: it needs a reviewer's approval" in text
    assert first.upper() in us.path.read_text(encoding="utf-8")
    assert f"<small>({RESILIENCE_REL})</small>" in applied.text
    assert _text(_item(applied.text, title)).startswith("applied ")
