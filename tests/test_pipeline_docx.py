"""The DOCX a filing becomes: styles, outline numbering, lists, runs, links, properties, marks."""

from __future__ import annotations

import re

import pytest

from drafter.load.workspace import discover
from drafter.model import parse_markdown
from drafter.pipeline import Session
from drafter.writers import WriteContext, get_writer
from tests.conftest import EXAMPLES, ROOT, run_process
from tests.docxread import DocxFile


@pytest.fixture(scope="module")
def session():
    return Session(discover(start=ROOT))


@pytest.fixture(scope="module")
def ntia(session):
    draft = session.draft(EXAMPLES / "ntia-botnets-comments.yaml")
    return draft, DocxFile(session.render(draft, "docx"))


@pytest.fixture(scope="module")
def manifesto(session):
    draft = session.draft(EXAMPLES / "eu-manifesto-2024.yaml")
    return draft, DocxFile(session.render(draft, "docx"))


def test_us_comments_headings_use_word_heading_styles(ntia):
    _, docx = ntia
    headings = [(p.style, p.text) for p in docx.paragraphs() if p.style.startswith("heading")]
    assert headings == [
        ("heading 1", "INTRODUCTION"), ("heading 1", "GENERAL FEEDBACK"),
        ("heading 1", "IDENTIFICATION OF CONCERNS"),
        ("heading 2", "Monoliths"), ("heading 2", "“Should”"), ("heading 2", "“Information Sharing”"),
        ("heading 2", "Centralization As A Threat"), ("heading 2", "Global, Diverse Scope"),
        ("heading 2", "Planned Obsolescence")]


def test_outline_numbers_come_from_numbering_linked_to_heading_styles(ntia):
    _, docx = ntia
    h1 = docx.style_numbering("heading 1")
    h2 = docx.style_numbering("heading 2")
    assert h1 is not None and h2 is not None and h1[0] == h2[0]
    assert docx.num_format(h1[0], h1[1]) == ("upperRoman", "%1.")
    assert docx.num_format(h2[0], h2[1]) == ("lowerLetter", "%2.")
    # the numbers are not typed into the text
    assert not any(p.text.startswith(("I.", "II.", "a.")) for p in docx.paragraphs())


def test_every_recommendation_list_restarts_at_one(manifesto):
    _, docx = manifesto
    numbered = [p for p in docx.paragraphs() if p.num is not None and p.num[0] != 0]
    lists: dict[int, list[str]] = {}
    for p in numbered:
        lists.setdefault(p.num[0], []).append(p.text)
    assert [len(items) for items in lists.values()] == [3, 4, 4, 4]
    for num_id in lists:
        assert docx.num_format(num_id, 0) == ("decimal", "%1.")
        assert docx.restarts(num_id)
    assert list(lists.values())[2][1] == "Oppose backdoors"


def test_manifesto_keeps_bold_emphasis(manifesto):
    _, docx = manifesto
    bold = [b for p in docx.paragraphs() for b in p.bold]
    assert "voice for worldwide businesses that build the Internet" in bold
    assert "Maintain the free flow of data" in bold
    assert docx.paragraphs()[0].style == "title"


def test_hyperlinks_are_real_word_hyperlinks(session):
    doc = parse_markdown("See [the notice](https://www.federalregister.gov/d/2018-12075).\n")
    docx = DocxFile(get_writer("docx").write(doc, WriteContext()))
    assert b"<w:hyperlink r:id=" in docx.xml("word/document.xml")
    assert b'Target="https://www.federalregister.gov/d/2018-12075" TargetMode="External"' in \
        docx.xml("word/_rels/document.xml.rels")


def test_core_properties(ntia):
    _, docx = ntia
    core = docx.xml("docProps/core.xml").decode()
    assert "<dc:title>Request for Comments on Promoting Stakeholder Action" in core
    assert "<dc:creator>Internet Infrastructure Coalition</dc:creator>" in core
    keywords = re.search(r"<cp:keywords>(.*?)</cp:keywords>", core).group(1)
    # the topics' labels, not the library's ids
    assert keywords.startswith("Filing procedure; About the coalition; Market-driven solutions")
    assert "market-driven;" not in keywords and "procedure," not in keywords
    assert "<dc:subject>Comments of the Internet Infrastructure Coalition</dc:subject>" in core
    assert "2018-02-12T00:00:00Z" in core
    assert "python-docx" not in core


def test_block_paragraphs_carry_provenance_bookmarks(ntia):
    draft, docx = ntia
    paras = docx.paragraphs()
    monolith = next(p for p in paras if p.text.startswith("The Internet infrastructure community’s"))
    block = next(b for b in draft.composition.used if b.id == "undefined-monolith-terms")
    assert len(monolith.bookmarks) == 1
    name = monolith.bookmarks[0]
    assert name.startswith("B") and name.endswith(f"_{block.hash[:6]}_undefined_monolith_terms")
    assert all(len(b) <= 40 and b[0].isalpha() for p in paras for b in p.bookmarks)
    caption = next(p for p in paras if p.text.startswith("In the Matter of"))
    assert caption.bookmarks and caption.bookmarks[0].startswith("T")


def test_identical_inputs_identical_bytes_in_process(session):
    first = session.render(session.draft(EXAMPLES / "eu-manifesto-2024.yaml"), "docx")
    second = session.render(session.draft(EXAMPLES / "eu-manifesto-2024.yaml"), "docx")
    assert first == second


def test_identical_bytes_across_processes(tmp_path):
    for name, seed in (("a.docx", "1"), ("b.docx", "2")):
        result = run_process("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", tmp_path / name,
                             env={"PYTHONHASHSEED": seed})
        assert result.code == 0, result.err
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
