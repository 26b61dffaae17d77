"""Low-level WordprocessingML helpers, apart from the writer that uses them.

Everything here works on lxml elements through python-docx's ``oxml`` layer: numbering
definitions, bookmarks, hyperlinks, run properties.  Nothing here knows about the document
model.
"""

from __future__ import annotations

import re

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, nsmap, qn
from docx.oxml.parser import oxml_parser

# -- generic ------------------------------------------------------------------------------


_CLARK: dict[str, str] = {}
_ATTR_CLARK: dict[str, str] = {}
_NSMAPS: dict[str, dict] = {}


def el(tag: str, attrs: dict | None = None, children=()):
    """``el("w:ind", {"w:left": "720"})``: an element with namespaced attributes.

    The same custom element classes as python-docx's ``OxmlElement`` (``CT_P``...), made
    without re-parsing the tag on every call: the writer makes thousands of these.
    """
    clark = _CLARK.get(tag)
    if clark is None:
        prefix = tag.split(":", 1)[0]
        clark = _CLARK[tag] = qn(tag)
        _NSMAPS[tag] = {prefix: nsmap[prefix]}
    node = oxml_parser.makeelement(clark, nsmap=_NSMAPS[tag])
    if attrs:
        for key, value in attrs.items():
            name = _ATTR_CLARK.get(key)
            if name is None:
                name = _ATTR_CLARK[key] = qn(key)
            node.set(name, str(value))
    for child in children:
        node.append(child)
    return node


def p_with_style(style_id: str | None):
    """A ``w:p`` with its paragraph style set directly (no python-docx property walk)."""
    p = el("w:p")
    if style_id:
        p.append(el("w:pPr", children=[el("w:pStyle", {"w:val": style_id})]))
    return p


def set_val(parent, tag: str, value: str | None = None):
    """Get or add the child ``tag`` of ``parent`` and set its ``w:val``."""
    node = parent.find(qn(tag))
    if node is None:
        node = el(tag)
        parent.append(node)
    if value is not None:
        node.set(qn("w:val"), str(value))
    return node


# Schema order of the children of w:pPr and w:settings (the parts drafter writes into).
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange").split()
SETTINGS_ORDER = (
    "writeProtection view zoom removePersonalInformation removeDateAndTime "
    "doNotDisplayPageBoundaries displayBackgroundShape printPostScriptOverText "
    "printFractionalCharacterWidth printFormsData embedTrueTypeFonts embedSystemFonts "
    "saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges "
    "bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors "
    "hideGrammaticalErrors activeWritingStyle proofState formsDesign attachedTemplate "
    "linkStyles stylePaneFormatFilter stylePaneSortMethod documentType mailMerge "
    "revisionView trackRevisions doNotTrackMoves doNotTrackFormatting documentProtection "
    "autoFormatOverride styleLockTheme styleLockQFSet defaultTabStop autoHyphenation "
    "consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope summaryLength "
    "clickAndTypeStyle defaultTableStyle evenAndOddHeaders bookFoldRevPrinting "
    "bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing "
    "drawingGridVerticalSpacing displayHorizontalDrawingGridEvery "
    "displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin "
    "drawingGridHorizontalOrigin drawingGridVerticalOrigin doNotShadeFormData "
    "noPunctuationKerning characterSpacingControl printTwoOnOne strictFirstAndLastChars "
    "noLineBreaksAfter noLineBreaksBefore savePreviewPicture doNotValidateAgainstSchema "
    "saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText doNotDemarcateInvalidXml "
    "saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags alwaysMergeEmptyNamespace "
    "updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids mathPr "
    "attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats "
    "doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType "
    "schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator").split()
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_RANKS: dict[int, dict[str, int]] = {}


def insert_ordered(parent, child, order: list):
    """Add ``child`` to ``parent`` (replacing a child of the same tag) in schema order."""
    old = parent.find(child.tag)
    if old is not None:
        old.addprevious(child)
        parent.remove(old)
        return child
    local = child.tag.rsplit("}", 1)[-1]
    rank = _RANKS.get(id(order))
    if rank is None:
        rank = _RANKS[id(order)] = {name: i for i, name in enumerate(order)}
    mine = rank.get(local, len(order))
    for sibling in parent:
        tag = sibling.tag
        if isinstance(tag, str) and tag.startswith(_W) and rank.get(tag[len(_W):], -1) > mine:
            sibling.addprevious(child)
            return child
    parent.append(child)
    return child


def ppr_set(ppr, child):
    return insert_ordered(ppr, child, PPR_ORDER)


def settings_set(settings, child):
    return insert_ordered(settings, child, SETTINGS_ORDER)


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


class Numbering:
    """The ``w:numbering`` element of one document, with its next free ids."""

    def __init__(self, element):
        self.element = element
        self.next_abstract = 1 + max(
            (int(n.get(qn("w:abstractNumId"))) for n in element.findall(qn("w:abstractNum"))),
            default=0)
        self.next_num = 1 + max(
            (int(n.get(qn("w:numId"))) for n in element.findall(qn("w:num"))), default=0)

    def _abstract(self, nsid: str, multi: str):
        abstract_id = self.next_abstract
        self.next_abstract += 1
        abstract = el("w:abstractNum", {"w:abstractNumId": abstract_id}, [
            el("w:nsid", {"w:val": nsid}), el("w:multiLevelType", {"w:val": multi})])
        # Schema order: every w:abstractNum comes before the first w:num.
        first_num = self.element.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.element.append(abstract)
        return abstract_id, abstract

    def add_abstract_list(self, kind: str) -> int:
        """An abstract numbering definition for a list kind (``decimal`` or ``bullet``)."""
        abstract_id, abstract = self._abstract(_NSIDS[kind], "hybridMultilevel")
        for ilvl, (fmt, pattern) in enumerate(LIST_LEVELS[kind]):
            text = pattern.replace("{n}", str(ilvl + 1))
            abstract.append(_lvl(ilvl, fmt, text, left=720 * (ilvl + 1), hanging=360))
        return abstract_id

    def add_abstract_outline(self, scheme: str, heading_style_ids: list[str]) -> int:
        """Outline numbering linked to the heading styles (I. / a. / 1.)."""
        abstract_id, abstract = self._abstract(_NSIDS["outline"], "multilevel")
        levels = OUTLINE_LEVELS[scheme]
        for ilvl in range(9):
            fmt, text = levels[ilvl] if ilvl < len(levels) else ("decimal", f"%{ilvl + 1}.")
            style = heading_style_ids[ilvl] if ilvl < len(heading_style_ids) else None
            abstract.append(_lvl(ilvl, fmt, text, left=720 * (ilvl + 1), hanging=720,
                                 style_id=style))
        return abstract_id

    def add_num(self, abstract_id: int, restart: bool = True, start_level: int = 0,
                start: int = 1) -> int:
        """A numbering instance; with ``restart`` every level starts again at 1 (``start``
        at ``start_level``, for a CommonMark list that begins at another number)."""
        num_id = self.next_num
        self.next_num += 1
        num = el("w:num", {"w:numId": num_id},
                 [el("w:abstractNumId", {"w:val": abstract_id})])
        if restart:
            for ilvl in range(9):
                value = start if ilvl == start_level else 1
                num.append(el("w:lvlOverride", {"w:ilvl": ilvl},
                              [el("w:startOverride", {"w:val": value})]))
        self.element.append(num)
        return num_id


def set_numpr(ppr, num_id: int, ilvl: int = 0) -> None:
    ppr_set(ppr, el("w:numPr", children=[el("w:ilvl", {"w:val": ilvl}),
                                          el("w:numId", {"w:val": num_id})]))


def empty_numbering_xml() -> bytes:
    return (f'<w:numbering {nsdecls("w")}/>').encode()


# -- paragraphs and runs ------------------------------------------------------------------


# Script classes, as patterns that ``re`` compiles (and caches) on first use: only non-Latin
# text needs them, and compiling the large classes costs a cold start ~10 ms.
_RTL = "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]"
_HEBREW = "[\u0590-\u05ff\ufb1d-\ufb4f]"
_CJK = ("[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff"
        "\uff00-\uffef\U00020000-\U0003ffff]")
_KANA = "[\u3040-\u30ff\u31f0-\u31ff]"
_HANGUL = "[\u1100-\u11ff\ua960-\ua97f\uac00-\ud7af]"
# East-Asian fonts by script: Word picks them for CJK characters; LibreOffice substitutes.
CJK_FONTS = {"ja-JP": "MS Mincho", "ko-KR": "Batang", "zh-CN": "SimSun"}


def is_rtl(text: str) -> bool:
    return bool(re.search(_RTL, text))


def cjk_language(text: str) -> str | None:
    if not re.search(_CJK, text):
        return None
    if re.search(_KANA, text):
        return "ja-JP"
    if re.search(_HANGUL, text):
        return "ko-KR"
    return "zh-CN"


def add_run(parent, text: str, bold=False, italic=False, strike=False, mono=False,
            char_style: str | None = None, superscript=False):
    """Append a ``w:r`` holding ``text`` to a paragraph or hyperlink element.

    Right-to-left text gets ``w:rtl`` (and complex-script bold/italic), CJK text an
    east-Asian font and language, so Word and LibreOffice pick fitting fonts.
    """
    r = el("w:r")
    rtl = cjk = None
    if text and max(text) > "\u058f":  # cheap pre-check: only non-Latin text can need either
        rtl = ("he-IL" if re.search(_HEBREW, text) else "ar-SA") if is_rtl(text) else None
        cjk = cjk_language(text)
    if bold or italic or strike or mono or char_style or superscript or rtl or cjk:
        rpr = el("w:rPr")
        if char_style:
            rpr.append(el("w:rStyle", {"w:val": char_style}))
        if mono or cjk:
            fonts = {}
            if mono:
                fonts.update({"w:ascii": "Courier New", "w:hAnsi": "Courier New",
                              "w:cs": "Courier New"})
            if cjk:
                fonts.update({"w:eastAsia": CJK_FONTS[cjk], "w:hint": "eastAsia"})
            rpr.append(el("w:rFonts", fonts))
        if bold:
            rpr.append(el("w:b"))
            if rtl:
                rpr.append(el("w:bCs"))
        if italic:
            rpr.append(el("w:i"))
            if rtl:
                rpr.append(el("w:iCs"))
        if strike:
            rpr.append(el("w:strike"))
        if superscript:
            rpr.append(el("w:vertAlign", {"w:val": "superscript"}))
        if rtl:
            rpr.append(el("w:rtl"))
        if rtl or cjk:
            lang = {}
            if cjk:
                lang["w:eastAsia"] = cjk
            if rtl:
                lang["w:bidi"] = rtl
            rpr.append(el("w:lang", lang))
        r.append(rpr)
    _append_text(r, text)
    parent.append(r)
    return r


def paragraph_is_rtl(text: str) -> bool:
    """Whether the first strongly directional character is right-to-left (Unicode bidi P2)."""
    import unicodedata

    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


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


VARIANT_CODES = {"us": "u", "eu": "e", "general": "g"}


def bookmark_name(kind: str, seq: int, block_id: str = "", block_hash: str = "",
                  variant: str = "") -> str:
    """Word's rules: a letter first, only [A-Za-z0-9_], at most 40 characters.

    Block paragraphs: ``B<seq>_<hash6>_<id>`` (the id with ``-`` as ``_``, cut to fit), or
    ``B<seq>_<hash6>V<code>_<id>`` for a variant's wording (code ``u`` us, ``e`` eu, ``g``
    general); template paragraphs: ``T<seq>``.
    """
    if kind == "T":
        return f"T{seq}"
    code = VARIANT_CODES.get(variant, "")
    head = f"B{seq}_{block_hash[:6]}" + (f"V{code}" if code else "") + "_"
    return (head + _BOOKMARK_OK.sub("_", block_id.replace("-", "_")))[:40]


_AFTER_HIGHLIGHT = tuple(qn("w:" + t) for t in (
    "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
    "eastAsianLayout", "specVanish", "oMath"))


def highlight_run(r, color: str = "yellow") -> None:
    """Give run ``r`` a highlight (``w:highlight``, in its schema place in ``w:rPr``)."""
    rpr = r.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        r.insert(0, rpr)
    if rpr.find(qn("w:highlight")) is not None:
        return
    mark = el("w:highlight", {"w:val": color})
    later = next((child for child in rpr if child.tag in _AFTER_HIGHLIGHT), None)
    if later is None:
        rpr.append(mark)
    else:
        later.addprevious(mark)


def prepend(p, *nodes) -> None:
    """Put ``nodes``, in order, at the start of paragraph ``p``'s content (after its pPr)."""
    anchor = p.find(qn("w:pPr"))
    for node in nodes:
        if anchor is None:
            p.insert(0, node)
        else:
            anchor.addnext(node)
        anchor = node


def wrap_bookmark(p, bookmark_id: int, name: str) -> None:
    """Bookmark the whole paragraph: start after its pPr, end as its last child."""
    prepend(p, el("w:bookmarkStart", {"w:id": bookmark_id, "w:name": name}))
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
