"""Low-level WordprocessingML helpers, apart from the writer that uses them.

Everything here works on lxml elements through python-docx's ``oxml`` layer: numbering
definitions, bookmarks, hyperlinks, run properties.  Nothing here knows about the document
model.
"""

from __future__ import annotations

import re

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

# -- generic ------------------------------------------------------------------------------


def el(tag: str, attrs: dict | None = None, children=()) -> "OxmlElement":
    """``el("w:ind", {"w:left": "720"})``: an element with namespaced attributes."""
    node = OxmlElement(tag)
    for key, value in (attrs or {}).items():
        node.set(qn(key), str(value))
    for child in children:
        node.append(child)
    return node


def set_val(parent, tag: str, value: str | None = None):
    """Get or add the child ``tag`` of ``parent`` and set its ``w:val``."""
    node = parent.find(qn(tag))
    if node is None:
        node = el(tag)
        parent.append(node)
    if value is not None:
        node.set(qn("w:val"), str(value))
    return node


# -- numbering ----------------------------------------------------------------------------

LIST_LEVELS = {
    # kind -> per-level (format, text pattern)
    "decimal": [("decimal", "%{n}."), ("lowerLetter", "%{n}."), ("lowerRoman", "%{n}.")] * 3,
    "bullet": [("bullet", "\u2022"), ("bullet", "\u25e6"), ("bullet", "\u25aa")] * 3,
}

OUTLINE_LEVELS = {
    "roman": [("upperRoman", "%1."), ("lowerLetter", "%2."), ("decimal", "%3.")],
    "decimal": [("decimal", "%1."), ("decimal", "%1.%2."), ("decimal", "%1.%2.%3.")],
}

# Fixed nsid values keep the output reproducible.
_NSIDS = {"decimal": "5D1A0001", "bullet": "5D1A0002", "outline": "5D1A0003"}


def _lvl(ilvl: int, fmt: str, text: str, left: int, hanging: int, style_id: str | None = None):
    lvl = el("w:lvl", {"w:ilvl": ilvl})
    lvl.append(el("w:start", {"w:val": 1}))
    lvl.append(el("w:numFmt", {"w:val": fmt}))
    if style_id:
        lvl.append(el("w:pStyle", {"w:val": style_id}))
    lvl.append(el("w:lvlText", {"w:val": text}))
    lvl.append(el("w:lvlJc", {"w:val": "left"}))
    ppr = el("w:pPr", children=[el("w:ind", {"w:left": left, "w:hanging": hanging})])
    lvl.append(ppr)
    return lvl


def _next_id(numbering, tag: str, attr: str) -> int:
    ids = [int(n.get(qn(attr))) for n in numbering.findall(qn(tag))]
    return max(ids, default=0) + 1


def add_abstract_list(numbering, kind: str) -> int:
    """An abstract numbering definition for a list kind (``decimal`` or ``bullet``)."""
    abstract_id = _next_id(numbering, "w:abstractNum", "w:abstractNumId")
    abstract = el("w:abstractNum", {"w:abstractNumId": abstract_id})
    abstract.append(el("w:nsid", {"w:val": _NSIDS[kind]}))
    abstract.append(el("w:multiLevelType", {"w:val": "hybridMultilevel"}))
    for ilvl, (fmt, pattern) in enumerate(LIST_LEVELS[kind]):
        text = pattern.replace("{n}", str(ilvl + 1))
        abstract.append(_lvl(ilvl, fmt, text, left=720 * (ilvl + 1), hanging=360))
    _insert_abstract(numbering, abstract)
    return abstract_id


def add_abstract_outline(numbering, scheme: str, heading_style_ids: list[str]) -> int:
    """Outline numbering linked to the heading styles (I. / a. / 1.)."""
    abstract_id = _next_id(numbering, "w:abstractNum", "w:abstractNumId")
    abstract = el("w:abstractNum", {"w:abstractNumId": abstract_id})
    abstract.append(el("w:nsid", {"w:val": _NSIDS["outline"]}))
    abstract.append(el("w:multiLevelType", {"w:val": "multilevel"}))
    levels = OUTLINE_LEVELS[scheme]
    for ilvl in range(9):
        fmt, text = levels[ilvl] if ilvl < len(levels) else ("decimal", f"%{ilvl + 1}.")
        style = heading_style_ids[ilvl] if ilvl < len(heading_style_ids) else None
        abstract.append(_lvl(ilvl, fmt, text, left=720 * (ilvl + 1) if ilvl else 720,
                             hanging=720, style_id=style))
    _insert_abstract(numbering, abstract)
    return abstract_id


def _insert_abstract(numbering, abstract) -> None:
    # Schema order: every w:abstractNum comes before the first w:num.
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)


def add_num(numbering, abstract_id: int, restart: bool = True) -> int:
    """A numbering instance; with ``restart`` every level starts again at 1."""
    num_id = _next_id(numbering, "w:num", "w:numId")
    num = el("w:num", {"w:numId": num_id},
             [el("w:abstractNumId", {"w:val": abstract_id})])
    if restart:
        for ilvl in range(9):
            num.append(el("w:lvlOverride", {"w:ilvl": ilvl},
                          [el("w:startOverride", {"w:val": 1})]))
    numbering.append(num)
    return num_id


def set_numpr(ppr, num_id: int, ilvl: int = 0) -> None:
    numpr = ppr.find(qn("w:numPr"))
    if numpr is None:
        numpr = el("w:numPr")
        # w:numPr sits after w:pStyle, w:keepNext.. in pPr; after pStyle is safe enough here
        style = ppr.find(qn("w:pStyle"))
        if style is not None:
            style.addnext(numpr)
        else:
            ppr.insert(0, numpr)
    for child in list(numpr):
        numpr.remove(child)
    numpr.append(el("w:ilvl", {"w:val": ilvl}))
    numpr.append(el("w:numId", {"w:val": num_id}))


def empty_numbering_xml() -> bytes:
    return (f'<w:numbering {nsdecls("w")}/>').encode()


# -- paragraphs and runs ------------------------------------------------------------------


def add_run(parent, text: str, bold=False, italic=False, strike=False, mono=False,
            char_style: str | None = None, superscript=False):
    """Append a ``w:r`` holding ``text`` to a paragraph or hyperlink element."""
    r = el("w:r")
    if bold or italic or strike or mono or char_style or superscript:
        rpr = el("w:rPr")
        if char_style:
            rpr.append(el("w:rStyle", {"w:val": char_style}))
        if mono:
            rpr.append(el("w:rFonts", {"w:ascii": "Courier New", "w:hAnsi": "Courier New",
                                       "w:cs": "Courier New"}))
        if bold:
            rpr.append(el("w:b"))
        if italic:
            rpr.append(el("w:i"))
        if strike:
            rpr.append(el("w:strike"))
        if superscript:
            rpr.append(el("w:vertAlign", {"w:val": "superscript"}))
        r.append(rpr)
    _append_text(r, text)
    parent.append(r)
    return r


def _append_text(r, text: str) -> None:
    """Text with tabs and new lines as Word's own tab and break elements."""
    for i, line in enumerate(text.split("\n")):
        if i:
            r.append(el("w:br"))
        for j, part in enumerate(line.split("\t")):
            if j:
                r.append(el("w:tab"))
            if part:
                t = el("w:t")
                t.text = part
                if part != part.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                r.append(t)


def add_break(parent, kind: str | None = None):
    r = el("w:r", children=[el("w:br", {"w:type": kind} if kind else {})])
    parent.append(r)
    return r


def add_hyperlink(paragraph_el, part, href: str):
    """A ``w:hyperlink`` to an external address or (``#name``) to a bookmark; returns it."""
    if href.startswith("#"):
        link = el("w:hyperlink", {"w:anchor": href[1:]})
    else:
        r_id = part.relate_to(href, RT.HYPERLINK, is_external=True)
        link = el("w:hyperlink", {"r:id": r_id})
    paragraph_el.append(link)
    return link


# -- bookmarks ----------------------------------------------------------------------------

_BOOKMARK_OK = re.compile(r"[^A-Za-z0-9_]")


def bookmark_name(kind: str, seq: int, block_id: str = "", block_hash: str = "") -> str:
    """Word's rules: a letter first, only [A-Za-z0-9_], at most 40 characters.

    Block paragraphs: ``B<seq>_<hash6>_<id>`` (the id with ``-`` as ``_``, cut to fit);
    template paragraphs: ``T<seq>``.
    """
    if kind == "T":
        return f"T{seq}"
    head = f"B{seq}_{block_hash[:6]}_"
    return (head + _BOOKMARK_OK.sub("_", block_id.replace("-", "_")))[:40]


def wrap_bookmark(p, bookmark_id: int, name: str) -> None:
    """Bookmark the whole paragraph: start after its pPr, end as its last child."""
    start = el("w:bookmarkStart", {"w:id": bookmark_id, "w:name": name})
    ppr = p.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    p.append(el("w:bookmarkEnd", {"w:id": bookmark_id}))


# -- parts --------------------------------------------------------------------------------


def ensure_numbering(document):
    """The numbering part's ``w:numbering`` element, creating the part when the base lacks it."""
    from docx.opc.packuri import PackURI
    from docx.parts.numbering import NumberingPart

    part = document.part
    try:
        return part.numbering_part.element
    except (NotImplementedError, KeyError):
        pass
    numbering_part = NumberingPart(PackURI("/word/numbering.xml"),
                                   "application/vnd.openxmlformats-officedocument."
                                   "wordprocessingml.numbering+xml",
                                   parse_xml(empty_numbering_xml()), part.package)
    part.relate_to(numbering_part, RT.NUMBERING)
    return numbering_part.element
