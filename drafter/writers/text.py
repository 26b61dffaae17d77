"""Plain text for pasting into web forms: outline and list numbers written out, footnotes last."""

from __future__ import annotations

import textwrap

from drafter.model.nodes import (BlockQuote, CodeBlock, Div, Document, Heading, ListBlock,
                                 Paragraph, Table, ThematicBreak)
from drafter.model.parse import clean_text
from drafter.model.text import OutlineCounter, format_number, inline_text
from drafter.writers import WriteContext

_LIST_FORMATS = ("decimal", "lowerLetter", "lowerRoman")


class TextRenderer:
    def __init__(self, doc: Document, width: int = 0):
        self.doc = doc
        self.width = width
        self.counter = OutlineCounter(doc.options.get("outline", "none"))
        self.out: list[str] = []

    def emit(self, text: str, indent: str = "", first: str | None = None) -> None:
        first = indent if first is None else first
        if self.width:
            text = textwrap.fill(text, self.width, initial_indent=first, subsequent_indent=indent)
        else:
            text = first + text.replace("\n", "\n" + indent)
        self.out.append(text)

    def blocks(self, nodes, indent: str = "", depth: int = 0) -> None:
        for node in nodes:
            if isinstance(node, Heading):
                number = self.counter.number(node)
                self.emit(inline_text(node.children, True), indent,
                          indent + (number + " " if number else ""))
            elif isinstance(node, Paragraph):
                self.emit(inline_text(node.children, True), indent)
            elif isinstance(node, ListBlock):
                for n, item in enumerate(node.items, start=node.start):
                    if node.ordered:
                        marker = format_number(n, _LIST_FORMATS[depth % 3]) + ". "
                    else:
                        marker = "- "
                    start = len(self.out)
                    self.blocks(item.children, indent + " " * len(marker), depth + 1)
                    if len(self.out) > start:
                        self.out[start] = indent + marker + self.out[start][len(indent) + len(marker):]
                    else:
                        self.out.append(indent + marker.rstrip())
            elif isinstance(node, BlockQuote):
                self.blocks(node.children, indent + "    ", depth)
            elif isinstance(node, CodeBlock):
                self.out.append("\n".join(indent + line for line in node.text.rstrip("\n").split("\n")))
            elif isinstance(node, ThematicBreak):
                self.out.append(indent + "-" * 20)
            elif isinstance(node, Table):
                rows = ([node.header] if node.header else []) + node.rows
                for row in rows:
                    self.out.append(indent + " | ".join(inline_text(c.children) for c in row))
            elif isinstance(node, Div):
                self.blocks(node.children, indent, depth)

    def render(self) -> str:
        self.blocks(self.doc.children)
        if self.doc.footnotes:
            self.out.append("Notes")
            for note in self.doc.footnotes:
                start = len(self.out)
                self.blocks(note.children, "    ")
                if len(self.out) > start:
                    self.out[start] = f"[{note.number}] " + self.out[start].lstrip()
        return "\n\n".join(self.out) + "\n"


def document_text(doc: Document, width: int = 0) -> str:
    return TextRenderer(doc, width).render()


class TextWriter:
    format = "txt"
    extension = ".txt"

    def write(self, doc: Document, ctx: WriteContext) -> bytes:
        return clean_text(document_text(doc)).encode("utf-8")
