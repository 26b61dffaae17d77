"""``--annotate``: a Word comment on each position block, for reviewers.

The comment names the block id and hash, its title, the source document and place it was
taken from, its review status and the date it was last reviewed.  It spans the block's
paragraphs (``commentRangeStart`` in the first, ``commentRangeEnd`` and the reference run at
the end of the last).  Comments are made with python-docx 1.2's comments API; their date is
the filing's date, so annotated output stays reproducible.
"""

from __future__ import annotations

import datetime as dt

from docx.oxml.ns import qn

from drafter.writers.docx.oxml import el, prepend

AUTHOR = "drafter"
INITIALS = "DR"


def describe(block_id: str, block_hash: str, block, sources: dict) -> list[str]:
    """The comment's lines for one block (``block`` is a library Block, or None)."""
    from drafter.model.parse import clean_text

    lines = [f"Position block: {block_id} (hash {block_hash[:10]})"]
    if block is not None:
        meta = block.meta
        lines.append(f"Title: {meta.title}")
        src = meta.source
        seed = sources.get(src.seed)
        seed_text = f"{seed} ({src.seed})" if seed else src.seed
        place = f"item {src.item}" if src.item is not None else f"paragraph {src.paragraph}"
        lines.append(f"Source: {seed_text}, {src.section}, {place}")
        lines.append(f"Status: {meta.status.value}")
        lines.append(f"Last reviewed: {meta.last_reviewed.isoformat()}")
    return [clean_text(line) for line in lines]


class Annotator:
    def __init__(self, document, styles, when: dt.datetime):
        self.document = document
        self.styles = styles
        self.when = when

    def add(self, first_p, last_p, lines: list[str]) -> None:
        comment = self.document.comments.add_comment(text="\n".join(lines), author=AUTHOR,
                                                     initials=INITIALS)
        element = comment._comment_elm
        element.date = self.when
        text_style = self.styles.paragraph("annotation text")
        ref_style = self.styles.character("annotation reference")
        for p in element.findall(qn("w:p")):
            p.get_or_add_pPr().style = text_style
            for rstyle in p.iter(qn("w:rStyle")):
                rstyle.set(qn("w:val"), ref_style)
        comment_id = comment.comment_id
        prepend(first_p, el("w:commentRangeStart", {"w:id": comment_id}))
        last_p.append(el("w:commentRangeEnd", {"w:id": comment_id}))
        last_p.append(el("w:r", children=[
            el("w:rPr", children=[el("w:rStyle", {"w:val": ref_style})]),
            el("w:commentReference", {"w:id": comment_id})]))
