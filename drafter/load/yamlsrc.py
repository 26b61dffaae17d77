"""YAML with source positions.

PyYAML's composer keeps a mark on every node; we build plain Python values from the node tree
and keep a map from each value's path (a tuple of keys and indexes) to its 1-based line and
column, so a schema error deep inside a file can name the line of the offending key.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from drafter.errors import LoadError


@lru_cache(maxsize=1)
def _yaml():
    """PyYAML, its fastest safe loader and a constructor for scalars (imported when first used)."""
    import yaml

    # the C loader is several times faster; fall back where libyaml is absent
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml, loader, yaml.constructor.SafeConstructor()


@dataclass
class SourceMap:
    """Where each value of a YAML document stands in its file."""

    path: Path | None
    lines: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    line_offset: int = 0

    def locate(self, loc: tuple) -> tuple[int | None, int | None]:
        """Line and column of the longest known prefix of ``loc``."""
        loc = tuple(loc)
        while True:
            if loc in self.lines:
                line, col = self.lines[loc]
                return line + self.line_offset, col
            if not loc:
                return None, None
            loc = loc[:-1]


def _build(node, path: tuple, smap: SourceMap, file) -> Any:
    yaml, _, constructor = _yaml()
    smap.lines.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise LoadError("YAML merge keys ('<<') are not supported", file,
                                key_node.start_mark.line + 1 + smap.line_offset)
            key = constructor.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise LoadError("a mapping key must be a plain value", file,
                                key_node.start_mark.line + 1 + smap.line_offset)
            if key in result:
                raise LoadError(f"duplicate key {key!r}", file,
                                key_node.start_mark.line + 1 + smap.line_offset,
                                key_node.start_mark.column + 1)
            smap.lines[path + (key,)] = (key_node.start_mark.line + 1,
                                         key_node.start_mark.column + 1)
            result[key] = _build(value_node, path + (key,), smap, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, path + (i,), smap, file) for i, child in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def _colon_hint(text: str, line_index: int) -> str:
    """The usual cause of "mapping values are not allowed here": a plain value holding ": "
    (a title with a colon).  Names the trap and shows the line with its value quoted."""
    lines = text.splitlines()
    if not 0 <= line_index < len(lines):
        return ""
    source = lines[line_index]
    match = re.match(r"^(\s*(?:-\s+)?[^\s:#'\"][^:#]*?):\s+(.*\S)\s*$", source)
    if not match or match.group(2)[0] in "'\"[{|>":
        return ""
    key, value = match.groups()
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return (": a value that contains ': ' must be quoted, or YAML reads a second key; "
            f"write {key.strip()}: {quoted}")


def parse_yaml(text: str, path: Path | None = None, line_offset: int = 0) -> tuple[Any, SourceMap]:
    """Parse one YAML document; errors name the file and line."""
    yaml, loader, _ = _yaml()
    smap = SourceMap(path, line_offset=line_offset)
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        col = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        context = exc.context_mark
        if exc.problem and exc.context and context and mark and context.line != mark.line:
            problem += f" ({exc.context} that starts at line {context.line + 1 + line_offset})"
        if mark is not None and (exc.problem or "").startswith("mapping values are not allowed"):
            problem += _colon_hint(text, mark.line)
        raise LoadError(f"malformed YAML: {problem}", path, line, col) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"malformed YAML: {exc}", path) from None
    if node is None:
        return None, smap
    try:
        return _build(node, (), smap, path), smap
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise LoadError(f"malformed YAML: {exc.problem}", path,
                        mark.line + 1 + line_offset if mark else None) from None


def read_text(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise LoadError("no such file", path) from None
    except IsADirectoryError:
        raise LoadError("is a folder, not a file", path) from None
    except OSError as exc:
        raise LoadError(f"cannot read: {exc.strerror}", path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoadError("not UTF-8 text", path, line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_yaml_file(path: Path) -> tuple[Any, SourceMap]:
    return parse_yaml(read_text(path), Path(path))
