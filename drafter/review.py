"""Reviewers' actions on the position library: approving a wording.

``approve(library, position_id, variant=None, by=..., on=...)`` marks the as-filed block
(``variant`` None or ``"as-filed"``) or one of its variants ``status: approved`` and records
``approved_by``, ``approved_on`` and ``approved_hash`` (the short hash of the wording
approved: ``drafter check`` reports a wording edited since) in that file's front matter.  Everything else in the file
is kept byte for byte (comments, key order, quoting, line endings, the body), and the file is
replaced atomically.  A web UI calls the same function as ``drafter positions approve``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from drafter.errors import LoadError
from drafter.load.models import AS_FILED

_KEY = r"^({key}:)([ \t]*)([^\n#]*?)([ \t]*(?:#[^\n]*)?)$"


def _yaml_text(value: str) -> str:
    """A plain YAML scalar when safe, else a double-quoted one."""
    if re.fullmatch(r"[A-Za-z][\w .,'@()-]*", value) and value.strip() == value \
            and value.lower() not in ("yes", "no", "true", "false", "null", "on", "off") \
            and ": " not in value:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _set_key(front: str, key: str, value: str, after: str, newline: str) -> str:
    """``front`` with top-level ``key`` set to ``value`` (its comment and line ending kept), or
    a new line ``key: value`` inserted after the lines of top-level key ``after``."""
    lines = front.splitlines(keepends=True)
    pattern = re.compile(_KEY.format(key=re.escape(key)))
    for i, line in enumerate(lines):
        content = line.rstrip("\r\n")
        match = pattern.match(content)
        if match is not None:
            space = match.group(2) or " "
            lines[i] = (content[:match.start(2)] + space + value + match.group(4)
                        + line[len(content):])
            return "".join(lines)
    at = len(lines)
    for i, line in enumerate(lines):
        if re.match(re.escape(after) + r":", line):
            at = i + 1
            while at < len(lines) and lines[at][:1] in (" ", "\t", "-"):
                at += 1
            break
    if at == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    lines.insert(at, f"{key}: {value}{newline}")
    return "".join(lines)


def approve(library, position_id: str, variant: str | None = None, by: str = "",
            on: dt.date | None = None) -> Path:
    """Approve one wording of a position; returns the file written.

    ``variant``: None or ``"as-filed"`` for the block's own file, else ``us``/``eu``/
    ``general``.  ``by``: the reviewer's name (required).  ``on``: the date (default today).
    Raises :class:`LoadError` for an unknown id or variant, a retired block, or an empty name.
    """
    from drafter.output import atomic_write

    if not by or not by.strip():
        raise LoadError("say who approves: --by NAME", code="usage")
    block = library.get(position_id)
    if variant not in (None, AS_FILED) and variant not in block.variants:
        have = ", ".join([AS_FILED, *block.variants])
        raise LoadError(f"position '{position_id}' has no variant '{variant}' (it has: {have})",
                        block.path, code="unknown-variant")
    wording = block.wording(variant)
    if wording.meta.status.value == "retired":
        raise LoadError(f"position '{position_id}' is retired: not approved", wording.path,
                        wording.line_of("status"), code="retired")
    on = on or dt.date.today()
    raw = wording.path.read_bytes()
    text = raw.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom):]
    newline = "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"
    first_end = text.find("\n") + 1
    close = re.compile(r"^[^\S\n]*(?:---|\.\.\.)[^\S\n]*\r?$", re.M).search(text, first_end)
    if close is None:
        raise LoadError("front matter is not closed by a '---' line", wording.path, 1)
    front = text[first_end:close.start()]
    front = _set_key(front, "status", "approved", "id", newline)
    front = _set_key(front, "approved_by", _yaml_text(by.strip()), "status", newline)
    front = _set_key(front, "approved_on", on.isoformat(), "approved_by", newline)
    front = _set_key(front, "approved_hash", wording.hash, "approved_on", newline)
    new = bom + text[:first_end] + front + text[close.start():]
    # Validate what would be written before writing it.
    _validate(variant in (None, AS_FILED), wording.path, new)
    atomic_write(wording.path, new.encode("utf-8"))
    return wording.path


def _validate(as_filed: bool, path: Path, text: str) -> None:
    """Parse ``text`` as the file at ``path`` would be parsed; raises LoadError if invalid."""
    from drafter.load import frontmatter
    from drafter.load.models import PositionMeta, VariantMeta, validate

    data, smap, _, _ = frontmatter.parse(text.lstrip("\ufeff").replace("\r\n", "\n"), path)
    validate(PositionMeta if as_filed else VariantMeta, data, path, smap,
             "position block" if as_filed else "position variant")
