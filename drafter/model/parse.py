"""Markdown to the document model, through markdown-it-py's flat token stream.

The Markdown dialect is CommonMark plus tables and strikethrough, footnotes (``[^1]``),
fenced divs (``::: {.class key="value"}``) and block attributes (``{.unnumbered}`` on the
line before a heading).  Raw HTML is not interpreted: it stays text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from drafter.errors import RenderError
from drafter.model.nodes import (Block, BlockQuote, Code, CodeBlock, Div, Document, Emph,
                                 Footnote, FootnoteRef, Heading, LineBreak, Link, ListBlock,
                                 ListItem, Paragraph, Provenance, SoftBreak, Strike, Strong,
                                 Table, TableCell, Text, ThematicBreak)

_ATTR = re.compile(r'([.#]?)([A-Za-z_][\w:.-]*)(?:=(?:"([^"]*)"|\'([^\']*)\'|(\S+)))?')
# Characters XML 1.0 cannot carry, which Word refuses; \t and \n are kept.
_XML_INVALID = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """NFC, CR/LF normalised, vertical tab and form feed as new lines, no XML-invalid characters."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    return _XML_INVALID.sub("", text)


def _validate_div(params: str, *args) -> bool:
    return bool(params.strip())


@lru_cache(maxsize=1)
def markdown_parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_block_plugin
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.use(container_plugin, name="div", validate=_validate_div)
    md.use(footnote_plugin)
    md.use(attrs_block_plugin)
    return md


def parse_div_info(info: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """``{.block block="id" hash="h"}`` or ``caption`` -> (classes, attributes)."""
    info = info.strip()
    if info.startswith("{") and info.endswith("}"):
        info = info[1:-1]
    elif info:
        return tuple(info.split()), {}
    classes: list[str] = []
    attrs: dict[str, str] = {}
    for prefix, name, dq, sq, bare in _ATTR.findall(info):
        if prefix == ".":
            classes.append(name)
        elif prefix == "#":
            attrs["id"] = name
        else:
            value = dq if dq else sq if sq else bare
            attrs[name] = value
    return tuple(classes), attrs


class _Builder:
    def __init__(self, tokens, line_offset: int):
        self.tokens = tokens
        self.pos = 0
        self.line_offset = line_offset
        self.provenance: list[Provenance | None] = [None]
        self.footnotes: dict[int, Footnote] = {}
        self.block_spans: list[tuple[int, int, Provenance]] = []

    def _next_line(self) -> int | None:
        """The source line (0-based) of the next token that has one."""
        for tok in self.tokens[self.pos:]:
            if tok.map:
                return tok.map[0]
            if tok.type == "footnote_close":
                break
        return None

    def _block_at(self, line: int | None) -> Provenance | None:
        if line is None:
            return None
        found = None
        for start, end, prov in self.block_spans:
            if start <= line < end:
                found = prov  # the innermost span wins: spans are recorded outside-in
        return found

    def line(self, token) -> int | None:
        return token.map[0] + 1 + self.line_offset if token.map else None

    def blocks_until(self, close_type: str | None) -> list[Block]:
        out: list[Block] = []
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            if close_type is not None and tok.type == close_type:
                self.pos += 1
                return out
            node = self.block(tok)
            if node is not None:
                out.append(node)
        if close_type is not None:
            raise RenderError(f"unbalanced Markdown structure: missing {close_type}")
        return out

    def block(self, tok) -> Block | None:
        t = tok.type
        src = self.provenance[-1]
        line = self.line(tok)
        if t == "heading_open":
            inline = self.tokens[self.pos + 1]
            self.pos += 3
            classes = tuple((tok.attrs.get("class") or "").split())
            return Heading(level=int(tok.tag[1]), children=self.inlines(inline.children or []),
                           numbered="unnumbered" not in classes, classes=classes,
                           line=line, source=src)
        if t == "paragraph_open":
            inline = self.tokens[self.pos + 1]
            self.pos += 3
            return Paragraph(children=self.inlines(inline.children or []), line=line, source=src)
        if t in ("bullet_list_open", "ordered_list_open"):
            self.pos += 1
            ordered = t == "ordered_list_open"
            start = int(tok.attrs.get("start", 1)) if ordered else 1
            node = ListBlock(ordered=ordered, start=start, line=line, source=src,
                             tight=self._tight(tok))
            close = t.replace("_open", "_close")
            while self.tokens[self.pos].type != close:
                item_tok = self.tokens[self.pos]
                self.pos += 1
                children = self.blocks_until("list_item_close")
                node.items.append(ListItem(children=children, line=self.line(item_tok),
                                           source=self.provenance[-1]))
            self.pos += 1
            return node
        if t == "blockquote_open":
            self.pos += 1
            return BlockQuote(children=self.blocks_until("blockquote_close"), line=line, source=src)
        if t == "container_div_open":
            self.pos += 1
            classes, attrs = parse_div_info(tok.info)
            pushed = "block" in classes and "block" in attrs
            if pushed:
                self.provenance.append(Provenance(attrs["block"], attrs.get("hash", ""),
                                                      attrs.get("variant", "")))
                if tok.map:
                    self.block_spans.append((tok.map[0], tok.map[1], self.provenance[-1]))
            children = self.blocks_until("container_div_close")
            if pushed:
                self.provenance.pop()
            return Div(classes=classes, attrs=attrs, children=children, line=line, source=src)
        if t in ("fence", "code_block"):
            self.pos += 1
            return CodeBlock(text=clean_text(tok.content), info=tok.info.strip(), line=line,
                             source=src)
        if t == "hr":
            self.pos += 1
            return ThematicBreak(line=line, source=src)
        if t == "table_open":
            return self.table(line, src)
        if t == "footnote_block_open":
            self.pos += 1
            self.footnote_block()
            return None
        # Tokens we do not model (html_block is off; anything else is skipped safely).
        self.pos += 1
        return None

    def _tight(self, list_open) -> bool:
        """markdown-it hides the paragraphs of a tight list's items."""
        for tok in self.tokens[self.pos:]:
            if tok.type == "paragraph_open" and tok.level == list_open.level + 2:
                return tok.hidden
            if tok.level <= list_open.level and tok.nesting == -1:
                break
        return True

    def table(self, line, src) -> Table:
        node = Table(line=line, source=src)
        row: list[TableCell] | None = None
        in_head = False
        while True:
            tok = self.tokens[self.pos]
            self.pos += 1
            if tok.type == "table_close":
                return node
            if tok.type == "thead_open":
                in_head = True
            elif tok.type == "thead_close":
                in_head = False
            elif tok.type == "tr_open":
                row = []
            elif tok.type == "tr_close":
                if in_head:
                    node.header = row or []
                else:
                    node.rows.append(row or [])
            elif tok.type in ("th_open", "td_open"):
                style = tok.attrs.get("style") or ""
                align = style.split(":")[-1] if "text-align" in str(style) else None
                inline = self.tokens[self.pos]
                self.pos += 2
                row.append(TableCell(children=self.inlines(inline.children or []), align=align))

    def footnote_block(self) -> None:
        while self.tokens[self.pos].type != "footnote_block_close":
            tok = self.tokens[self.pos]
            self.pos += 1
            if tok.type == "footnote_open":
                number = tok.meta["id"] + 1
                note = Footnote(number=number, label=str(tok.meta.get("label", number)))
                # markdown-it moves every definition to the end; its provenance is the block
                # whose lines hold the definition, or none (template text).
                self.provenance.append(self._block_at(self._next_line()))
                note.children = self.blocks_until("footnote_close")
                self.provenance.pop()
                self.footnotes[number] = note
        self.pos += 1

    def inlines(self, tokens) -> list:
        root: list = []
        stack: list[list] = [root]
        for tok in tokens:
            t = tok.type
            here = stack[-1]
            if t == "text":
                if tok.content:
                    text = clean_text(tok.content)
                    if here and isinstance(here[-1], Text):
                        here[-1].text += text
                    else:
                        here.append(Text(text))
            elif t == "code_inline":
                here.append(Code(clean_text(tok.content)))
            elif t == "softbreak":
                here.append(SoftBreak())
            elif t == "hardbreak":
                here.append(LineBreak())
            elif t in ("strong_open", "em_open", "s_open", "link_open"):
                if t == "strong_open":
                    node = Strong()
                elif t == "em_open":
                    node = Emph()
                elif t == "s_open":
                    node = Strike()
                else:
                    node = Link(href=str(tok.attrs.get("href", "")))
                here.append(node)
                stack.append(node.children)
            elif t in ("strong_close", "em_close", "s_close", "link_close"):
                if len(stack) > 1:
                    stack.pop()
            elif t == "footnote_ref":
                here.append(FootnoteRef(number=tok.meta["id"] + 1,
                                        label=str(tok.meta.get("label", ""))))
            elif t == "image":
                here.append(Text(clean_text(tok.content or "")))
            elif t in ("html_inline", "footnote_anchor"):
                continue
        return root


def parse_markdown(text: str, meta: dict | None = None, options: dict | None = None,
                   line_offset: int = 0) -> Document:
    md = markdown_parser()
    tokens = md.parse(clean_text(text))
    builder = _Builder(tokens, line_offset)
    children = builder.blocks_until(None)
    notes = [builder.footnotes[k] for k in sorted(builder.footnotes)]
    return Document(children=children, footnotes=notes, meta=dict(meta or {}),
                    options=dict(options or {}))
