"""A reviewer's round in Chromium: a new staff member found that links kept the last page's
scroll (the library opened 2,800 px down), that Approve and Save answered at the top of a page
scrolled out of view, and that a wording edited after its approval still read "approved"."""

from __future__ import annotations

import pytest

from web.webtools import box_of, make_app

pytestmark = pytest.mark.browser

BLOCK = "privacy-security-standards"
TITLE = "Uphold privacy and security standards"


def _expect():
    from playwright.sync_api import expect
    return expect


def _in_view(page, locator) -> bool:
    box = box_of(locator)
    return box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def test_a_link_followed_from_far_down_a_page_opens_the_next_page_at_its_top(workspace, serve,
                                                                           page):
    server = serve(make_app(workspace))
    page.set_viewport_size({"width": 1400, "height": 700})
    page.goto(f"{server.url}/c/examples/cisa-circia-rfi.yaml")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 1000
    page.get_by_role("link", name="Library", exact=True).first.click()
    _expect()(page).to_have_url(f"{server.url}/library")
    _expect()(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    assert _in_view(page, page.get_by_label("Search positions"))


def test_approving_after_an_edit_says_so_in_view_and_the_status_tells_the_edit(workspace, serve,
                                                                             page):
    expect = _expect()
    path = workspace / "positions" / "data" / f"{BLOCK}.general.md"
    server = serve(make_app(workspace))
    page.set_viewport_size({"width": 1400, "height": 700})
    page.goto(f"{server.url}/library/{BLOCK}")
    variant = page.get_by_role("region", name="Variant general")
    variant.get_by_role("button", name="Approve the general wording").scroll_into_view_if_needed()
    variant.get_by_role("button", name="Approve the general wording").click()
    message = page.get_by_role("status").first
    expect(message).to_contain_text(f"Approved the general wording of “{TITLE}”")
    assert _in_view(page, message)
    assert "edited since" not in variant.inner_text()

    variant = page.get_by_role("region", name="Variant general")
    variant.get_by_text("Edit the general wording").click()
    box = variant.get_by_role("textbox")
    text = box.input_value()
    front, body = text.rsplit("\n---\n", 1)
    changed = body.replace(" essential", " vital", 1)
    assert changed != body
    box.fill(front + "\n---\n" + changed)
    variant.get_by_role("button", name="Save the general wording").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Saved the general wording of “{TITLE}”")
    assert _in_view(page, page.get_by_role("status").first)
    warnings = page.locator(".flash.warning, [role=alert]").all_inner_texts()
    joined = " ".join(warnings)
    assert "changed since it was approved" in joined and "drafter positions" not in joined
    assert "line " not in joined                  # a file line staff never see
    variant = page.get_by_role("region", name="Variant general")
    expect(variant).to_contain_text("not approved: edited since its approval")
    assert "· approved" not in variant.inner_text()
    assert "is vital" in path.read_text(encoding="utf-8")

    variant.get_by_role("button", name="Approve the general wording").click()
    expect(page.get_by_role("status").first).to_contain_text("Approved")
    expect(page.get_by_role("region", name="Variant general")).not_to_contain_text(
        "edited since")
