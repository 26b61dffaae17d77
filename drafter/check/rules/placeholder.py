"""Leftover placeholders in a draft: ``[[...]]`` (what ``placeholder()`` writes), TODO, TBD,
FIXME, TK, XX, and Jinja that was never rendered (``{{``, ``{%``, ``}}``)."""

import bisect
import re

from drafter.check.rule import Rule

# "[[" then anything but a new line, "]" or another "[[" (an escaped "\]" is text): linear on
# long runs of brackets, where "[^\]\n]*" backtracks from every "[[".
_PATTERNS = (
    (re.compile(r"\[\[(?:[^\[\]\n]|\[(?!\[)|\\\])*\]\]"), "leftover placeholder"),
    (re.compile(r"(?<!\[\[)\b(?:TODO|TBD|FIXME|TK|XXX?)\b"), "leftover placeholder"),
    (re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}"), "unrendered Jinja"),
)


MAX_PER_UNIT = 20   # findings reported for one paragraph; the rest are counted


def check_draft(d, report):
    for unit in d.units:
        taken: list[tuple[int, int]] = []   # spans found by earlier patterns, sorted
        found = 0
        for pattern, what in _PATTERNS:
            spans = []
            for match in pattern.finditer(unit.text):
                at = bisect.bisect_right(taken, (match.start(), float("inf"))) - 1
                if at >= 0 and taken[at][0] <= match.start() < taken[at][1]:
                    continue
                spans.append((match.start(), match.end()))
                found += 1
                if found <= MAX_PER_UNIT:
                    path, line, col = d.locate(unit, match.group(0))
                    report(f"{what} '{match.group(0)}'", path, line, col)
            taken = sorted(taken + spans)
        if found > MAX_PER_UNIT:
            path, line, col = d.locate(unit, unit.text.split("\n", 1)[0][:40])
            report(f"{found - MAX_PER_UNIT} more placeholders in this paragraph", path, line, col)


RULE = Rule("placeholder", "warning", "placeholders and unrendered Jinja left in a draft",
            check_draft=check_draft)
