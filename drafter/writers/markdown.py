"""Markdown output: the composed source itself, fenced divs and all (pandoc reads it as is)."""

from __future__ import annotations

from drafter.model.nodes import Document
from drafter.model.parse import clean_text
from drafter.writers import WriteContext


class MarkdownWriter:
    format = "md"
    extension = ".md"

    def write(self, doc: Document, ctx: WriteContext) -> bytes:
        text = clean_text(ctx.source_markdown)
        if not text.endswith("\n"):
            text += "\n"
        return text.encode("utf-8")
