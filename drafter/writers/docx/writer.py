"""The DOCX writer: walks the document model and builds WordprocessingML with python-docx.

Structure comes from real Word styles (Title, Heading 1-4, List Paragraph, Quote) and
numbering definitions: outline numbers on the heading styles, a fresh numbering instance for
every list so each restarts at 1.  Every paragraph carries a bookmark naming the position
block it came from (``B<seq>_<hash6>_<id>``) or marking it as template text (``T<seq>``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from drafter.model.nodes import (BlockQuote, Code, CodeBlock, Div, Document, Emph, FootnoteRef,
                                 Heading, LineBreak, Link, ListBlock, Paragraph, SoftBreak,
                                 Strike, Strong, Table, Text, ThematicBreak)
from drafter.writers import WriteContext
from drafter.writers.docx import oxml, package
from drafter.writers.docx.styles import StyleMap

_ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
          "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
_DIV_STYLES = {"title": "Title", "subtitle": "Subtitle", "quote": "Quote", "caption": "Caption"}


@dataclass(frozen=True)
class _State:
    """Where the walk is: the style and indentation paragraphs get."""

    style: str | None = None
    align: str | None = None
    list_depth: int = -1
    keep_next: bool = False


class DocxBuilder:
    def __init__(self, doc: Document, ctx: WriteContext):
        self.doc = doc
        self.ctx = ctx
        self.document = package.open_base(ctx.reference_docx)
        self.body = self.document.element.body
        self.styles = StyleMap(self.document, ctx.diagnostics,
                               warn_missing=ctx.reference_docx is not None)
        self.numbering = oxml.ensure_numbering(self.document)
        self.abstract_ids: dict[str, int] = {}
        self.pending_number: tuple[int, int] | None = None
        self.bookmark_seq = 0
        self.outline = doc.options.get("outline", "none")
        self.outline_num = self._outline() if self.outline in oxml.OUTLINE_LEVELS else None

    # -- set-up ---------------------------------------------------------------------------

    def _outline(self) -> int:
        """Link outline numbering to Heading 1-3, so Word renumbers when sections move."""
        style_ids = [self.styles.paragraph(f"Heading {n}") for n in (1, 2, 3)]
        abstract = oxml.add_abstract_outline(self.numbering, self.outline, style_ids)
        num_id = oxml.add_num(self.numbering, abstract, restart=False)
        styles_el = self.document.styles.element
        for ilvl, style_id in enumerate(style_ids):
            style = styles_el.get_by_id(style_id)
            ppr = style.get_or_add_pPr()
            oxml.set_numpr(ppr, num_id, ilvl)
        if self.styles.has("TOC Heading"):
            toc = styles_el.get_by_id(self.styles.paragraph("TOC Heading"))
            oxml.set_numpr(toc.get_or_add_pPr(), 0, 0)
        return num_id

    def _list_num(self, ordered: bool) -> int:
        kind = "decimal" if ordered else "bullet"
        if kind not in self.abstract_ids:
            self.abstract_ids[kind] = oxml.add_abstract_list(self.numbering, kind)
        return oxml.add_num(self.numbering, self.abstract_ids[kind], restart=True)

    # -- paragraphs -----------------------------------------------------------------------

    def paragraph(self, style: str | None, state: _State, node=None):
        p = self.body.add_p()
        style_name = style or state.style
        if style_name and style_name != "Normal":
            p.style = self.styles.paragraph(style_name)
        ppr = None
        if self.pending_number is not None:
            num_id, ilvl = self.pending_number
            self.pending_number = None
            ppr = p.get_or_add_pPr()
            if not style_name:
                p.style = self.styles.paragraph("List Paragraph")
            oxml.set_numpr(ppr, num_id, ilvl)
        elif state.list_depth >= 0 and style_name is None:
            p.style = self.styles.paragraph("List Paragraph")
            ppr = p.get_or_add_pPr()
            ppr.append(oxml.el("w:ind", {"w:left": 720 * (state.list_depth + 1)}))
        if state.align in _ALIGN:
            p.get_or_add_pPr().jc_val = _ALIGN[state.align]
        if state.keep_next:
            p.get_or_add_pPr().keepNext_val = True
        if node is not None:
            self._bookmark(p, node)
        return p

    def _bookmark(self, p, node) -> None:
        self.bookmark_seq += 1
        seq = self.bookmark_seq
        if node.source is not None:
            name = oxml.bookmark_name("B", seq, node.source.block, node.source.hash)
        else:
            name = oxml.bookmark_name("T", seq)
        oxml.wrap_bookmark(p, seq, name)

    def inlines(self, parent, nodes, bold=False, italic=False, strike=False) -> None:
        for node in nodes:
            if isinstance(node, Text):
                oxml.add_run(parent, node.text, bold, italic, strike)
            elif isinstance(node, SoftBreak):
                oxml.add_run(parent, " ", bold, italic, strike)
            elif isinstance(node, LineBreak):
                oxml.add_break(parent)
            elif isinstance(node, Code):
                oxml.add_run(parent, node.text, bold, italic, strike, mono=True)
            elif isinstance(node, Strong):
                self.inlines(parent, node.children, True, italic, strike)
            elif isinstance(node, Emph):
                self.inlines(parent, node.children, bold, True, strike)
            elif isinstance(node, Strike):
                self.inlines(parent, node.children, bold, italic, True)
            elif isinstance(node, Link):
                if node.href in ("", "#"):
                    self.inlines(parent, node.children, bold, italic, strike)
                    continue
                link = oxml.add_hyperlink(parent, self.document.part, node.href)
                style = self.styles.character("Hyperlink")
                for run_text in _flatten(node.children):
                    oxml.add_run(link, run_text, bold, italic, strike, char_style=style)
            elif isinstance(node, FootnoteRef):
                self.footnote_ref(parent, node)

    def footnote_ref(self, parent, node: FootnoteRef) -> None:
        oxml.add_run(parent, str(node.number), superscript=True)

    def footnotes(self) -> None:
        if not self.doc.footnotes:
            return
        state = _State()
        self.paragraph("Heading 4", state).append(_plain_run("Notes"))
        for note in self.doc.footnotes:
            first = True
            for child in note.children:
                if first and isinstance(child, Paragraph):
                    p = self.paragraph(None, state, child)
                    oxml.add_run(p, f"{note.number}. ", superscript=False)
                    self.inlines(p, child.children)
                    first = False
                else:
                    self.block(child, state)

    # -- blocks ---------------------------------------------------------------------------

    def blocks(self, nodes, state: _State) -> None:
        for node in nodes:
            self.block(node, state)

    def block(self, node, state: _State) -> None:
        if isinstance(node, Heading):
            level = min(node.level, 4)
            p = self.paragraph(f"Heading {level}", replace(state, style=None, list_depth=-1), node)
            if not node.numbered and self.outline_num is not None and level <= 3:
                oxml.set_numpr(p.get_or_add_pPr(), 0, 0)
            self.inlines(p, node.children)
        elif isinstance(node, Paragraph):
            p = self.paragraph(node.style, state, node)
            self.inlines(p, node.children)
        elif isinstance(node, ListBlock):
            num_id = self._list_num(node.ordered)
            depth = state.list_depth + 1
            inner = replace(state, list_depth=depth, style=None)
            for item in node.items:
                self.pending_number = (num_id, min(depth, 8))
                self.blocks(item.children, inner)
                if self.pending_number is not None:  # an empty item still shows its number
                    self.paragraph(None, inner)
        elif isinstance(node, BlockQuote):
            self.blocks(node.children, replace(state, style="Quote"))
        elif isinstance(node, CodeBlock):
            p = self.paragraph(state.style, state, node)
            oxml.add_run(p, node.text.rstrip("\n"), mono=True)
        elif isinstance(node, ThematicBreak):
            p = self.paragraph(None, state)
            ppr = p.get_or_add_pPr()
            ppr.append(oxml.el("w:pBdr", children=[oxml.el(
                "w:bottom", {"w:val": "single", "w:sz": 6, "w:space": 1, "w:color": "auto"})]))
        elif isinstance(node, Table):
            self.table(node)
        elif isinstance(node, Div):
            self.div(node, state)

    def div(self, node: Div, state: _State) -> None:
        if "pagebreak" in node.classes:
            p = self.paragraph(None, _State())
            oxml.add_break(p, "page")
            return
        style = node.attrs.get("custom-style") or next(
            (_DIV_STYLES[c] for c in node.classes if c in _DIV_STYLES), None)
        align = next((c for c in node.classes if c in _ALIGN), state.align)
        inner = replace(state, style=style or state.style, align=align,
                        keep_next=state.keep_next or "keep" in node.classes)
        self.blocks(node.children, inner)

    def table(self, node: Table) -> None:
        cols = max([len(node.header)] + [len(r) for r in node.rows]) or 1
        rows = ([node.header] if node.header else []) + node.rows
        table = self.document.add_table(rows=len(rows), cols=cols)
        if self.styles.has("Table Grid"):
            table.style = self.document.styles["Table Grid"]
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                p = table.cell(r, c).paragraphs[0]._p
                self.inlines(p, cell.children, bold=bool(node.header) and r == 0)

    # -- the whole document ---------------------------------------------------------------

    def build(self) -> bytes:
        self.blocks(self.doc.children, _State())
        self.footnotes()
        package.set_core_properties(self.document, self.doc.meta)
        return package.save_reproducible(self.document)


def _flatten(nodes) -> list[str]:
    from drafter.model.text import inline_text
    return [inline_text(nodes)]


def _plain_run(text: str):
    r = oxml.el("w:r")
    t = oxml.el("w:t")
    t.text = text
    r.append(t)
    return r


class DocxWriter:
    format = "docx"
    extension = ".docx"

    def write(self, doc: Document, ctx: WriteContext) -> bytes:
        return DocxBuilder(doc, ctx).build()
