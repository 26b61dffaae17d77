"""Placeholders (``[[TODO: ...]]``) stand out in every part of a DOCX filing.

A placeholder marks text a person must still write, wherever the template or the data put
it: the caption, the title block, the body, a table, a footnote, the signature, the running
header.  :func:`highlight_placeholders` gives every run of text inside a placeholder the same
yellow highlight (``w:highlight``) that review notes get, so none is missed in Word, in
LibreOffice or in the PDF made from the DOCX.  A run holding a placeholder and other text is
split at the placeholder's edges (each piece keeps the run's properties), so only the
placeholder is marked.
"""

from __future__ import annotations

import copy
import re

from docx.oxml.ns import qn

from drafter.writers.docx import oxml

# As ``drafter check`` finds them: "[[", then anything but a new line, "]" or another "[["
# (an escaped "\]" is text), then "]]".
PLACEHOLDER = re.compile(r"\[\[(?:[^\[\]\n]|\[(?!\[)|\\\])*\]\]")

_T, _TAB, _BR, _RPR, _R, _P = (qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:rPr"),
                                qn("w:r"), qn("w:p"))
_TEXT_PARTS = {_T: None, _TAB: "\t", _BR: "\n"}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _run_text(r) -> str | None:
    """The text of a run made only of text, tabs and breaks; None for any other run (a field
    code, a footnote reference, a picture): such a run is never split."""
    out = []
    for child in r:
        if child.tag == _RPR:
            continue
        if child.tag not in _TEXT_PARTS:
            return None
        out.append(child.text or "" if child.tag == _T else _TEXT_PARTS[child.tag])
    return "".join(out)


def _set_text(t, text: str) -> None:
    t.text = text
    if text != text.strip():
        t.set(_XML_SPACE, "preserve")
    elif _XML_SPACE in t.attrib:
        del t.attrib[_XML_SPACE]


def _pieces(r) -> list:
    """The run's content children (no ``w:rPr``)."""
    return [child for child in r if child.tag != _RPR]


def _split_run(r, at: int):
    """Split text run ``r`` after ``at`` characters (0 < at < length of its text); return the
    new run that holds the rest, placed right after ``r``."""
    rest = copy.deepcopy(r)
    for child in _pieces(rest):
        rest.remove(child)
    seen = 0
    for child in _pieces(r):
        length = len(child.text or "") if child.tag == _T else 1
        if seen >= at:
            r.remove(child)
            rest.append(child)
        elif seen + length > at:             # a w:t that straddles the cut
            text = child.text or ""
            tail = oxml.el("w:t")
            _set_text(tail, text[at - seen:])
            _set_text(child, text[:at - seen])
            rest.append(tail)
        seen += length
    r.addnext(rest)
    return rest


def _highlight_paragraph(p) -> None:
    runs = [(r, _run_text(r)) for r in p.iter(_R)
            if next(r.iterancestors(_P)) is p]      # not the runs of a text box inside
    text = "".join(t or "" for _, t in runs)
    if "[[" not in text:
        return
    spans = [m.span() for m in PLACEHOLDER.finditer(text)]
    start = 0
    for r, run_text in runs:
        if not run_text:
            continue
        end = start + len(run_text)
        if any(a < end and b > start for a, b in spans):
            cuts = sorted({x for a, b in spans for x in (a, b) if start < x < end})
            pieces, at = [(r, start)], start
            for cut in cuts:              # text before, between and after placeholders
                r = _split_run(r, cut - at)
                pieces.append((r, cut))
                at = cut
            for piece, at in pieces:
                if any(a <= at < b for a, b in spans):
                    oxml.highlight_run(piece)
        start = end


def highlight_placeholders(root) -> None:
    """Highlight every placeholder in the paragraphs under ``root`` (a body, header, footer or
    footnotes element).  A placeholder split over several runs (bold and plain text, a
    hyperlink) gets each of its runs marked; runs are never merged."""
    for p in list(root.iter(_P)):
        _highlight_paragraph(p)
