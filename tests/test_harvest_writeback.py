"""Writing edited wording back into block sources: Markdown and Jinja kept where the words
did not change, variables restored, front matter kept byte for byte."""

from __future__ import annotations

import datetime as dt

import pytest

from drafter.harvest.compare import align, block_diff, word_diff
from drafter.harvest.writeback import Unmappable, escape_text, merge, rewrite_block, units_of

VALUES = {"{{ org.short_name }}": "i2Coalition", "{{ agency.short_name }}": "NTIA",
          "{{ org.founded }}": "2012",
          "{{ agency.name }}": "National Telecommunications and Information Administration"}


def render(expression: str) -> str:
    return VALUES[expression]


def plain(source: str) -> str:
    return "".join(u.plain for u in units_of(source, render))


@pytest.mark.parametrize("source,text", [
    ("The **{{ org.short_name }}** supports [open access](https://x.org) and *neutrality*.",
     "The i2Coalition supports open access and neutrality."),
    ("1. **Title**\n   body continues\\\n   after a break", "Title body continues\nafter a break"),
    ("## Heading with `code` and \\*stars\\*", "Heading with code and *stars*"),
    ("snake_case stays, &amp; entities decode, a * alone too", "snake_case stays, & entities decode, a * alone too"),
    ("A note[^1] and <https://example.org>.", "A note and https://example.org."),
    ("{# a comment #}Text after.", "Text after."),
])
def test_units_read_like_the_rendered_text(source, text):
    assert plain(source) == text


def test_statements_are_not_mapped():
    with pytest.raises(Unmappable):
        units_of("{% if x %}a{% endif %}", render)


def test_merge_keeps_markup_and_variables():
    source = "The **{{ org.short_name }}** supports [open access](https://x.org) and *neutrality*."
    old = "The i2Coalition supports open access and neutrality."
    new = "The i2Coalition strongly supports open access and net neutrality."
    assert merge(source, old, new, render) == (
        "The **{{ org.short_name }}** strongly supports [open access](https://x.org) and "
        "*net neutrality*.")


def test_merge_drops_a_variable_whose_words_changed():
    source = "Comments to the {{ agency.name }} ({{ agency.short_name }})."
    old = "Comments to the National Telecommunications and Information Administration (NTIA)."
    new = "Comments to the National Telecommunications Agency (NTIA)."
    assert merge(source, old, new, render) == (
        "Comments to the National Telecommunications Agency ({{ agency.short_name }}).")


def test_merge_restores_a_retyped_value():
    source = "Founded in {{ org.founded }} by {{ org.short_name }} members."
    old = "Founded in 2012 by i2Coalition members."
    new = "Founded in 2012 by members, the i2Coalition has grown."
    assert merge(source, old, new, render) == (
        "Founded in {{ org.founded }} by members, the {{ org.short_name }} has grown.")


def test_merge_escapes_typed_markdown_and_jinja():
    assert merge("Plain text.", "Plain text.", "Plain *text* {{ x }}.", render) == \
        "Plain \\*text\\* {{ '{{' }} x }}."
    assert escape_text("a_b _c [d]") == "a_b \\_c \\[d\\]"


def test_merge_refuses_a_source_that_does_not_match():
    with pytest.raises(Unmappable):
        merge("Something else entirely.", "The drafted text.", "The edited text.", render)


def test_word_diff_and_alignment():
    assert word_diff("We are thankful that NTIA", "We are grateful that NTIA") == \
        "We are [-thankful-]{+grateful+} that NTIA"
    assert word_diff("a b c d e f g h i j", "a b c d X f g h i j", context=2) == \
        "... c d [-e-]{+X+} f g ..."
    assert align(["one", "two", "three"], ["one", "three", "four"]) == \
        [(0, 0), (1, None), (2, 1), (None, 2)]
    assert block_diff(["one", "two"], ["one", "two!"]) == "[-two-]{+two!+}"


BLOCK = """---
id: sample
title: "Sample"
summary: "A sample."
topics: [procedure]
stance: neutral
role: argument
jurisdictions: [any]
source:
  seed: x
  section: y
  paragraph: 1
status: approved
last_reviewed: "2020-01-02"   # keep this comment
---
First paragraph by the {{ org.short_name }}.

- item **one**
- item two

Last paragraph.
"""


def test_rewrite_block_keeps_front_matter_and_structure(tmp_path):
    path = tmp_path / "sample.md"
    path.write_text(BLOCK)
    pairs = [("First paragraph by the i2Coalition.", "First paragraph by the i2Coalition, edited."),
             ("item one", "item one"),
             ("item two", None),
             ("Last paragraph.", "Last paragraph."),
             (None, "A new closing paragraph.")]
    rewrite = rewrite_block(path, 16, pairs, render, dt.date(2026, 3, 4))
    assert rewrite.notes == []
    head_old, head_new = BLOCK.split("---\n")[1], rewrite.new.split("---\n")[1]
    assert head_new == head_old.replace('"2020-01-02"', '"2026-03-04"')
    assert rewrite.new.split("---\n", 2)[2] == (
        "First paragraph by the {{ org.short_name }}, edited.\n\n- item **one**\n\n"
        "Last paragraph.\n\nA new closing paragraph.\n")
    diff = rewrite.unified_diff(tmp_path)
    assert diff.startswith("--- a/sample.md\n+++ b/sample.md\n")
    assert "-- item two\n" in diff


def test_rewrite_block_keeps_crlf(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes(BLOCK.replace("\n", "\r\n").encode())
    pairs = [("First paragraph by the i2Coalition.", "Changed first paragraph."),
             ("item one", "item one"), ("item two", "item two"),
             ("Last paragraph.", "Last paragraph.")]
    rewrite = rewrite_block(path, 16, pairs, render, dt.date(2026, 3, 4))
    assert "\r\n" in rewrite.new and "\n" not in rewrite.new.replace("\r\n", "")
    assert "Changed first paragraph." in rewrite.new
