"""Broad undefined terms ("government", "industry", "stakeholders": the glossary's
``broad_terms``), the other half of the NTIA comments' critique.  A use is bare when it is not
in quotation marks and not right after one of the term's ``unless_after`` words ("federal
government").  A warning when a draft has at least ``check.broad_term_min_uses`` bare uses of
a term and never defines it (``“industry” means ...``, ``(“industry”)``)."""

import re

from drafter.check.drafts import STYLE_KINDS, mask_quotes
from drafter.check.rule import Rule
from drafter.check.rules.glossary import term_pattern


def _defined(term: str, text: str) -> bool:
    t = re.escape(term)
    patterns = (rf"[“\"]{t}[”\"],?\s+(?:means|refers to|is defined as|shall mean)",
                rf"\(\s*(?:the\s+)?[“\"]{t}[”\"]\s*\)",
                rf"\b{t},?\s+(?:meaning|which means|defined as)\b")
    return any(re.search(p, text, re.I) for p in patterns)


def _qualified(before: str, qualifiers) -> bool:
    before = before.rstrip().lower()
    return any(before.endswith(q.lower()) and (len(before) == len(q)
                                               or not before[-len(q) - 1].isalnum())
               for q in qualifiers)


def check_draft(d, report):
    glossary = d.glossary
    if glossary is None or not glossary.broad_terms:
        return
    whole = "\n".join(u.text for u in d.units)
    for entry in glossary.broad_terms:
        pattern = term_pattern(entry.term)
        bare = []
        for unit in d.units:
            if unit.kind not in STYLE_KINDS:
                continue
            masked = mask_quotes(unit.text)
            for match in pattern.finditer(masked):
                if not _qualified(unit.text[:match.start()], entry.unless_after):
                    bare.append((unit, match))
        if len(bare) < d.settings.broad_term_min_uses or _defined(entry.term, whole):
            continue
        unit, match = bare[0]
        found = unit.text[match.start():match.end()]
        path, line, col = d.locate(unit, found)
        hint = f"; {entry.hint}" if entry.hint else ""
        report(f"'{entry.term}' is used {len(bare)} times and never defined: say who or what "
               f"it means{hint}", path, line, col)


RULE = Rule("broad-term", "warning", "broad terms used often and never defined",
            check_draft=check_draft)
