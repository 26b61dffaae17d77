"""One error family for every stage, carrying a source position.

Every user-facing failure is a :class:`DrafterError` (or subclass) with the file, line and
column where it is known.  The CLI turns it into one line ``path:line:col: error: message`` and
exit code 2.  Warnings are :class:`Diagnostic` values collected on a :class:`Diagnostics` list,
never raised.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` safe for one line of a terminal: control characters (ESC, BEL, NUL, C1,
    line breaks) shown as escapes such as ``\\x1b``, never obeyed."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"),
                        str(text).replace("\n", " "))


def display_path(path: str | os.PathLike | None) -> str | None:
    """A path as the user would type it: relative to the current directory when inside it."""
    if path is None:
        return None
    if isinstance(path, str) and "://" in path:
        return path                      # a URL (a fetched document): kept as it is
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def format_location(path, line: int | None = None, col: int | None = None) -> str:
    parts = [display_path(path) or "<input>"]
    if line is not None:
        parts.append(str(line))
        if col is not None:
            parts.append(str(col))
    return ":".join(parts)


class DrafterError(Exception):
    """A problem with the user's input, reported as one line with its position."""

    code = "error"

    def __init__(self, message: str, path=None, line: int | None = None,
                 col: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        if code:
            self.code = code

    def where(self) -> str | None:
        if self.path is None:
            return None
        return format_location(self.path, self.line, self.col)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class LoadError(DrafterError):
    """Malformed or invalid input files: YAML, front matter, schema, references."""


class TemplateError(DrafterError):
    """Jinja syntax errors, undefined names, sandbox violations."""


class RenderError(DrafterError):
    """Problems turning composed text into a document or an output format."""


class OutputError(DrafterError):
    """An output that cannot be written."""


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" | "warning"
    message: str
    path: str | None = None
    line: int | None = None
    col: int | None = None
    code: str = ""

    def format(self) -> str:
        where = format_location(self.path, self.line, self.col) if self.path else "drafter"
        tail = f" [{self.code}]" if self.code else ""
        return printable(f"{where}: {self.severity}: {self.message}{tail}")


@dataclass
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)

    def warn(self, message: str, path=None, line=None, col=None, code: str = "") -> None:
        self.items.append(Diagnostic("warning", message, str(path) if path else None,
                                     line, col, code))

    def error(self, message: str, path=None, line=None, col=None, code: str = "") -> None:
        self.items.append(Diagnostic("error", message, str(path) if path else None,
                                     line, col, code))

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)
