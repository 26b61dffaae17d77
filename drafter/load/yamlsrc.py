"""YAML with source positions.

PyYAML's composer keeps a mark on every node; we build plain Python values from the node tree
and keep a map from each value's path (a tuple of keys and indexes) to its 1-based line and
column, so a schema error deep inside a file can name the line of the offending key.

Aliases (``*name``) are expanded into copies, within a budget: a document whose aliases would
build more than :data:`ALIAS_BUDGET` values (the "billion laughs") is refused, as is one nested
more than :data:`MAX_DEPTH` levels deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from drafter.errors import LoadError


ALIAS_BUDGET = 10_000  # values an alias may copy, summed over the document
MAX_DEPTH = 200       # nested mappings and sequences


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


class _Budget:
    """Counts the values built a second time through aliases, and the nesting depth."""

    def __init__(self):
        self.seen: set[int] = set()
        self.copies = 0

    def enter(self, node, depth: int, smap: SourceMap, file) -> None:
        if depth > MAX_DEPTH:
            raise LoadError(f"YAML nested more than {MAX_DEPTH} levels deep", file,
                            node.start_mark.line + 1 + smap.line_offset)
        key = id(node)
        if key in self.seen:
            self.copies += 1
            if self.copies > ALIAS_BUDGET:
                raise LoadError(f"YAML aliases expand to more than {ALIAS_BUDGET:,} values "
                                "(an alias bomb?)", file,
                                node.start_mark.line + 1 + smap.line_offset)
        else:
            self.seen.add(key)


def _build(node, path: tuple, smap: SourceMap, file, budget: _Budget | None = None) -> Any:
    yaml, _, constructor = _yaml()
    budget = budget or _Budget()
    budget.enter(node, len(path), smap, file)
    smap.lines.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise LoadError("YAML merge keys ('<<') are not supported", file,
                                key_node.start_mark.line + 1 + smap.line_offset)
            key = _scalar(constructor, key_node, smap, file)
            if isinstance(key, (list, dict)):
                raise LoadError("a mapping key must be a plain value", file,
                                key_node.start_mark.line + 1 + smap.line_offset)
            if key in result:
                raise LoadError(f"duplicate key {key!r}", file,
                                key_node.start_mark.line + 1 + smap.line_offset,
                                key_node.start_mark.column + 1)
            smap.lines[path + (key,)] = (key_node.start_mark.line + 1,
                                         key_node.start_mark.column + 1)
            result[key] = _build(value_node, path + (key,), smap, file, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, path + (i,), smap, file, budget)
                for i, child in enumerate(node.value)]
    return _scalar(constructor, node, smap, file)


def _scalar(constructor, node, smap: SourceMap, file) -> Any:
    """A scalar's value; one YAML resolves but Python cannot build (``2024-02-30``, a
    timestamp out of range) is an error at its line."""
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, TypeError) as exc:
        raise LoadError(f"invalid value {node.value!r}: {exc}", file,
                        node.start_mark.line + 1 + smap.line_offset,
                        node.start_mark.column + 1) from None


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


# Where a YAML node may start with an alias: at a line's start (after indentation), after a
# block indicator ("- ", "? ") or after ":", "[", "{" or ",". A "*" inside a scalar ("to
# **ensure**", "a*b") is not an alias.
# Each '*' is found first (a pattern that opens with a literal is searched for quickly), then
# the text before it on its line is checked: one pattern that opened with the alternatives
# tried them at every character, 60 µs for a 2 KB front matter against 3 µs.
_STAR = re.compile(r"\*[^\s\[\]{},]")


def may_have_aliases(text: str) -> bool:
    """Whether YAML ``text`` may use an alias (``*name``); a fast parser that expands aliases
    without a budget must leave such text to :func:`parse_yaml`."""
    if "*" not in text:
        return False
    for found in _STAR.finditer(text):
        at = found.start()
        before = text[text.rfind("\n", 0, at) + 1:at]
        bare = before.rstrip(" \t")
        if not bare or bare[-1] in ":[{," or (bare[-1] in "?-" and len(bare) < len(before)):
            return True
    return False


def load_plain(text: str, path: Path | None = None) -> Any:
    """One YAML document as plain values, with the alias budget; errors are LoadErrors."""
    return parse_yaml(text, path)[0]


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
