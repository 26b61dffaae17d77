"""Phrases that belong to another proceeding ("this draft", "Section III", "this Manifesto"):
words carried over from the filing a block was taken from.  The list is ``check.bound_phrases``
in drafter.yaml (a phrase, or ``{phrase: ..., allowed_in: [EU]}`` for words at home in some
jurisdictions, like "EU policymakers").  Text kept as filed in its own proceeding (a seed rebuild) is left alone."""

import re

from drafter.check.drafts import STYLE_KINDS
from drafter.check.rule import Rule


def _pattern(phrase: str):
    words = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.compile(r"(?<!\w)" + words + r"(?!\w)", re.IGNORECASE)


def check_draft(d, report):
    jurisdiction = d.model.jurisdiction
    phrases = []
    for entry in d.settings.bound_phrases:
        phrase = entry if isinstance(entry, str) else entry.phrase
        if phrase.strip() and (isinstance(entry, str) or jurisdiction not in entry.allowed_in):
            phrases.append((phrase, _pattern(phrase)))
    if not phrases:
        return
    for unit in d.units:
        if unit.kind not in STYLE_KINDS or d.as_filed_at_home(unit.block):
            continue
        for phrase, pattern in phrases:
            for match in pattern.finditer(unit.text):
                path, line, col = d.locate(unit, match.group(0))
                report(f"'{match.group(0)}' refers to another proceeding (check.bound_phrases)",
                       path, line, col)


RULE = Rule("bound-phrase", "warning", "phrases bound to another proceeding",
            check_draft=check_draft)
