"""Faults a new user found in the web workspace (issue 11): typed answers lost on Accept, the
URL left at /new after Create, kinds missing from the menu, saved answers in another YAML
style than the file's, and the 404 for /favicon.ico."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web.webtools import client, csrf_of, make_app

NEW = {"action": "create", "title": "Request for Comment on Internet Resilience",
       "agency": "National Telecommunications and Information Administration",
       "agency_short": "NTIA", "kind": "noi", "jurisdiction": "US",
       "questions": "1. Should providers be required to build encryption backdoors?\n"
                    "2. How can the government support domain name registries?"}


def _expect():
    from playwright.sync_api import expect
    return expect


def _create(page, url: str) -> None:
    page.goto(url + "/new")
    page.get_by_label("Title").fill(NEW["title"])
    page.get_by_role("textbox", name="Agency", exact=True).fill(NEW["agency"])
    page.get_by_label("Agency short name").fill("NTIA")
    page.get_by_label("Kind").select_option(label="Notice of inquiry (NOI)")
    page.get_by_label("Jurisdiction").select_option("US")
    page.get_by_label("Questions").fill(NEW["questions"])
    page.get_by_role("button", name="Create").click()
    _expect()(page.get_by_role("heading", level=1)).to_have_text(NEW["title"])


# --- 2. redirect after Create ---------------------------------------------------------------

def test_create_redirects_to_the_consultation_page(workspace):
    web = client(make_app(workspace))
    data = dict(NEW, csrf=csrf_of(web.get("/new").text))
    response = web.post("/new", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/c/consultations/ntia-internet-resilience.yaml"


@pytest.mark.browser
def test_create_in_the_browser_leaves_the_url_of_the_consultation(workspace, serve, page):
    server = serve(make_app(workspace))
    _create(page, server.url)
    assert page.url.split("#")[0] == \
        server.url + "/c/consultations/ntia-internet-resilience.yaml"
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.reload()
    _expect()(page.get_by_role("heading", level=1)).to_have_text(NEW["title"])
    assert posts == []


# --- 1. Accept keeps the typed answer -------------------------------------------------------

TYPED = "Registries should be consulted before any new obligation on them."


@pytest.mark.browser
def test_accept_keeps_typed_unsaved_answer_text(workspace, serve, page):
    from drafter.load.consultation import load_consultation

    expect = _expect()
    server = serve(make_app(workspace))
    _create(page, server.url)
    written = workspace / "consultations" / "ntia-internet-resilience.yaml"
    q1 = page.get_by_role("region", name="Question 1")
    q1.get_by_label("Your answer").fill(TYPED)
    first = q1.locator("li.suggestion").first
    accepted = first.get_attribute("data-position")
    first.get_by_role("button", name="Accept").click()
    q1 = page.get_by_role("region", name="Question 1")
    expect(q1.locator("ul.accepted")).to_contain_text(accepted)
    expect(q1.get_by_label("Your answer")).to_have_value(TYPED)
    answer = load_consultation(written).model.answers["1"]
    assert answer.positions == [accepted]
    assert answer.text == TYPED


@pytest.mark.browser
def test_skip_keeps_typed_unsaved_answer_text(workspace, serve, page):
    from drafter.load.consultation import load_consultation

    expect = _expect()
    server = serve(make_app(workspace))
    _create(page, server.url)
    q2 = page.get_by_role("region", name="Question 2")
    q2.get_by_label("Your answer").fill(TYPED)
    q2.get_by_label("Skip reason").fill("outside our remit")
    q2.get_by_role("button", name="Skip").click()
    expect(page.get_by_role("status")).to_contain_text("Question 2:")   # the page after the save
    # a skipped question hides the answer box; the typed text is kept in the file
    expect(page.get_by_role("region", name="Question 2").get_by_label("Your answer")) \
        .to_have_count(0)
    answer = load_consultation(workspace / "consultations" / "ntia-internet-resilience.yaml") \
        .model.answers["2"]
    assert (answer.skip, answer.text) == ("outside our remit", TYPED)
    page.get_by_role("region", name="Question 2").get_by_role(
        "button", name="Answer after all").click()
    expect(page.get_by_role("region", name="Question 2").get_by_label("Your answer")) \
        .to_have_value(TYPED)


def test_accept_with_unchanged_text_does_not_rewrite_it(workspace):
    cisa = workspace / "examples" / "cisa-circia-rfi.yaml"
    before = cisa.read_text()
    web = client(make_app(workspace))
    html = web.get("/c/examples/cisa-circia-rfi.yaml").text
    token = re.search(r'name="qid" value="1">\s*<input type="hidden" name="token" '
                      r'value="([0-9a-f]+)"', html).group(1)
    saved = re.search(r'<textarea id="answer-1" name="text" rows="4">([^<]*)</textarea>',
                      html).group(1)
    import html as h
    response = web.post("/c/examples/cisa-circia-rfi.yaml/answer", follow_redirects=False,
                        data={"csrf": csrf_of(html), "qid": "1", "token": token,
                              "pid": "undefined-monolith-terms", "action": "accept",
                              "text": h.unescape(saved)})
    assert response.status_code == 303
    assert cisa.read_text() == before


def test_conflict_on_accept_shows_the_typed_text_again(workspace):
    web = client(make_app(workspace))
    html = web.get("/c/examples/cisa-circia-rfi.yaml").text
    response = web.post("/c/examples/cisa-circia-rfi.yaml/answer",
                        data={"csrf": csrf_of(html), "qid": "2", "token": "0" * 16,
                              "pid": "undefined-monolith-terms", "action": "accept",
                              "text": TYPED})
    assert response.status_code == 409
    assert response.text.count(TYPED) == 2      # the kept copy and the answer box
    assert TYPED not in (workspace / "examples" / "cisa-circia-rfi.yaml").read_text()


# --- 3. every kind in the menu --------------------------------------------------------------

def test_kind_menu_lists_every_kind_of_the_model(workspace):
    from drafter.load.models import Kind

    html = client(make_app(workspace)).get("/new").text
    menu = re.search(r'<select id="kind" name="kind"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', menu)
    assert [v for v, _ in options] == [""] + [k.value for k in Kind]
    labels = dict(options)
    assert labels["noi"] == "Notice of inquiry (NOI)"
    assert labels["public-notice"] == "Public notice"
    assert all(label and label != value for value, label in options if value)


@pytest.mark.parametrize("kind", ["noi", "anprm", "fnprm", "public-notice"])
def test_kind_menu_creates_with_kinds_the_cli_accepts(workspace, kind):
    from drafter.load.consultation import load_consultation

    web = client(make_app(workspace))
    data = dict(NEW, kind=kind, csrf=csrf_of(web.get("/new").text))
    assert web.post("/new", data=data, follow_redirects=False).status_code == 303
    made = load_consultation(workspace / "consultations" / "ntia-internet-resilience.yaml")
    assert made.model.kind.value == kind


# --- 5. the icon ----------------------------------------------------------------------------

def test_favicon_is_served_not_a_404(workspace):
    web = client(make_app(workspace))
    icon = web.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")
    linked = re.search(r'<link rel="icon" href="([^"]+)"', web.get("/").text).group(1)
    assert web.get(linked).content == icon.content


def test_favicon_needs_no_sign_in(workspace):
    from drafter.web.auth import add_user

    add_user(workspace / "users.yaml", "rita", "reviewer", "correct horse battery")
    web = client(make_app(workspace, sign_in=True, users_file=workspace / "users.yaml"))
    assert web.get("/", follow_redirects=False).status_code == 303
    assert web.get("/favicon.ico").status_code == 200


@pytest.mark.browser
def test_no_page_asks_for_a_missing_favicon(workspace, serve, page):
    server = serve(make_app(workspace))
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    for url in ("/", "/new", "/library", "/c/examples/cisa-circia-rfi.yaml", "/nowhere"):
        page.goto(server.url + url)
    page.wait_for_timeout(300)
    assert failed == [server.url + "/nowhere"]


# --- 4. saved answers in the file's own style -----------------------------------------------

LONG = ("We urge NTIA to define a substantial cyber incident by its actual effect on the "
        "operation of critical infrastructure, with thresholds that a reporting entity can "
        "apply on the day an incident happens, and  not  on later forensic findings.")


def _new_file(workspace) -> Path:
    web = client(make_app(workspace))
    data = dict(NEW, csrf=csrf_of(web.get("/new").text))
    assert web.post("/new", data=data, follow_redirects=False).status_code == 303
    return workspace / "consultations" / "ntia-internet-resilience.yaml"


def test_saved_answers_follow_the_block_style_of_a_new_file(workspace):
    from drafter.load.consultation import load_consultation
    from drafter.web import edits

    path = _new_file(workspace)
    assert "  - id: '1'\n" in path.read_text()
    for pid in ("eu-oppose-backdoors", "combat-abuse-keep-encryption"):
        edits.edit_answer(path, "1", edits.answer_token(path, "1"), edits.accept(pid))
    edits.edit_answer(path, "2", edits.answer_token(path, "2"), edits.set_text(LONG))
    text = path.read_text()
    assert text.split("answers:\n", 1)[1] == (
        "  '1':\n"
        "    positions:\n"
        "      - eu-oppose-backdoors\n"
        "      - combat-abuse-keep-encryption\n"
        "  '2':\n"
        "    text: >-\n"
        "      We urge NTIA to define a substantial cyber incident by its actual effect on the "
        "operation\n"
        "      of critical infrastructure, with thresholds that a reporting entity can apply on "
        "the day\n"
        "      an incident happens, and  not  on later forensic findings.\n")
    assert max(len(line) for line in text.split("answers:", 1)[1].splitlines()) <= 96
    answers = load_consultation(path).model.answers
    assert answers["2"].text == LONG
    assert answers["1"].positions == ["eu-oppose-backdoors", "combat-abuse-keep-encryption"]


def test_saved_answers_follow_the_flow_style_of_an_example(workspace):
    from drafter.web import edits

    path = workspace / "examples" / "cisa-circia-rfi.yaml"
    before = path.read_text()
    edits.edit_answer(path, "4", edits.answer_token(path, "4"),
                      edits.accept("undefined-monolith-terms"))
    edits.edit_answer(path, "2", edits.answer_token(path, "2"),
                      edits.accept("privacy-security-standards"))
    after = path.read_text()
    assert '  "4":\n    positions: [undefined-monolith-terms]\n  "5":\n' in after
    assert "    positions: [privacy-security-standards]\n" in after
    assert "'4'" not in after and "- undefined-monolith-terms" not in after
    # every other line of the file is as it was
    import difflib
    changed = [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
               if line[:2] in ("- ", "+ ")]
    assert sorted(changed) == sorted(['+   "4":', "+     positions: [undefined-monolith-terms]",
                                      "+     positions: [privacy-security-standards]"])


def test_answer_text_without_a_fold_point_is_kept_as_written(workspace):
    from drafter.load.consultation import load_consultation
    from drafter.web import edits

    path = _new_file(workspace)
    url = "https://example.org/" + "a" * 120
    edits.edit_answer(path, "1", edits.answer_token(path, "1"), edits.set_text(url))
    assert load_consultation(path).model.answers["1"].text == url


def test_refused_accept_shows_the_typed_text_again(workspace):
    web = client(make_app(workspace))
    html = web.get("/c/examples/cisa-circia-rfi.yaml").text
    token = re.search(r'name="qid" value="4">\s*<input type="hidden" name="token" '
                      r'value="([0-9a-f]+)"', html).group(1)
    response = web.post("/c/examples/cisa-circia-rfi.yaml/answer",
                        data={"csrf": csrf_of(html), "qid": "4", "token": token,
                              "pid": "no-such-position", "action": "accept", "text": TYPED})
    assert response.status_code == 400
    assert "unknown position id &#39;no-such-position&#39;" in response.text
    assert response.text.count(TYPED) == 2
    assert TYPED not in (workspace / "examples" / "cisa-circia-rfi.yaml").read_text()
