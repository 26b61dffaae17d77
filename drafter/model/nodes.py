"""The document tree.

Block nodes: Heading, Paragraph, ListBlock (of ListItem), BlockQuote, CodeBlock, Table,
ThematicBreak, Div.  Inline nodes: Text, Strong, Emph, Strike, Code, Link, LineBreak,
SoftBreak, FootnoteRef.  A Div groups blocks and carries classes and attributes from a fenced
div (``::: {.class key="value"}``); the composer marks every position block with a Div of
class ``block``.  Every block node records the source line it was parsed from and the
provenance (block id and hash) of the position it came from, if any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Provenance:
    block: str
    hash: str
    variant: str = ""      # the block's wording: "" (as filed) or a variant name


# -- inlines -------------------------------------------------------------------------------

@dataclass
class Text:
    text: str


@dataclass
class Code:
    text: str


@dataclass
class SoftBreak:
    pass


@dataclass
class LineBreak:
    pass


@dataclass
class Strong:
    children: list["Inline"] = field(default_factory=list)


@dataclass
class Emph:
    children: list["Inline"] = field(default_factory=list)


@dataclass
class Strike:
    children: list["Inline"] = field(default_factory=list)


@dataclass
class Link:
    href: str
    children: list["Inline"] = field(default_factory=list)


@dataclass
class FootnoteRef:
    """A reference to footnote ``number`` (1-based, in order of first reference)."""

    number: int
    label: str


Inline = Union[Text, Code, SoftBreak, LineBreak, Strong, Emph, Strike, Link, FootnoteRef]


# -- blocks --------------------------------------------------------------------------------

@dataclass
class BlockNode:
    line: int | None = field(default=None, kw_only=True)
    source: Provenance | None = field(default=None, kw_only=True)


@dataclass
class Heading(BlockNode):
    level: int
    children: list[Inline] = field(default_factory=list)
    numbered: bool = True
    classes: tuple[str, ...] = ()


@dataclass
class Paragraph(BlockNode):
    children: list[Inline] = field(default_factory=list)
    style: str | None = None


@dataclass
class ListItem(BlockNode):
    children: list["Block"] = field(default_factory=list)


@dataclass
class ListBlock(BlockNode):
    ordered: bool
    items: list[ListItem] = field(default_factory=list)
    start: int = 1
    tight: bool = True


@dataclass
class BlockQuote(BlockNode):
    children: list["Block"] = field(default_factory=list)


@dataclass
class CodeBlock(BlockNode):
    text: str
    info: str = ""


@dataclass
class ThematicBreak(BlockNode):
    pass


@dataclass
class TableCell:
    children: list[Inline] = field(default_factory=list)
    align: str | None = None


@dataclass
class Table(BlockNode):
    header: list[TableCell] = field(default_factory=list)
    rows: list[list[TableCell]] = field(default_factory=list)


@dataclass
class Div(BlockNode):
    classes: tuple[str, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Block"] = field(default_factory=list)


Block = Union[Heading, Paragraph, ListBlock, BlockQuote, CodeBlock, ThematicBreak, Table, Div]


@dataclass
class Footnote:
    number: int
    label: str
    children: list[Block] = field(default_factory=list)


@dataclass
class Document:
    children: list[Block] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
