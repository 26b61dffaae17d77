"""The FCC-style caption: "In the Matter of" on the left, a column of ")" and the docket on
the right, as a borderless three-column table; several proceedings get a row each, each
proceeding's title beside its docket.

The ")" column must reach as far down as the left column, so its length is estimated from
the left column's text (characters per line at 12 pt in the column's width); one extra ")"
closes the column.
"""

from __future__ import annotations

import math

from docx.oxml.ns import qn

from drafter.model.nodes import Div, LineBreak, Paragraph
from drafter.model.text import inline_text, walk
from drafter.writers.docx.oxml import el

# Average advance of a 12 pt serif character, in twentieths of a point (Times New Roman: 5.3 pt).
_CHAR_TWIPS = 110
_PAREN_WIDTH = 360


def split(node: Div) -> tuple[list, list]:
    """The caption's left column (everything but ``.docket`` divs) and right column."""
    left, right = [], []
    for child in node.children:
        (right if isinstance(child, Div) and "docket" in child.classes else left).append(child)
    return left, right


def estimate_lines(nodes, width_twips: int, gaps: bool = True) -> int:
    """Lines the paragraphs of ``nodes`` take in a column ``width_twips`` wide, plus (with
    ``gaps``) the blank line between paragraphs."""
    per_line = max(10, width_twips // _CHAR_TWIPS)
    lines = 0
    paragraphs = [n for n in walk(nodes) if isinstance(n, Paragraph)]
    for p in paragraphs:
        parts = [[]]
        for inline in p.children:
            if isinstance(inline, LineBreak):
                parts.append([])
            else:
                parts[-1].append(inline)
        for part in parts:
            lines += max(1, math.ceil(len(inline_text(part)) / per_line))
    return lines + (max(0, len(paragraphs) - 1) if gaps else 0)


def table(text_width: int):
    """The empty table; returns (table element, left cell, paren cell, right cell)."""
    left_w = text_width // 2
    right_w = text_width - left_w - _PAREN_WIDTH
    widths = (left_w, _PAREN_WIDTH, right_w)
    none = {"w:val": "nil"}
    tbl = el("w:tbl", children=[
        el("w:tblPr", children=[
            el("w:tblW", {"w:w": text_width, "w:type": "dxa"}),
            el("w:tblBorders", children=[el(f"w:{side}", none) for side in
                                         ("top", "left", "bottom", "right", "insideH",
                                          "insideV")]),
            el("w:tblLayout", {"w:type": "fixed"}),
            el("w:tblCellMar", children=[el("w:left", {"w:w": 0, "w:type": "dxa"}),
                                         el("w:right", {"w:w": 0, "w:type": "dxa"})]),
            el("w:tblLook", {"w:val": "0000", "w:firstRow": 0, "w:lastRow": 0,
                             "w:firstColumn": 0, "w:lastColumn": 0, "w:noHBand": 1,
                             "w:noVBand": 1}),
        ]),
        el("w:tblGrid", children=[el("w:gridCol", {"w:w": w}) for w in widths]),
    ])
    cells = add_row(tbl, widths)
    return tbl, cells[0], cells[1], cells[2]


def add_row(tbl, widths=None) -> list:
    """Another row of the caption (one per proceeding); returns its three cells."""
    if widths is None:
        widths = [int(col.get(qn("w:w")))
                  for col in tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))]
    row = el("w:tr", children=[el("w:trPr", children=[el("w:cantSplit")])])
    cells = []
    for i, width in enumerate(widths):
        tcpr = el("w:tcPr", children=[el("w:tcW", {"w:w": width, "w:type": "dxa"})])
        if i == 2:
            tcpr.append(el("w:vAlign", {"w:val": "center"}))
        cell = el("w:tc", children=[tcpr])
        row.append(cell)
        cells.append(cell)
    tbl.append(row)
    return cells


def rows(node: Div) -> list[tuple[list, list]]:
    """(left, right) nodes of each row: one row for a caption, or one per ``.proceeding`` div
    (several proceedings, each beside its docket), the lines before the first proceeding
    ("In the Matter of") opening the first row."""
    proceedings = [c for c in node.children if isinstance(c, Div) and "proceeding" in c.classes]
    if not proceedings:
        return [split(node)]
    lead = [c for c in node.children if c not in proceedings
            and not (isinstance(c, Div) and "docket" in c.classes)]
    out = []
    for i, proceeding in enumerate(proceedings):
        left, right = split(proceeding)
        out.append(((lead if i == 0 else []) + left, right))
    return out


def left_width(text_width: int) -> int:
    return text_width // 2


def right_width(text_width: int) -> int:
    return text_width - left_width(text_width) - _PAREN_WIDTH - 360  # less the indent
