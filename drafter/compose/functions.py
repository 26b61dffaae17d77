"""What templates can call: blocks by id, queries over the library, and Markdown helpers.

``position("id")`` renders one block inside a fenced div carrying its id and hash::

    ::: {.block block="id" hash="0123456789"}
    body...
    :::

Templates that wrap blocks in divs of their own use a longer fence (``::::``), as in pandoc.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from drafter.errors import LoadError

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(value) -> str:
    """Escape text so Markdown shows it literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def possessive(name) -> str:
    """``"NTIA"`` -> ``"NTIA’s"``; a name ending in s takes only the apostrophe."""
    name = str(name)
    return name + ("’" if name.endswith("s") else "’s")


def indent(text: str, width: int) -> str:
    pad = " " * width
    return "\n".join(pad + line if line.strip() else "" for line in str(text).split("\n"))


def placeholder(text: str = "text needed") -> Markup:
    """A visible marker where the draft needs a human; ``drafter check`` flags it."""
    return Markup(f"**[[TODO: {md_escape(text)}]]**")


class BlockView:
    """What a template sees of a position block."""

    def __init__(self, block, composer):
        self._block = block
        self._composer = composer

    def __repr__(self):
        return f"<position {self._block.id}>"

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        meta = self._block.meta
        if name in ("id", "title", "summary", "topics", "jurisdictions", "last_reviewed", "note"):
            return getattr(meta, name)
        if name in ("stance", "role", "status"):
            return getattr(meta, name).value
        if name == "source":
            return meta.source.describe()
        if name == "hash":
            return self._block.hash
        if name == "text":
            return self._composer.body_text(self._block)
        raise AttributeError(name)

    def render(self, heading: int | None = None, title: str | None = None) -> Markup:
        """The block as Markdown, marked with its id.

        ``heading=N`` puts the block's title before the body as a level-N heading;
        ``title="bold"`` puts it as a bold first paragraph.
        """
        return self._composer.render_block(self._block, heading=heading, title=title)

    def __str__(self) -> str:
        return str(self.render())

    def __html__(self) -> str:
        return str(self.render())


def numbered(blocks, titles: bool = True) -> Markup:
    """A numbered list, one item per block: bold title, then the body (the manifesto's shape)."""
    items = []
    for number, view in enumerate(blocks, start=1):
        text = view.render(title="bold" if titles else None)
        items.append(f"{number}. " + indent(text, 3).lstrip())
    return Markup("\n".join(items))


def bulleted(blocks) -> Markup:
    items = []
    for view in blocks:
        items.append("- " + indent(view.render(), 2).lstrip())
    return Markup("\n".join(items))


def make_globals(composer) -> dict:
    library = composer.library
    jurisdiction = composer.consultation.model.jurisdiction

    def view(block):
        return BlockView(block, composer)

    def position(block_id: str, heading: int | None = None, title: str | None = None):
        return view(library.get(block_id)).render(heading=heading, title=title)

    def positions(topic=None, role=None, jurisdiction=jurisdiction, ids=None, status="approved"):
        if ids is not None:
            return [view(library.get(i)) for i in ids]
        statuses = (status,) if isinstance(status, str) else tuple(status)
        return [view(b) for b in library.query(topic=topic, role=role, jurisdiction=jurisdiction,
                                               status=statuses)]

    def selected(role=None, topic=None):
        if topic is not None and topic not in library.topics:
            raise LoadError(f"unknown topic '{topic}'")
        out = []
        for block in composer.selection:
            if role is not None and block.meta.role.value != role:
                continue
            if topic is not None and topic not in block.meta.topics:
                continue
            out.append(view(block))
        return out

    def sections(roles=("section-intro", "recommendation", "argument", "framing", "concern")):
        """The selection grouped into thematic sections.

        A ``section-intro`` block opens a section; the blocks after it belong to it, with
        consecutive recommendations gathered into one numbered list.  Each section is
        ``{"intro": block or None, "parts": [{"block": b} or {"list": [b, ...]}]}``.
        """
        out: list[dict] = []
        for block in composer.selection:
            role = block.meta.role.value
            if role not in roles:
                continue
            if role == "section-intro" or not out:
                out.append({"intro": None, "parts": []})
            if role == "section-intro":
                out[-1]["intro"] = view(block)
            elif role == "recommendation":
                parts = out[-1]["parts"]
                if parts and "list" in parts[-1]:
                    parts[-1]["list"].append(view(block))
                else:
                    parts.append({"list": [view(block)]})
            else:
                out[-1]["parts"].append({"block": view(block)})
        return out

    def answer(question_id: str):
        return composer.answer(question_id)

    from drafter.suggest.drafting import draft_globals  # suggested()

    return {
        "position": position,
        "positions": positions,
        "selected": selected,
        "numbered": numbered,
        "bulleted": bulleted,
        "placeholder": placeholder,
        "answer": answer,
        "sections": sections,
        **draft_globals(composer, view),
    }
