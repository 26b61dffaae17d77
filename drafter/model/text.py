"""Plain text of model nodes, and the outline numbers Word would show.

Word and LibreOffice number headings and lists through numbering definitions, so the numbers
are not in the text; text exports (txt, html, md previews, tests) compute them here.
"""

from __future__ import annotations

from drafter.model.nodes import (Code, Div, Document, Emph, FootnoteRef, Heading, LineBreak,
                                 Link, ListBlock, SoftBreak, Strike, Strong, Text)

OUTLINE_FORMATS = {
    # level -> number format, per outline scheme
    "roman": {1: "upperRoman", 2: "lowerLetter", 3: "decimal"},
    "decimal": {1: "decimal", 2: "decimal", 3: "decimal"},
    "none": {},
}


def to_roman(n: int) -> str:
    values = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
              (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in values:
        while n >= value:
            out += numeral
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    if fmt == "upperRoman":
        return to_roman(n)
    if fmt == "lowerRoman":
        return to_roman(n).lower()
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    return str(n)


def _letters(n: int) -> str:
    # Word's scheme: a..z, then aa..zz, aaa..
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def inline_text(nodes, footnote_marks: bool = False) -> str:
    out = []
    for node in nodes:
        if isinstance(node, (Text, Code)):
            out.append(node.text)
        elif isinstance(node, SoftBreak):
            out.append(" ")
        elif isinstance(node, LineBreak):
            out.append("\n")
        elif isinstance(node, (Strong, Emph, Strike, Link)):
            out.append(inline_text(node.children, footnote_marks))
        elif isinstance(node, FootnoteRef) and footnote_marks:
            out.append(f"[{node.number}]")
    return "".join(out)


def walk(blocks):
    """Every block node in document order, descending into divs, lists and quotes."""
    for node in blocks:
        yield node
        if isinstance(node, ListBlock):
            for item in node.items:
                yield item
                yield from walk(item.children)
        elif hasattr(node, "children") and not isinstance(node, Heading) and node.children \
                and not isinstance(node.children[0], (Text, Code, SoftBreak, LineBreak, Strong,
                                                      Emph, Strike, Link, FootnoteRef)):
            yield from walk(node.children)


class OutlineCounter:
    """Heading numbers for an outline scheme; lower levels restart under a new parent."""

    def __init__(self, scheme: str = "none"):
        self.formats = OUTLINE_FORMATS.get(scheme, {})
        self.counts = [0] * 10

    def number(self, heading: Heading) -> str:
        if not heading.numbered or heading.level not in self.formats:
            return ""
        level = heading.level
        self.counts[level] += 1
        for deeper in range(level + 1, len(self.counts)):
            self.counts[deeper] = 0
        return format_number(self.counts[level], self.formats[level]) + "."


def heading_numbers(doc: Document) -> dict[int, str]:
    """id(heading) -> its outline number ("I.", "a.") under the document's outline option."""
    counter = OutlineCounter(doc.options.get("outline", "none"))
    return {id(n): counter.number(n) for n in walk(doc.children) if isinstance(n, Heading)}


def has_class(node, name: str) -> bool:
    return isinstance(node, Div) and name in node.classes
