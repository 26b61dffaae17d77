"""The DOCX writer: walks the document model and builds WordprocessingML with python-docx.

Structure comes from real Word styles (Title, Heading 1-4, List Paragraph, Quote, Footnote
Text, TOC 1-3...) and numbering definitions: outline numbers linked to the heading styles,
a fresh numbering instance for every list so each restarts at 1.  Footnotes are Word
footnotes, the table of contents a TOC field, the footer's page numbers PAGE/NUMPAGES fields.

Provenance bookmarks (read back by the reviewer round trip, ``drafter harvest``)
---------------------------------------------------------------------------------
Every paragraph the writer makes, in the body and in footnotes, is wrapped in one bookmark
(``w:bookmarkStart`` after the paragraph properties, ``w:bookmarkEnd`` as its last child)
whose ``w:id`` is a running sequence number ``seq`` (1, 2, 3... in document order) and
whose name is:

- ``B<seq>_<hash6>_<block>`` for a paragraph from a position block: ``hash6`` is the first
  six hex digits of the block's text hash (as in the composed Markdown's ``hash=``), and
  ``block`` the block id with every character outside ``[A-Za-z0-9_]`` (notably ``-``)
  written as ``_``; the whole name is cut to 40 characters (Word's limit), so a long id is
  truncated and must be matched by prefix against the library's ids (decode: split on the
  first two ``_``, turn ``_`` back into ``-``, find the id that starts with the rest);
- ``T<seq>`` for a paragraph of template text (caption, headings the template writes,
  signature).

Paragraphs a reviewer inserts have no bookmark.  Generated field results (the filled table
of contents) and the blank lines of the FCC caption carry none either.  With ``--annotate``
each block also gets a Word comment (:mod:`drafter.writers.docx.comments`).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace

from docx.oxml.ns import qn

from drafter.model.nodes import (BlockQuote, Code, CodeBlock, Div, Document, Emph, FootnoteRef,
                                 Heading, LineBreak, Link, ListBlock, Paragraph, SoftBreak,
                                 Strike, Strong, Table, Text, ThematicBreak)
from drafter.model.text import OutlineCounter, has_class, inline_text, walk
from drafter.writers import WriteContext
from drafter.writers.docx import caption, fields, footnotes, oxml, package, page
from drafter.writers.docx.oxml import el
from drafter.writers.docx.styles import StyleMap

_ALIGN = {"left": "left", "center": "center", "right": "right", "justify": "both"}
_DIV_STYLES = {"title": "Title", "subtitle": "Subtitle", "quote": "Quote",
               "caption": "Filing Caption", "matter": "Filing Matter",
               "signature": "Signature"}


@dataclass(frozen=True)
class _State:
    """Where the walk is: the style and layout paragraphs get."""

    style: str | None = None
    align: str | None = None
    list_depth: int = -1
    keep_next: bool = False
    hanging: bool = False


class DocxBuilder:
    def __init__(self, doc: Document, ctx: WriteContext,
                 toc_entries: list[fields.TocEntry] | None = None):
        self.doc = doc
        self.ctx = ctx
        self.document = package.open_base(ctx.reference_docx)
        self.body = self.document.element.body
        self.sect_pr = self.body.get_or_add_sectPr()
        self.text_width = page.text_width(self.sect_pr)
        self.styles = StyleMap(self.document, ctx.diagnostics,
                               warn_missing=ctx.reference_docx is not None)
        self._numbering = None
        self.abstract_ids: dict[str, int] = {}
        self.pending_number: tuple[int, int] | None = None
        self.bookmark_seq = 0
        self.bookmarks: list[tuple[object, int, str]] = []
        self.last_bookmark: str | None = None
        self.container = None          # None: the body; else the element paragraphs go into
        self.in_note = False
        self.made: list = []           # body paragraphs in order, for comment ranges
        self.headings: list[tuple[int, str, str | None]] = []
        self.counter = OutlineCounter(doc.options.get("outline", "none"))
        self.outline = doc.options.get("outline", "none")
        self.toc_entries = toc_entries
        self.has_toc = False
        self.toc_pending = bool(doc.options.get("toc")) and not any(
            has_class(n, "toc") for n in walk(doc.children))
        self.notes = {n.number: n for n in doc.footnotes}
        self.footnotes = footnotes.Footnotes(self.document, self.styles)
        self.annotator = None
        self.reviewer = None       # comments of review divs (placeholders' candidates)
        self.review_comments = ctx.comments
        if ctx.annotate:
            from drafter.writers.docx.comments import Annotator
            self.annotator = Annotator(self.document, self.styles,
                                       package.document_time(doc.meta))

    # -- set-up ---------------------------------------------------------------------------

    @property
    def numbering(self):
        if self._numbering is None:
            self._numbering = oxml.Numbering(oxml.ensure_numbering(self.document))
        return self._numbering

    def _outline(self) -> None:
        """Link outline numbering to Heading 1-3, so Word renumbers when sections move."""
        style_ids = [self.styles.paragraph(f"Heading {n}") for n in (1, 2, 3)]
        abstract = self.numbering.add_abstract_outline(self.outline, style_ids)
        num_id = self.numbering.add_num(abstract, restart=False)
        for ilvl, style_id in enumerate(style_ids):
            style = self.styles.get_element(style_id)
            oxml.set_numpr(style.get_or_add_pPr(), num_id, ilvl)

    def _list_num(self, ordered: bool, depth: int, start: int) -> int:
        kind = "decimal" if ordered else "bullet"
        if kind not in self.abstract_ids:
            self.abstract_ids[kind] = self.numbering.add_abstract_list(kind)
        return self.numbering.add_num(self.abstract_ids[kind], restart=True,
                                      start_level=depth, start=start if ordered else 1)

    # -- paragraphs -----------------------------------------------------------------------

    def _new_p(self, style_id: str | None = None):
        p = oxml.p_with_style(style_id)
        if self.container is None:
            self.sect_pr.addprevious(p)
        else:
            self.container.append(p)
        if not self.in_note:
            self.made.append(p)
        return p

    def paragraph(self, style: str | None, state: _State, node=None, mark: bool = True):
        style_name = style or state.style
        if style_name == "Normal":
            style_name = None
        in_list = self.pending_number is not None or state.list_depth >= 0
        if style_name is None and in_list:
            style_name = "List Paragraph"
        p = self._new_p(self.styles.paragraph(style_name) if style_name else None)
        if self.pending_number is not None:
            num_id, ilvl = self.pending_number
            self.pending_number = None
            oxml.set_numpr(p.get_or_add_pPr(), num_id, ilvl)
        elif state.list_depth >= 0 and style_name == "List Paragraph":
            oxml.ppr_set(p.get_or_add_pPr(),
                         el("w:ind", {"w:left": 720 * (state.list_depth + 1)}))
        if state.hanging:
            oxml.ppr_set(p.get_or_add_pPr(), el("w:ind", {"w:left": 720, "w:hanging": 720}))
        if state.align in _ALIGN:
            oxml.ppr_set(p.get_or_add_pPr(), el("w:jc", {"w:val": _ALIGN[state.align]}))
        if state.keep_next:
            ppr = p.get_or_add_pPr()
            oxml.ppr_set(ppr, el("w:keepNext"))
            oxml.ppr_set(ppr, el("w:keepLines"))
        self.last_bookmark = self._bookmark(p, node.source if node is not None else None) \
            if mark else None
        return p

    def _bookmark(self, p, source) -> str:
        self.bookmark_seq += 1
        seq = self.bookmark_seq
        if source is not None:
            name = oxml.bookmark_name("B", seq, source.block, source.hash,
                                      getattr(source, "variant", ""))
        else:
            name = oxml.bookmark_name("T", seq)
        self.bookmarks.append((p, seq, name))
        return name

    def fill(self, p, nodes) -> None:
        """A paragraph's inline content; right-to-left paragraphs get ``w:bidi``."""
        self.inlines(p, nodes)
        text = "".join(t.text or "" for t in p.iter(qn("w:t")))
        if text and max(text) > "\u058f" and oxml.is_rtl(text) and oxml.paragraph_is_rtl(text):
            oxml.ppr_set(p.get_or_add_pPr(), el("w:bidi"))

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
                oxml.add_run(link, inline_text(node.children), bold, italic, strike,
                             char_style=style)
            elif isinstance(node, FootnoteRef):
                self.footnote_ref(parent, node)

    # -- footnotes ------------------------------------------------------------------------

    @contextmanager
    def into(self, container, in_note: bool | None = None):
        saved = (self.container, self.in_note, self.pending_number)
        self.container = container
        if in_note is not None:
            self.in_note = in_note
        self.pending_number = None
        try:
            yield
        finally:
            self.container, self.in_note, self.pending_number = saved

    def footnote_ref(self, parent, node: FootnoteRef) -> None:
        note = self.notes.get(node.number)
        if note is None or self.in_note:  # no definition, or a note inside a note
            oxml.add_run(parent, str(node.number), superscript=True)
            return
        element, note_id = self.footnotes.new()
        parent.append(self.footnotes.reference_run(note_id))
        with self.into(element, in_note=True):
            self.blocks(note.children, _State(style="Footnote Text"))
        self.footnotes.finish(element)

    # -- blocks ---------------------------------------------------------------------------

    def blocks(self, nodes, state: _State) -> None:
        for node in nodes:
            self.block(node, state)

    def block(self, node, state: _State) -> None:
        if isinstance(node, Heading):
            if self.toc_pending and not self.in_note:
                self.toc_pending = False
                self.toc(None)
            self.heading(node, state)
        elif isinstance(node, Paragraph):
            p = self.paragraph(node.style, state, node)
            self.fill(p, node.children)
        elif isinstance(node, ListBlock):
            depth = state.list_depth + 1
            num_id = self._list_num(node.ordered, min(depth, 8), node.start)
            inner = replace(state, list_depth=depth, style=None)
            for item in node.items:
                self.pending_number = (num_id, min(depth, 8))
                self.blocks(item.children, inner)
                if self.pending_number is not None:  # an empty item still shows its number
                    self.paragraph(None, inner, item)
        elif isinstance(node, BlockQuote):
            self.blocks(node.children, replace(state, style="Quote"))
        elif isinstance(node, CodeBlock):
            p = self.paragraph(state.style, state, node)
            oxml.add_run(p, node.text.rstrip("\n"), mono=True)
        elif isinstance(node, ThematicBreak):
            p = self.paragraph(None, state, node)
            oxml.ppr_set(p.get_or_add_pPr(), el("w:pBdr", children=[el(
                "w:bottom", {"w:val": "single", "w:sz": 6, "w:space": 1, "w:color": "auto"})]))
        elif isinstance(node, Table):
            self.table(node)
        elif isinstance(node, Div):
            self.div(node, state)

    def heading(self, node: Heading, state: _State) -> None:
        level = min(node.level, 4)
        p = self.paragraph(f"Heading {level}", replace(state, style=None, list_depth=-1), node)
        if not node.numbered and self.outline in oxml.OUTLINE_LEVELS and level <= 3:
            oxml.set_numpr(p.get_or_add_pPr(), 0, 0)
        self.fill(p, node.children)
        if not self.in_note:
            number = self.counter.number(node) if self.outline in oxml.OUTLINE_LEVELS else ""
            text = inline_text(node.children)
            self.headings.append((level, f"{number} {text}" if number else text,
                                  self.last_bookmark))

    def div(self, node: Div, state: _State) -> None:
        classes = node.classes
        if "pagebreak" in classes:
            p = self.paragraph(None, _State(), node)
            oxml.add_break(p, "page")
            return
        if "toc" in classes:
            self.toc(node)
            return
        if "matter" in classes and "fcc" in classes:
            self.fcc_caption(node, state)
            return
        style = node.attrs.get("custom-style") or next(
            (_DIV_STYLES[c] for c in classes if c in _DIV_STYLES), None)
        align = next((c for c in classes if c in _ALIGN), state.align)
        inner = replace(state, style=style or state.style, align=align,
                        keep_next=state.keep_next or "keep" in classes or "signature" in classes,
                        hanging=state.hanging or "re" in classes)
        start = len(self.made)
        if self.annotator is not None and "block" in classes and not self.in_note:
            self.blocks(node.children, inner)
            if len(self.made) > start:
                self._annotate(node, self.made[start], self.made[-1])
        else:
            self.blocks(node.children, inner)
        if not self.in_note and len(self.made) > start:
            self._review(node, self.made[start:])

    def _review(self, node: Div, made: list) -> None:
        """``.review-note`` divs are highlighted; a ``comment`` attribute (lines joined by
        `` || ``) becomes a Word comment over the div's paragraphs."""
        if "review-note" in node.classes:
            for p in made:
                for r in p.iter(qn("w:r")):
                    oxml.highlight_run(r)
        text = node.attrs.get("comment")
        if text and self.review_comments:
            if self.reviewer is None:
                from drafter.writers.docx.comments import Annotator
                self.reviewer = Annotator(self.document, self.styles,
                                          package.document_time(self.doc.meta))
            self.reviewer.add(made[0], made[-1], [line.strip() for line in text.split(" || ")])

    def _annotate(self, node: Div, first_p, last_p) -> None:
        from drafter.writers.docx.comments import describe

        block_id = node.attrs.get("block", "")
        lines = describe(block_id, node.attrs.get("hash", ""), self.ctx.blocks.get(block_id),
                         self.ctx.sources)
        self.annotator.add(first_p, last_p, lines)

    def fcc_caption(self, node: Div, state: _State) -> None:
        left_nodes, right_nodes = caption.split(node)
        tbl, left, parens, right = caption.table(self.text_width)
        self._place(tbl)
        matter = replace(state, style="Filing Matter", align=None)
        with self.into(left):
            self.blocks(left_nodes, matter)
        paragraphs = left.findall(qn("w:p"))
        for p in paragraphs[:-1]:
            p.addnext(self._blank_cell_paragraph())
        count = caption.estimate_lines(left_nodes, caption.left_width(self.text_width)) + 1
        for _ in range(count):
            p = self._blank_cell_paragraph()
            oxml.add_run(p, ")")
            parens.append(p)
        with self.into(right):
            self.blocks(right_nodes, matter)
        for cell in (left, right):
            if cell.find(qn("w:p")) is None:
                cell.append(self._blank_cell_paragraph())
            for p in cell.findall(qn("w:p")):
                ppr = p.get_or_add_pPr()
                oxml.ppr_set(ppr, el("w:spacing", {"w:after": 0}))
                if cell is right:
                    oxml.ppr_set(ppr, el("w:ind", {"w:left": 360}))
        self.paragraph(None, _State(), mark=False)  # room between the caption and the title

    def _blank_cell_paragraph(self):
        p = el("w:p")
        ppr = p.get_or_add_pPr()
        ppr.style = self.styles.paragraph("Filing Matter")
        oxml.ppr_set(ppr, el("w:spacing", {"w:after": 0}))
        return p

    def _place(self, element) -> None:
        if self.container is None:
            self.sect_pr.addprevious(element)
        else:
            self.container.append(element)

    def table(self, node: Table) -> None:
        from docx.oxml.table import CT_Tbl

        cols = max([len(node.header)] + [len(r) for r in node.rows]) or 1
        rows = ([node.header] if node.header else []) + node.rows
        if not rows:
            return
        tbl = CT_Tbl.new_tbl(len(rows), cols, self.text_width * 635)
        self._place(tbl)
        tbl.tblPr.style = self.styles.table("Table Grid")
        header = bool(node.header)
        for r, row in enumerate(rows):
            tr = tbl.tr_lst[r]
            if header and r == 0:
                tr.get_or_add_trPr().append(el("w:tblHeader"))
            for c in range(cols):
                p = tr.tc_lst[c].p_lst[0]
                if c >= len(row):
                    continue
                cell = row[c]
                if cell.align in _ALIGN:
                    oxml.ppr_set(p.get_or_add_pPr(), el("w:jc", {"w:val": _ALIGN[cell.align]}))
                if header and r == 0:
                    self.inlines(p, cell.children, bold=True)
                else:
                    self.fill(p, cell.children)

    # -- table of contents ----------------------------------------------------------------

    def toc(self, node: Div | None) -> None:
        self.has_toc = True
        title = (node.attrs.get("title") if node is not None else None) or "Table of Contents"
        toc_style = self.styles.paragraph("TOC Heading")
        style_el = self.styles.get_element(toc_style)
        ppr = style_el.get_or_add_pPr()
        oxml.set_numpr(ppr, 0, 0)
        oxml.ppr_set(ppr, el("w:outlineLvl", {"w:val": 9}))
        p = self.paragraph("TOC Heading", _State(), node)
        oxml.add_run(p, title)
        if self.toc_entries:
            paragraphs = []
            for entry in self.toc_entries:
                q = self.paragraph(f"TOC {min(max(entry.level, 1), 3)}", _State(), mark=False)
                paragraphs.append((q, entry))
            for i, (q, entry) in enumerate(paragraphs):
                if i == 0:
                    fields.field_begin(q, fields.TOC_INSTRUCTION)
                target = oxml.add_hyperlink(q, self.document.part, "#" + entry.anchor) \
                    if entry.anchor else q
                oxml.add_run(target, entry.text)
                oxml.add_run(target, "\t" + entry.page)
                if i == len(paragraphs) - 1:
                    fields.field_end(q)
        else:
            q = self.paragraph("TOC 1", _State(), mark=False)
            fields.field_begin(q, fields.TOC_INSTRUCTION, dirty=True)
            oxml.add_run(q, fields.TOC_PLACEHOLDER, italic=True)
            fields.field_end(q)
        fields.request_update_on_open(self.document.settings.element)

    # -- the whole document ---------------------------------------------------------------

    def _wrap_bookmarks(self) -> None:
        for p, seq, name in self.bookmarks:
            oxml.wrap_bookmark(p, seq, name)

    def build(self) -> bytes:
        if self.outline in oxml.OUTLINE_LEVELS:
            self._outline()
        self.blocks(self.doc.children, _State())
        self._wrap_bookmarks()
        page.set_up(self.document, self.styles, self.doc.meta, self.sect_pr)
        package.set_core_properties(self.document, self.doc.meta)
        package.set_app_properties(self.document)
        self.styles.report()
        return package.save_reproducible(self.document)


class DocxWriter:
    format = "docx"
    extension = ".docx"

    def write(self, doc: Document, ctx: WriteContext) -> bytes:
        builder = DocxBuilder(doc, ctx)
        data = builder.build()
        if ctx.update_fields and builder.has_toc:
            data = fill_toc(doc, ctx, builder, data)
        return data


def fill_toc(doc: Document, ctx: WriteContext, builder: DocxBuilder, data: bytes) -> bytes:
    """Build again with the table of contents filled in from LibreOffice's page numbers."""
    from drafter.errors import Diagnostics
    from drafter.writers.pdf import toc_lines

    lines = toc_lines(data)
    entries = fields.match_toc(builder.headings, lines)
    quiet = replace(ctx, diagnostics=Diagnostics())  # the first build already warned
    return DocxBuilder(doc, quiet, toc_entries=entries).build()
