"""Five things new users found on the consultation page (consultations drafter had never
seen): the preview went back to the filing's first page after each change; saving the same
answer again said "wrote the answer"; the draft checks spoke to terminal users; an accepted
position showed only its title; the header showed a kind as its raw value."""

from __future__ import annotations

import html as html_text
import os
import re
import subprocess

import pytest

from web.webtools import (RESILIENCE_REL, box_of, open_resilience, client, csrf_of, make_app,
                          resilience_consultation)

CONSULTATION = resilience_consultation(8)
REL = RESILIENCE_REL
WIDE = {"width": 1400, "height": 1000}


def _expect():
    from playwright.sync_api import expect
    return expect


def _write(workspace, text: str = CONSULTATION):
    path = workspace / REL
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def _inside(inner: dict, outer: dict) -> bool:
    return inner["y"] >= outer["y"] - 1 and \
        inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1


def _form(html: str, qid: str) -> dict:
    section = html.split(f'id="q-{qid}"', 1)[1].split("</section>", 1)[0]
    return {"qid": qid, "csrf": csrf_of(html),
            "token": re.search(r'name="token" value="([^"]+)"', section).group(1)}


def _section(html: str, qid: str) -> str:
    return html.split(f'id="q-{qid}"', 1)[1].split("</section>", 1)[0]


# --- 1. the preview opens at the answer that changed ---------------------------------------------

def _preview_shows(page, heading: str, text: str | None = None) -> None:
    """The preview pane shows ``heading`` (and ``text`` when given) inside its visible box."""
    pane = page.get_by_title("Preview of the filing")
    frame = pane.content_frame
    target = frame.get_by_role("heading", name=heading, exact=True)
    _expect()(target).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('iframe.preview').getBoundingClientRect().height > 0")
    for _ in range(50):                 # the frame scrolls to its fragment once loaded
        if _inside(box_of(target), box_of(pane)):
            break
        page.wait_for_timeout(100)
    assert _inside(box_of(target), box_of(pane)), (box_of(target), box_of(pane))
    if text is not None:
        shown = frame.get_by_text(text)
        _expect()(shown).to_be_visible()
        assert box_of(shown)["y"] < box_of(pane)["y"] + box_of(pane)["height"]


@pytest.mark.browser
@pytest.mark.parametrize("action", ["save", "accept", "skip"])
def test_preview_jumped_to_the_top_after_a_change_now_shows_that_answer(workspace, serve, page,
                                                                        tmp_path, action):
    _write(workspace)
    open_resilience(page, serve, workspace)
    expect = _expect()
    question = page.get_by_role("region", name="Question 6")
    page.evaluate("document.getElementById('q-6').scrollIntoView()")
    at = page.evaluate("window.scrollY")
    assert at > 500                                  # a late question, far down the page
    if action == "save":
        question.get_by_label("Your answer").fill("Resolvers should answer every query.")
        question.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Question 6: wrote the answer")
        _preview_shows(page, "Question 6", "Resolvers should answer every query.")
    elif action == "accept":
        question.locator("li.suggestion").first.get_by_role("button", name="Accept").click()
        expect(page.get_by_role("status")).to_contain_text("Question 6: accepted ")
        _preview_shows(page, "Question 6")
    else:
        question.get_by_label("Skip reason").fill("not our members' business")
        question.get_by_role("button", name="Skip", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Question 6: skipped")
        # question 6 leaves the filing: the preview shows where it was, at question 7
        _preview_shows(page, "Question 7")
    page.wait_for_timeout(300)
    assert abs(page.evaluate("window.scrollY") - at) <= 2          # the questions stayed
    assert page.evaluate("document.querySelector('.document').scrollTop") == 0
    if action == "save":
        page.screenshot(path=str(tmp_path / "preview-at-question-6.png"))


@pytest.mark.browser
def test_preview_lost_its_place_on_a_slow_machine_now_opens_at_the_answer(workspace, serve,
                                                                         page):
    """With a busy browser the frame loaded before the page had laid it out, at Chromium's
    default 300 by 150 pixels, and the place it scrolled to was lost when it grew (the frame
    is now lazy: it loads once laid out)."""
    _write(workspace)
    open_resilience(page, serve, workspace)
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 8})
    question = page.get_by_role("region", name="Question 7")
    question.get_by_label("Your answer").fill("Registrars should verify on complaint.")
    question.get_by_role("button", name="Save").click()
    _expect()(page.get_by_role("status")).to_contain_text("Question 7: wrote the answer")
    _preview_shows(page, "Question 7", "Registrars should verify on complaint.")


@pytest.mark.browser
def test_preview_opens_at_the_top_when_nothing_was_changed(workspace, serve, page):
    _write(workspace)
    open_resilience(page, serve, workspace)
    frame = page.get_by_title("Preview of the filing").content_frame
    _expect()(frame.get_by_role("heading", name="Question 1", exact=True)).to_be_attached()
    assert frame.locator("html").evaluate("() => window.scrollY") == 0


@pytest.mark.browser
def test_preview_frame_is_signed_in_with_the_page(workspace, serve, page):
    """The preview is loaded by its own request: with accounts, the frame shows the filing
    (the session cookie goes with it), not the sign-in page."""
    from drafter.web.auth import add_user

    _write(workspace)
    add_user(workspace / "users.yaml", "sam", "staff", "staff password 1")
    server = serve(make_app(workspace, sign_in=True))
    page.goto(f"{server.url}/c/{REL}")
    page.get_by_label("Name").fill("sam")
    page.get_by_label("Password").fill("staff password 1")
    page.get_by_role("button", name="Sign in").click()
    _expect()(page.get_by_role("heading", level=1)).to_have_text(
        "Request for Comment on Internet Resilience")
    question = page.get_by_role("region", name="Question 7")
    question.get_by_label("Your answer").fill("Registrars should verify on complaint.")
    question.get_by_role("button", name="Save").click()
    _expect()(page.get_by_role("status")).to_contain_text("Question 7: wrote the answer")
    _preview_shows(page, "Question 7", "Registrars should verify on complaint.")


def test_preview_address_names_the_changed_answer(workspace):
    """The page's preview frame loads /preview at the heading of the question just changed
    (its id in the HTML filing), and the preview is never cached."""
    _write(workspace)
    web = client(make_app(workspace))
    html = web.get(f"/c/{REL}").text
    src = re.search(r'<iframe title="Preview of the filing"[^>]* src="([^"]+)"', html).group(1)
    assert src == f"/c/{REL}/preview"
    done = web.post(f"/c/{REL}/answer", data={**_form(html, "6"), "action": "save",
                                                "text": "Resolvers should answer."})
    assert done.status_code == 200
    src = re.search(r'<iframe title="Preview of the filing"[^>]* src="([^"]+)"',
                    done.text).group(1)
    path, anchor = src.split("#")
    preview = web.get(path)
    assert preview.headers["cache-control"] == "no-store"
    heading = re.search(rf'<h(\d) id="{anchor}">([^<]*)</h\1>', preview.text)
    assert heading.group(2) == "Question 6"


def test_preview_anchor_finds_the_question_by_its_heading_or_its_quoted_text():
    from drafter.web.app import preview_anchor

    questions = [("1", "Why?"), ("2", "How should “resolvers” work?"), ("3", "When?")]
    html = ('<h2 id="h1">Question 1</h2><blockquote><p>Why?</p></blockquote><p>A.</p>'
            '<h3 id="h5">Resolvers</h3>\n<blockquote><p>How should "resolvers" '
            'work?</p></blockquote><h3 id="h9">Question 3</h3><p>When?</p>')
    assert preview_anchor(html, questions, "1") == "h1"
    assert preview_anchor(html, questions, "2") == "h5"          # by its quoted text
    assert preview_anchor(html, questions, "3") == "h9"          # by its heading
    assert preview_anchor(html.replace('<h3 id="h5">Resolvers</h3>\n<blockquote><p>How '
                                       'should "resolvers" work?</p></blockquote>', ""),
                          questions, "2") == "h9"                # left out: the next one
    assert preview_anchor("<p>No headings.</p>", questions, "2") == ""
    assert preview_anchor(html, questions, "9") == ""


# --- 2. saving the same text again -----------------------------------------------------------------

def _git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=True, env={**os.environ, "GIT_AUTHOR_NAME": "t",
                                           "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
                                           "GIT_COMMITTER_EMAIL": "t@x"}).stdout


def test_saving_unchanged_text_said_wrote_the_answer_now_writes_nothing(workspace):
    text = "Resolvers should answer every query.\n\nAnd sign their zones."
    path = _write(workspace, CONSULTATION + "answers:\n  '6':\n    text: |-\n      "
                  + text.replace("\n\n", "\n\n      ") + "\n")
    _git(workspace, "init", "-q")
    _git(workspace, "add", "-A")
    _git(workspace, "commit", "-qm", "start")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    before = path.read_bytes()
    web = client(make_app(workspace))
    html = web.get(f"/c/{REL}").text
    assert "And sign their zones." in _section(html, "6")
    page = web.post(f"/c/{REL}/answer", data={**_form(html, "6"), "action": "save",
                                                "text": text.replace("\n", "\r\n") + "  \n"})
    assert page.status_code == 200
    message = re.search(r'<p class="flash info" role="status">([^<]*)</p>',
                        _section(page.text, "6")).group(1)
    assert message == ("Question 6: the answer is the same as the one saved: nothing "
                       "changed.")
    assert "wrote the answer" not in page.text
    assert path.read_bytes() == before
    assert path.stat().st_mtime == 1_600_000_000
    assert _git(workspace, "rev-list", "--count", "HEAD").strip() == "1"
    # a real change is still written and committed
    page = web.post(f"/c/{REL}/answer", data={**_form(page.text, "6"), "action": "save",
                                                "text": "Resolvers should answer."})
    assert "Question 6: wrote the answer." in _section(page.text, "6")
    assert path.read_bytes() != before
    assert _git(workspace, "rev-list", "--count", "HEAD").strip() == "2"


def test_saving_no_text_where_there_is_none_writes_nothing(workspace):
    path = _write(workspace)
    before = path.read_bytes()
    web = client(make_app(workspace))
    html = web.get(f"/c/{REL}").text
    page = web.post(f"/c/{REL}/answer", data={**_form(html, "3"), "action": "save",
                                                "text": "  \n"})
    assert "Question 3: there is no answer text to remove: nothing changed." in page.text
    assert path.read_bytes() == before


def test_edit_answer_says_whether_it_changed_the_file(workspace):
    from drafter.web import edits

    path = _write(workspace, CONSULTATION + "answers:\n  '2':\n    text: Kept.\n")
    token = edits.answer_token(path, "2")
    said = edits.edit_answer(path, "2", token, edits.set_text("Kept."))
    assert said == "the answer is the same as the one saved: nothing changed"
    assert said.changed is False
    said = edits.edit_answer(path, "2", token, edits.set_text("New."))
    assert (said, said.changed) == ("wrote the answer", True)
    for change, words in ((edits.set_skip(""), "not skipped: nothing changed"),
                          (edits.unreject("a"), "a was not rejected: nothing changed")):
        before = path.read_bytes()
        said = edits.edit_answer(path, "2", edits.answer_token(path, "2"), change)
        assert (said, said.changed, path.read_bytes()) == (words, False, before)
    edits.edit_answer(path, "2", edits.answer_token(path, "2"), edits.accept("a"))
    edits.edit_answer(path, "2", edits.answer_token(path, "2"), edits.set_skip("later"))
    before = path.read_bytes()
    for change, words in ((edits.accept("a"), "a was already accepted: nothing changed"),
                          (edits.set_skip(" later "), "already skipped (later): nothing "
                                                      "changed")):
        said = edits.edit_answer(path, "2", edits.answer_token(path, "2"), change)
        assert (said, said.changed, path.read_bytes()) == (words, False, before)


# --- 3. draft checks in words for the browser --------------------------------------------------------

CISA = "/c/examples/cisa-circia-rfi.yaml"


def _checks(html: str) -> list[str]:
    section = html.split('<h2 id="checks-h">', 1)[1].split("</section>", 1)[0]
    return [re.sub(r"\s+", " ", html_text.unescape(re.sub(r"<[^>]+>", "", li))).strip()
            for li in re.findall(r"<li[^>]*>(.*?)</li>", section, re.S)]


def test_draft_checks_spoke_to_terminal_users_now_say_what_to_do_in_the_browser(workspace):
    web = client(make_app(workspace))
    html = web.get(CISA).text
    checks = _checks(html)
    section = html.split('<h2 id="checks-h">', 1)[1].split("</section>", 1)[0]
    assert "drafter " not in section and "--variant" not in section
    assert "[[" not in section and "answers." not in section
    assert checks[0] == ("Warning: Question 4 has no answer yet, so the filing shows a reminder "
                         "there: accept a position or write the answer at the question. "
                         "Question 4")
    assert '<a href="#q-4">Question 4</a>' in section
    approve = [c for c in checks if "not approved yet" in c]
    assert len(approve) == 1
    assert approve[0].startswith("Warning: 5 wordings in this filing are not approved yet: a "
                                 "reviewer approves draft wordings, with Approve on the "
                                 "position's page.")
    assert '<a href="/library/closing-thanks-stand-ready#wording-general">Closing thanks; we ' \
           'stand ready to engage (general wording)</a>' in section
    address = [c for c in checks if "mailing address" in c]
    assert address == ["Warning: The organisation's mailing address is not set, so the filing "
                       "shows a gap where it goes: whoever looks after drafter's workspace "
                       "sets it in the organisation's settings (org.yaml, address); every "
                       "filing then has it."]
    # the link leads to the page where a reviewer approves the wording
    position = web.get("/library/closing-thanks-stand-ready").text
    assert 'id="wording-general"' in position and ">Approve the general wording<" in position


def test_no_example_shows_a_command_or_a_file_key_in_its_draft_checks(workspace):
    web = client(make_app(workspace))
    for path in sorted((workspace / "examples").glob("*.yaml")):
        html = web.get(f"/c/examples/{path.name}").text
        section = html.split('<h2 id="checks-h">', 1)[1].split("</section>", 1)[0]
        for cli in ("drafter ", "--", "[[", "answers.", "(org.yaml:", "status: draft"):
            assert cli not in section, (path.name, cli)


def test_draft_checks_keep_the_cli_words_in_the_terminal(workspace):
    from conftest import run_cli

    result = run_cli("draft", workspace / "examples" / "cisa-circia-rfi.yaml", "-o",
                     workspace / "cisa.md", cwd=workspace)
    assert result.code == 0, result.err
    assert "drafter positions approve closing-thanks-stand-ready --variant general" in \
        result.err
    assert "(org.yaml: address)" in result.err


def test_checks_for_browser_reword_each_kind_of_finding():
    from drafter.errors import Diagnostic
    from drafter.web.checks import for_browser

    def d(code, message, severity="warning"):
        return Diagnostic(severity, message, None, None, None, code)

    out = for_browser([
        d("unreviewed-answer", "question 3 is answered with a-b, c, picked automatically and "
          "not reviewed: move the ids to answers.3.positions to accept them"),
        d("retired-in-use", "retired position 'old' is used", "error"),
        d("placeholder", "leftover placeholder '[[TODO: EU Transparency Register number "
          "(org.yaml: transparency_register)]]'"),
        d("placeholder", "leftover placeholder '[[TODO: the substance of the comments: choose "
          "positions for this consultation]]'"),
        d("placeholder", "leftover placeholder '[[TODO: docket number]]'"),
        d("placeholder", "leftover placeholder '[[TODO: answer to question 2]]'"),
        d("placeholder", "leftover placeholder '[[TODO: answer to question 5]]'"),
        d("placeholder", "leftover placeholder '[[TODO: answer to question 7a]]'"),
        d("unapproved-in-use", "position 'x' is not approved yet (status: draft)"),
        d("deadline", "the deadline 2025-01-01 passed 3 days ago"),
        d("outside-fit", "position 'y' is for EU, UK, not US"),
        d("as-filed-elsewhere", "'z' uses its as-filed wording from ntia-2018 outside that "
          "proceeding (no reusable wording for US)"),
        d("unapproved-in-use", "the 'us' wording of position 'e' changed since it was "
          "approved (drafter positions approve e --variant us)"),
        d("unapproved-in-use", "the wording of position 'f' changed since it was approved "
          "(drafter positions approve f) (the automatic answer to question 2)"),
        d("repeated-answer", "position 'g' answers question 5 and question 2: the filing "
          "prints the same text twice (answer one of them with other text, or say there that "
          "the earlier answer applies)"),
    ])
    assert [c.text for c in out] == [
        "Question 3 is answered by “a-b”, “c”, a suggestion drafter picked that nobody has "
        "accepted yet: Accept or Reject it at the question.",
        "“old” is retired but still in this filing: remove it where it answers a question, "
        "or ask a reviewer which position replaces it.",
        "The organisation's EU Transparency Register number is not set, so the filing shows a "
        "gap where it goes: whoever looks after drafter's workspace sets it in the "
        "organisation's settings (org.yaml, transparency_register); every filing then has it.",
        "The filing has no positions yet (the substance of the comments is missing): accept "
        "positions at the questions, or ask whoever prepared this consultation to choose "
        "them.",
        "The filing still shows a gap to fill: “docket number”: whoever prepared this "
        "consultation fills it in, in its file.",
        "Questions 2, 5 and 7a have no answer yet, so the filing shows a reminder at each: "
        "accept a position or write the answer at the question.",
        "1 wording in this filing is not approved yet: a reviewer approves draft wordings, "
        "with Approve on the position's page.",
        "The deadline 2025-01-01 passed 3 days ago",
        "“y” is written for EU, UK filings, not US ones: remove it where it answers a "
        "question, or ask a reviewer for a wording that fits.",
        "“z” is in the words of the filing it was taken from (ntia-2018), which belong to "
        "that proceeding: a reviewer writes a reusable wording of it for filings like this "
        "one.",
        "2 wordings in this filing were changed since a reviewer approved them, and are not "
        "approved until approved again: a reviewer approves the new words, with Approve on "
        "the position's page.",
        "“g” answers question 2 and question 5, so the filing prints its text twice: answer "
        "one of them with other text, or say there that the earlier answer applies."]
    assert [(link.href, link.label) for link in out[10].links] == [
        ("/library/e#wording-us", "e (us wording)"), ("/library/f#wording-as-filed", "f")]
    assert [link.href for link in out[8].links + out[9].links] == ["/library/y", "/library/z"]
    assert [link.label for link in out[11].links] == ["Question 2", "Question 5"]
    assert [(link.href, link.label) for link in out[0].links] == [("#q-3", "Question 3")]
    assert [(link.href, link.label) for link in out[5].links] == [
        ("#q-2", "Question 2"), ("#q-5", "Question 5"), ("#q-7a", "Question 7a")]
    assert [(link.href, link.label) for link in out[6].links] == [
        ("/library/x#wording-as-filed", "x")]
    assert out[1].severity == "error" and out[1].code == "retired-in-use"


# --- 4. an accepted position shows its wording ---------------------------------------------------------

def test_accepted_position_showed_only_its_title_now_shows_its_wording(workspace):
    web = client(make_app(workspace))
    html = web.get(CISA).text
    accepted = _section(html, "1").split('<ul class="accepted">', 1)[1].split("</ul>", 1)[0]
    wording = accepted.split('aria-label="Wording of Monoliths">', 1)[1].split("</div>", 1)[0]
    excerpt = re.search(r'<p class="excerpt">([^<]*)</p>', wording).group(1)
    assert excerpt.startswith("A framework can lead to action only if it says who is "
                              "expected to act.")
    assert excerpt.endswith("…") and 300 <= len(excerpt) <= 401
    assert '<summary><span class="closed-label">Show all</span>' in wording
    full = re.findall(r"<p>([^<]*)</p>", wording.split("<details>", 1)[1])
    assert len(" ".join(full)) > len(excerpt)
    assert " ".join(full).startswith(excerpt[:-1])
    # the text as filed: the US wording the draft uses, with its variables filled in
    preview = web.get(CISA + "/preview").text
    assert full[0] in re.sub(r"\s+", " ", html_text.unescape(re.sub(r"<[^>]+>", "", preview)))


def test_wording_excerpt_cuts_at_a_word():
    from drafter.web.app import wording_excerpt

    short = wording_excerpt("One.\n\nTwo.")
    assert short == {"excerpt": "One. Two.", "paragraphs": ["One.", "Two."], "more": False}
    long = wording_excerpt("word " * 100, limit=22)
    assert long["excerpt"] == "word word word word…" and long["more"]


@pytest.mark.browser
def test_accepted_wording_shows_all_on_request(workspace, serve, page, tmp_path):
    server = serve(make_app(workspace))
    page.goto(f"{server.url}{CISA}")
    wording = page.get_by_role("region", name="Question 1").get_by_role(
        "group", name="Wording of Monoliths")
    expect = _expect()
    expect(wording).to_contain_text("A framework can lead to action only if it says who")
    show = wording.get_by_text("Show all", exact=True)
    last = wording.locator("details p").last
    expect(last).to_be_hidden()
    expect(wording.get_by_text("Show less", exact=True)).to_be_hidden()
    show.click()
    expect(last).to_be_visible()
    expect(wording.locator("p.excerpt")).to_be_hidden()
    expect(show).to_be_hidden()
    wording.get_by_text("Show less", exact=True).click()
    expect(last).to_be_hidden()
    expect(wording.locator("p.excerpt")).to_be_visible()
    show.click()
    wording.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "accepted-wording.png"))


# --- 5. a kind's name ------------------------------------------------------------------------------

def test_header_showed_the_raw_kind_now_the_fields_term(workspace):
    web = client(make_app(workspace))
    html = web.get("/c/examples/ec-encryption-call-for-evidence.yaml").text
    meta = re.search(r'<p class="meta">(.*?)</p>', html, re.S).group(1)
    assert "European Commission · Call for evidence · EU" in meta
    assert "call-for-evidence" not in meta.split("<small>")[0]
    meta = re.search(r'<p class="meta">(.*?)</p>', web.get(CISA).text, re.S).group(1)
    assert " · Request for information (RFI) · " in meta


def test_kinds_have_one_label_everywhere(workspace):
    from drafter.load.models import Kind
    from drafter.web.app import kind_choices, kind_label

    assert kind_label(Kind.nprm) == "Notice of proposed rulemaking (NPRM)"
    assert kind_label("public-consultation") == "Public consultation"
    assert all(label != value for value, label in kind_choices())
    menu = client(make_app(workspace)).get("/new").text
    for value, label in kind_choices():
        assert f'<option value="{value}">{label}</option>' in menu
