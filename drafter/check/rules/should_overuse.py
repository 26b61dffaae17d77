"""Overuse of bare "should", the NTIA comments' own critique turned into a lint: broad actors
cannot act on vague imperatives.  Counted outside quotation marks (a quoted "should" is a
mention, not a use); a warning when a draft uses it at least ``check.should_min_uses`` times
and more than ``check.should_per_1000_words`` times per 1,000 words."""

import re

from drafter.check.drafts import STYLE_KINDS, mask_quotes
from drafter.check.rule import Rule

SHOULD = re.compile(r"\bshould\b", re.I)


def check_draft(d, report):
    uses = []
    for unit in d.units:
        if unit.kind in STYLE_KINDS:
            uses.extend((unit, m) for m in SHOULD.finditer(mask_quotes(unit.text)))
    words = d.word_count
    if not uses or not words:
        return
    rate = len(uses) * 1000 / words
    limit = d.settings.should_per_1000_words
    if len(uses) >= d.settings.should_min_uses and rate > limit:
        unit, match = uses[0]
        path, line, col = d.locate(unit, unit.text[match.start():match.end() + 20].strip())
        report(f"'should' is used {len(uses)} times in {words:,} words: {rate:.1f} per 1,000 "
               f"words, above the limit of {limit:g} per 1,000 words; say who must do what, "
               "or use a firmer verb", path, line, col)


RULE = Rule("should-overuse", "warning", "too many bare 'should' imperatives in a draft",
            check_draft=check_draft)
