"""Leftover placeholders in a draft: ``[[...]]`` (what ``placeholder()`` writes), TODO, TBD,
FIXME, TK, XX, and Jinja that was never rendered (``{{``, ``{%``, ``}}``)."""

import re

from drafter.check.rule import Rule

_PATTERNS = (
    (re.compile(r"\[\[[^\]\n]*\]\]"), "leftover placeholder"),
    (re.compile(r"(?<!\[\[)\b(?:TODO|TBD|FIXME|TK|XXX?)\b"), "leftover placeholder"),
    (re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}"), "unrendered Jinja"),
)


def check_draft(d, report):
    for unit in d.units:
        taken: list[range] = []
        for pattern, what in _PATTERNS:
            for match in pattern.finditer(unit.text):
                if any(match.start() in span for span in taken):
                    continue
                taken.append(range(match.start(), match.end()))
                path, line, col = d.locate(unit, match.group(0))
                report(f"{what} '{match.group(0)}'", path, line, col)


RULE = Rule("placeholder", "warning", "placeholders and unrendered Jinja left in a draft",
            check_draft=check_draft)
