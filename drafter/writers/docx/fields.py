"""Fields: PAGE / NUMPAGES for the footer and the table of contents.

Fields are complex fields (``fldChar begin``, ``instrText``, ``fldChar separate``, the shown
result, ``fldChar end``) so Word and LibreOffice both render and update them.  A document with
a table of contents asks Word to update fields on open (``w:updateFields`` in settings.xml);
LibreOffice does it when asked to (see :mod:`drafter.writers.pdf`).
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml.ns import qn

from drafter.writers.docx import oxml
from drafter.writers.docx.oxml import el

TOC_INSTRUCTION = ' TOC \\o "1-3" \\h \\z \\u '


def _fld_char(kind: str, dirty: bool = False):
    attrs = {"w:fldCharType": kind}
    if dirty:
        attrs["w:dirty"] = "true"
    return el("w:r", children=[el("w:fldChar", attrs)])


def _instr(text: str):
    instr = el("w:instrText")
    instr.text = text
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return el("w:r", children=[instr])


def field_begin(p, instruction: str, dirty: bool = False) -> None:
    p.append(_fld_char("begin", dirty))
    p.append(_instr(instruction))
    p.append(_fld_char("separate"))


def field_end(p) -> None:
    p.append(_fld_char("end"))


def add_simple_field(p, instruction: str, shown: str) -> None:
    """A whole field in one paragraph, showing ``shown`` until it is updated."""
    field_begin(p, instruction)
    oxml.add_run(p, shown)
    field_end(p)


def add_page_x_of_y(p) -> None:
    oxml.add_run(p, "Page ")
    add_simple_field(p, " PAGE ", "1")
    oxml.add_run(p, " of ")
    add_simple_field(p, " NUMPAGES ", "1")


def has_field(element, name: str) -> bool:
    """Whether ``element`` holds a field whose instruction starts with ``name``."""
    for instr in element.iter(qn("w:instrText")):
        if (instr.text or "").strip().upper().startswith(name):
            return True
    for simple in element.iter(qn("w:fldSimple")):
        if (simple.get(qn("w:instr")) or "").strip().upper().startswith(name):
            return True
    return False


def request_update_on_open(settings) -> None:
    """``<w:updateFields w:val="true"/>``: Word offers to update fields when it opens the file."""
    oxml.settings_set(settings, el("w:updateFields", {"w:val": "true"}))


@dataclass(frozen=True)
class TocEntry:
    """One line of a filled table of contents."""

    level: int
    text: str
    page: str
    anchor: str | None = None


def match_toc(headings: list[tuple[int, str, str | None]], lines: list[str]) -> list[TocEntry]:
    """Page numbers from LibreOffice's updated TOC (``text<TAB>page`` lines), matched in order
    with the document's own headings (level, shown text, bookmark) of levels 1-3.

    When the counts differ (a house style that changes outline levels), LibreOffice's lines
    are used as they are, without links.
    """
    wanted = [h for h in headings if h[0] <= 3]
    parsed = []
    for line in lines:
        text, _, page = line.rpartition("\t")
        if not text:
            text, page = page, ""
        parsed.append((text.strip(), page.strip()))
    if len(parsed) == len(wanted):
        return [TocEntry(level, shown, page, anchor)
                for (level, shown, anchor), (_, page) in zip(wanted, parsed)]
    return [TocEntry(1, text, page) for text, page in parsed]
