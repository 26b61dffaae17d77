"""Headers and footers: letterhead on page 1, running head from page 2, "Page X of Y".

The first page keeps the house document's first-page header (its letterhead) or gets an
empty one; later pages carry the short title and, right-aligned, the docket.  Both footers
show "Page X of Y" (PAGE and NUMPAGES fields), unless the house footer already has a PAGE
field of its own.  House content in the running header or footers stays; drafter's line is
added after it.
"""

from __future__ import annotations

import re

from docx.oxml.ns import qn

from drafter.model.parse import clean_text
from drafter.writers.docx import fields, oxml
from drafter.writers.docx.oxml import el

_SHORT_TITLE_MAX = 70
_LABELLED = re.compile(r"(?i)\b(docket|no\.|#)")


def docket_label(docket: str) -> str:
    """"Docket No. X", unless the docket names itself ("WC Docket No. 17-108")."""
    docket = docket.strip()
    return docket if _LABELLED.search(docket) else f"Docket No. {docket}"


def short_title(title: str, limit: int = _SHORT_TITLE_MAX) -> str:
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def text_width(sect_pr) -> int:
    """Width between the margins in twentieths of a point (Letter with 1in margins if unset)."""
    size = sect_pr.find(qn("w:pgSz"))
    margins = sect_pr.find(qn("w:pgMar"))
    try:
        width = int(size.get(qn("w:w")))
        left = int(margins.get(qn("w:left")))
        right = int(margins.get(qn("w:right")))
        return max(2880, width - left - right)
    except (AttributeError, TypeError, ValueError):
        return 9360


def _has_content(story) -> bool:
    """Text, a picture or a field: anything the house put there on purpose."""
    if any((t.text or "").strip() for t in story.iter(qn("w:t"))):
        return True
    return any(True for _ in story.iter(qn("w:drawing"), qn("w:pict"), qn("w:object"),
                                        qn("w:fldSimple"), qn("w:instrText")))


def _new_paragraph(story, style_id: str):
    p = el("w:p")
    p.get_or_add_pPr().style = style_id
    story.append(p)
    return p


def _clear(story) -> None:
    for child in list(story):
        story.remove(child)


def set_up(document, styles, meta: dict) -> None:
    section = document.sections[0]
    width = text_width(section._sectPr)
    section.different_first_page_header_footer = True

    first_header = section.first_page_header
    if first_header.is_linked_to_previous:
        first_header.is_linked_to_previous = False
        story = first_header._element
        _clear(story)
        _new_paragraph(story, styles.paragraph("Header"))

    header = section.header
    header.is_linked_to_previous = False
    story = header._element
    if not _has_content(story):
        _clear(story)
    p = _new_paragraph(story, styles.paragraph("Header"))
    oxml.ppr_set(p.pPr, el("w:tabs", children=[
        el("w:tab", {"w:val": "right", "w:pos": width})]))
    title = clean_text(str(meta.get("short_title") or meta.get("title") or ""))
    oxml.add_run(p, short_title(title))
    if meta.get("docket"):
        oxml.add_run(p, "\t" + docket_label(clean_text(str(meta["docket"]))))

    for footer in (section.first_page_footer, section.footer):
        footer.is_linked_to_previous = False
        story = footer._element
        if fields.has_field(story, "PAGE"):
            continue
        if not _has_content(story):
            _clear(story)
        p = _new_paragraph(story, styles.paragraph("Footer"))
        oxml.ppr_set(p.pPr, el("w:jc", {"w:val": "center"}))
        fields.add_page_x_of_y(p)
