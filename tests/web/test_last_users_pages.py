"""What the last browser users tripped on, checked on the pages the server sends: downloads
that include placeholders without saying so, an accepted wording edited since its approval not
flagged at its question, no way back from a position page to its question, a new-consultation
form that did not mark its required fields, a browser-made file that starts with a terminal
hint, and messages that named positions by id."""

from __future__ import annotations

import html as html_text
import json
import re
from urllib.parse import quote

import pytest
from conftest import run_cli

from web.webtools import (ACCEPTED, RESILIENCE_REL, accepted_consultation, approved_then_edited,
                          client, csrf_of, make_app, resilience_consultation)

REL = RESILIENCE_REL
NEW = {"action": "create", "title": "Request for Comment on Internet Resilience",
       "agency": "National Telecommunications and Information Administration",
       "agency_short": "NTIA", "kind": "noi", "jurisdiction": "US",
       "questions": "1. Should providers be required to build encryption backdoors?\n"
                    "2. How can the government support domain name registries?"}


@pytest.fixture
def web(workspace):
    return client(make_app(workspace))


def _text(html: str) -> str:
    """The page's text: tags out, entities read, white space collapsed."""
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _section(html: str, qid: str) -> str:
    return html.split(f'id="q-{qid}"', 1)[1].split("</section>", 1)[0]


def _statuses(workspace) -> dict[str, str]:
    result = run_cli("coverage", workspace / REL, "--format", "json", cwd=workspace)
    assert result.code == 0, result.err
    return {q["id"]: q["status"] for q in json.loads(result.out)["questions"]}


# --- 4. "Download text" includes the placeholders, and says so ------------------------------

def test_download_text_is_the_whole_filing_placeholders_included_and_nothing_says_so(
        web, workspace):
    accepted_consultation(workspace)
    waiting = sorted(q for q, status in _statuses(workspace).items()
                     if status == "placeholder")
    assert len(waiting) >= 2
    page = web.get(f"/c/{REL}")
    assert page.status_code == 200
    note = re.search(r'<p class="downloads-note" id="downloads-note">(.*?)</p>', page.text,
                     re.S)
    assert note, "no word about the placeholders beside the downloads"
    assert _text(note.group(1)).startswith(
        f"{len(waiting)} questions still have no answer: each download is the whole filing, "
        "and shows a placeholder ( [[TODO: …]] ) where those answers go. It also shows "
        "placeholders for: ")
    downloads = page.text.split('<p class="downloads"', 1)[1].split("</p>", 1)[0]
    assert downloads.count('aria-describedby="downloads-note"') == downloads.count("<a ") >= 3
    text = web.get(f"/c/{REL}/download/txt").text
    for qid in waiting:
        assert f"[[TODO: answer to question {qid}]]" in text
    assert text.count("[[TODO: answer to question") == len(waiting)


def test_one_placeholder_is_said_in_the_singular_and_none_says_nothing(web, workspace):
    path = workspace / REL
    path.parent.mkdir()
    path.write_text(resilience_consultation(2) + "answers:\n  '1':\n    positions: ["
                    f"{ACCEPTED}]\n  '2':\n    text: Registries need stable funding.\n")
    # every question answered: the note names only the other placeholders
    note = re.search(r'<p class="downloads-note" id="downloads-note">(.*?)</p>',
                     web.get(f"/c/{REL}").text, re.S)
    assert note is None or "question" not in _text(note.group(1))
    path.write_text(resilience_consultation(2) + "answers:\n  '1':\n    positions: ["
                    f"{ACCEPTED}]\n")
    if _statuses(workspace)["2"] != "placeholder":
        pytest.skip("question 2 is answered by a confident suggestion")
    page = web.get(f"/c/{REL}").text
    assert "1 question still has no answer: each download is the whole filing, and shows " \
           "a placeholder" in _text(page)
    assert "where that answer goes" in _text(page)


# --- 3. an accepted wording edited since its approval, at its question -----------------------

def test_a_question_flags_its_accepted_wording_edited_since_approval(web, workspace):
    accepted_consultation(workspace, 2)
    before = web.get(f"/c/{REL}").text
    assert "edited after it was approved" not in before
    approved_then_edited(workspace)
    page = web.get(f"/c/{REL}").text
    question = _section(page, "1")
    note = re.search(r'<p class="edited-since" role="note">(.*?)</p>', question, re.S)
    assert note
    assert _text(note.group(1)).startswith("This wording was edited after it was approved: "
                                           "a reviewer must approve it again.")
    href = html_text.unescape(re.search(r'href="([^"]+)"', note.group(1)).group(1))
    assert re.fullmatch(rf"/library/{ACCEPTED}\?from={quote(REL, safe='')}&q=1"
                        r"#wording-(as-filed|us|eu|general)", href), href
    assert "edited after it was approved" not in _section(page, "2")
    # the position's page shows the wording it links to
    position = web.get(href.split("#")[0]).text
    assert f'id="{href.split("#")[1]}"' in position


# --- 5. the way back from a position page to its question ------------------------------------

def test_back_from_a_position_page_goes_to_the_question(web, workspace):
    path = workspace / REL
    path.parent.mkdir()
    path.write_text(resilience_consultation(8)
                    + f"answers:\n  '7':\n    positions: [{ACCEPTED}]\n")
    page = web.get(f"/c/{REL}").text
    for n in range(1, 9):
        assert f'id="q-{n}"' in page
    link = re.search(r'<a href="([^"]+)">Oppose backdoors</a>', _section(page, "7")).group(1)
    link = html_text.unescape(link)
    assert link == f"/library/{ACCEPTED}?from={quote(REL, safe='')}&q=7"
    position = web.get(link).text
    assert f'<a href="/c/{REL}#q-7">Back to question 7</a>' in position
    # Save and Approve keep the way back (and come back to the wording acted on); the
    # as-filed wording is approved and unchanged since (no Approve): the US wording's
    token = re.search(r'name="token" value="([^"]+)"><input type="hidden" name="from" '
                      rf'value="{re.escape(REL)}"><input type="hidden" name="q" value="7">'
                      r'\s*<input type="hidden" name="variant" value="us">\s*'
                      r'<button type="submit">Approve the US wording</button>', position)
    assert token
    approved = web.post(f"/library/{ACCEPTED}/approve", data={
        "csrf": csrf_of(position), "token": token.group(1), "from": REL, "q": "7",
        "variant": "us"}, follow_redirects=False)
    assert approved.status_code == 303
    assert approved.headers["location"] == \
        f"/library/{ACCEPTED}?from={quote(REL, safe='')}&q=7#wording-us"


@pytest.mark.parametrize("query", [
    "from=consultations/ntia-internet-resilience.yaml&q=99",       # no such question
    "from=consultations/nothing-here.yaml&q=1",                      # no such consultation
    "from=../../../etc/passwd&q=1",                                  # outside the workspace
    "from=positions/encryption/eu-oppose-backdoors.md&q=1",          # not a consultation
    "from=https://example.com/c/x.yaml&q=1",
])
def test_a_way_back_to_nowhere_is_not_offered(web, workspace, query):
    accepted_consultation(workspace, 2)
    page = web.get(f"/library/{ACCEPTED}?{query}")
    assert page.status_code == 200
    assert "Back to question" not in page.text and 'name="from"' not in page.text


# --- 6. the required fields of a new consultation ---------------------------------------------

def test_the_new_consultation_form_does_not_mark_kind_and_jurisdiction_as_required(web):
    page = web.get("/new").text
    for name in ("title", "agency", "kind", "jurisdiction"):
        tag = re.search(rf'<(?:input|select) id="{name}"[^>]*>', page).group(0)
        assert " required" in tag and 'aria-required="true"' in tag, tag
        label = re.search(rf'<label for="{name}">(.*?)</label>', page).group(1)
        assert label.endswith('<span class="required" aria-hidden="true">*</span>'), label
    for name in ("agency_short", "agency_ref", "docket", "deadline", "questions"):
        tag = re.search(rf'<(?:input|textarea) id="{name}"[^>]*>', page).group(0)
        assert "required" not in tag, tag
    assert _text(page).count("* marks a field a consultation must have") == 1
    # Fetch and Read the notice fill the fields in: the browser lets them through empty
    for value in ("fetch", "read"):
        assert re.search(rf'<button type="submit" name="action" value="{value}" '
                         r'formnovalidate>', page)


@pytest.mark.parametrize("missing, said", [
    (("kind",), "Fill in Kind (a consultation needs it), or read the notice's file to fill it "
                "in"),
    (("jurisdiction",), "Fill in Jurisdiction (a consultation needs it), or read the notice's "
                        "file to fill it in"),
    (("kind", "jurisdiction"), "Fill in Kind and Jurisdiction (a consultation needs them), or "
                               "read the notice's file to fill them in"),
])
def test_the_server_still_refuses_a_new_consultation_without_them(web, workspace, missing,
                                                                   said):
    data = dict(NEW, csrf=csrf_of(web.get("/new").text), **{k: "" for k in missing})
    page = web.post("/new", data=data, follow_redirects=False)
    assert page.status_code == 400
    assert html_text.unescape(
        re.search(r'<p class="error" role="alert">([^<]*)</p>', page.text).group(1)) == said
    assert 'value="Request for Comment on Internet Resilience"' in page.text     # kept
    assert not (workspace / "consultations").exists()


def test_read_the_notice_without_a_file_says_so(web, workspace):
    data = {"csrf": csrf_of(web.get("/new").text), "action": "read"}
    page = web.post("/new", data=data)
    assert page.status_code == 400
    assert "Notice JSON: choose the notice&#39;s file first" in page.text
    assert not (workspace / "consultations").exists()


def test_read_the_notice_fills_the_fields_in(web, workspace):
    from conftest import ROOT

    notice = (ROOT / "tests" / "data" / "import" / "cisa-circia-rfi.json").read_bytes()
    page = web.post("/new", data={"csrf": csrf_of(web.get("/new").text), "action": "read"},
                    files={"notice_file": ("cisa-circia-rfi.json", notice, "application/json")})
    assert page.status_code == 200
    assert "Read cisa-circia-rfi.json: check the fields, add the questions, then Create." \
        in page.text
    assert re.search(r'<input id="title" name="title" value="Request for Information on the '
                     r'Cyber Incident Reporting', page.text)
    assert not (workspace / "consultations").exists()


# --- 9. a file made in the browser carries no terminal instructions --------------------------

def test_a_new_consultation_file_made_in_the_browser_starts_with_a_command_line_hint(
        web, workspace):
    data = dict(NEW, csrf=csrf_of(web.get("/new").text))
    assert web.post("/new", data=data, follow_redirects=False).status_code == 303
    text = (workspace / "consultations" / "ntia-internet-resilience.yaml").read_text()
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert comments == ["# Questions pasted in the browser: check them against the notice."]
    assert "drafter" not in text and "run " not in text.lower()
    # without pasted questions nor notice: one line saying where it was made
    data = dict(NEW, csrf=csrf_of(web.get("/new").text), title="A second consultation",
                questions="")
    assert web.post("/new", data=data, follow_redirects=False).status_code == 303
    second = (workspace / "consultations" / "ntia-second-consultation.yaml").read_text()
    assert second.splitlines()[0] == "# Made in the browser."
    assert second.endswith('# No questions yet: add them here, as questions: [{id: "1", '
                           'text: ...}].\n')
    assert "drafter" not in second


def test_drafter_new_keeps_its_next_step_hint(workspace, tmp_path):
    out = tmp_path / "cli.yaml"
    result = run_cli("new", "--title", NEW["title"], "--agency", NEW["agency"],
                     "--agency-short", "NTIA", "--kind", "noi", "--jurisdiction", "US",
                     "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    assert "# Next: drafter suggest" in out.read_text()


# --- 8. messages name positions by title ------------------------------------------------------

def test_messages_name_positions_by_id(web, workspace):
    path = workspace / REL
    path.parent.mkdir()
    path.write_text(resilience_consultation(2))
    page = web.get(f"/c/{REL}").text
    section = _section(page, "1")
    data = {"csrf": csrf_of(page), "qid": "1", "pid": ACCEPTED, "action": "accept",
            "token": re.search(r'name="token" value="([^"]+)"', section).group(1)}
    answered = web.post(f"/c/{REL}/answer", data=data)
    assert answered.status_code == 200
    said = re.search(r'<p class="flash info" role="status">([^<]*)</p>', answered.text)
    assert html_text.unescape(said.group(1)) == "Question 1: accepted “Oppose backdoors”."
    position = web.get(f"/library/{ACCEPTED}").text
    form = position.split('name="variant" value="eu"', 1)[0].rsplit("<form", 1)[1]
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    approved = web.post(f"/library/{ACCEPTED}/approve", data={
        "csrf": csrf_of(position), "token": token, "variant": "eu"})
    said = re.search(r'<p class="flash info" role="status">([^<]*)</p>', approved.text)
    assert html_text.unescape(said.group(1)).startswith(
        "Approved the EU wording of “Oppose backdoors” (")
    assert ACCEPTED not in said.group(1)
