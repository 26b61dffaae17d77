"""Headers and footers: letterhead on page 1, running head from page 2, "Page X of Y".

The first page keeps the house document's first-page header (its letterhead) or gets an
empty one; later pages carry the short title and, right-aligned, the docket.  Both footers
show "Page X of Y" (PAGE and NUMPAGES fields), unless the house footer already has a PAGE
field of its own.  House content in the running header or footers stays; drafter's line is
added after it.
"""

from __future__ import annotations

from docx.oxml.ns import qn

from drafter.compose.citation import docket_label
from drafter.model.parse import clean_text
from drafter.writers.docx import fields, oxml
from drafter.writers.docx.oxml import el

_SHORT_TITLE_MAX = 70


def typeset(text: str) -> str:
    """Plain text with the body's typography (curly quotes and apostrophes): the running
    header is not Markdown, yet must match the filing's text."""
    if not any(ch in text for ch in "'\""):
        return text
    from drafter.compose.functions import md_escape
    from drafter.model.parse import markdown_parser

    tokens = markdown_parser().parseInline(md_escape(text))
    return "".join(child.content for token in tokens for child in (token.children or [])
                   if child.type == "text")


def short_title(title: str, limit: int = _SHORT_TITLE_MAX) -> str:
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


LETTER = (12240, 15840)
A4 = (11906, 16838)
_A4_JURISDICTIONS = ("EU", "UK")


def paper_for(meta: dict, options: dict) -> tuple[int, int] | None:
    """The paper a filing must be on, as (width, height) in twentieths of a point, or None to
    keep the house style's.

    The template option ``paper`` (``a4``, ``letter`` or ``house``) decides when given;
    otherwise EU and UK filings go on A4 (a Letter house page is switched to A4) and the rest
    keep the house page.
    """
    choice = str(options.get("paper") or "auto").strip().lower()
    if choice == "a4":
        return A4
    if choice == "letter":
        return LETTER
    if choice == "auto" and meta.get("jurisdiction") in _A4_JURISDICTIONS:
        return A4
    return None


def set_paper(sect_pr, size: tuple[int, int]) -> None:
    """Set the page size (portrait), keeping the house margins.  A house page that already has
    this size is left as it is."""
    pg = sect_pr.find(qn("w:pgSz"))
    if pg is None:
        pg = el("w:pgSz")
        sect_pr.insert(0, pg)
    width, height = size
    if pg.get(qn("w:w")) == str(width) and pg.get(qn("w:h")) == str(height):
        return
    pg.set(qn("w:w"), str(width))
    pg.set(qn("w:h"), str(height))
    pg.attrib.pop(qn("w:orient"), None)
    pg.attrib.pop(qn("w:code"), None)


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


def _style_tabs(styles, style_id: str) -> list[str]:
    style = styles.get_element(style_id)
    if style is None:
        return []
    path = f"{qn('w:pPr')}/{qn('w:tabs')}/{qn('w:tab')}"
    return [tab.get(qn("w:pos")) for tab in style.iterfind(path)
            if tab.get(qn("w:val")) != "clear"]


def _new_paragraph(story, style_id: str):
    p = oxml.p_with_style(style_id)
    story.append(p)
    return p


def _clear(story) -> None:
    for child in list(story):
        story.remove(child)


def _story(document, sect_pr, kind: str, type_):
    """The header or footer element of ``type_`` (first page / default), made if missing."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.parts.hdrftr import FooterPart, HeaderPart

    header = kind == "header"
    ref = sect_pr.get_headerReference(type_) if header else sect_pr.get_footerReference(type_)
    if ref is not None:
        return document.part.related_parts[ref.rId].element
    cls, content_type, reltype, root = ((HeaderPart, CT.WML_HEADER, RT.HEADER, "w:hdr")
                                        if header else
                                        (FooterPart, CT.WML_FOOTER, RT.FOOTER, "w:ftr"))
    package = document.part.package
    partname = package.next_partname(f"/word/{kind}%d.xml")
    element = parse_xml(f'<{root} {nsdecls("w", "r")}/>')
    r_id = document.part.relate_to(cls(partname, content_type, element, package), reltype)
    (sect_pr.add_headerReference if header else sect_pr.add_footerReference)(type_, r_id)
    return element


_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _copy_story(document, sect_pr, kind: str, type_, target) -> None:
    """Copy the content of an existing header/footer into ``target`` (a new part), with the
    relationships (pictures, links) it uses."""
    import copy

    ref = sect_pr.get_headerReference(type_) if kind == "header" \
        else sect_pr.get_footerReference(type_)
    if ref is None:
        return
    source_part = document.part.related_parts[ref.rId]
    if not _has_content(source_part.element):
        return
    target_part = next(part for part in document.part.related_parts.values()
                       if getattr(part, "element", None) is target)
    for child in source_part.element:
        clone = copy.deepcopy(child)
        for node in clone.iter():
            for attr, value in list(node.attrib.items()):
                if attr.startswith(_R) and value in source_part.rels:
                    rel = source_part.rels[value]
                    new_id = (target_part.relate_to(rel.target_ref, rel.reltype,
                                                    is_external=True)
                              if rel.is_external else
                              target_part.relate_to(rel.target_part, rel.reltype))
                    node.set(attr, new_id)
        target.append(clone)


def set_up(document, styles, meta: dict, sect_pr) -> None:
    from docx.enum.section import WD_HEADER_FOOTER

    width = text_width(sect_pr)
    sect_pr.titlePg_val = True
    first, default = WD_HEADER_FOOTER.FIRST_PAGE, WD_HEADER_FOOTER.PRIMARY

    had_first = sect_pr.get_headerReference(first) is not None
    story = _story(document, sect_pr, "header", first)
    if not had_first:
        # A house whose letterhead sits in the one header it has: page 1 keeps it.
        _copy_story(document, sect_pr, "header", default, story)
    if not len(story):
        _new_paragraph(story, styles.paragraph("Header"))

    story = _story(document, sect_pr, "header", default)
    if not _has_content(story):
        _clear(story)
    header_style = styles.paragraph("Header")
    p = _new_paragraph(story, header_style)
    # Only a right tab at the margin: the style's own stops (a centre tab) are cleared, or a
    # long title would send the docket to the centre.
    tabs = [el("w:tab", {"w:val": "clear", "w:pos": pos})
            for pos in _style_tabs(styles, header_style) if pos != str(width)]
    tabs.append(el("w:tab", {"w:val": "right", "w:pos": width}))
    oxml.ppr_set(p.pPr, el("w:tabs", children=tabs))
    title = clean_text(str(meta.get("short_title") or meta.get("title") or ""))
    oxml.add_run(p, typeset(short_title(title)))
    if meta.get("docket"):
        oxml.add_run(p, "\t" + docket_label(clean_text(str(meta["docket"]))))

    for type_ in (first, default):
        story = _story(document, sect_pr, "footer", type_)
        if fields.has_field(story, "PAGE"):
            continue
        if not _has_content(story):
            _clear(story)
        p = _new_paragraph(story, styles.paragraph("Footer"))
        oxml.ppr_set(p.pPr, el("w:jc", {"w:val": "center"}))
        fields.add_page_x_of_y(p)
