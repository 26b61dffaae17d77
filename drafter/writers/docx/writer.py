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

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from drafter.model.nodes import (BlockQuote, Code, CodeBlock, Div, Document, Emph, FootnoteRef,
                                 Heading, LineBreak, Link, ListBlock, Paragraph, SoftBreak,
                                 Strike, Strong, Table, Text, ThematicBreak)
from drafter.model.text import OutlineCounter, has_class, inline_text, walk
from drafter.writers import WriteContext
from drafter.writers.docx import caption, fields, footnotes, oxml, package, page
from drafter.writers.docx.oxml import el
from drafter.writers.docx.placeholders import PLACEHOLDER, highlight_placeholders
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


def _is_title(node: Paragraph) -> bool:
    """A paragraph that is all bold and introduces what follows (an item's title, "**Question
    3**", the note "[Suggested answer ...]" over an automatic answer): it keeps with the
    paragraph after it.  A placeholder (``**[[TODO: answer to question 3]]**``) is all bold
    too, but it stands for text, an answer, and introduces nothing."""
    content = [c for c in node.children if not (isinstance(c, Text) and not c.text.strip())]
    return (bool(content) and all(isinstance(c, Strong) for c in content)
            and not PLACEHOLDER.search(inline_text(node.children)))


class DocxBuilder:
    def __init__(self, doc: Document, ctx: WriteContext,
                 toc_entries: list[fields.TocEntry] | None = None):
        self.doc = doc
        self.ctx = ctx
        self.document = package.open_base(ctx.reference_docx)
        self.body = self.document.element.body
        self.sect_pr = self.body.get_or_add_sectPr()
        paper = page.paper_for(doc.meta, doc.options)
        if paper is not None:
            page.set_paper(self.sect_pr, paper)
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
        self.heading_ps: set = set()   # the paragraphs of headings
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

    def inlines(self, parent, nodes, bold=False, italic=False, strike=False,
                char_style: str | None = None) -> None:
        """Runs for ``nodes`` appended to ``parent`` (a ``w:p`` or ``w:hyperlink``); inside a
        link every run keeps its own bold/italic/strike and gets the Hyperlink style."""
        for node in nodes:
            if isinstance(node, Text):
                oxml.add_run(parent, node.text, bold, italic, strike, char_style=char_style)
            elif isinstance(node, SoftBreak):
                oxml.add_run(parent, " ", bold, italic, strike, char_style=char_style)
            elif isinstance(node, LineBreak):
                oxml.add_break(parent)
            elif isinstance(node, Code):
                oxml.add_run(parent, node.text, bold, italic, strike, mono=True,
                             char_style=char_style)
            elif isinstance(node, Strong):
                self.inlines(parent, node.children, True, italic, strike, char_style)
            elif isinstance(node, Emph):
                self.inlines(parent, node.children, bold, True, strike, char_style)
            elif isinstance(node, Strike):
                self.inlines(parent, node.children, bold, italic, True, char_style)
            elif isinstance(node, Link):
                if node.href in ("", "#") or parent.tag == qn("w:hyperlink"):
                    self.inlines(parent, node.children, bold, italic, strike, char_style)
                    continue
                # the relationship belongs to the part that holds the paragraph: the
                # footnotes part for a link in a note, else the main document
                part = self.footnotes.part if self.in_note else self.document.part
                link = oxml.add_hyperlink(parent, part, node.href)
                self.inlines(link, node.children, bold, italic, strike,
                             self.styles.character("Hyperlink"))
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
            keep = state.keep_next or state.style == "Quote" or _is_title(node)
            p = self.paragraph(node.style, replace(state, keep_next=keep) if keep else state,
                               node)
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
            if depth == 0:
                self._space_after_list()
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

    def _space_after_list(self) -> None:
        """The last paragraph of a list gets the body's space after it, so the text that
        follows does not run on at the list's tight spacing."""
        container = self.body if self.container is None else self.container
        last = self.sect_pr.getprevious() if self.container is None else (
            container[-1] if len(container) else None)
        if last is None or last.tag != qn("w:p"):
            return
        ppr = last.get_or_add_pPr()
        if ppr.find(qn("w:spacing")) is None:
            oxml.ppr_set(ppr, el("w:spacing", {"w:after": self.styles.body_space_after()}))

    def heading(self, node: Heading, state: _State) -> None:
        level = min(node.level, 4)
        p = self.paragraph(f"Heading {level}", replace(state, style=None, list_depth=-1), node)
        self.heading_ps.add(p)
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
        if "signature" in classes and self.made:
            # the text before a signature goes with it: a signature never stands alone on a page
            oxml.ppr_set(self.made[-1].get_or_add_pPr(), el("w:keepNext"))
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
        tbl = None
        for left_nodes, right_nodes in caption.rows(node):
            if tbl is None:
                tbl, left, parens, right = caption.table(self.text_width)
                self._place(tbl)
            else:
                left, parens, right = caption.add_row(tbl)
            self._caption_row(left, parens, right, left_nodes, right_nodes, state)
        self.paragraph(None, _State(), mark=False)  # room between the caption and the title

    def _caption_row(self, left, parens, right, left_nodes, right_nodes, state: _State) -> None:
        matter = replace(state, style="Filing Matter", align=None)
        with self.into(left):
            self.blocks(left_nodes, matter)
        paragraphs = left.findall(qn("w:p"))
        for p in paragraphs[:-1]:
            p.addnext(self._blank_cell_paragraph())
        count = max(caption.estimate_lines(left_nodes, caption.left_width(self.text_width)),
                    caption.estimate_lines(right_nodes, caption.right_width(self.text_width),
                                           gaps=False)) + 1
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
                self._bookmark(p, node.source)  # harvest finds edits in cells too
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
        # The entries are written once every heading is known (see _write_toc); until then a
        # marker paragraph holds their place.
        self.toc_marker = self.paragraph(None, _State(), mark=False)
        self.made.remove(self.toc_marker)
        fields.request_update_on_open(self.document.settings.element)

    def _write_toc(self) -> None:
        """The table of contents' entries, inside one TOC field: each heading of levels 1-3
        with its number and a link to its bookmark, so the contents read without an update
        in any viewer.  Page numbers come from LibreOffice (``--update-fields``, PDF); without
        them the field is marked dirty and Word fills them in when it opens the file."""
        marker = getattr(self, "toc_marker", None)
        if marker is None:
            return
        entries = self.toc_entries
        filled = bool(entries)
        if not filled:
            entries = [fields.TocEntry(level, text, "", anchor)
                       for level, text, anchor in self.headings if level <= 3]
        paragraphs = []
        for entry in entries:
            q = oxml.p_with_style(self.styles.paragraph(f"TOC {min(max(entry.level, 1), 3)}"))
            marker.addprevious(q)
            paragraphs.append((q, entry))
        if not paragraphs:
            q = oxml.p_with_style(self.styles.paragraph("TOC 1"))
            marker.addprevious(q)
            paragraphs.append((q, None))
        for i, (q, entry) in enumerate(paragraphs):
            if i == 0:
                fields.field_begin(q, fields.TOC_INSTRUCTION, dirty=not filled)
            if entry is not None:
                target = oxml.add_hyperlink(q, self.document.part, "#" + entry.anchor) \
                    if entry.anchor else q
                oxml.add_run(target, entry.text)
                if entry.page:
                    oxml.add_run(target, "\t" + entry.page)
            if i == len(paragraphs) - 1:
                fields.field_end(q)
        marker.getparent().remove(marker)
        self.toc_marker = None

    # -- the whole document ---------------------------------------------------------------

    def _release_ends(self) -> None:
        """No keep-with-next on a paragraph that ends a section: one right before a heading
        (the last paragraph of an answer before the next "Question N", of a section before
        the next) or the body's last.  Headings, titles and quoted questions keep with what
        they introduce; a paragraph that ends something introduces nothing, and keeping it
        with the heading after it would chain every short section into one unbreakable run
        (a page left half empty before it)."""
        body = [child for child in self.body if child.tag in (qn("w:p"), qn("w:tbl"))]
        for p, after in zip(body, body[1:] + [None]):
            if p.tag != qn("w:p") or p in self.heading_ps:
                continue
            if after is None or after in self.heading_ps:
                ppr = p.pPr
                keep = ppr.find(qn("w:keepNext")) if ppr is not None else None
                if keep is not None:
                    ppr.remove(keep)

    def _highlight_placeholders(self) -> None:
        """Every placeholder highlighted, wherever it stands: body (caption, title block,
        tables, signature), headers and footers, footnotes."""
        highlight_placeholders(self.body)
        wanted = {RT.HEADER, RT.FOOTER, RT.FOOTNOTES}
        for rel in self.document.part.rels.values():
            if rel.reltype in wanted and not rel.is_external:
                root = getattr(rel.target_part, "element", None)
                if root is not None:
                    highlight_placeholders(root)

    def _wrap_bookmarks(self) -> None:
        for p, seq, name in self.bookmarks:
            oxml.wrap_bookmark(p, seq, name)

    def build(self) -> bytes:
        if self.outline in oxml.OUTLINE_LEVELS:
            self._outline()
        self.blocks(self.doc.children, _State())
        self._write_toc()
        self._release_ends()
        self._wrap_bookmarks()
        page.set_up(self.document, self.styles, self.doc.meta, self.sect_pr)
        self._highlight_placeholders()
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

    quiet = replace(ctx, diagnostics=Diagnostics())  # the first build already warned
    if ctx.annotate:
        # LibreOffice 7.4 crashes updating the indexes of a document with comments; the
        # comments take no room on the page, so the pages come from a build without them.
        data = DocxBuilder(doc, replace(quiet, annotate=False)).build()
    lines = toc_lines(data)
    entries = fields.match_toc(builder.headings, lines)
    return DocxBuilder(doc, quiet, toc_entries=entries).build()
