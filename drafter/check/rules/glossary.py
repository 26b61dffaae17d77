"""Preferred terminology from the workspace glossary (``glossary.yaml``): a draft that uses a
term the glossary avoids (outside quotation marks, and outside the blocks listed in
``except_in``) gets a warning naming the preferred term.  The glossary's own ``except_in`` ids
must exist, and a configured glossary must be there."""

import os
import re

from drafter.check.drafts import STYLE_KINDS, mask_quotes
from drafter.check.rule import Rule
from drafter.errors import display_path
from drafter.load.library import suggest


MAX_PER_UNIT = 20   # findings reported per term and paragraph


def term_pattern(term: str, case_sensitive: bool = False) -> re.Pattern:
    """A term as whole words, any spacing or hyphen between its words."""
    words = r"[\s\-]+".join(re.escape(part) for part in term.split())
    return re.compile(r"(?<![\w-])" + words + r"(?![\w-])", 0 if case_sensitive else re.I)


def check(ctx, report):
    path = ctx.glossary_path
    if path is not None and not os.path.isfile(path):
        report(f"glossary file not found ({display_path(path)}; set check.glossary to null in "
               "drafter.yaml to go without one)", ctx.ws.settings_file
               if ctx.ws.settings_file.is_file() else path)
    glossary = ctx.glossary
    if glossary is None:
        return
    for i, entry in enumerate(glossary.prefer):
        for j, pid in enumerate(entry.except_in):
            if pid not in ctx.library and pid not in ctx.broken_ids:
                line, col = ctx.glossary_smap.locate(("prefer", i, "except_in", j))
                report(f"unknown position id '{pid}'{suggest(pid, ctx.library.blocks)}", path,
                       line, col, severity="error")


def check_draft(d, report):
    glossary = d.glossary
    if glossary is None:
        return
    for entry in glossary.prefer:
        patterns = [(avoid, term_pattern(avoid, entry.case_sensitive))
                    for avoid in entry.instead_of]
        why = f" ({entry.why})" if entry.why else ""
        for unit in d.units:
            if unit.kind not in STYLE_KINDS or unit.block in entry.except_in:
                continue
            masked = mask_quotes(unit.text)
            for avoid, pattern in patterns:
                for n, match in enumerate(pattern.finditer(masked)):
                    if n == MAX_PER_UNIT:   # one paragraph repeating a term: enough said
                        break
                    found = unit.text[match.start():match.end()]
                    path, line, col = d.locate(unit, found)
                    report(f"prefer '{entry.use}' to '{found}'{why}", path, line, col)


RULE = Rule("glossary", "warning", "terms the glossary asks to avoid", check, check_draft)
