"""drafter's default house style, built reproducibly from python-docx's default template.

The design of a US or EU filing: Times New Roman 12 pt on US Letter with one-inch margins,
black bold headings (outline numbers come from the writer's numbering definitions), an
indented block-quote style, 10 pt footnotes, a small running header and footer, table of
contents levels with dot leaders, and the comment styles Word expects.  Styles state only
what differs from Normal, so a style copied into someone else's house document (see
:mod:`drafter.writers.docx.styles`) takes on that document's fonts.

The shipped ``templates/house-style.docx`` is this module's output::

    python -m drafter.writers.docx.house templates/house-style.docx --org org.yaml

``--org`` adds a letterhead (organisation name, web, e-mail and telephone) to the first
page's header.  Without a reference document, the writer uses the same design without a
letterhead (:func:`default_base`).
"""

from __future__ import annotations

import argparse
import sys
from functools import lru_cache
from pathlib import Path

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

# Page set-up (twentieths of a point): US Letter, one-inch margins, half-inch header/footer.
PAGE_WIDTH, PAGE_HEIGHT = 12240, 15840
MARGIN = 1440
HEADER_DISTANCE = FOOTER_DISTANCE = 720
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN

BODY_FONT = "Times New Roman"

_DOC_DEFAULTS = f"""
<w:docDefaults {nsdecls("w")}>
  <w:rPrDefault><w:rPr>
    <w:rFonts w:ascii="{BODY_FONT}" w:hAnsi="{BODY_FONT}" w:cs="{BODY_FONT}"
              w:eastAsiaTheme="minorEastAsia"/>
    <w:sz w:val="24"/><w:szCs w:val="24"/>
    <w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/>
  </w:rPr></w:rPrDefault>
  <w:pPrDefault><w:pPr>
    <w:spacing w:after="160" w:line="264" w:lineRule="auto"/>
  </w:pPr></w:pPrDefault>
</w:docDefaults>"""

# (type, styleId, name, basedOn, next, pPr children, rPr children, extra flags)
_STYLE_SPECS: list[tuple[str, str, str, str | None, str | None, str, str, str]] = [
    ("paragraph", "Normal", "Normal", None, None, '<w:widowControl/>', "", "default qformat"),
    ("character", "DefaultParagraphFont", "Default Paragraph Font", None, None, "", "",
     "default semihidden"),
    ("table", "TableNormal", "Normal Table", None, None, "", "", "default semihidden"),
    ("numbering", "NoList", "No List", None, None, "", "", "default semihidden"),
    ("paragraph", "Title", "Title", "Normal", "Normal",
     '<w:keepNext/><w:spacing w:before="240" w:after="240"/><w:jc w:val="center"/>',
     '<w:b/><w:bCs/><w:sz w:val="28"/><w:szCs w:val="28"/>', "qformat"),
    ("paragraph", "Subtitle", "Subtitle", "Normal", "Normal",
     '<w:keepNext/><w:spacing w:after="240"/><w:jc w:val="center"/>', '<w:i/><w:iCs/>',
     "qformat"),
    ("paragraph", "Heading1", "heading 1", "Normal", "Normal",
     '<w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="120"/>'
     '<w:outlineLvl w:val="0"/>', '<w:b/><w:bCs/>', "qformat"),
    ("paragraph", "Heading2", "heading 2", "Normal", "Normal",
     '<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="120"/>'
     '<w:outlineLvl w:val="1"/>', '<w:b/><w:bCs/>', "qformat"),
    ("paragraph", "Heading3", "heading 3", "Normal", "Normal",
     '<w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="80"/>'
     '<w:outlineLvl w:val="2"/>', '<w:b/><w:bCs/><w:i/><w:iCs/>', "qformat"),
    ("paragraph", "Heading4", "heading 4", "Normal", "Normal",
     '<w:keepNext/><w:keepLines/><w:spacing w:before="160" w:after="80"/>'
     '<w:outlineLvl w:val="3"/>', '<w:i/><w:iCs/>', "qformat"),
    ("paragraph", "ListParagraph", "List Paragraph", "Normal", None,
     '<w:spacing w:after="80"/><w:ind w:left="720"/>', "", "qformat"),
    ("paragraph", "Quote", "Quote", "Normal", "Normal",
     '<w:spacing w:after="160" w:line="240" w:lineRule="auto"/>'
     '<w:ind w:left="720" w:right="720"/>', "", "qformat"),
    ("paragraph", "FilingCaption", "Filing Caption", "Normal", "Normal",
     '<w:keepNext/><w:spacing w:after="240" w:line="240" w:lineRule="auto"/>'
     '<w:jc w:val="center"/>', "", "qformat"),
    ("paragraph", "FilingMatter", "Filing Matter", "Normal", "Normal",
     '<w:keepNext/><w:keepLines/><w:spacing w:after="240" w:line="240" w:lineRule="auto"/>',
     "", "qformat"),
    ("paragraph", "Signature", "Signature", "Normal", "Normal",
     '<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="0"/>', "", ""),
    ("paragraph", "Header", "header", "Normal", None,
     f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/>'
     f'<w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
     '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
     '<w:color w:val="404040"/><w:sz w:val="18"/><w:szCs w:val="18"/>', ""),
    ("paragraph", "Footer", "footer", "Normal", None,
     f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/>'
     f'<w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
     '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="center"/>',
     '<w:color w:val="404040"/><w:sz w:val="18"/><w:szCs w:val="18"/>', ""),
    ("paragraph", "Letterhead", "Letterhead", "Header", None,
     '<w:spacing w:after="40"/><w:jc w:val="center"/>',
     '<w:b/><w:bCs/><w:smallCaps/><w:color w:val="1F3864"/><w:spacing w:val="20"/>'
     '<w:sz w:val="30"/><w:szCs w:val="30"/>', ""),
    ("paragraph", "LetterheadDetail", "Letterhead Detail", "Header", None,
     '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="4" w:color="1F3864"/></w:pBdr>'
     '<w:spacing w:after="240"/><w:jc w:val="center"/>', "", ""),
    ("paragraph", "FootnoteText", "footnote text", "Normal", None,
     '<w:spacing w:after="60" w:line="240" w:lineRule="auto"/>',
     '<w:sz w:val="20"/><w:szCs w:val="20"/>', ""),
    ("character", "FootnoteReference", "footnote reference", "DefaultParagraphFont", None,
     "", '<w:vertAlign w:val="superscript"/>', ""),
    # Not based on Heading 1 (as Word's is): readers such as pandoc would take it for a
    # section heading.
    ("paragraph", "TOCHeading", "TOC Heading", "Normal", "Normal",
     '<w:keepNext/><w:keepLines/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr>'
     '<w:spacing w:before="240" w:after="120"/><w:jc w:val="center"/>'
     '<w:outlineLvl w:val="9"/>', '<w:b/><w:bCs/>', "qformat"),
    ("paragraph", "TOC1", "toc 1", "Normal", "Normal",
     f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>'
     '<w:spacing w:before="60" w:after="60"/>', "", ""),
    ("paragraph", "TOC2", "toc 2", "Normal", "Normal",
     f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>'
     '<w:spacing w:after="40"/><w:ind w:left="360"/>', "", ""),
    ("paragraph", "TOC3", "toc 3", "Normal", "Normal",
     f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>'
     '<w:spacing w:after="40"/><w:ind w:left="720"/>', "", ""),
    ("character", "Hyperlink", "Hyperlink", "DefaultParagraphFont", None, "",
     '<w:color w:val="0563C1"/><w:u w:val="single"/>', ""),
    ("paragraph", "CommentText", "annotation text", "Normal", None,
     '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
     '<w:sz w:val="20"/><w:szCs w:val="20"/>', ""),
    ("character", "CommentReference", "annotation reference", "DefaultParagraphFont", None,
     "", '<w:sz w:val="16"/><w:szCs w:val="16"/>', ""),
    ("table", "TableGrid", "Table Grid", "TableNormal", None,
     '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>', "", ""),
]

_TABLE_NORMAL = ('<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
                 '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
                 '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
                 '</w:tblCellMar></w:tblPr>')
_TABLE_GRID = ('<w:tblPr><w:tblBorders>'
               + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                         for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
               + "</w:tblBorders></w:tblPr>")


def style_xml(kind: str, style_id: str, name: str, based_on: str | None, next_id: str | None,
              ppr: str, rpr: str, flags: str) -> str:
    attrs = f'w:type="{kind}" w:styleId="{style_id}"'
    if "default" in flags.split():
        attrs += ' w:default="1"'
    parts = [f'<w:name w:val="{name}"/>']
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_id:
        parts.append(f'<w:next w:val="{next_id}"/>')
    if "semihidden" in flags.split():
        parts.append("<w:semiHidden/><w:unhideWhenUsed/>")
    if "qformat" in flags.split():
        parts.append("<w:qFormat/>")
    if ppr and kind != "table":
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    if kind == "table":
        if ppr:
            parts.append(f"<w:pPr>{ppr}</w:pPr>")
        parts.append(_TABLE_NORMAL if style_id == "TableNormal" else _TABLE_GRID)
    return f'<w:style {nsdecls("w")} {attrs}>{"".join(parts)}</w:style>'


def style_elements() -> list:
    return [parse_xml(style_xml(*spec)) for spec in _STYLE_SPECS]


# Parts of python-docx's default template that a filing does not need.
_DROP_RELS = ("http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
              "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml")


def build(letterhead: list[str] | None = None):
    """The house-style document (python-docx ``Document``), body empty."""
    import docx

    from drafter.writers.docx import package

    document = docx.Document()
    for r_id, rel in list(document.part.rels.items()):
        if rel.reltype in _DROP_RELS:
            del document.part.rels[r_id]
    package.drop_thumbnail(document)

    styles = document.styles.element
    for child in list(styles):
        if child.tag in (qn("w:style"), qn("w:docDefaults")):
            styles.remove(child)
    latent = styles.find(qn("w:latentStyles"))
    defaults = parse_xml(_DOC_DEFAULTS)
    if latent is not None:
        latent.addprevious(defaults)
    else:
        styles.insert(0, defaults)
    for style in style_elements():
        styles.append(style)

    numbering = document.part.numbering_part.element  # the default's list definitions
    for child in list(numbering):                      # belong to styles dropped above
        numbering.remove(child)

    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    sect_pr = body.find(qn("w:sectPr"))
    for name in list(sect_pr.attrib):
        del sect_pr.attrib[name]
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH * 635, PAGE_HEIGHT * 635
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN * 635)
    section.header_distance = HEADER_DISTANCE * 635
    section.footer_distance = FOOTER_DISTANCE * 635
    section.gutter = 0

    if letterhead:
        section.different_first_page_header_footer = True
        header = section.first_page_header
        header.is_linked_to_previous = False
        hdr = header._element
        for child in list(hdr):
            hdr.remove(child)
        for i, line in enumerate(letterhead):
            p = hdr.add_p()
            p.style = "Letterhead" if i == 0 else "LetterheadDetail"
            p.add_r().text = line
    package.set_core_properties(document, {"title": "House style"})
    package.set_app_properties(document)
    return document


def letterhead_from_org(org_file: Path) -> list[str]:
    from drafter.load.org import load_org

    org = load_org(org_file)
    contact = " \u00b7 ".join(x for x in (org.web, org.email, org.phone) if x)
    return [org.name, contact] if contact else [org.name]


@lru_cache(maxsize=1)
def default_base() -> bytes:
    """The house style without letterhead, as .docx bytes (built once per process)."""
    from drafter.writers.docx import package

    return package.save_reproducible(build())


@lru_cache(maxsize=1)
def default_styles() -> dict:
    """Style id -> ``w:style`` element of the default house style (read-only templates)."""
    return {el.get(qn("w:styleId")): el for el in style_elements()}


def default_doc_defaults():
    return parse_xml(_DOC_DEFAULTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m drafter.writers.docx.house",
        description="Write drafter's default house style (.docx) reproducibly.")
    parser.add_argument("output", type=Path, help="the .docx to write")
    parser.add_argument("--org", type=Path, help="org.yaml: add a letterhead from its facts")
    args = parser.parse_args(argv)

    from drafter.errors import DrafterError
    from drafter.output import atomic_write
    from drafter.writers.docx import package

    try:
        letterhead = letterhead_from_org(args.org) if args.org else None
        atomic_write(args.output, package.save_reproducible(build(letterhead)))
    except DrafterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
