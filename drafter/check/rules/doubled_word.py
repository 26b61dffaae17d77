"""A word written twice in a row ("be be").  Text kept as filed in its own proceeding (a seed
rebuild) is left alone: it reproduces the filing, typos included."""

import re

from drafter.check.drafts import STYLE_KINDS
from drafter.check.rule import Rule

DOUBLED = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)
# Repetitions that are English ("that that", "had had") are still worth a look: none exempt.


def check_draft(d, report):
    for unit in d.units:
        if unit.kind not in STYLE_KINDS or d.as_filed_at_home(unit.block):
            continue
        for match in DOUBLED.finditer(unit.text):
            if match.group(1).isdigit():
                continue
            path, line, col = d.locate(unit, match.group(0))
            report(f"doubled word '{match.group(0)}'", path, line, col)


RULE = Rule("doubled-word", "warning", "a word written twice in a row", check_draft=check_draft)
