"""What the last browser users tripped on, in Chromium: Save and Approve on a position page
reloaded it at its top (away from the wording's editor), the as-filed Approve button did not
say which wording it approves, messages named positions by id, the top bar scrolled away, Back
from a position page returned to the consultation's top, and an accepted wording edited since
its approval was not flagged at its question."""

from __future__ import annotations

import re

import pytest

from web.webtools import (ACCEPTED, RESILIENCE_REL, accepted_consultation, approved_then_edited,
                          box_of, make_app, open_resilience, resilience_consultation)

pytestmark = pytest.mark.browser

BLOCK = "privacy-security-standards"            # as filed, and us, eu and general wordings


def _expect():
    from playwright.sync_api import expect
    return expect


def _in_view(page, locator) -> bool:
    box = box_of(locator)
    return box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def _title(workspace, block_id: str) -> str:
    from drafter.load.library import load_library

    return load_library(workspace / "positions").blocks[block_id].meta.title


def _edited(box) -> str:
    text = box.input_value()
    front, body = text.rsplit("\n---\n", 1)
    changed = body.replace(" essential", " vital", 1)
    assert changed != body
    return front + "\n---\n" + changed


def test_save_on_a_position_page_reloads_at_the_top(workspace, serve, page):
    """Saving the last of a position's wordings shows its editor and the message in view."""
    expect = _expect()
    title = _title(workspace, BLOCK)
    server = serve(make_app(workspace))
    page.goto(f"{server.url}/library/{BLOCK}")
    wording = page.get_by_role("region", name="Variant general")
    wording.get_by_text("Edit the general wording").click()
    editor = wording.get_by_label("general wording", exact=True)
    editor.fill(_edited(editor))
    wording.get_by_role("button", name="Save the general wording").click()
    message = page.get_by_role("status").filter(has_text="Saved the general wording")
    expect(message).to_have_text(f"Saved the general wording of “{title}”.")
    assert page.evaluate("window.scrollY") > 500            # not at the page's top
    editor = page.get_by_role("region", name="Variant general").get_by_label(
        "general wording", exact=True)
    expect(editor).to_be_visible()
    assert "is vital" in editor.input_value()
    assert _in_view(page, editor), box_of(editor)
    assert _in_view(page, message)
    assert _in_view(page, page.get_by_role("button", name="Save the general wording"))
    # the header over the page hides neither
    header = box_of(page.locator("header"))
    assert box_of(message)["y"] >= header["y"] + header["height"]


def test_approve_on_a_position_page_reloads_at_the_top(workspace, serve, page):
    expect = _expect()
    title = _title(workspace, BLOCK)
    server = serve(make_app(workspace))
    page.goto(f"{server.url}/library/{BLOCK}")
    page.get_by_role("button", name="Approve the general wording").click()
    message = page.get_by_role("status").filter(has_text="Approved the general wording")
    expect(message).to_contain_text(f"Approved the general wording of “{title}” (")
    assert page.evaluate("window.scrollY") > 500
    wording = page.get_by_role("region", name="Variant general")
    assert _in_view(page, message)
    assert _in_view(page, wording.get_by_role("heading", name="Variant general"))
    # approved and unchanged since: its approval in place of the Approve button
    assert _in_view(page, wording.get_by_text(re.compile(r"^Approved by .+; unchanged since")))
    expect(wording.get_by_role("button", name="Approve the general wording")).to_have_count(0)
    assert _in_view(page, wording.get_by_text("Edit the general wording"))
    assert "(approved by" in wording.locator("p.meta").inner_text()


def test_the_as_filed_approve_button_is_named_only_approve(workspace, serve, page):
    """Every Approve and Save button says which wording it acts on."""
    expect = _expect()
    as_filed = workspace / "positions" / "data" / f"{BLOCK}.md"    # a draft offers Approve
    as_filed.write_text(as_filed.read_text(encoding="utf-8").replace(
        "status: approved", "status: draft", 1), encoding="utf-8")
    server = serve(make_app(workspace))
    page.goto(f"{server.url}/library/{BLOCK}")
    # the variants' Save buttons are in their closed editors: counted hidden as well
    for name in ("Approve", "Save"):
        expect(page.get_by_role("button", name=name, exact=True,
                                include_hidden=True)).to_have_count(0)
    for name in ("as-filed", "US", "EU", "general"):
        expect(page.get_by_role("button", name=f"Approve the {name} wording",
                                exact=True)).to_have_count(1)
        expect(page.get_by_role("button", name=f"Save the {name} wording", exact=True,
                                include_hidden=True)).to_have_count(1)
    page.get_by_text("Edit the EU wording").click()
    expect(page.get_by_role("button", name="Save the EU wording", exact=True)).to_be_visible()
    buttons = page.get_by_role("button", include_hidden=True).all_text_contents()
    assert [b for b in buttons if b.startswith(("Approve", "Save"))] == [
        "Approve the as-filed wording", "Approve the US wording", "Save the US wording",
        "Approve the EU wording", "Save the EU wording", "Approve the general wording",
        "Save the general wording", "Save the as-filed wording"]
    page.get_by_role("button", name="Approve the as-filed wording").click()
    message = page.get_by_role("status").filter(has_text="Approved the as-filed wording")
    expect(message).to_be_visible()
    assert _in_view(page, message)
    # approved now: its approval stands where the button was
    approval = page.get_by_role("region", name="As filed").locator("p.approved")
    expect(approval).to_contain_text("Approved")
    assert _in_view(page, approval)


def test_a_question_does_not_flag_an_accepted_wording_edited_since_its_approval(
        workspace, serve, page):
    """The question says so plainly and links to the position, which approves it and leads
    back to the question; the top bar stays in view on the way."""
    expect = _expect()
    accepted_consultation(workspace)
    approved_then_edited(workspace)
    title = _title(workspace, ACCEPTED)
    server = open_resilience(page, serve, workspace)
    question = page.get_by_role("region", name="Question 1")
    note = question.get_by_role("note")
    expect(note).to_have_text(re.compile(
        r"^This wording was edited after it was approved: a reviewer must approve it again\."))
    for other in ("Question 2", "Question 8"):
        expect(page.get_by_role("region", name=other).get_by_role("note")).to_have_count(0)

    # the top bar stays at the window's top however far down the page is read
    question.scroll_into_view_if_needed()
    page.get_by_role("region", name="Question 8").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 800
    assert box_of(page.get_by_role("navigation", name="Main"))["y"] == 0
    expect(page.get_by_role("link", name="Library", exact=True)).to_be_visible()

    note.get_by_role("link", name=f"Open “{title}” to approve it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    back = page.get_by_role("link", name="Back to question 1")
    expect(back).to_be_visible()
    anchor = page.url.split("#", 1)[1]                    # the wording the filing uses
    assert anchor.startswith("wording-"), page.url
    wording = page.locator(f"section#{anchor}")
    expect(wording).to_have_count(1)
    assert _in_view(page, wording.get_by_role("heading", level=3))
    expect(wording.locator(".edited").first).to_contain_text("edited since its approval")
    wording.get_by_role("button", name=re.compile(r"^Approve the .+ wording$")).click()
    expect(page.get_by_role("status").filter(has_text="Approved the")).to_contain_text(title)
    back = wording.get_by_role("link", name="Back to question 1")  # kept through Approve
    back.click()
    expect(page).to_have_url(f"{server.url}/c/{RESILIENCE_REL}#q-1")
    question = page.get_by_role("region", name="Question 1")
    expect(question.get_by_role("heading", name="Question 1")).to_be_visible()
    assert page.evaluate("window.scrollY") > 0
    assert _in_view(page, question.get_by_role("heading", name="Question 1"))
    header = box_of(page.locator("header"))
    assert box_of(question.get_by_role("heading", name="Question 1"))["y"] >= \
        header["y"] + header["height"]
    expect(question.get_by_role("note")).to_have_count(0)


def test_back_from_a_position_page_returns_to_the_consultations_top(workspace, serve, page):
    """An accepted position's link from question 7 leads back to question 7, in view."""
    expect = _expect()
    path = workspace / RESILIENCE_REL
    path.parent.mkdir(exist_ok=True)
    path.write_text(resilience_consultation(8)
                    + f"answers:\n  '7':\n    positions: [{ACCEPTED}]\n", encoding="utf-8")
    title = _title(workspace, ACCEPTED)
    server = open_resilience(page, serve, workspace)
    question = page.get_by_role("region", name="Question 7")
    question.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("link", name="Back to question 7").click()
    expect(page).to_have_url(f"{server.url}/c/{RESILIENCE_REL}#q-7")
    heading = page.get_by_role("region", name="Question 7").get_by_role("heading",
                                                                        name="Question 7")
    expect(heading).to_be_visible()
    assert page.evaluate("window.scrollY") > 500
    assert _in_view(page, heading)


def test_the_new_consultation_form_does_not_mark_kind_and_jurisdiction_as_required(
        workspace, serve, page):
    """The required fields say so to the browser and to a screen reader; Create without Kind
    stays on the form (the server refuses it too: test_last_users_pages)."""
    expect = _expect()
    server = serve(make_app(workspace))
    page.goto(f"{server.url}/new")
    required = {"Title": "textbox", "Agency": "textbox", "Kind": "combobox",
                "Jurisdiction": "combobox"}
    for name, role in required.items():
        field = page.get_by_role(role, name=name, exact=True)
        expect(field).to_have_attribute("aria-required", "true")
        assert field.evaluate("e => e.required")
    for name in ("Agency short name", "Docket", "Questions"):
        assert not page.get_by_role("textbox", name=name, exact=True).evaluate(
            "e => e.required")
    expect(page.get_by_text("marks a field a consultation must have")).to_have_count(1)
    page.get_by_role("textbox", name="Title", exact=True).fill("Resilience")
    page.get_by_role("textbox", name="Agency", exact=True).fill("NTIA")
    page.get_by_role("combobox", name="Jurisdiction").select_option("US")
    page.get_by_role("button", name="Create").click()
    kind = page.get_by_role("combobox", name="Kind", exact=True)
    assert kind.evaluate("e => e.validity.valueMissing")
    expect(page).to_have_url(f"{server.url}/new")
    assert not (workspace / "consultations").exists()


def test_the_top_bar_scrolls_away_on_long_pages(workspace, serve, page):
    """Far down a long consultation page, the navigation is still at the window's top, over
    the page, and its links work from there."""
    expect = _expect()
    server = serve(make_app(workspace))
    page.goto(f"{server.url}/c/examples/cisa-circia-rfi.yaml")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 1000
    nav = page.get_by_role("navigation", name="Main")
    assert box_of(nav)["y"] == 0
    library = nav.get_by_role("link", name="Library", exact=True)
    assert _in_view(page, library)
    # it is what is seen at that point: nothing of the page covers it
    box = box_of(library)
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).textContent",
                         [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]) \
        == "Library"
    library.click()
    expect(page).to_have_url(f"{server.url}/library")
