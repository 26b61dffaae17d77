"""What the last browser users tripped on, in Chromium: Save and Approve on a position page
reloaded it at its top (away from the wording's editor), the as-filed Approve button did not
say which wording it approves, messages named positions by id, the top bar scrolled away, Back
from a position page returned to the consultation's top, and an accepted wording edited since
its approval was not flagged at its question."""

from __future__ import annotations

import pytest

from web.webtools import RESILIENCE_REL, box_of, make_app, open_resilience, resilience_consultation

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
    editor = wording.get_by_label("Variant general file")
    editor.fill(_edited(editor))
    wording.get_by_role("button", name="Save the general wording").click()
    message = page.get_by_role("status").filter(has_text="Saved the general wording")
    expect(message).to_have_text(f"Saved the general wording of “{title}”.")
    assert page.evaluate("window.scrollY") > 500            # not at the page's top
    editor = page.get_by_role("region", name="Variant general").get_by_label(
        "Variant general file")
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
    assert _in_view(page, wording.get_by_role("button", name="Approve the general wording"))
    assert _in_view(page, wording.get_by_text("Edit the general wording"))
    assert "(approved by" in wording.locator("p.meta").inner_text()


def test_the_as_filed_approve_button_is_named_only_approve(workspace, serve, page):
    """Every Approve and Save button says which wording it acts on."""
    expect = _expect()
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
    assert _in_view(page, page.get_by_role("button", name="Approve the as-filed wording"))
