"""``drafter harvest`` on a filing edited with python-docx, and on the same files re-saved by
LibreOffice: it finds exactly the edited, deleted and added parts, and writes edits back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests.conftest import ROOT, require_tool, run_cli

NTIA = "examples/ntia-botnets-comments.yaml"
MARKET = "positions/security/market-driven-botnet-mitigation.md"


def _copy_workspace(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        shutil.copy(ROOT / name, dest / name)
    return dest


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _paragraph(document, start: str):
    for p in document.element.body.iter(qn("w:p")):
        if _text(p).startswith(start):
            return p
    raise AssertionError(f"no paragraph starts with {start!r}")


def _replace(p, old: str, new: str) -> None:
    for t in p.iter(qn("w:t")):
        if old in (t.text or ""):
            t.text = t.text.replace(old, new)
            return
    raise AssertionError(old)


def edit_one_word(src: Path, dest: Path) -> None:
    d = docx.Document(str(src))
    _replace(_paragraph(d, "We are thankful that NTIA"), "thankful", "grateful")
    d.save(str(dest))


def delete_add_and_retitle(src: Path, dest: Path) -> None:
    d = docx.Document(str(src))
    for start in ("Planned Obsolescence", "While a complicated issue to tackle"):
        p = _paragraph(d, start)
        p.getparent().remove(p)
    anchor = _paragraph(d, "It is important to acknowledge that botnets")
    new = d.add_paragraph("We also ask NTIA to publish its data.")._p
    anchor.addnext(new)
    _replace(_paragraph(d, "GENERAL FEEDBACK"), "GENERAL FEEDBACK", "GENERAL COMMENTS")
    d.save(str(dest))


def split_a_paragraph(src: Path, dest: Path) -> None:
    """What Word does when Enter is pressed inside a bookmarked paragraph."""
    d = docx.Document(str(src))
    p = _paragraph(d, "We feel the federal government should continue")
    end = p.find(qn("w:bookmarkEnd"))
    second = d.add_paragraph("A second paragraph typed after Enter.")._p
    p.addnext(second)
    p.remove(end)
    second.append(end)
    d.save(str(dest))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Drafted, edited, and LibreOffice re-saved filings (one soffice run for all)."""
    base = tmp_path_factory.mktemp("harvest")
    ws = _copy_workspace(base / "ws")
    result = run_cli("draft", NTIA, "-o", base / "original.docx", cwd=ws)
    assert result.code == 0, result.err
    edit_one_word(base / "original.docx", base / "one-word.docx")
    delete_add_and_retitle(base / "original.docx", base / "delete-add.docx")
    split_a_paragraph(base / "original.docx", base / "split.docx")
    out = {"ws": ws, "original": base / "original.docx", "one-word": base / "one-word.docx",
           "delete-add": base / "delete-add.docx", "split": base / "split.docx"}
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        lo = base / "lo"
        lo.mkdir()
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{base}/profile",
                        "--convert-to", "docx", "--outdir", str(lo),
                        str(out["one-word"]), str(out["delete-add"]), str(out["original"])],
                       check=True, capture_output=True, timeout=180)
        for name in ("one-word", "delete-add", "original"):
            out[f"lo-{name}"] = lo / f"{name}.docx"
    return out


def harvest_json(ws: Path, path: Path, *args):
    result = run_cli("harvest", path, "--format", "json", *args, cwd=ws)
    assert result.code == 0, result.err
    return json.loads(result.out)


def statuses(report) -> dict[str, str]:
    return {b["id"]: b["status"] for b in report["blocks"]}


def _lo(files, name):
    require_tool("soffice", "libreoffice")
    return files[f"lo-{name}"]


def test_unedited_filing_is_all_unchanged(files):
    report = harvest_json(files["ws"], files["original"])
    assert set(statuses(report).values()) == {"unchanged"} and len(report["blocks"]) == 12
    assert report["added"] == [] and report["consultation"] == NTIA


def test_unedited_filing_resaved_by_libreoffice_is_all_unchanged(files):
    report = harvest_json(files["ws"], _lo(files, "original"))
    assert set(statuses(report).values()) == {"unchanged"} and report["added"] == []


def _assert_one_word(report):
    edited = [b for b in report["blocks"] if b["status"] != "unchanged"]
    assert [b["id"] for b in edited] == ["market-driven-botnet-mitigation"]
    block = edited[0]
    assert block["status"] == "edited" and block["path"] == MARKET
    assert block["diff"].startswith("We are [-thankful-]{+grateful+} that NTIA took")
    assert block["text"].startswith("We are grateful that NTIA")
    assert report["added"] == []


def test_one_edited_word_python_docx(files):
    _assert_one_word(harvest_json(files["ws"], files["one-word"]))


def test_one_edited_word_libreoffice(files):
    _assert_one_word(harvest_json(files["ws"], _lo(files, "one-word")))


def _assert_delete_add(report):
    s = statuses(report)
    assert s["planned-obsolescence"] == "deleted"
    assert [k for k, v in s.items() if v != "unchanged"] == ["planned-obsolescence"]
    assert report["added"] == [
        {"after": "coalition-members", "text": "GENERAL COMMENTS", "kind": "template"},
        {"after": "global-diverse-scope", "text": "We also ask NTIA to publish its data.",
         "kind": "new"}]


def test_deleted_block_and_added_paragraphs_python_docx(files):
    _assert_delete_add(harvest_json(files["ws"], files["delete-add"]))


def test_deleted_block_and_added_paragraphs_libreoffice(files):
    _assert_delete_add(harvest_json(files["ws"], _lo(files, "delete-add")))


def test_table_format(files):
    result = run_cli("harvest", files["delete-add"], cwd=files["ws"])
    lines = result.out.strip().split("\n")
    assert ["deleted", "planned-obsolescence", "positions/security/planned-obsolescence.md"] \
        in [line.split() for line in lines]
    assert "added      We also ask NTIA to publish its data." in lines
    assert lines[-1] == "12 blocks: 11 unchanged, 0 edited, 1 deleted; 2 paragraphs added"


def test_split_paragraph_stays_with_its_block(files):
    report = harvest_json(files["ws"], files["split"])
    block = next(b for b in report["blocks"] if b["id"] == "government-facilitator-educator")
    assert block["status"] == "edited" and report["added"] == []
    assert block["diff"] == "{+A second paragraph typed after Enter.+}"


def _hashes(ws: Path) -> dict[str, str]:
    return {str(p.relative_to(ws)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((ws / "positions").rglob("*.md"))}


def test_apply_writes_only_the_edited_block(files, tmp_path):
    ws = _copy_workspace(tmp_path / "ws")
    before = _hashes(ws)
    old = (ws / MARKET).read_text()
    result = run_cli("harvest", files["one-word"], "--apply", cwd=ws)
    assert result.code == 0, result.err
    assert f"--- a/{MARKET}" in result.out and "updated 1 block file" in result.err
    after = _hashes(ws)
    assert [k for k in before if before[k] != after[k]] == [MARKET]
    new = (ws / MARKET).read_text()
    today = dt.date.today().isoformat()
    assert new == re.sub(r"^last_reviewed: .*$", f"last_reviewed: {today}",
                         old.replace("We are thankful that", "We are grateful that"),
                         count=1, flags=re.M)
    assert "{{ agency.short_name }} took a thoughtful approach" in new
    # the library now says what the reviewer wrote: a new draft matches the edited filing
    again = harvest_json(ws, files["one-word"])
    assert set(statuses(again).values()) == {"unchanged"}
    assert any("changed in the library since the filing was drafted" in n
               for n in again["notes"])


def test_apply_after_libreoffice(files, tmp_path):
    ws = _copy_workspace(tmp_path / "ws")
    result = run_cli("harvest", _lo(files, "one-word"), "--apply", cwd=ws)
    assert result.code == 0, result.err
    assert "We are grateful that {{ agency.short_name }}" in (ws / MARKET).read_text()


def test_apply_does_not_delete_blocks(files, tmp_path):
    ws = _copy_workspace(tmp_path / "ws")
    before = _hashes(ws)
    result = run_cli("harvest", files["delete-add"], "--apply", cwd=ws)
    assert result.code == 0, result.err
    assert _hashes(ws) == before
    assert "planned-obsolescence.md: note: deleted in the filing: not applied" in result.err


def test_patch_writes_a_diff_and_touches_nothing(files, tmp_path):
    ws = _copy_workspace(tmp_path / "ws")
    before = _hashes(ws)
    patch = tmp_path / "harvest.patch"
    result = run_cli("harvest", files["one-word"], "--patch", patch, cwd=ws)
    assert result.code == 0, result.err
    assert _hashes(ws) == before
    text = patch.read_text()
    assert text.startswith(f"--- a/{MARKET}\n+++ b/{MARKET}\n")
    assert "-We are thankful that {{ agency.short_name }}" in text
    assert "+We are grateful that {{ agency.short_name }}" in text
    git = shutil.which("git")
    if git:
        check = subprocess.run([git, "apply", "--check", str(patch)], cwd=ws,
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


def test_outdated_block_is_never_written(files, tmp_path):
    ws = _copy_workspace(tmp_path / "ws")
    block = ws / MARKET
    block.write_text(block.read_text().replace("We are thankful", "We are very thankful"))
    changed = block.read_text()
    result = run_cli("harvest", files["one-word"], "--apply", cwd=ws)
    assert result.code == 0, result.err
    assert block.read_text() == changed
    assert "market-driven-botnet-mitigation' changed in the library" in result.err


def test_consultation_option_and_discovery_errors(files, tmp_path):
    ws = files["ws"]
    d = docx.Document(str(files["one-word"]))
    d.core_properties.title = "Something else"
    renamed = tmp_path / "renamed.docx"
    d.save(str(renamed))
    result = run_cli("harvest", renamed, cwd=ws)
    assert result.code == 2
    assert result.err.strip() == (f"{renamed}: error: no consultation titled 'Something else' "
                                  "in the workspace: name it with --consultation")
    report = harvest_json(ws, renamed, "--consultation", NTIA)
    assert statuses(report)["market-driven-botnet-mitigation"] == "edited"


def test_bad_input(files, tmp_path):
    ws = files["ws"]
    junk = tmp_path / "junk.docx"
    junk.write_text("not a zip")
    result = run_cli("harvest", junk, "--consultation", NTIA, cwd=ws)
    assert result.code == 2 and result.err.strip() == f"{junk}: error: not a Word document (.docx)"
    missing = run_cli("harvest", tmp_path / "nope.docx", cwd=ws)
    assert missing.code == 2 and "no such file" in missing.err
    both = run_cli("harvest", files["one-word"], "--apply", "--patch", "-", cwd=ws)
    assert both.code == 2 and "exclude each other" in both.err


def test_tracked_changes_count_as_accepted():
    from lxml import etree

    from drafter.harvest.docxread import paragraph_text

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    p = etree.fromstring(
        f'<w:p xmlns:w="{w}"><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
        '<w:r><w:t xml:space="preserve">We are </w:t></w:r>'
        '<w:del w:id="1" w:author="R"><w:r><w:delText>thankful</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="R"><w:r><w:t>grateful</w:t></w:r></w:ins>'
        '<w:r><w:t xml:space="preserve"> that</w:t><w:tab/><w:t>NTIA</w:t><w:br/>'
        '<w:instrText> PAGE </w:instrText><w:t>ok</w:t></w:r></w:p>')
    assert paragraph_text(p) == "We are grateful that\tNTIA\nok"


def test_a_document_without_bookmarks(files, tmp_path):
    plain = tmp_path / "plain.docx"
    d = docx.Document()
    d.core_properties.title = docx.Document(str(files["original"])).core_properties.title
    d.add_paragraph("Some text a reviewer typed from scratch.")
    d.save(str(plain))
    report = harvest_json(files["ws"], plain, "--consultation", NTIA)
    assert set(statuses(report).values()) == {"deleted"}
    assert report["added"] == [{"after": None, "text": "Some text a reviewer typed from "
                                "scratch.", "kind": "new"}]
    assert "no provenance bookmarks" in report["notes"][0]


def test_blocks_with_jinja_statements_are_not_rewritten(files, tmp_path):
    ws = _copy_workspace(tmp_path / "ws")
    block = ws / MARKET
    text = block.read_text().replace("We are thankful that",
                                     "{% if agency.short_name %}We are thankful that{% endif %}")
    block.write_text(text)
    filing = tmp_path / "filing.docx"
    assert run_cli("draft", NTIA, "-o", filing, cwd=ws).code == 0
    edit_one_word(filing, filing)
    result = run_cli("harvest", filing, "--apply", cwd=ws)
    assert result.code == 0, result.err
    assert block.read_text() == text
    assert "uses Jinja statements" in result.err and "updated 0 block files" in result.err


def test_untouched_filing_after_a_library_change_says_outdated_in_the_table(files, tmp_path):
    # A new user's untouched filing read "edited ... (outdated)" with a diff, after the library
    # took another reviewer's wording: the table now says which way the diff reads, and the
    # summary counts the outdated block.
    ws = _copy_workspace(tmp_path / "ws")
    block = ws / MARKET
    block.write_text(block.read_text().replace("We are thankful", "We are very thankful"))
    result = run_cli("harvest", files["one-word"], cwd=ws)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    at = next(i for i, line in enumerate(lines) if "market-driven-botnet-mitigation" in line)
    assert lines[at].endswith("(outdated)")
    assert lines[at + 1].strip() == ("changed in the library since this file was drafted: "
                                     "[-the library's text now-] {+this file's+}")
    assert lines[-1].endswith("; 1 outdated (changed in the library since the filing was "
                              "drafted)")
