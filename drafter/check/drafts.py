"""One composed filing as the draft checks see it.

The draft checks (placeholders, deadline, size limits, terminology, style) read the filing's
text paragraph by paragraph, each paragraph knowing the position block it came from.  A
finding is reported where a reviewer can fix it: in the block file at the line and column of
the offending words when they are in the block's source, else in the template that wrote them,
else in the consultation file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

_QUOTED = re.compile(r"“[^”]*”|\"[^\"\n]*\"")


@dataclass(frozen=True)
class TextUnit:
    text: str
    block: str | None  # id of the position block it came from
    kind: str  # "heading" | "paragraph" | "cell" | "code" | "footnote"


def mask_quotes(text: str) -> str:
    """Blank out quoted passages (mentions of a word rather than uses), keeping offsets."""
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


def document_units(document) -> list[TextUnit]:
    """The filing's text, one unit per heading, paragraph, table cell or code block.

    Paragraphs inside block quotes are of kind "quote": words quoted from someone else (the
    agency's questions), which the style checks leave alone.
    """
    from drafter.model.nodes import (BlockQuote, CodeBlock, Div, Heading, ListBlock, Paragraph,
                                     Table)
    from drafter.model.text import inline_text

    units: list[TextUnit] = []

    def collect(nodes, kind=None):
        for node in nodes:
            block = node.source.block if getattr(node, "source", None) is not None else None
            if isinstance(node, Heading):
                units.append(TextUnit(inline_text(node.children), block, kind or "heading"))
            elif isinstance(node, Paragraph):
                units.append(TextUnit(inline_text(node.children), block, kind or "paragraph"))
            elif isinstance(node, CodeBlock):
                units.append(TextUnit(node.text, block, "code"))
            elif isinstance(node, Table):
                for row in ([node.header] if node.header else []) + node.rows:
                    for cell in row:
                        units.append(TextUnit(inline_text(cell.children), block, kind or "cell"))
            elif isinstance(node, ListBlock):
                for item in node.items:
                    collect(item.children, kind)
            elif isinstance(node, BlockQuote):
                collect(node.children, "quote")
            elif isinstance(node, Div):
                collect(node.children, kind)

    collect(document.children)
    for note in document.footnotes:
        collect(note.children, "footnote")
    return units


STYLE_KINDS = ("heading", "paragraph", "cell", "footnote")


class DraftContext:
    def __init__(self, consultation, composition, document, settings, glossary=None,
                 glossary_path: Path | None = None, today: dt.date | None = None,
                 org_file: Path | None = None):
        self.consultation = consultation
        self.org_file = org_file    # the workspace's org.yaml: where "(org.yaml: key)" is set
        self.composition = composition
        self.document = document
        self.settings = settings
        self.glossary = glossary
        self.glossary_path = glossary_path
        self.today = today or dt.date.today()
        self.blocks = {b.id: b for b in composition.used}
        # block id -> the wording the filing uses (the block itself, or one of its variants)
        choices = getattr(composition, "choices", {}) or {}
        self.wordings = {bid: (choices[bid].wording if bid in choices else b)
                         for bid, b in self.blocks.items()}

    def as_filed_at_home(self, block_id: str | None) -> bool:
        """True when the block's as-filed wording is used in its own proceeding: the words are
        the filing's own, kept as filed (the seed rebuilds)."""
        choice = (getattr(self.composition, "choices", {}) or {}).get(block_id)
        return choice is not None and choice.variant == "as-filed" and choice.home

    @property
    def model(self):
        return self.consultation.model

    @property
    def path(self) -> Path:
        return self.consultation.path

    @cached_property
    def units(self) -> list[TextUnit]:
        return document_units(self.document)

    @cached_property
    def rendition(self) -> str:
        """The plain-text rendition (what goes into a web form's text box)."""
        from drafter.writers import WriteContext, get_writer
        return get_writer("txt").write(self.document, WriteContext()).decode("utf-8")

    @cached_property
    def word_count(self) -> int:
        return sum(len(re.findall(r"\w+", u.text)) for u in self.units if u.kind in STYLE_KINDS)

    @cached_property
    def _template_sources(self) -> list[tuple[Path, str]]:
        folder = self.composition.template.path.parent
        paths = [self.composition.template.path] + sorted(
            p for p in folder.glob("*.jinja") if p != self.composition.template.path)
        out = []
        for p in paths:
            try:
                out.append((p, p.read_text(encoding="utf-8")))
            except OSError:
                continue
        return out

    @cached_property
    def _consultation_text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    def consultation_line(self, *keys) -> int:
        for key in (keys, ("title",)):
            line = self.consultation.line_of(*key) if key else None
            if line:
                return line
        return 1

    def question_line(self, qid: str) -> int:
        """The line of question ``qid`` in the consultation (of its questions when not found)."""
        for i, q in enumerate(self.model.questions):
            if q.id == qid:
                return self.consultation_line("questions", i)
        return self.consultation_line("questions")

    def listing(self, block_id: str):
        """(line, col, listed): where the consultation names a block, else, for a block drafter
        picked as an automatic answer, the question it answers (listed: the question id),
        else where the consultation starts (listed: False: the template placed it)."""
        smap = self.consultation.smap
        for i, pid in enumerate(self.model.positions):
            if pid == block_id:
                return (*smap.locate(("positions", i)), True)
        for qid, answer in self.model.answers.items():
            for key in ("positions", "suggested"):
                for i, pid in enumerate(getattr(answer, key, []) or []):
                    if pid == block_id:
                        return (*smap.locate(("answers", qid, key, i)), True)
        for qid, item in (getattr(self.composition, "answers", {}) or {}).items():
            if item.status == "suggested" and block_id in item.positions:
                return self.question_line(qid), None, qid
        return self.consultation_line("template"), None, False

    def locate(self, unit: TextUnit, snippet: str):
        """(path, line, col) of ``snippet`` of ``unit`` in the file a reviewer would edit."""
        block = self.wordings.get(unit.block) if unit.block else None
        if block is not None:
            where = _find(block.body, snippet, unit.text)
            if where is not None:
                line, col = where
                return block.path, block.body_line + line - 1, col
            return block.path, block.body_line, None
        for path, text in [(self.path, self._consultation_text), *self._template_sources]:
            where = _find(text, snippet, unit.text)
            if where is not None:
                return path, where[0], where[1]
        setting = _ORG_SETTING.search(snippet)
        if setting and self.org_file is not None:
            return self.org_file, _key_line(self.org_file, setting.group(1)), None
        question = re.search(r"question (\S+?)\]*$", snippet)
        if question:
            for i, q in enumerate(self.model.questions):
                if q.id == question.group(1):
                    return self.path, self.consultation_line("questions", i), None
        return self.path, self.consultation_line("positions"), None


# A placeholder for an organisation fact names its setting: "[[TODO: mailing address
# (org.yaml: address)]]".
_ORG_SETTING = re.compile(r"\(org\.yaml: ([A-Za-z_][A-Za-z0-9_]*)\)")


def _key_line(path: Path, key: str) -> int:
    """The 1-based line of top-level ``key:`` in the YAML file ``path``; 1 when it is not
    there (or the file cannot be read): the file is where it is set."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    for n, line in enumerate(lines, start=1):
        if re.match(re.escape(key) + r"\s*:", line):
            return n
    return 1


def _words_pattern(snippet: str) -> str:
    return r"\s+".join(re.escape(part) for part in snippet.split())


def _find(text: str, snippet: str, context: str = ""):
    """1-based (line, col) of ``snippet`` in ``text``.

    The snippet is looked for with the words around it in ``context`` (the unit it was found
    in) first, so a word that also stands earlier in the file is placed where it was written;
    failing that, its first case-insensitive occurrence.
    """
    if not snippet:
        return None
    start = None
    at = context.lower().find(snippet.lower()) if context else -1
    if at >= 0:
        before = context[max(0, at - 300):at].split()[-6:]
        after = context[at + len(snippet):at + len(snippet) + 300].split()[:6]
        pattern = (r"\s+".join(re.escape(w) for w in before) + (r"\s+" if before else "")
                   + "(" + _words_pattern(snippet) + ")"
                   + (r"\s+" if after else "") + r"\s+".join(re.escape(w) for w in after))
        match = re.search(pattern, text, re.IGNORECASE)
        if match is not None:
            start = match.start(1)
    if start is None:
        match = re.search(_words_pattern(snippet), text, re.IGNORECASE)
        if match is None:
            return None
        start = match.start()
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, col
