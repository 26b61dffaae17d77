"""Stage 3, the document model: Markdown through markdown-it into our tree."""

from __future__ import annotations

from drafter.model import (Div, Heading, ListBlock, Paragraph, Provenance, Strong, Text,
                           parse_markdown)
from drafter.model.parse import clean_text, parse_div_info
from drafter.model.text import OutlineCounter, format_number, heading_numbers, inline_text


def test_headings_paragraphs_and_provenance():
    doc = parse_markdown('# One\n\n::: {.block block="b-1" hash="abc"}\n## Two\n\nText **bold**.\n:::\n\nAfter.\n')
    heading, div, after = doc.children
    assert isinstance(heading, Heading) and heading.level == 1 and heading.source is None
    assert isinstance(div, Div) and div.attrs == {"block": "b-1", "hash": "abc"}
    h2, para = div.children
    assert h2.level == 2 and h2.source == Provenance("b-1", "abc")
    assert para.source == Provenance("b-1", "abc")
    assert para.children == [Text("Text "), Strong([Text("bold")]), Text(".")]
    assert after.source is None and after.line == 9


def test_separate_lists_stay_separate_and_keep_their_start():
    doc = parse_markdown("1. a\n2. b\n\n# H\n\n3. c\n4. d\n\n- x\n- y\n")
    lists = [n for n in doc.children if isinstance(n, ListBlock)]
    assert [(lst.ordered, lst.start, len(lst.items)) for lst in lists] == [(True, 1, 2), (True, 3, 2), (False, 1, 2)]


def test_nested_lists_and_loose_items():
    doc = parse_markdown("1. one\n\n   more\n\n   - inner\n2. two\n")
    lst = doc.children[0]
    assert not lst.tight
    first = lst.items[0].children
    assert isinstance(first[0], Paragraph) and isinstance(first[1], Paragraph)
    assert isinstance(first[2], ListBlock) and not first[2].ordered


def test_footnotes_are_numbered_in_reference_order():
    doc = parse_markdown("Text[^b] and[^a].\n\n[^a]: Alpha.\n[^b]: Beta.\n")
    refs = [n for n in doc.children[0].children if n.__class__.__name__ == "FootnoteRef"]
    assert [r.number for r in refs] == [1, 2]
    assert [(f.number, inline_text(f.children[0].children)) for f in doc.footnotes] == [(1, "Beta."), (2, "Alpha.")]


def test_unnumbered_heading_attribute():
    doc = parse_markdown("{.unnumbered}\n# About\n\n# Next\n")
    assert [h.numbered for h in doc.children] == [False, True]


def test_div_info_forms():
    assert parse_div_info(' {.block block="x-y" hash="12"}') == (("block",), {"block": "x-y", "hash": "12"})
    assert parse_div_info("{.caption .center #top custom-style='Caption Box'}") == (
        ("caption", "center"), {"id": "top", "custom-style": "Caption Box"})
    assert parse_div_info("signature") == (("signature",), {})


def test_clean_text_removes_what_xml_cannot_carry():
    assert clean_text("a\x00b\x07c\r\nd\x0be\ufffff") == "abc\nd\nef"
    assert clean_text("e\u0301") == "\u00e9"          # NFC
    assert clean_text("tab\there & <b> 🙂") == "tab\there & <b> 🙂"


def test_raw_html_stays_text():
    doc = parse_markdown("<script>alert(1)</script> & <b>x</b>\n")
    assert inline_text(doc.children[0].children) == "<script>alert(1)</script> & <b>x</b>"


def test_outline_numbers():
    assert [format_number(n, "upperRoman") for n in (1, 4, 9, 14)] == ["I", "IV", "IX", "XIV"]
    assert [format_number(n, "lowerLetter") for n in (1, 26, 27)] == ["a", "z", "aa"]
    doc = parse_markdown("# A\n## x\n## y\n# B\n## z\n{.unnumbered}\n# C\n", options={"outline": "roman"})
    numbers = heading_numbers(doc)
    assert [numbers[id(h)] for h in doc.children] == ["I.", "a.", "b.", "II.", "a.", ""]
    assert OutlineCounter("none").number(doc.children[0]) == ""
