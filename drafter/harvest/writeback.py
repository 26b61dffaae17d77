"""Writing a reviewer's wording back into a block's Markdown source.

The edited filing only has plain text; the block's source has Markdown and Jinja.  To keep
both, each edited paragraph is merged rather than replaced:

1. The paragraph's source is cut into units: plain characters, Markdown markup that shows no
   text (``**``, list markers, link targets...), escapes and entities, and Jinja expressions,
   each rendered with the filing's values (``{{ org.short_name }}`` -> ``i2Coalition``).
   Their text, put together, must read exactly like the paragraph as drafted; if it does not,
   the paragraph is replaced whole (and said so).
2. A word-level diff between the drafted and the edited text gives the reviewer's edits.
3. The edits are applied to the units: untouched words keep their markup and Jinja
   expressions; an expression whose rendered words were edited becomes the new text.  In the
   new text, a value of one of the paragraph's expressions is turned back into the expression
   (a retyped "i2Coalition" is ``{{ org.short_name }}`` again).

The front matter is kept byte for byte, except ``last_reviewed``, set to the day of the
harvest.  Blocks whose body uses Jinja statements (``{% ... %}``) are not rewritten.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from drafter.harvest.compare import word_opcodes
from drafter.harvest.docxread import normalize

_LINE_START = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*")
_FIRST_LINE = re.compile(r"(?:(?:\d{1,9}[.)]|[-*+])[ \t]+|#{1,6}[ \t]+)")
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+|mailto:[^>\s]+)>")
_LAST_REVIEWED = re.compile(r"^(last_reviewed:[ \t]*[\"']?)(\d{4}-\d{2}-\d{2})")


class Unmappable(Exception):
    """The source cannot be lined up with the drafted text."""


@dataclass
class Unit:
    src: str
    plain: str
    kind: str  # "lit" | "markup" | "var" | "esc"


def _emphasis_is_markup(s: str, start: int, end: int) -> bool:
    before = s[start - 1] if start > 0 else " "
    after = s[end] if end < len(s) else " "
    if before.isspace() and after.isspace():
        return False  # a lone "*" between spaces is text
    if s[start] == "_" and before.isalnum() and after.isalnum():
        return False  # snake_case
    return True


def units_of(source: str, render: Callable[[str], str]) -> list[Unit]:
    """Cut one paragraph's source (Markdown and Jinja) into units; see the module doc."""
    if "{%" in source:
        raise Unmappable("uses Jinja statements")
    units: list[Unit] = []
    pos, line_start, first_line = 0, True, True
    link_depth = 0
    while pos < len(source):
        if line_start:
            m = _LINE_START.match(source, pos)
            end = m.end()
            if first_line:
                m2 = _FIRST_LINE.match(source, end)
                while m2:
                    end = m2.end()
                    m2 = _FIRST_LINE.match(source, end)
            if end > pos:
                units.append(Unit(source[pos:end], "", "markup"))
                pos = end
            line_start = first_line = False
            continue
        c = source[pos]
        rest = source[pos:]
        if rest.startswith("{{"):
            close = source.find("}}", pos + 2)
            if close < 0:
                raise Unmappable("unclosed '{{'")
            src = source[pos:close + 2]
            try:
                value = render(src)
            except Exception as exc:  # noqa: BLE001 - any failure: fall back
                raise Unmappable(f"cannot render {src}: {exc}") from None
            units.append(Unit(src, re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", value), "var"))
            pos = close + 2
        elif rest.startswith("{#"):
            close = source.find("#}", pos + 2)
            if close < 0:
                raise Unmappable("unclosed '{#'")
            units.append(Unit(source[pos:close + 2], "", "markup"))
            pos = close + 2
        elif c == "\n" or (c in " \t" and re.match(r"[ \t]*\n", rest)):
            m = re.match(r"([ \t]*)\n", rest)
            hard = len(m.group(1).replace("\t", "  ")) >= 2
            units.append(Unit(m.group(0), "\n" if hard else " ", "esc"))
            pos += m.end()
            line_start = True
        elif c == "\\" and rest.startswith("\\\n"):
            units.append(Unit("\\\n", "\n", "esc"))
            pos += 2
            line_start = True
        elif _ESCAPE.match(rest):
            units.append(Unit(rest[:2], rest[1], "esc"))
            pos += 2
        elif c == "&" and _ENTITY.match(rest):
            src = _ENTITY.match(rest).group(0)
            plain = html.unescape(src)
            units.append(Unit(src, plain, "esc") if plain != src else Unit("&", "&", "lit"))
            pos += len(src) if plain != src else 1
        elif c == "[" and _FOOTNOTE_REF.match(rest):
            src = _FOOTNOTE_REF.match(rest).group(0)
            units.append(Unit(src, "", "markup"))
            pos += len(src)
        elif c == "!" and rest.startswith("!["):
            units.append(Unit("!", "", "markup"))
            pos += 1
        elif c == "[" and "](" in rest:
            units.append(Unit("[", "", "markup"))
            link_depth += 1
            pos += 1
        elif c == "]" and link_depth and _LINK_TARGET.match(rest):
            src = _LINK_TARGET.match(rest).group(0)
            units.append(Unit(src, "", "markup"))
            link_depth -= 1
            pos += len(src)
        elif c == "<" and _AUTOLINK.match(rest):
            m = _AUTOLINK.match(rest)
            units.append(Unit("<", "", "markup"))
            units.extend(Unit(ch, ch, "lit") for ch in m.group(1))
            units.append(Unit(">", "", "markup"))
            pos += m.end()
        elif c in "*_~`":
            run = re.match(r"\*+|_+|~~|`+", rest)
            if run and (c == "`" or c == "~" or _emphasis_is_markup(source, pos,
                                                                      pos + run.end())):
                units.append(Unit(run.group(0), "", "markup"))
                pos += run.end()
            else:
                units.append(Unit(c, c, "lit"))
                pos += 1
        else:
            units.append(Unit(c, c, "lit"))
            pos += 1
    return units


# Marks that make structure at the start of a line: headings, list items, quotes, setext
# underlines, fenced divs and code, block attributes, table rows.
_BLOCK_MARK = re.compile(r"^([ \t]*)(?:(\d{1,9})([.)])(?=[ \t]|$)|([-+=>:#|~]|\{(?![{%#])))",
                         re.MULTILINE)


def escape_text(text: str, line_start: bool = True) -> str:
    """Typed text as Markdown and Jinja source that renders to exactly that text.

    Emphasis, code, links, raw HTML, entities (a typed ``&amp;`` stays ``&amp;``), strikeout
    and Jinja delimiters are escaped everywhere; with ``line_start`` (the text may begin a
    line), so are the marks that would make it a heading, list item, quote or fenced div.
    """
    text = re.sub(r"([\\`*\[\]<&~|])", r"\\\1", text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    if line_start:
        text = _BLOCK_MARK.sub(lambda m: m.group(1) + (
            m.group(2) + "\\" + m.group(3) if m.group(2) else "\\" + m.group(4)), text)
    return text.replace("{{", "{{ '{{' }}").replace("{%", "{{ '{%' }}").replace("{#", "{{ '{#' }}")


def restore_variables(text: str, variables: list[Unit], line_start: bool = True) -> str:
    """Escape ``text`` and write the values of ``variables`` found in it as the expressions;
    ``line_start``: the text may begin a line (see :func:`escape_text`)."""
    spans = []
    for var in sorted(variables, key=lambda u: -len(u.plain)):
        value = var.plain.strip()
        if len(value) < 3:
            continue
        for m in re.finditer(r"(?<!\w)" + re.escape(value) + r"(?!\w)", text):
            if not any(m.start() < e and m.end() > s for s, e, _ in spans):
                spans.append((m.start(), m.end(), var.src))
    out, pos = [], 0
    for start, end, src in sorted(spans):
        out.append(escape_text(text[pos:start], line_start and pos == 0))
        out.append(src)
        pos = end
    out.append(escape_text(text[pos:], line_start and pos == 0))
    return "".join(out)


def merge(source: str, old: str, new: str, render: Callable[[str], str]) -> str:
    """The paragraph's source with the edits that turn ``old`` into ``new`` (plain texts)."""
    units = units_of(source, render)
    # positions of each unit in the plain text
    spans, q = [], 0
    for u in units:
        spans.append((q, q + len(u.plain)))
        q += len(u.plain)
    plain = "".join(u.plain for u in units)
    # the plain text with whitespace runs collapsed, and where each character came from
    collapsed, origin = [], []
    i = 0
    while i < len(plain):
        if plain[i].isspace():
            j = i
            while j < len(plain) and plain[j].isspace():
                j += 1
            if collapsed and j < len(plain):
                collapsed.append(" ")
                origin.append((i, j))
            i = j
        else:
            collapsed.append(plain[i])
            origin.append((i, i + 1))
            i += 1
    if "".join(collapsed) != normalize(old):
        raise Unmappable("the source does not read like the drafted paragraph")
    edits = []
    for start, end, text in word_opcodes("".join(collapsed), normalize(new)):
        q1 = origin[start][0] if start < len(origin) else len(plain)
        q2 = origin[end - 1][1] if end > start else q1
        edits.append((q1, q2, text))
    # expressions and escapes touched by an edit become plain characters
    touched = set()
    for k, (s, e) in enumerate(spans):
        if units[k].kind in ("var", "esc") and e - s > 0 and any(
                (q1 < e and q2 > s) or (q1 == q2 and s < q1 < e) for q1, q2, _ in edits):
            touched.add(k)
    expanded, expanded_spans = [], []
    for k, u in enumerate(units):
        if k in touched:
            s = spans[k][0]
            for n, ch in enumerate(u.plain):
                expanded.append(Unit(escape_text(ch), ch, "lit"))
                expanded_spans.append((s + n, s + n + 1))
        else:
            expanded.append(u)
            expanded_spans.append(spans[k])
    variables = [u for u in units if u.kind == "var"]
    edit_at = {q1: (q2, text) for q1, q2, text in edits}
    out: list[str] = []
    skip_until = -1
    for u, (s, e) in zip(expanded, expanded_spans):
        if e > s and s in edit_at:
            q2, text = edit_at.pop(s)
            out.append(restore_variables(text, variables))
            skip_until = q2
        if e > s and s < skip_until:
            continue
        out.append(u.src)
    for q1 in sorted(edit_at):
        out.append(restore_variables(edit_at[q1][1], variables))
    return "".join(out)


@dataclass
class Rewrite:
    """A block file's new text.  ``expected`` is the file's bytes when it was read: the file
    is replaced only while it still holds them (:func:`drafter.output.replace_file`)."""

    path: Path
    old: str
    new: str
    notes: list[str]
    expected: bytes | None = None

    def unified_diff(self, root: Path) -> str:
        try:
            rel = self.path.resolve().relative_to(Path(root).resolve())
        except ValueError:
            rel = self.path
        lines = difflib.unified_diff(self.old.splitlines(keepends=True),
                                     self.new.splitlines(keepends=True),
                                     f"a/{rel}", f"b/{rel}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)


def leaves(body: str) -> list[tuple[int, int, tuple[int, int] | None]]:
    """The paragraphs, headings, code blocks and table cells a block body becomes, in order,
    as (first line, end line (excluded), cell): line numbers 0-based; ``cell`` is None for a
    whole-line leaf, else the cell's (start, end) columns in its row's line ((-1, -1) for a
    cell the row does not write, which Markdown adds empty).  Footnote definitions are not
    body paragraphs."""
    from drafter.model.parse import markdown_parser

    lines = body.split("\n")
    out: list = []
    in_footnotes = 0
    row: list[tuple[int, int]] = []
    row_line = -1
    for tok in markdown_parser().parse(body):
        if tok.type == "footnote_block_open":
            in_footnotes += 1
        elif tok.type == "footnote_block_close":
            in_footnotes -= 1
        elif in_footnotes:
            continue
        elif tok.type == "tr_open" and tok.map:
            row_line = tok.map[0]
            row = list(row_cells(lines[row_line]))
        elif tok.type in ("th_open", "td_open"):
            cell = row.pop(0) if row else (-1, -1)
            out.append((row_line, row_line + 1, cell))
        elif tok.map and tok.type in ("paragraph_open", "heading_open", "fence", "code_block"):
            out.append((tok.map[0], tok.map[1], None))
    return out


def row_cells(line: str):
    """The (start, end) columns of each cell's text in a Markdown table row, split like
    markdown-it does: at every ``|`` not escaped with a backslash."""
    origin = _LINE_START.match(line).end()
    pipes = [m.start() for m in re.finditer(r"(?<!\\)\|", line) if m.start() >= origin]
    bounds = [origin - 1] + pipes + [len(line)]
    segments = [(x + 1, y) for x, y in zip(bounds, bounds[1:])]
    if pipes and not line[origin:pipes[0]].strip():
        segments = segments[1:]
    if pipes and not line[pipes[-1] + 1:].strip():
        segments = segments[:-1]
    for x, y in segments:
        text = line[x:y]
        yield x + len(text) - len(text.lstrip()), y - len(text) + len(text.rstrip())


def rewrite_block(path: Path, body_line: int, pairs, render: Callable[[str], str],
                  today) -> Rewrite:
    """The block file with the body paragraphs changed as ``pairs`` say.

    ``pairs`` are (drafted text or None, edited text or None) for the block's body
    paragraphs in order (None drafted: a paragraph the reviewer added; None edited: one
    the reviewer deleted).
    """
    raw_bytes = path.read_bytes()
    raw = raw_bytes.decode("utf-8")
    newline = "\r\n" if "\r\n" in raw else "\n"
    lines = raw.split(newline)
    head, body_lines = lines[:body_line - 1], lines[body_line - 1:]
    notes: list[str] = []
    head = [_LAST_REVIEWED.sub(lambda m: m.group(1) + today.isoformat(), line)
            if _LAST_REVIEWED.match(line) else line for line in head]
    body = "\n".join(body_lines)
    spans = leaves(body)
    drafted = [old for old, _ in pairs if old is not None]
    if len(spans) != len(drafted):
        notes.append("its paragraphs could not be matched with the source one by one: the "
                     "whole body is replaced and its formatting is not kept")
        variables = _all_variables(body, render)
        texts = [new for _, new in pairs if new is not None]
        new_body = "\n\n".join(restore_variables(normalize(t), variables) for t in texts)
        trailing = body_lines[-1:] == [""]
        new_lines = head + new_body.split("\n") + ([""] if trailing else [])
        return Rewrite(path, raw, newline.join(new_lines), notes, raw_bytes)

    replaced: dict[int, list[str] | None] = {}  # leaf index -> new lines (None: deleted)
    inserted: dict[int, list[str]] = {}  # after leaf index (-1: before the first)
    cells: dict[int, list[tuple[int, int, str]]] = {}  # row line -> (start, end, new source)
    k = 0
    for old, new in pairs:
        if old is None:
            if k > 0 and spans[k - 1][2] is not None:
                notes.append("a paragraph added inside a table cell: not applied, edit the "
                             "table by hand")
            else:
                inserted.setdefault(k - 1, []).append(new)
            continue
        start, end, cell = spans[k]
        if cell is not None:
            if new is None:
                notes.append(f"cell {k + 1} of a table is not in the filing (the table was "
                             "deleted, or the filing is older than cell bookmarks): kept")
            elif normalize(new) != normalize(old):
                if cell == (-1, -1):
                    notes.append(f"cell {k + 1}: the table row does not write this cell: not "
                                 "applied, edit the table by hand")
                else:
                    source = body_lines[start][cell[0]:cell[1]]
                    try:
                        text = merge(source, old, new, render)
                    except Unmappable:
                        text = restore_variables(normalize(new),
                                                 _all_variables(source, render))
                    cells.setdefault(start, []).append((cell[0], cell[1], text))
            k += 1
            continue
        if new is None:
            replaced[k] = None
        elif normalize(new) != normalize(old):
            source = "\n".join(body_lines[start:end])
            try:
                replaced[k] = merge(source, old, new, render).split("\n")
            except Unmappable as why:
                prefix = _LINE_START.match(source).group(0)
                m = _FIRST_LINE.match(source, len(prefix))
                prefix = source[:m.end()] if m else prefix
                variables = _all_variables(source, render)
                replaced[k] = (prefix + restore_variables(normalize(new), variables)).split("\n")
                notes.append(f"paragraph {k + 1} replaced whole ({why}): its formatting is "
                             "not kept")
        k += 1

    for line, edits in cells.items():  # right to left: earlier columns stay valid
        text = body_lines[line]
        for start, end, new_text in sorted(edits, reverse=True):
            text = text[:start] + new_text.replace("\n", " ") + text[end:]
        body_lines[line] = text
    out: list[str] = []
    pos = 0
    for i, (start, end, cell) in enumerate(spans):
        if i == 0 and -1 in inserted:
            for text in inserted[-1]:
                out.extend(restore_variables(normalize(text), []).split("\n") + [""])
        if cell is not None:  # table rows are copied with the lines between leaves
            continue
        out.extend(body_lines[pos:start])
        if i in replaced and replaced[i] is None:
            if end < len(body_lines) - 1 and body_lines[end].strip() == "" and \
                    (not out or out[-1].strip() == ""):
                end += 1  # the blank line after a removed paragraph goes too
            elif end >= len(body_lines) - 1 and out and out[-1].strip() == "":
                out.pop()  # the last paragraph removed: so is the blank line before it
        elif i in replaced:
            out.extend(replaced[i])
        else:
            out.extend(body_lines[start:end])
        for text in inserted.get(i, []):
            out.extend([""] + restore_variables(normalize(text), []).split("\n"))
        pos = end
    out.extend(body_lines[pos:])
    return Rewrite(path, raw, newline.join(head + out), notes, raw_bytes)


def _all_variables(source: str, render) -> list[Unit]:
    out = []
    for m in re.finditer(r"\{\{.*?\}\}", source):
        try:
            out.append(Unit(m.group(0), render(m.group(0)), "var"))
        except Exception:  # noqa: BLE001 - a value that cannot be rendered is not restored
            continue
    return out
