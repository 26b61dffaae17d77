"""Markdown output: the filing as a reader reads it, and the composed source under its own name.

``md`` (:class:`MarkdownWriter`) writes Pandoc's Markdown from the document model, as the text
and HTML writers do: ATX headings at the filing's levels with the outline numbers the DOCX
shows ("I.", "a.", "1.2.") written as text, ordered lists with the DOCX's markers (``1.``,
``a.``, ``i.`` by depth), emphasis, links, block quotes, pipe tables (grid tables where a cell
breaks a line or its code holds a ``|``), footnotes as ``[^n]`` with their text at the end,
the caption, title and signature as paragraphs, the table of contents as a list, and
placeholders as the visible text ``[[TODO: ...]]``.  Block provenance, Word comments (a
placeholder's candidates) and div classes or attributes are left out.

Every text of the model is escaped, so that text from a consultation, an import or a variable
reads back as the same text: never a heading, a list, a quote, a table, a footnote, a link,
emphasis, HTML, math, a citation or a fenced div, whatever it holds.  (Pandoc's typography
still joins an abbreviation such as "No." to the next word with a no-break space, as it means
to; "--" and "..." are escaped, so they stay as written.)

``composed`` (:class:`ComposedWriter`, extension ``.composed.md``) is the composed source
itself: fenced divs with each block's id and hash, ``{.unnumbered}``, review-note attributes.
"""

from __future__ import annotations

import re

from drafter.model.nodes import (BlockQuote, Code, CodeBlock, Div, Document, Emph, FootnoteRef,
                                 Heading, LineBreak, Link, ListBlock, Paragraph, SoftBreak,
                                 Strike, Strong, Table, TableCell, Text, ThematicBreak)
from drafter.model.parse import clean_text
from drafter.model.text import format_number, inline_text, walk
from drafter.writers import WriteContext

# Per list depth, the DOCX's list number formats (drafter.writers.docx.oxml.LIST_LEVELS).
_LIST_FORMATS = ("decimal", "lowerLetter", "lowerRoman")
# Per outline scheme and heading level, the DOCX's heading number formats
# (drafter.writers.docx.oxml.OUTLINE_LEVELS): "roman" numbers each level on its own (I. / a. /
# 1.), "decimal" joins the levels (1. / 1.1. / 1.1.1.).
_OUTLINE = {
    "roman": ("upperRoman", "lowerLetter", "decimal"),
    "decimal": ("decimal", "decimal", "decimal"),
}

# Characters escaped wherever they stand in text: inline markup (emphasis, code, links and
# footnotes, autolinks and HTML, strike-out, sub- and superscript, attributes, table cells).
_INLINE = re.compile(r"([\\`*_\[\]<{|^~\"'])")
# "&amp;" and "&#38;" would become "&"
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# "$x$" would become math; a "$" followed by a digit can close no math, so it stays as it is
_DOLLAR = re.compile(r"\$(?![0-9])")
# "@key" would become a citation unless it follows a letter or digit (an e-mail address)
_CITE = re.compile(r"(?<![0-9A-Za-z])@")
# "--", "..." would become dashes and an ellipsis
_DASHES = re.compile(r"(?<=-)-")
_DOTS = re.compile(r"(?<=\.\.)\.")
# At the start of a line: a heading, quote, list item, setext underline, thematic break,
# definition, title block, line block or fenced div.  The escaped text already has "\" before
# every character of _INLINE.
_LINE_START = re.compile(r"^([#>+\-=:%(])")
# An item that begins "[ ] " or "[x] " would be a task list's check box: a no-break space
# after the "]" keeps it text.
_TASK = re.compile(r"^(\\\[[ xX]\\\]) ")
_LIST_MARKER = re.compile(r"^([0-9]+|[A-Za-z]|[ivxlcdmIVXLCDM]+)([.)])(?=\s|$)")


# A placeholder, "[[TODO: ...]]", keeps its brackets as they are (a reader searches for them)
# where nothing around it could make it a link or an image: no "!" or "]" right before "[[",
# no "(", "[", "{" or ":" right after "]]".
_PLACEHOLDER = re.compile(r"(?<![!\]])\[\[([^\[\]\n]*)\]\](?![(\[{:])")


def escape_text(text: str, open_ends: tuple[bool, bool] = (True, True)) -> str:
    """Text as Markdown that reads back as exactly ``text`` in the middle of a line.

    ``open_ends``: whether what stands before the text and after it (a link, a footnote mark)
    leaves a placeholder at its start or end free to keep its brackets unescaped."""
    text = text.replace("\n", " ")
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() == 0 and not open_ends[0] or \
                match.end() == len(text) and not open_ends[1]:
            continue
        parts.append(_escape(text[last:match.start()]))
        parts.append("[[" + _escape(match.group(1)) + "]]")
        last = match.end()
    parts.append(_escape(text[last:]))
    return "".join(parts)


def _escape(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    text = _DOLLAR.sub(r"\\$", text)
    text = _CITE.sub(r"\\@", text)
    text = _DASHES.sub(r"\\-", text)
    return _DOTS.sub(r"\\.", text)


def escape_line_start(line: str) -> str:
    """An escaped line made safe where a line begins (no block structure starts there)."""
    line = line.lstrip(" \t")
    line = _LINE_START.sub(r"\\\1", line)
    return _LIST_MARKER.sub(r"\1\\\2", line)


def _code_span(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _link_target(href: str) -> str:
    if re.search(r"[\s()<>]", href):
        return "<" + href.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20") + ">"
    return href.replace("\\", "\\\\")


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    out = [first + lines[0]]
    out.extend(rest + line if line else "" for line in lines[1:])
    return "\n".join(out)


class MarkdownRenderer:
    """Renders one document; :meth:`render` gives the Markdown text."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.outline = _OUTLINE.get(doc.options.get("outline", "none"), ())
        self.counts = [0] * 10
        self.numbers = {id(h): self._number(h) for h in walk(doc.children)
                        if isinstance(h, Heading)}
        self.toc_pending = bool(doc.options.get("toc")) and not any(
            isinstance(n, Div) and "toc" in n.classes for n in walk(doc.children))

    def _number(self, heading: Heading) -> str:
        """The outline number the DOCX shows on ``heading`` ("" for none)."""
        level = heading.level
        if not heading.numbered or level > len(self.outline):
            return ""
        self.counts[level] += 1
        for deeper in range(level + 1, len(self.counts)):
            self.counts[deeper] = 0
        if self.outline == _OUTLINE["decimal"]:
            return "".join(f"{self.counts[n]}." for n in range(1, level + 1))
        return format_number(self.counts[level], self.outline[level - 1]) + "."

    # -- inlines ---------------------------------------------------------------------------

    def inlines(self, nodes, line_start: bool = True, in_heading: bool = False) -> str:
        """Inline nodes as one Markdown line (a hard line break starts a new line)."""
        out: list[str] = []
        at_start = line_start
        nodes = list(nodes)
        while nodes and isinstance(nodes[-1], (LineBreak, SoftBreak)):
            nodes.pop()  # a break that ends a paragraph breaks nothing
        for n, node in enumerate(nodes):
            piece = ""
            if isinstance(node, Text):
                before = nodes[n - 1] if n else None
                after = nodes[n + 1] if n + 1 < len(nodes) else None
                piece = escape_text(node.text, (not isinstance(before, (Link, FootnoteRef)),
                                                not isinstance(after, (Link, FootnoteRef))))
                if in_heading:
                    piece = piece.replace("#", "\\#")
                if at_start:
                    piece = escape_line_start(piece)
            elif isinstance(node, Code):
                piece = _code_span(node.text.replace("\n", " "))
            elif isinstance(node, SoftBreak):
                piece = " "
            elif isinstance(node, LineBreak):
                piece = " " if in_heading else "\\\n"
            elif isinstance(node, (Strong, Emph, Strike)):
                mark = {Strong: "**", Emph: "*", Strike: "~~"}[type(node)]
                inner = self.inlines(node.children, False, in_heading)
                # spaces at its edges would stop the mark from opening or closing emphasis
                core = inner.strip(" ")
                if mark == "*" and (core.startswith("*") or core.endswith("*")):
                    mark = "_"  # "***x***" would read as strong around emphasis
                lead = inner[:len(inner) - len(inner.lstrip(" "))]
                trail = inner[len(inner.rstrip(" ")):]
                piece = f"{lead}{mark}{core}{mark}{trail}" if core else inner
            elif isinstance(node, Link):
                piece = self.link(node, in_heading)
            elif isinstance(node, FootnoteRef):
                piece = f"[^{node.number}]"
            if not piece:
                continue
            if at_start and isinstance(node, (SoftBreak,)):
                continue
            out.append(piece)
            at_start = isinstance(node, LineBreak) and not in_heading
        lines = [line.rstrip() for line in "".join(out).split("\n")]
        # a line that began with spaces would be a code block or a list's continuation
        return "\n".join(line.lstrip(" ") if n or line_start else line
                         for n, line in enumerate(lines))

    def link(self, node: Link, in_heading: bool) -> str:
        label = inline_text(node.children)
        plain = all(isinstance(c, Text) for c in node.children)
        href = node.href
        if plain and re.match(r"^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*$", href) and \
                label in (href, href.removeprefix("mailto:")):
            return f"<{label}>"
        inner = self.inlines(node.children, False, in_heading)
        return f"[{inner}]({_link_target(href)})"

    # -- blocks ----------------------------------------------------------------------------

    def blocks(self, nodes, depth: int = 0) -> list[str]:
        """Each block as a Markdown text (without the blank line that separates blocks)."""
        out: list[str] = []
        for node in nodes:
            if isinstance(node, Heading):
                if self.toc_pending:
                    self.toc_pending = False
                    out.extend(self.toc(None))
                number = escape_text(self.numbers.get(id(node), ""))
                text = self.inlines(node.children, False, in_heading=True)
                head = f"{number} {text}" if number and text else number or text
                out.append("#" * min(node.level, 6) + (" " + head if head else ""))
            elif isinstance(node, Paragraph):
                text = self.inlines(node.children)
                if text:
                    out.append(text)
            elif isinstance(node, ListBlock):
                out.append(self.list_block(node, depth))
            elif isinstance(node, BlockQuote):
                inner = "\n\n".join(self.blocks(node.children, depth))
                if inner:
                    out.append("\n".join("> " + line if line else ">"
                                         for line in inner.split("\n")))
            elif isinstance(node, CodeBlock):
                text = node.text.rstrip("\n")
                longest = max((len(run) for run in re.findall(r"^ {0,3}(`{3,})", text, re.M)),
                              default=0)
                fence = "`" * max(3, longest + 1)
                out.append(f"{fence}\n{text}\n{fence}" if text else f"{fence}\n{fence}")
            elif isinstance(node, ThematicBreak):
                out.append("* * *")
            elif isinstance(node, Table):
                out.append(self.table(node))
            elif isinstance(node, Div):
                out.extend(self.div(node, depth))
        return out

    def div(self, node: Div, depth: int) -> list[str]:
        if "toc" in node.classes:
            return self.toc(node)
        if "pagebreak" in node.classes:
            return []
        inner = self.blocks(node.children, depth)
        if "title" in node.classes:
            # the title is one bold paragraph (the DOCX's Title style), not a heading
            return [self._bold(text) for text in inner]
        return inner

    @staticmethod
    def _bold(text: str) -> str:
        if "\n" in text or "**" in text or not text.strip() or text.startswith(("#", "> ")):
            return text
        return f"**{text}**"

    def toc(self, node: Div | None) -> list[str]:
        """The table of contents as the DOCX writes it: a title, then the numbered headings of
        levels 1-3 (as a nested list, each entry's text kept as text)."""
        title = (node.attrs.get("title") if node is not None else None) or "Table of Contents"
        lines = []
        for heading in walk(self.doc.children):
            if not isinstance(heading, Heading) or heading.level > 3:
                continue
            number = self.numbers.get(id(heading), "")
            text = escape_text(inline_text(heading.children))
            entry = escape_line_start(f"{escape_text(number)} {text}" if number else text)
            lines.append("    " * (heading.level - 1) + "- " + entry)
        out = [self._bold(escape_line_start(escape_text(title)))]
        if lines:
            out.append(self._tidy_toc(lines))
        return out

    @staticmethod
    def _tidy_toc(lines: list[str]) -> str:
        """A level may not be deeper than the one before plus one (a list nests one step)."""
        tidy, previous = [], -1
        for line in lines:
            level = (len(line) - len(line.lstrip(" "))) // 4
            level = min(level, previous + 1)
            tidy.append("    " * level + line.lstrip(" "))
            previous = level
        return "\n".join(tidy)

    def list_block(self, node: ListBlock, depth: int) -> str:
        # an item of two paragraphs (a block's title and text) needs the loose form, where a
        # blank line separates them; a paragraph and a nested list need not
        tight = node.tight and not any(
            not isinstance(b, ListBlock) and i > 0
            for item in node.items for i, b in enumerate(_flat(item.children)))
        items = []
        for n, item in enumerate(node.items, start=node.start):
            if node.ordered:
                marker = format_number(n, _LIST_FORMATS[depth % 3]) + ". "
            else:
                marker = "- "
            parts = self.blocks(item.children, depth + 1)
            body = _TASK.sub(r"\1\\ ", ("\n" if tight else "\n\n").join(parts))
            if not body:
                items.append(marker.rstrip())
                continue
            items.append(_indent(body, marker, " " * len(marker)))
        return ("\n" if tight else "\n\n").join(items)

    def table(self, node: Table) -> str:
        columns = max([len(node.header)] + [len(r) for r in node.rows] + [1])
        header = list(node.header) + [TableCell()] * (columns - len(node.header))
        rows = [list(r) + [TableCell()] * (columns - len(r)) for r in node.rows]
        grid = any(isinstance(c, LineBreak) or (isinstance(c, Code) and "|" in c.text)
                   for row in [header] + rows for cell in row for c in _all_inlines(cell.children))
        text = [[self.inlines(c.children) for c in row] for row in [header] + rows]
        aligns = [(header[i].align or "").strip() for i in range(columns)]
        if grid:
            return _grid_table(text, aligns)
        rule = {"left": ":---", "center": ":---:", "right": "---:"}
        lines = ["| " + " | ".join(row) + " |" for row in text[:1]]
        lines.append("|" + "|".join(rule.get(a, "---") for a in aligns) + "|")
        lines.extend("| " + " | ".join(row) + " |" for row in text[1:])
        return "\n".join(lines)

    # -- the whole ---------------------------------------------------------------------------

    def render(self) -> str:
        parts = self.blocks(self.doc.children)
        for note in self.doc.footnotes:
            body = "\n\n".join(self.blocks(note.children)) or "\\ "
            parts.append(_indent(body, f"[^{note.number}]: ", "    "))
        return "\n\n".join(p for p in parts if p) + "\n"


def _flat(blocks):
    """Blocks with the divs around them taken away (the blocks a reader sees)."""
    for node in blocks:
        if isinstance(node, Div) and "toc" not in node.classes:
            yield from _flat(node.children)
        else:
            yield node


def _all_inlines(nodes):
    for node in nodes:
        yield node
        if isinstance(node, (Strong, Emph, Strike, Link)):
            yield from _all_inlines(node.children)


def _grid_table(text: list[list[str]], aligns: list[str]) -> str:
    """A grid table (cells whose text breaks lines): each cell's lines, padded to its column."""
    cells = [[cell.split("\n") for cell in row] for row in text]
    widths = [max(3, max(len(line) for row in cells for line in row[i]))
              for i in range(len(aligns))]
    mark = {"left": (":", "="), "center": (":", ":"), "right": ("=", ":")}

    def rule(ch: str, head: bool = False) -> str:
        if not head:
            return "+" + "+".join(ch * (w + 2) for w in widths) + "+"
        parts = []
        for w, a in zip(widths, aligns):
            left, right = mark.get(a, ("=", "="))
            parts.append(left + "=" * w + right)
        return "+" + "+".join(parts) + "+"

    def row_lines(row) -> list[str]:
        height = max(len(c) for c in row)
        return ["| " + " | ".join((c[k] if k < len(c) else "").ljust(w)
                                  for c, w in zip(row, widths)) + " |" for k in range(height)]

    lines = [rule("-")] + row_lines(cells[0]) + [rule("=", True)]
    for row in cells[1:]:
        lines.extend(row_lines(row))
        lines.append(rule("-"))
    return "\n".join(lines)


def document_markdown(doc: Document) -> str:
    """The document as Pandoc's Markdown (see the module's docstring): a str ending in one
    newline, the same for the same document."""
    return MarkdownRenderer(doc).render()


class MarkdownWriter:
    format = "md"
    extension = ".md"

    def write(self, doc: Document, ctx: WriteContext) -> bytes:
        return clean_text(document_markdown(doc)).encode("utf-8")


class ComposedWriter:
    """The composed source, fenced divs and all (pandoc reads it as is)."""

    format = "composed"
    extension = ".composed.md"

    def write(self, doc: Document, ctx: WriteContext) -> bytes:
        text = clean_text(ctx.source_markdown)
        if not text.endswith("\n"):
            text += "\n"
        return text.encode("utf-8")
