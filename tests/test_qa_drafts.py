"""First drafts that answer every question: Q&A templates, suggestions marked for review,
placeholders where nothing fits, and the same plan as drafter coverage."""

from __future__ import annotations

import json
import re
import shutil

import docx
import pytest

from conftest import EXAMPLES, ROOT, run_cli
from drafter.load.workspace import discover
from drafter.model.nodes import BlockQuote, Div, Heading
from drafter.model.text import inline_text, walk
from drafter.pipeline import Session

QA_EXAMPLES = ("cisa-circia-rfi", "ntia-consumer-privacy-rfc", "ec-lawful-access-questionnaire")
FTC = ROOT / "tests" / "data" / "unseen" / "ftc-data-security-anpr.yaml"


def draft(path, root=ROOT):
    return Session(discover(start=root)).draft(path)


def test_q_and_a_templates_are_the_default_for_questions(tmp_path):
    us = tmp_path / "us.yaml"
    us.write_text("title: T\nagency: {name: Federal Trade Commission, short_name: FTC}\n"
                  "kind: rfc\njurisdiction: US\nquestions: [{id: '1', text: Is it so?}]\n")
    assert draft(us).composition.template.name == "us-rfc-responses"
    eu = tmp_path / "eu.yaml"
    eu.write_text("title: T\nagency: {name: European Commission, short_name: Commission}\n"
                  "kind: public-consultation\njurisdiction: EU\n"
                  "questions: [{id: '1', text: Is it so?}]\n")
    assert draft(eu).composition.template.name == "eu-questionnaire-response"
    none = tmp_path / "none.yaml"
    none.write_text("title: T\nagency: {name: Federal Trade Commission, short_name: FTC}\n"
                    "kind: rfc\njurisdiction: US\n")
    assert draft(none).composition.template.name == "us-agency-comments"
    listed = run_cli("templates", "list").out
    assert "us-rfc-responses" in listed and "eu-questionnaire-response" in listed


@pytest.mark.parametrize("name", QA_EXAMPLES)
def test_every_question_verbatim_in_order(name):
    result = draft(EXAMPLES / f"{name}.yaml")
    questions = result.consultation.model.questions
    nodes = list(walk(result.document.children))
    headings = [inline_text(n.children) for n in nodes
                if isinstance(n, Heading) and inline_text(n.children).startswith("Question ")]
    assert headings == [f"Question {q.id}" for q in questions]
    assert all(not n.numbered for n in nodes if isinstance(n, Heading)
               and inline_text(n.children).startswith("Question "))
    quotes = [" ".join(inline_text(p.children) for p in n.children)
              for n in nodes if isinstance(n, BlockQuote)]
    assert quotes == [q.text for q in questions]


def test_answered_and_skipped_are_not_marked():
    result = draft(EXAMPLES / "ntia-consumer-privacy-rfc.yaml")
    md = result.composition.markdown
    sections = dict(re.findall(r"## Question (\d+)\n\n(.*?)(?=\n\{\.unnumbered\}|\Z)", md, re.S))
    # 2: chosen block and custom text, not marked for review
    assert 'block="address-internet-fragmentation"' in sections["2"]
    assert "A single federal standard that preempts" in sections["2"]
    assert ".suggested" not in sections["2"] and ".review-note" not in sections["2"]
    # 7: skipped on purpose
    assert "*No response to this question.*" in sections["7"]


def test_suggested_and_placeholder_answers():
    result = draft(FTC)
    md = result.composition.markdown
    sections = dict(re.findall(r"## Question (\d+)\n\n(.*?)(?=\n\{\.unnumbered\}|\Z)", md, re.S))
    # 3: the library's confident suggestion that fits, in a longer fence around the block's div,
    # opened by a highlighted note
    assert sections["3"].count(":::: {.suggested}") == 1
    assert re.search(r':::: \{\.suggested\}\n::: \{\.review-note\}\n\*\*\[Suggested answer, '
                     r'picked automatically: review before filing\.\]\*\*\n:::\n\n'
                     r'::: \{\.block block="eu-free-flow-of-data" variant="us" '
                     r'hash="[0-9a-f]{10}"\}\n.*?\n:::\n\n::::', sections["3"], re.S)
    # 6: nothing fits: a placeholder for drafter check, with the candidates as a comment
    assert re.search(r'::: \{\.review-note \.answer-placeholder comment="No answer was filled in '
                     r'automatically for question 6\. \|\| Candidates \(add one to answers\.6\.'
                     r'positions to use it\): \|\| [^"]+"\}\n\*\*\[\[TODO: answer to question 6\]\]'
                     r'\*\*\n:::', sections["6"])
    # a block is written once per filing; no answer is a mere cross-reference
    blocks = re.findall(r'block="([^"]+)"', md)
    assert len(blocks) == len(set(blocks))
    assert "our response to Question" not in md
    lines = [d.format() for d in result.diagnostics]
    assert not any("[suggested-answers]" in w for w in lines)


def test_suggested_divs_in_the_document_model():
    result = draft(FTC)
    divs = [n for n in walk(result.document.children)
            if isinstance(n, Div) and "suggested" in n.classes]
    assert len(divs) == 4
    first = divs[0]
    inner = [c for c in first.children if isinstance(c, Div) and "block" in c.classes]
    assert inner[0].attrs["block"] and inner[0].children[0].source.block == inner[0].attrs["block"]
    assert inner[0].children[0].source.variant == "us"
    note = first.children[0]
    assert "review-note" in note.classes
    assert inline_text(note.children[0].children) == (
        "[Suggested answer, picked automatically: review before filing.]")


@pytest.mark.parametrize("name", QA_EXAMPLES + ("unseen-ftc",))
def test_draft_matches_coverage(name, workspace):
    if name == "unseen-ftc":
        shutil.copy(FTC, workspace / "examples" / "unseen-ftc.yaml")
    cov = json.loads(run_cli("coverage", f"examples/{name}.yaml", "-f", "json",
                             cwd=workspace).out)
    md = draft(workspace / "examples" / f"{name}.yaml", workspace).composition.markdown
    parts = re.split(r"\n## Question ", md)[1:]
    assert len(parts) == len(cov["questions"])
    for part, item in zip(parts, cov["questions"]):
        assert part.startswith(item["id"] + "\n")
        body = part.split("# ", 1)[0]
        if item["status"] == "suggested":
            assert ":::: {.suggested}" in body
            review = body.split(":::: {.suggested}", 1)[1].split("\n::::\n", 1)[0]
            shown = re.findall(r'block="([^"]+)"', review)
            assert shown == item["positions"]
        elif item["status"] == "placeholder":
            assert f"[[TODO: answer to question {item['id']}]]" in body
        elif item["status"] == "answered":
            assert ".suggested" not in body
            assert set(item["positions"]) <= set(re.findall(r'block="([^"]+)"', body))


def test_recorded_suggestions_are_what_the_draft_uses(workspace):
    path = workspace / "examples" / "ftc.yaml"
    path.write_text(FTC.read_text() + 'answers:\n  "3":\n    suggested: '
                    '[privacy-security-standards]\n')
    md = draft(path, workspace).composition.markdown
    section = md.split("## Question 3\n", 1)[1].split("## Question 4", 1)[0]
    assert re.findall(r'block="([^"]+)"', section) == ["privacy-security-standards"]
    assert ":::: {.suggested}" in section


def test_unknown_recorded_suggestion_is_a_positioned_error(workspace):
    path = workspace / "examples" / "ftc.yaml"
    path.write_text(FTC.read_text() + 'answers:\n  "3":\n    suggested: [privacy-security-standard]\n')
    result = run_cli("draft", path, "-o", workspace / "x.md", cwd=workspace)
    assert result.code == 2
    assert result.err.strip() == (
        "examples/ftc.yaml:38: error: unknown position id "
        "'privacy-security-standard' (did you mean 'privacy-security-standards'?)")
    assert not (workspace / "x.md").exists()


def test_question_examples_draft_to_docx(tmp_path):
    for name in QA_EXAMPLES:
        out = tmp_path / f"{name}.docx"
        result = run_cli("draft", f"examples/{name}.yaml", "-o", out)
        assert result.code == 0, result.err
        doc = docx.Document(str(out))
        texts = [p.text for p in doc.paragraphs]
        model = draft(EXAMPLES / f"{name}.yaml").consultation.model
        for q in model.questions:
            assert f"Question {q.id}" in texts
            assert q.text in texts
    doc = docx.Document(str(_draft_docx(FTC, tmp_path)))
    assert "[Suggested answer, picked automatically: review before filing.]" in [
        p.text for p in doc.paragraphs]


def _draft_docx(path, tmp_path):
    out = tmp_path / "ftc.docx"
    assert run_cli("draft", path, "-o", out).code == 0
    return out
