"""What two new users tripped on in the browser (Chromium through Playwright): "fits NN%"
and "(confident from 80%)" unexplained, a rejected candidate still listed (and still drafted),
the skip reason shown in capitals, and a list ordered by one figure labelled with another."""

from __future__ import annotations

import json
import re

import pytest
from conftest import run_cli

from web.webtools import RESILIENCE_REL, make_app, resilience_consultation

pytestmark = pytest.mark.browser

CONSULTATION = resilience_consultation(2)
REL = RESILIENCE_REL
PICK = "eu-oppose-backdoors"            # the automatic answer to question 1


def _expect():
    from playwright.sync_api import expect
    return expect


@pytest.fixture
def opened(workspace, serve, page):
    """The consultation page of a new consultation, open in Chromium: (page, file)."""
    path = workspace / REL
    path.parent.mkdir()
    path.write_text(CONSULTATION)
    server = serve(make_app(workspace))
    page.goto(f"{server.url}/c/{REL}")
    _expect()(page.get_by_role("heading", level=1)).to_have_text(
        "Request for Comment on Internet Resilience")
    return page, path


def _confident_at(workspace) -> int:
    from drafter.load.workspace import discover
    from drafter.suggest import Suggester

    return round(Suggester.for_workspace(discover(start=workspace)).ranker.weights
                 .confident_at * 100)


def _coverage(workspace) -> dict:
    result = run_cli("coverage", workspace / REL, "--format", "json", cwd=workspace)
    assert result.code == 0, result.err
    return {q["id"]: q for q in json.loads(result.out)["questions"]}


def _shot(page, tmp_path, name):
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_fits_percentage_unexplained_now_explained_once_per_page(opened, workspace, tmp_path):
    from drafter.suggest.rank import HYBRID, MAX_CONFIDENT

    page, _ = opened
    expect = _expect()
    confident_at = _confident_at(workspace)
    assert confident_at == round(HYBRID.confident_at * 100)
    about = page.get_by_role("region", name="About the suggestions")
    expect(about).to_have_count(1)
    text = " ".join(about.inner_text().split())
    assert "how likely a reviewer would accept the position as the answer" in text
    assert ("learnt from questions reviewers have answered, for the "
            f"{MAX_CONFIDENT} best matches") in text
    assert f"only from a chance of {confident_at}%" in text
    body = page.locator("main").inner_text()
    assert "confident from" not in body
    assert body.count("Chance it fits") == 1
    chances = page.get_by_role("region", name="Question 1").locator("li.suggestion .chance")
    expect(chances.first).to_have_text(re.compile(r"^chance it fits: \d{1,3}%$"))
    assert chances.first.get_attribute("aria-describedby") == "chance-help"
    _shot(page, tmp_path, "about-suggestions.png")


def test_suggestion_order_vs_fits_order_and_chance_labelled(opened, workspace):
    page, _ = opened
    q1 = page.get_by_role("region", name="Question 1")
    _expect()(q1.get_by_role("heading", name="Suggestions, best match first")).to_have_count(1)
    # the main list, then the less likely ones behind a disclosure: the ranking's order, kept
    items = q1.locator("li.suggestion")
    shown = [items.nth(i).get_attribute("data-position") for i in range(items.count())]
    ranked = [c["position"] for c in _coverage(workspace)["1"]["candidates"]]
    assert shown == ranked[:len(shown)] and len(shown) == 5
    assert 1 <= q1.locator("ol.suggestions").first.locator("> li.suggestion").count() <= 3
    labels = [" ".join(items.nth(i).locator(".chance").text_content().split())
              for i in range(items.count())]     # the disclosure's too, closed
    assert all(re.fullmatch(r"chance it fits: \d{1,3}%|chance not estimated", t)
               for t in labels), labels
    assert not any(t.startswith("fits ") for t in labels)


def test_rejected_candidate_stays_listed_now_leaves_the_list(opened, workspace, tmp_path):
    from drafter.load.consultation import load_consultation

    page, path = opened
    expect = _expect()
    assert _coverage(workspace)["1"]["positions"] == [PICK]      # drafted automatically
    q1 = page.get_by_role("region", name="Question 1")
    first = q1.locator("li.suggestion").first
    assert first.get_attribute("data-position") == PICK
    first.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Question 1: rejected “Oppose backdoors”.")
    q1 = page.get_by_role("region", name="Question 1")
    expect(q1.locator(f'li.suggestion[data-position="{PICK}"]')).to_have_count(0)
    expect(q1.locator("li.suggestion")).to_have_count(4)     # the others stay to accept
    expect(q1.locator("ul.rejected")).to_contain_text(PICK)
    _shot(page, tmp_path, "rejected.png")
    assert load_consultation(path).model.answers["1"].rejected == [PICK]
    # the draft and drafter coverage agree: question 1 no longer answered with it
    covered = _coverage(workspace)["1"]
    assert covered["status"] == "placeholder" and covered["positions"] == []
    assert PICK not in [c["position"] for c in covered["candidates"]]
    md = tmp_path / "draft.composed.md"  # the composed source: block ids and candidates
    drafted = run_cli("draft", path, "-o", md, cwd=workspace)
    assert drafted.code == 0, drafted.err
    assert f'block="{PICK}"' not in md.read_text() and PICK not in md.read_text()
    assert "[[TODO: answer to question 1]]" in md.read_text()
    # Undo brings it back, as the automatic answer again
    q1.get_by_role("button", name="Undo rejection of Oppose backdoors").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Question 1: took back the rejection of “Oppose backdoors”.")
    q1 = page.get_by_role("region", name="Question 1")
    expect(q1.locator("li.suggestion").first).to_have_attribute("data-position", PICK)
    expect(q1.locator("ul.rejected")).to_have_count(0)
    assert load_consultation(path).model.answers.get("1") is None
    assert _coverage(workspace)["1"]["positions"] == [PICK]


def test_skip_reason_in_capitals_now_shown_as_typed(opened, tmp_path):
    page, _ = opened
    expect = _expect()
    q2 = page.get_by_role("region", name="Question 2")
    q2.get_by_label("Skip reason").fill("out of scope for us (see ICANN)")
    q2.get_by_role("button", name="Skip").click()
    expect(page.get_by_role("status")).to_contain_text("Question 2: skipped")
    status = page.get_by_role("region", name="Question 2").locator("p.status")
    expect(status).to_have_text(re.compile(r": out of scope for us \(see ICANN\)$"))
    assert status.inner_text().endswith(": out of scope for us (see ICANN)")   # as rendered
    _shot(page, tmp_path, "skipped.png")


def test_skipped_question_had_no_visible_way_back_now_answer_after_all(opened, workspace):
    from drafter.load.consultation import load_consultation

    page, path = opened
    expect = _expect()
    q2 = page.get_by_role("region", name="Question 2")
    expect(q2.locator("p.status")).to_contain_text("no answer yet: the draft shows a reminder")
    expect(q2.get_by_role("button", name="Answer after all")).to_have_count(0)
    q2.get_by_label("Skip reason").fill("not ours")
    q2.get_by_role("button", name="Skip").click()
    expect(page.get_by_role("status")).to_contain_text("Question 2: skipped (not ours)")
    page.get_by_role("region", name="Question 2").get_by_role(
        "button", name="Answer after all").click()
    expect(page.get_by_role("status")).to_contain_text("Question 2: no longer skipped")
    q2 = page.get_by_role("region", name="Question 2")
    expect(q2.locator("p.status .state")).to_have_text("placeholder")
    expect(q2.get_by_label("Skip reason")).to_have_value("")
    assert load_consultation(path).model.answers.get("2") is None


def test_a_skip_reason_ending_in_a_full_stop_is_not_followed_by_another(opened):
    """"Question 6: skipped (we answer this in January.)." read with two full stops."""
    page, _ = opened
    expect = _expect()
    q2 = page.get_by_role("region", name="Question 2")
    q2.get_by_label("Skip reason").fill("We answer this in January.")
    q2.get_by_role("button", name="Skip").click()
    message = page.get_by_role("status")
    expect(message).to_have_text("Question 2: skipped (We answer this in January.)")


def test_less_likely_suggestions_open_from_their_disclosure_and_can_be_accepted(
        opened, workspace, tmp_path):
    from drafter.load.consultation import load_consultation

    page, path = opened
    expect = _expect()
    q1 = page.get_by_role("region", name="Question 1")
    more = q1.locator("details.more-suggestions")
    summary = more.locator("summary")
    expect(summary).to_have_text(re.compile(r"^\d less likely suggestions?$"))
    last = more.locator("li.suggestion").last
    expect(last).not_to_be_visible()
    summary.click()
    expect(last).to_be_visible()
    pid = last.get_attribute("data-position")
    last.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("Question 1: accepted")
    _shot(page, tmp_path, "accepted-less-likely.png")
    assert pid in load_consultation(path).model.answers["1"].positions
