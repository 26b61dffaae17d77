"""The web workspace in Chromium (Playwright): what policy staff and reviewers do, end to end."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli
from docxread import DocxFile

from web.webtools import make_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "web-consultation.png"

QUESTIONS = """1. Should providers be required to build encryption backdoors for lawful access?
2. How can the government support domain name registries?
3. What is the role of industry self-regulation in fighting botnets?"""
ANSWER = "NTIA should consult registries before any new obligation on them."


def _expect():
    from playwright.sync_api import expect
    return expect


def _plain(markdown: str) -> str:
    text = re.sub(r"[*_`\[\]]", "", markdown.strip().split("\n\n")[0])
    return " ".join(text.split())


def test_new_consultation_accept_answer_download_docx(workspace, serve, page, tmp_path):
    expect = _expect()
    server = serve(make_app(workspace))
    page.goto(server.url + "/")
    for label in ("Consultations", "Library", "Review edits", "Batch"):
        expect(page.get_by_role("navigation").get_by_role("link", name=label)).to_be_visible()
    page.get_by_role("link", name="New consultation").click()
    page.get_by_label("Title").fill("Request for Comment on Internet Resilience")
    page.get_by_role("textbox", name="Agency", exact=True).fill(
        "National Telecommunications and Information Administration")
    page.get_by_label("Agency short name").fill("NTIA")
    page.get_by_label("Kind").select_option("rfc")
    page.get_by_label("Jurisdiction").select_option("US")
    page.get_by_label("Docket").fill("NTIA-2026-0001")
    page.get_by_label("Deadline").fill("2026-12-31")
    page.get_by_label("Questions").fill(QUESTIONS)
    page.get_by_role("button", name="Create").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Request for Comment on Internet Resilience")
    written = workspace / "consultations" / "ntia-internet-resilience.yaml"
    assert written.is_file()

    q1 = page.get_by_role("region", name="Question 1")
    first = q1.locator("li.suggestion").first
    accepted = first.get_attribute("data-position")
    first.get_by_role("button", name="Accept").click()
    q1 = page.get_by_role("region", name="Question 1")
    expect(q1.locator("ul.accepted")).to_contain_text(accepted)
    expect(q1.locator(".status")).to_have_text("answered")

    q2 = page.get_by_role("region", name="Question 2")
    q2.get_by_label("Your answer").fill(ANSWER)
    q2.get_by_role("button", name="Save").click()
    expect(page.get_by_role("region", name="Question 2").get_by_label("Your answer")) \
        .to_have_value(ANSWER)
    expect(page.locator("#coverage-summary")).to_contain_text("2 of 3 answered")
    assert f"  '1':\n    positions:\n      - {accepted}\n" in written.read_text()

    # Opened afresh: right after a save the browser may still scroll to the saved question
    # (#q-2) while the click is on its way, and the click would land beside the link.
    page.goto(page.url.split("#")[0])
    with page.expect_download() as info:
        page.get_by_role("link", name="Download DOCX").click()
    target = tmp_path / "filing.docx"
    info.value.save_as(target)
    assert info.value.suggested_filename == "ntia-internet-resilience.docx"

    doc = DocxFile(target.read_bytes())
    text = "\n".join(p.text for p in doc.paragraphs())
    assert "Request for Comment on Internet Resilience" in text
    for line in QUESTIONS.splitlines():
        assert line.split(". ", 1)[1] in text
    from drafter.load.library import load_library
    block = load_library(workspace / "positions").blocks[accepted]
    wordings = [block.body] + [v.body for v in block.variants.values()]
    flat = " ".join(text.split())
    assert any(_plain(w.split("{{")[0])[:60] in flat for w in wordings)
    assert any(accepted.replace("-", "_")[:20] in b for p in doc.paragraphs()
               for b in p.bookmarks)
    assert ANSWER in text
    # the same bytes as drafter draft makes from the file the browser wrote
    cli = run_cli("draft", written, "-o", tmp_path / "cli.docx", cwd=workspace)
    assert cli.code == 0, cli.err
    assert (tmp_path / "cli.docx").read_bytes() == target.read_bytes()

    shot = tmp_path / "web-consultation.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    if os.environ.get("DRAFTER_UPDATE_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copy(shot, SCREENSHOT)


def test_library_edit_with_check_errors_then_approve(workspace, serve, page):
    expect = _expect()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    subprocess.run(["git", "-C", str(workspace), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(workspace), "-c", "user.name=Setup", "-c",
                    "user.email=setup@example.invalid", "commit", "-qm", "start"], check=True)
    server = serve(make_app(workspace))
    page.goto(server.url + "/library")
    page.get_by_label("Search positions").fill("backdoors encryption")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Oppose backdoors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oppose backdoors")

    box = page.get_by_label("Block file")
    original = box.input_value()
    box.fill(original.replace("topics: [backdoors", "topics: [no-such-topic"))
    page.get_by_role("button", name="Save the as-filed wording").click()
    alert = page.locator(".findings")
    expect(alert).to_contain_text("Not saved")
    expect(alert).to_contain_text("no-such-topic")
    line = next(i for i, text in enumerate(original.splitlines(), 1)
                if text.startswith("topics:"))
    expect(alert).to_contain_text(f"line {line}: error: unknown topic 'no-such-topic'")
    path = workspace / "positions" / "encryption" / "eu-oppose-backdoors.md"
    assert path.read_text() == original.replace("\r\n", "\n")

    edited = original.replace("which inherently weaken", "which always weaken")
    assert edited != original
    page.get_by_label("Block file").fill(edited)
    page.get_by_role("button", name="Save the as-filed wording").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Saved the as-filed wording of “Oppose backdoors”")
    assert "which always weaken" in path.read_text()

    page.get_by_role("button", name="Approve the as-filed wording").click()
    expect(page.locator("#status")).to_contain_text("approved by")
    text = path.read_text()
    assert "status: approved" in text and "approved_by:" in text and "approved_on:" in text
    log = subprocess.run(["git", "-C", str(workspace), "log", "--format=%s", "-n", "2"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    assert log[:2] == ["Approve position eu-oppose-backdoors",
                       "Edit position eu-oppose-backdoors"]
    page.reload()
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("Approve position eu-oppose-backdoors")
    expect(history).to_contain_text("Edit position eu-oppose-backdoors")


def test_review_edits_compare_and_apply(workspace, serve, page, tmp_path):
    expect = _expect()
    import docx

    from drafter.load.workspace import discover
    from drafter.pipeline import Session

    from docx.oxml.ns import qn

    consultation = workspace / "examples" / "ntia-botnets-comments.yaml"
    session = Session(discover(start=workspace))
    filing = session.render(session.draft(consultation), "docx")
    document = docx.Document(io.BytesIO(filing))
    block = session.library.blocks["market-driven-botnet-mitigation"]
    changed = 0
    for p in document.element.body.iter(qn("w:p")):
        texts = list(p.iter(qn("w:t")))
        if "".join(t.text or "" for t in texts).startswith("We are thankful that NTIA"):
            for t in texts:
                if "thankful" in (t.text or ""):
                    t.text = t.text.replace("thankful", "grateful")
                    changed += 1
                    break
    assert changed == 1
    edited = tmp_path / "edited.docx"
    document.save(edited)

    server = serve(make_app(workspace))
    page.goto(server.url + "/review")
    page.get_by_label("Edited DOCX").set_input_files(str(edited))
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#review-summary")).to_contain_text("1 edited")
    title = "Abuse can only be mitigated, through a global, market-driven process"
    item = page.get_by_role("listitem", name=title)
    expect(item).to_contain_text("market-driven-botnet-mitigation")
    expect(item.get_by_role("deletion")).to_have_text("deleted: thankful (end of deletion)")
    expect(item.get_by_role("insertion")).to_have_text("inserted: grateful (end of insertion)")
    item.get_by_role("button", name=f"Apply the edit to {title}").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Applied the edit to “{title}”: ")
    text = block.path.read_text()
    assert "We are grateful that {{ agency.short_name }}" in text
    assert "thankful" not in text


def test_two_sessions_editing_one_answer_conflict(workspace, serve, browser):
    expect = _expect()
    server = serve(make_app(workspace))
    url = server.url + "/c/examples/cisa-circia-rfi.yaml"
    first = browser.new_context().new_page()
    second = browser.new_context().new_page()
    first.goto(url)
    second.goto(url)
    qid = first.locator("section.question").first.get_attribute("id")[2:]
    region = f"Question {qid}"
    first.get_by_role("region", name=region).get_by_label("Your answer").fill("First text.")
    first.get_by_role("region", name=region).get_by_role("button", name="Save").click()
    expect(first.get_by_role("region", name=region).get_by_label("Your answer")) \
        .to_have_value("First text.")

    second.get_by_role("region", name=region).get_by_label("Your answer").fill("Second text.")
    second.get_by_role("region", name=region).get_by_role("button", name="Save").click()
    # said at the question, where the page stays (it was at the page's top, out of view)
    conflict = second.get_by_role("region", name=region).locator(".conflict")
    expect(conflict).to_contain_text("changed since this page was opened (by someone else, or "
                                      "in another tab)")
    expect(conflict).to_be_in_viewport()
    expect(second.locator(".conflict")).to_have_count(1)
    expect(second.get_by_label("Your text (not saved)")).to_have_value("Second text.")
    text = (workspace / "examples" / "cisa-circia-rfi.yaml").read_text()
    assert "First text." in text and "Second text." not in text
    first.context.close()
    second.context.close()


def test_fetch_a_federal_register_notice_then_create(workspace, serve, page):
    expect = _expect()
    from web.fakeapi import FakeFederalRegister

    circia = (ROOT / "tests" / "data" / "import" / "cisa-circia-rfi.json").read_bytes()
    with FakeFederalRegister({"2022-19551": circia}) as api:
        server = serve(make_app(workspace, federal_register_url=api.base))
        page.goto(server.url + "/new")
        page.get_by_label("Federal Register document number").fill("2022-19551")
        page.get_by_role("button", name="Fetch").click()
        expect(page.get_by_label("Title")).to_have_value(re.compile(
            r"^Request for Information on the Cyber Incident Reporting"))
        expect(page.get_by_label("Agency short name")).to_have_value("CISA")
        page.get_by_label("Questions").fill("1. What should count as a covered entity?")
        page.get_by_role("button", name="Create").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Cyber Incident Reporting")
        expect(page.get_by_role("region", name="Question 1")).to_contain_text(
            "What should count as a covered entity?")
    written = list((workspace / "consultations").glob("*.yaml"))
    assert len(written) == 1 and "docket: CISA-2022-0010" in written[0].read_text()
