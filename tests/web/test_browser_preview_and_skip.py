"""Two faults a new user found on the consultation page (Chromium through Playwright): the
right column (Filing, Draft checks, Preview) stayed at the top of the page, so the preview was
out of sight while working on the last questions; and a skipped question still showed the
"Skip" button and an empty "Your answer" box beside "Answer after all"."""

from __future__ import annotations

import re

import pytest

from web.webtools import (RESILIENCE_REL, box_of, client, make_app, open_resilience,
                          resilience_consultation)

CONSULTATION = resilience_consultation(8)
REL = RESILIENCE_REL
SKIPPED = """\
answers:
  '2':
    skip: outside our members' remit
"""
KEPT, GONE = "eu-oppose-backdoors", "avoid-overblocking"
WIDE, NARROW = {"width": 1400, "height": 1000}, {"width": 800, "height": 1000}


def _expect():
    from playwright.sync_api import expect
    return expect


def _write(workspace, extra: str = ""):
    path = workspace / REL
    path.parent.mkdir(exist_ok=True)
    path.write_text(CONSULTATION + extra)
    return path


def _within(box: dict, height: int) -> bool:
    return box["y"] >= 0 and box["y"] + box["height"] <= height


def _shot(page, tmp_path, name, full_page=False):
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=full_page)
    assert shot.stat().st_size > 10_000


# --- 1. the preview does not follow the page ---------------------------------------------------

@pytest.mark.browser
def test_preview_out_of_sight_at_the_last_question_now_stays_in_view(workspace, serve, page,
                                                                     tmp_path):
    _write(workspace)
    open_resilience(page, serve, workspace)
    last = page.get_by_role("region", name="Question 8")
    last.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert page.evaluate("window.scrollY") > 1000          # the page did scroll a long way
    assert _within(box_of(last.get_by_role("heading", name="Question 8")), WIDE["height"])
    for name in ("Filing", "Draft checks", "Preview"):
        heading = page.get_by_role("heading", name=name, exact=True)
        assert _within(box_of(heading), WIDE["height"]), name
    preview = page.get_by_title("Preview of the filing")
    assert box_of(preview)["height"] >= 300
    _shot(page, tmp_path, "last-question.png")
    # the column keeps all of it: its foot can be scrolled into view, the page staying put
    at = page.evaluate("window.scrollY")
    page.get_by_role("link", name="Download Markdown").scroll_into_view_if_needed()
    preview.scroll_into_view_if_needed()
    assert _within(box_of(preview), WIDE["height"])
    assert _within(box_of(page.get_by_role("link", name="Download DOCX")), WIDE["height"])
    assert page.evaluate("window.scrollY") == at
    # and working on question 8 still works with the column beside it
    last = page.get_by_role("region", name="Question 8")
    last.get_by_label("Your answer").fill("Registries and operators should sign their routes.")
    last.get_by_role("button", name="Save").click()
    _expect()(page.get_by_role("status")).to_contain_text("Question 8: wrote the answer")
    _expect()(page.get_by_title("Preview of the filing").content_frame.get_by_text(
        "Registries and operators should sign their routes.")).to_be_visible()


@pytest.mark.browser
def test_long_draft_checks_stay_reachable_in_the_column(workspace, serve, page, tmp_path):
    """Many findings: the column is taller than the window and scrolls on its own."""
    _write(workspace)
    open_resilience(page, serve, workspace)
    column = page.locator(".document")
    page.evaluate("""() => { const ul = document.createElement('ul');
        for (let i = 0; i < 60; i++) { const li = document.createElement('li');
          li.textContent = 'finding ' + i; ul.appendChild(li); }
        document.querySelector('#checks-h').after(ul); }""")
    assert column.evaluate("c => c.scrollHeight > c.clientHeight")
    assert box_of(column)["height"] <= WIDE["height"]
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.get_by_text("finding 59", exact=True).scroll_into_view_if_needed()
    assert _within(box_of(page.get_by_text("finding 59", exact=True)), WIDE["height"])
    page.get_by_title("Preview of the filing").scroll_into_view_if_needed()
    assert _within(box_of(page.get_by_title("Preview of the filing")), WIDE["height"])


@pytest.mark.browser
def test_narrow_window_keeps_one_column_with_the_preview_below(workspace, serve, page, tmp_path):
    page.set_viewport_size(NARROW)
    _write(workspace)
    open_resilience(page, serve, workspace)
    questions = page.locator(".questions")
    preview_h = page.get_by_role("heading", name="Preview", exact=True)
    assert abs(box_of(preview_h)["x"] - box_of(questions)["x"]) < 2            # one column
    assert box_of(preview_h)["y"] > box_of(questions)["y"] + box_of(questions)["height"]
    column = page.locator(".document")
    assert column.evaluate("c => getComputedStyle(c).position") == "static"
    assert column.evaluate("c => c.scrollHeight <= c.clientHeight + 1")    # no inner scroll
    preview = page.get_by_title("Preview of the filing")
    assert box_of(preview)["height"] >= 500
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert _within(box_of(preview), NARROW["height"])
    _shot(page, tmp_path, "narrow.png")


# --- 2. a skipped question still shows the wrong controls ---------------------------------------

def _markup(region) -> str:
    """The question's markup, less the empty style attributes htmx leaves after a swap and
    the message saying what the last action did (shown once, at its question)."""
    html = region.inner_html().replace(' style=""', "")
    return re.sub(r'\n *<p class="flash [^"]*" role="[a-z]+">[^<]*</p>', "", html)


def _controls_of_skipped(region):
    expect = _expect()
    expect(region.locator("p.status .state")).to_have_text("skipped")
    expect(region.locator("p.status .reason")).to_have_text("outside our members' remit")
    expect(region.get_by_role("button")).to_have_count(1)
    expect(region.get_by_role("button", name="Answer after all")).to_be_visible()
    expect(region.get_by_label("Your answer")).to_have_count(0)
    expect(region.get_by_label("Skip reason")).to_have_count(0)
    expect(region.get_by_role("button", name="Skip", exact=True)).to_have_count(0)
    expect(region.get_by_role("button", name="Save")).to_have_count(0)


def _controls_of_open(region):
    expect = _expect()
    expect(region.get_by_label("Your answer")).to_be_visible()
    expect(region.get_by_label("Skip reason")).to_have_value("")
    expect(region.get_by_role("button", name="Skip", exact=True)).to_be_visible()
    expect(region.get_by_role("button", name="Save")).to_be_visible()
    expect(region.get_by_role("button", name="Answer after all")).to_have_count(0)


@pytest.mark.browser
def test_skipped_question_showed_skip_and_empty_answer_now_only_answer_after_all(
        workspace, serve, page, tmp_path):
    from drafter.load.consultation import load_consultation

    path = _write(workspace)
    open_resilience(page, serve, workspace)
    expect = _expect()
    q2 = page.get_by_role("region", name="Question 2")
    _controls_of_open(q2)
    q2.get_by_label("Your answer").fill("Draft kept for later.")
    q2.get_by_label("Skip reason").fill("outside our members' remit")
    requests = []
    page.on("request", lambda r: requests.append(r.headers.get("hx-request")))
    q2.get_by_role("button", name="Skip", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Question 2: skipped")
    assert "true" in requests                    # the change went through htmx
    _controls_of_skipped(page.get_by_role("region", name="Question 2"))
    page.get_by_role("region", name="Question 2").scroll_into_view_if_needed()
    _shot(page, tmp_path, "skipped-htmx.png")
    swapped = _markup(page.get_by_role("region", name="Question 2"))
    page.goto(page.url.split("#")[0])            # a full load shows the same question
    _controls_of_skipped(page.get_by_role("region", name="Question 2"))
    assert _markup(page.get_by_role("region", name="Question 2")) == swapped
    assert load_consultation(path).model.answers["2"].skip == "outside our members' remit"

    page.get_by_role("region", name="Question 2").get_by_role(
        "button", name="Answer after all").click()
    expect(page.get_by_role("status")).to_contain_text("Question 2: no longer skipped")
    q2 = page.get_by_role("region", name="Question 2")
    _controls_of_open(q2)
    expect(q2.get_by_label("Your answer")).to_have_value("Draft kept for later.")
    answer = load_consultation(path).model.answers["2"]
    assert answer.skip is None and answer.text == "Draft kept for later."
    page.reload()
    _controls_of_open(page.get_by_role("region", name="Question 2"))


@pytest.mark.browser
def test_skipped_question_hides_its_positions_and_suggestions(workspace, serve, page):
    """A question skipped in the file, with an accepted and a rejected position kept for when
    it is answered: no Remove, Undo, Accept or Reject while it is skipped."""
    _write(workspace, SKIPPED + f"    positions: [{KEPT}]\n    rejected: [{GONE}]\n")
    open_resilience(page, serve, workspace)
    q2 = page.get_by_role("region", name="Question 2")
    _controls_of_skipped(q2)
    _expect()(q2.locator("li")).to_have_count(0)
    _controls_of_open(page.get_by_role("region", name="Question 3"))
    q2.get_by_role("button", name="Answer after all").click()
    _expect()(page.get_by_role("status")).to_contain_text("Question 2: no longer skipped")
    q2 = page.get_by_role("region", name="Question 2")
    _controls_of_open(q2)
    _expect()(q2.locator("ul.accepted")).to_contain_text(KEPT)
    _expect()(q2.locator("ul.rejected")).to_contain_text(GONE)
    _expect()(q2.get_by_role("button", name="Remove")).to_have_count(1)


def test_skipped_question_rendered_on_the_server_without_the_answer_form(workspace):
    _write(workspace, SKIPPED)
    html = client(make_app(workspace)).get(f"/c/{REL}").text
    section = html.split('id="q-2"', 1)[1].split("</section>", 1)[0]
    assert 'value="unskip"' in section and "Answer after all" in section
    assert 'value="skip"' not in section and 'name="text"' not in section
    assert 'name="reason"' not in section and 'value="save"' not in section
    other = html.split('id="q-3"', 1)[1].split("</section>", 1)[0]
    assert 'value="skip"' in other and 'name="text"' in other and 'value="unskip"' not in other


# --- 3. an action keeps its question in view and says what it did there --------------------

@pytest.mark.browser
def test_an_action_far_down_the_page_keeps_its_question_and_message_in_view(workspace, serve,
                                                                           page, tmp_path):
    """After Reject on question 6 the page jumped to its foot, and the message saying what
    happened was printed at the top of the page, out of sight."""
    _write(workspace)
    open_resilience(page, serve, workspace)
    question = page.get_by_role("region", name="Question 6")
    question.scroll_into_view_if_needed()
    first = question.locator("li.suggestion").first
    title = first.locator("strong").inner_text()
    first.get_by_role("button", name="Reject").click()
    question = page.get_by_role("region", name="Question 6")
    message = question.get_by_role("status")
    _expect()(message).to_have_text(re.compile(r"^Question 6: rejected "))
    _expect()(question.get_by_role("heading", name="Rejected")).to_be_visible()
    page.wait_for_timeout(300)                      # the scroll follows the swap
    assert _within(box_of(question.get_by_role("heading", name="Question 6")), WIDE["height"])
    assert _within(box_of(message), WIDE["height"])
    assert page.locator("main > p.flash").count() == 0   # said at the question, not at the top
    question.get_by_role("button", name=f"Undo rejection of {title}").click()
    question = page.get_by_role("region", name="Question 6")
    _expect()(question.get_by_role("status")).to_contain_text("Question 6: ")
    page.wait_for_timeout(300)
    assert _within(box_of(question.get_by_role("heading", name="Question 6")), WIDE["height"])
    _shot(page, tmp_path, "after-undo.png")
