"""Split a Markdown file into YAML front matter and body, keeping line numbers."""

from __future__ import annotations

from pathlib import Path

from drafter.errors import LoadError
from drafter.load.yamlsrc import SourceMap, parse_yaml


def split(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter text, body, 1-based line where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise LoadError("a position block must start with '---' and YAML front matter", path, 1)
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            front = "\n".join(lines[1:i])
            body = "\n".join(lines[i + 1:])
            return front, body, i + 2
    raise LoadError("front matter is not closed by a '---' line", path, 1)


def parse(text: str, path: Path) -> tuple[dict, SourceMap, str, int]:
    front, body, body_line = split(text, path)
    data, smap = parse_yaml(front, path, line_offset=1)
    if data is None:
        data = {}
    return data, smap, body, body_line
