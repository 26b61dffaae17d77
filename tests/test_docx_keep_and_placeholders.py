"""Two layout faults of question-by-question filings (a follow-up to issue 12, items 3 and 6).

1. Page 1 left half empty: keep-with-next was set on the answer placeholder ("[[TODO: answer
   to question N]]", all bold, taken for a title), so the heading, Question 1, its
   placeholder, Question 2 ... chained into one unbreakable run that LibreOffice and Word move
   to page 2 whole.
2. Caption, title-block and signature placeholders were bold but not highlighted, unlike the
   answer placeholders.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree

from drafter.model import parse_markdown
from drafter.writers import WriteContext
from drafter.writers.docx.writer import DocxWriter
from tests.conftest import EXAMPLES, require_tool, run_cli
from tests.docxread import NS, DocxFile, q

# Questions the library has no position on (they get placeholders), one answered in the
# file with a single bold sentence, one with a position, and the last left open again.
PLACEHOLDER_HEAVY = """\
title: Trade Regulation Rule on Commercial Surveillance and Data Security
agency:
  name: Federal Trade Commission
  short_name: FTC
  address: 600 Pennsylvania Avenue NW, Washington, D.C. 20580
kind: nprm
jurisdiction: US
date: 2022-11-21
questions:
  - id: "1"
    text: What is the appropriate civil penalty amount for a first violation of a trade regulation rule, adjusted for inflation?
  - id: "2"
    text: How should the Commission treat the sale of location data collected by automobile manufacturers?
  - id: "3"
    text: What compliance period should apply to small businesses after the rule is published?
  - id: "4"
    text: Should the Commission adopt a rule at all?
  - id: "5"
    text: How many hours per year would a typical firm spend on the recordkeeping the rule would require?
  - id: "6"
    text: Should the Commission define terms such as covered entity precisely?
  - id: "7"
    text: What penalties should apply to repeat violations by the same company?
answers:
  "4":
    text: "**Yes, but a narrow one.**"
  "6":
    positions: [undefined-monolith-terms]
"""

_PLACEHOLDER = re.compile(r"\[\[[^\]\n]*\]\]")


def _draft(tmp_path, text: str, suffix: str = "docx", name: str = "ftc-open") -> bytes:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    out = tmp_path / f"{name}.{suffix}"
    result = run_cli("draft", path, "-o", out)
    assert result.code == 0, result.err
    return out.read_bytes()


class _Keeps:
    """Whether a paragraph keeps with the next, through its own properties or its style's."""

    def __init__(self, doc: DocxFile):
        self.doc = doc
        self.by_id = {s.get(q("styleId")): s for s in doc.styles.findall("w:style", NS)}

    def style_keeps(self, style_id: str | None) -> bool:
        seen = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id.get(style_id)
            if style is None:
                return False
            mark = style.find("w:pPr/w:keepNext", NS)
            if mark is not None:
                return mark.get(q("val"), "true") not in ("0", "false")
            based = style.find("w:basedOn", NS)
            style_id = based.get(q("val")) if based is not None else None
        return False

    def __call__(self, p) -> bool:
        mark = p.find("w:pPr/w:keepNext", NS)
        if mark is not None:
            return mark.get(q("val"), "true") not in ("0", "false")
        style = p.find("w:pPr/w:pStyle", NS)
        return self.style_keeps(style.get(q("val")) if style is not None else "Normal")

    def style_name(self, p) -> str:
        style = p.find("w:pPr/w:pStyle", NS)
        return self.doc.style_names.get(style.get(q("val")), "").lower() if style is not None \
            else "normal"


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(q("t")))


def _body_paragraphs(data: bytes):
    doc = DocxFile(data)
    return doc, [p for p in doc.document.find("w:body", NS) if p.tag == q("p")]


def test_blank_page_one_answer_placeholders_do_not_keep_with_next(tmp_path):
    doc, paras = _body_paragraphs(_draft(tmp_path, PLACEHOLDER_HEAVY))
    keeps = _Keeps(doc)
    texts = [_text(p) for p in paras]
    questions = [i for i, p in enumerate(paras)
                 if keeps.style_name(p) == "heading 2" and re.fullmatch(r"Question \d+", texts[i])]
    assert [texts[i] for i in questions] == [f"Question {n}" for n in range(1, 8)]
    placeholders = [i for i, t in enumerate(texts) if t.startswith("[[TODO: answer to question")]
    assert len(placeholders) >= 4                        # the consultation is placeholder-heavy

    # no paragraph that ends an answer keeps with next: the one before each next question,
    # every answer placeholder (a placeholder is an answer), the bold one-line answer
    ends = [i - 1 for i in questions[1:]] + placeholders
    assert "Yes, but a narrow one." in [texts[i] for i in ends]
    assert [texts[i] for i in ends if keeps(paras[i])] == []

    # the chain heading -> Question N -> quoted question -> answer holds
    responses = texts.index("RESPONSES TO QUESTIONS")
    assert keeps(paras[responses]) and questions[0] == responses + 1
    for i in questions:
        assert keeps(paras[i]), texts[i]
        assert keeps.style_name(paras[i + 1]) == "quote" and keeps(paras[i + 1]), texts[i + 1]
        answer = texts[i + 2]
        assert answer.strip() and not answer.startswith("Question"), (texts[i], answer)
        if answer.startswith("[Suggested answer"):       # a note introduces its answer
            assert keeps(paras[i + 2]) and texts[i + 3].strip()

    # and so no run of keeping paragraphs holds more than one question
    run: list[str] = []
    for p, text in zip(paras, texts):
        if re.fullmatch(r"Question \d+", text):
            run.append(text)
        if not keeps(p):
            assert len(run) <= 1, run
            run = []


@pytest.mark.parametrize("example", ["cisa-circia-rfi", "ntia-botnets-comments",
                                     "fcc-iot-labeling-comments"])
def test_signature_never_stands_alone_the_text_before_it_keeps_with_it(tmp_path, example):
    out = tmp_path / f"{example}.docx"
    assert run_cli("draft", EXAMPLES / f"{example}.yaml", "-o", out).code == 0
    doc, paras = _body_paragraphs(out.read_bytes())
    keeps = _Keeps(doc)
    texts = [_text(p) for p in paras]
    signed = texts.index("Respectfully submitted,")
    before = signed - 1
    while not texts[before].strip():
        before -= 1
    assert keeps(paras[before]), texts[before]
    assert keeps(paras[signed])


def test_blank_page_one_a_bold_paragraph_before_a_heading_keeps_with_nothing():
    md = ("# Section\n\n**A title**\n\nIts text.\n\n**The last word.**\n\n# Next\n\nText.\n\n"
          "**[[TODO: the end]]**\n")
    data = DocxWriter().write(parse_markdown(md, {}, {}), WriteContext())
    doc, paras = _body_paragraphs(data)
    keeps = _Keeps(doc)
    assert [(_text(p), keeps(p)) for p in paras] == [
        ("Section", True), ("A title", True), ("Its text.", False),
        ("The last word.", False), ("Next", True), ("Text.", False),
        ("[[TODO: the end]]", False)]


def test_blank_page_one_pdf_page_one_holds_the_responses(tmp_path):
    from tests.test_real_clients import require_uno

    require_uno()
    require_tool("pdftotext")
    import subprocess

    for name, text in (("ftc-open", PLACEHOLDER_HEAVY),
                       ("cisa", (EXAMPLES / "cisa-circia-rfi.yaml").read_text())):
        data = _draft(tmp_path, text, "pdf", name)
        path = tmp_path / f"{name}.pdf"
        pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                               check=True).stdout.decode("utf-8").split("\f")
        assert data.startswith(b"%PDF")
        first = re.sub(r"[ \t]+", " ", pages[0])
        assert "RESPONSES TO QUESTIONS" in first, (name, first[-600:])
        assert re.search(r"^ ?Question 1$", first, re.M), (name, first[-600:])


# -- placeholders highlighted wherever they stand ---------------------------------------------

def _parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist()
                if re.fullmatch(r"word/(document|header\d+|footer\d+|footnotes)\.xml", n)}


def _runs(p) -> list[tuple[str, bool]]:
    """(text, highlighted) for each run of ``p`` (not of a text box inside it)."""
    out = []
    for r in p.iter(q("r")):
        if next(r.iterancestors(q("p"))) is not p:
            continue
        text = "".join(t.text or "" for t in r.iter(q("t")))
        if text:
            out.append((text, r.find("w:rPr/w:highlight", NS) is not None))
    return out


def _placeholders(data: bytes) -> list[tuple[str, str, bool]]:
    """Every placeholder of the body, headers, footers and footnotes: (part, text, whether
    every character of it is in a highlighted run)."""
    found = []
    for name, root in _parts(data).items():
        for p in root.iter(q("p")):
            runs = _runs(p)
            text = "".join(t for t, _ in runs)
            marks = "".join(("1" if lit else "0") * len(t) for t, lit in runs)
            for m in _PLACEHOLDER.finditer(text):
                found.append((name, m.group(), set(marks[m.start():m.end()]) == {"1"}))
    return found


def test_caption_and_signature_placeholders_are_highlighted_like_answer_ones(tmp_path):
    # no agency address (caption), no date (signature), a title that still needs its words
    # (title block and running header), the mailing address (signature) and open questions
    text = PLACEHOLDER_HEAVY.replace(
        "title: Trade Regulation Rule on Commercial Surveillance and Data Security",
        "title: 'Trade Regulation Rule on [[TODO: subject]]'").replace(
        "  address: 600 Pennsylvania Avenue NW, Washington, D.C. 20580\n", "").replace(
        "date: 2022-11-21\n", "")
    data = _draft(tmp_path, text)
    found = _placeholders(data)
    texts = {t for _, t, _ in found}
    for wanted in ("[[TODO: the agency’s address]]", "[[TODO: date of filing]]",
                   "[[TODO: mailing address (org.yaml: address)]]", "[[TODO: subject]]",
                   "[[TODO: answer to question 1]]"):
        assert wanted in texts, (wanted, texts)
    assert any(part.startswith("word/header") and t == "[[TODO: subject]]"
               for part, t, _ in found)
    assert [(part, t) for part, t, lit in found if not lit] == []
    # only the placeholder is marked: the text around it in the same run stays plain
    header = next(root for name, root in _parts(data).items() if name.startswith("word/header")
                  and "[[TODO: subject]]" in _text(root))
    line = next(p for p in header.iter(q("p")) if "[[TODO: subject]]" in _text(p))
    assert ("Trade Regulation Rule on ", False) in _runs(line)
    assert ("[[TODO: subject]]", True) in _runs(line)
    body = _parts(data)["word/document.xml"]
    dated = [_runs(p) for p in body.iter(q("p")) if "date of filing" in _text(p)]
    assert dated and all(lit for runs in dated for t, lit in runs if "[[" in t)


def test_caption_and_signature_placeholders_highlighted_in_every_example(tmp_path):
    seen = set()
    for path in sorted(EXAMPLES.glob("*.yaml")):
        out = tmp_path / f"{path.stem}.docx"
        result = run_cli("draft", path, "-o", out)
        assert result.code == 0, result.err
        found = _placeholders(out.read_bytes())
        assert [(path.stem, t) for _, t, lit in found if not lit] == []
        seen.update(t for _, t, _ in found)
    assert "[[TODO: mailing address (org.yaml: address)]]" in seen
    assert any(t.startswith("[[TODO: EU Transparency Register number") for t in seen)


def test_caption_and_signature_placeholders_highlighted_in_tables_notes_and_plain_text():
    md = ("Dated: [[TODO: date of filing]] and [[TODO: place]].[^1]\n\n"
          "| A | B |\n|---|---|\n| x [[TODO: cell]] | y |\n\n"
          "[^1]: See [[TODO: the citation]].\n")
    data = DocxWriter().write(parse_markdown(md, {}, {}), WriteContext())
    parts = _parts(data)
    first = next(p for p in parts["word/document.xml"].iter(q("p")) if "Dated" in _text(p))
    assert _runs(first)[:4] == [("Dated: ", False), ("[[TODO: date of filing]]", True),
                                (" and ", False), ("[[TODO: place]]", True)]
    assert _text(first).startswith("Dated: [[TODO: date of filing]] and [[TODO: place]].")
    cell = next(p for p in parts["word/document.xml"].iter(q("p")) if "cell" in _text(p))
    assert _runs(cell) == [("x ", False), ("[[TODO: cell]]", True)]
    note = next(p for p in parts["word/footnotes.xml"].iter(q("p")) if "citation" in _text(p))
    assert ("[[TODO: the citation]]", True) in _runs(note)
    assert ("See ", False) in _runs(note)
