"""Program values rendered into the text: "None", "True"/"False" standing alone, or a Python
list or dict ("['a', 'b']") where a template printed a value instead of its words."""

import re

from drafter.check.drafts import STYLE_KINDS
from drafter.check.rule import Rule

_PATTERNS = (
    re.compile(r"(?<![\w'’-])None(?![\w'’-])"),
    re.compile(r"\[\s*'[^'\]]*'(?:\s*,\s*'[^'\]]*')*\s*\]"),
    re.compile(r"\{\s*'[^'}]*'\s*:"),
    re.compile(r"\[\s*\]|\{\s*\}"),
)


def check_draft(d, report):
    for unit in d.units:
        if unit.kind not in STYLE_KINDS:
            continue
        for pattern in _PATTERNS:
            for match in pattern.finditer(unit.text):
                path, line, col = d.locate(unit, match.group(0))
                report(f"program value '{match.group(0)}' in the text (a template printed a "
                       "value, not words)", path, line, col)


RULE = Rule("python-literal", "warning", "'None' or a Python list rendered into the text",
            check_draft=check_draft)
