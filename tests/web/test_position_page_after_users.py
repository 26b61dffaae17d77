"""What a new browser user found on the position page: after Save or Approve the way back to
the question was only at the page's top (out of view at the wording), the wording editor's box
was labelled "Variant us" under "Edit the US wording", an approved wording unchanged since still
offered "Approve the US wording", and a page opened from a question did not say which wording
the filing uses."""

from __future__ import annotations

import re

import pytest

from web.webtools import (ACCEPTED, RESILIENCE_REL, accepted_consultation, box_of, client,
                          make_app)

BLOCK = "privacy-security-standards"            # as filed (approved), and us, eu, general


def _in_view(page, locator) -> bool:
    box = box_of(locator)
    return box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def _from_question(server, block=ACCEPTED) -> str:
    return (f"{server.url}/library/{block}?from={RESILIENCE_REL}&q=1")


@pytest.mark.browser
@pytest.mark.parametrize("act", ["save", "approve"])
def test_back_to_the_question_is_in_view_after_save_and_approve(workspace, serve, page, act):
    from playwright.sync_api import expect

    accepted_consultation(workspace)
    server = serve(make_app(workspace))
    page.goto(_from_question(server))
    wording = page.get_by_role("region", name="Variant general")
    if act == "save":
        wording.get_by_text("Edit the general wording").click()
        editor = wording.get_by_label("general wording", exact=True)
        front, body = editor.input_value().rsplit("\n---\n", 1)
        editor.fill(front + "\n---\n" + body.rstrip() + " Indeed.\n")
        wording.get_by_role("button", name="Save the general wording").click()
        said = "Saved the general wording"
    else:
        wording.get_by_role("button", name="Approve the general wording").click()
        said = "Approved the general wording"
    message = page.get_by_role("status").filter(has_text=said)
    expect(message).to_be_visible()
    assert page.evaluate("window.scrollY") > 500            # the page lands at the wording
    back = page.get_by_role("region", name="Variant general").get_by_role(
        "link", name="Back to question 1")
    expect(back).to_be_visible()
    assert _in_view(page, back) and _in_view(page, message)
    back.click()
    expect(page).to_have_url(f"{server.url}/c/{RESILIENCE_REL}#q-1")


def test_the_way_back_is_not_repeated_without_a_message(workspace):
    accepted_consultation(workspace)
    web = client(make_app(workspace))
    html = web.get(f"/library/{ACCEPTED}?from={RESILIENCE_REL}&q=1").text
    assert html.count(">Back to question 1</a>") == 1


@pytest.mark.browser
def test_the_wording_editor_is_labelled_as_the_wording(workspace, serve, page):
    from playwright.sync_api import expect

    server = serve(make_app(workspace))
    page.goto(f"{server.url}/library/{BLOCK}")
    wording = page.get_by_role("region", name="Variant us")
    wording.get_by_text("Edit the US wording").click()
    box = wording.get_by_role("textbox", name="US wording", exact=True)
    expect(box).to_be_visible()
    assert "audience:" in box.input_value()
    expect(page.get_by_role("textbox", name=re.compile(r"^Variant "),
                            include_hidden=True)).to_have_count(0)
    for name in ("EU", "general"):
        expect(page.get_by_role("textbox", name=f"{name} wording", exact=True,
                                include_hidden=True)).to_have_count(1)


@pytest.mark.browser
def test_an_approved_wording_unchanged_since_shows_its_approval_not_approve(
        workspace, serve, page):
    from playwright.sync_api import expect

    server = serve(make_app(workspace))
    page.goto(f"{server.url}/library/{BLOCK}")
    wording = page.get_by_role("region", name="Variant us")
    wording.get_by_role("button", name="Approve the US wording").click()
    expect(page.get_by_role("status").filter(has_text="Approved the US wording")).to_be_visible()
    wording = page.get_by_role("region", name="Variant us")
    expect(wording.get_by_role("button", name="Approve the US wording")).to_have_count(0)
    expect(wording.get_by_role("button", name=re.compile("Approve"))).to_have_count(0)
    expect(wording.locator("p.approved")).to_have_text(re.compile(
        r"^Approved by \S.* on \d{4}-\d{2}-\d{2}; unchanged since its approval\.$"))
    # the shipped as-filed wording is approved, with the hash of its text: no Approve either
    as_filed = page.get_by_role("region", name="As filed")
    expect(as_filed.get_by_role("button", name="Approve the as-filed wording")).to_have_count(0)
    expect(as_filed.locator("p.approved")).to_have_text(re.compile(r"^Approved.*unchanged"))
    # edited after its approval: Approve is offered again
    wording.get_by_text("Edit the US wording").click()
    editor = wording.get_by_label("US wording", exact=True)
    front, body = editor.input_value().rsplit("\n---\n", 1)
    editor.fill(front + "\n---\n" + body.rstrip() + " Indeed.\n")
    wording.get_by_role("button", name="Save the US wording").click()
    wording = page.get_by_role("region", name="Variant us")
    expect(wording.get_by_role("button", name="Approve the US wording")).to_be_visible()
    expect(wording.locator("p.approved")).to_have_count(0)


def test_a_wording_approved_before_hashes_were_recorded_still_offers_approve(workspace):
    path = workspace / "positions" / "data" / f"{BLOCK}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^approved_hash:.*\n", "", text, count=1), encoding="utf-8")
    assert "approved_hash" not in path.read_text(encoding="utf-8")
    html = client(make_app(workspace)).get(f"/library/{BLOCK}").text
    assert ">Approve the as-filed wording</button>" in html


def test_opened_from_a_question_it_says_which_wording_the_filing_uses(workspace):
    accepted_consultation(workspace)                    # a US consultation
    web = client(make_app(workspace))
    html = web.get(f"/library/{ACCEPTED}?from={RESILIENCE_REL}&q=1").text
    assert re.search(r'<p class="uses" id="uses">This filing uses <a href="#wording-us">the US '
                     r'wording</a>\.</p>', html)
    # pinned to another wording in the consultation file: that one
    path = workspace / RESILIENCE_REL
    path.write_text(path.read_text(encoding="utf-8") + f"variants:\n  {ACCEPTED}: general\n",
                    encoding="utf-8")
    html = web.get(f"/library/{ACCEPTED}?from={RESILIENCE_REL}&q=1").text
    assert "This filing uses <a href=\"#wording-general\">the general wording</a>." in html
    # not opened from a question: nothing said
    assert "This filing uses" not in web.get(f"/library/{ACCEPTED}").text
