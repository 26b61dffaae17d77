"""The text rendition against the limits of where it goes (``target:`` in the consultation).
The regulations.gov comment box takes at most 5,000 characters and 5,000 bytes (non-ASCII text
reaches the byte limit first) and rejects emoji."""

import re

from drafter.check.rule import Rule

TARGETS = {
    "regulations.gov": {"label": "the regulations.gov comment box", "chars": 5000,
                        "bytes": 5000, "emoji": False},
}
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u231A\u231B"
                   "\u23E9-\u23FA]")


def check_draft(d, report):
    target = TARGETS.get(getattr(d.model, "target", None) or "")
    if target is None:
        return
    text = d.rendition.rstrip()
    line = d.consultation_line("target")
    col = d.consultation.smap.locate(("target",))[1]
    chars, size = len(text), len(text.encode("utf-8"))
    if chars > target["chars"]:
        report(f"the text is {chars:,} characters; {target['label']} takes at most "
               f"{target['chars']:,} (attach the filing instead)", d.path, line, col)
    if size > target["bytes"]:
        report(f"the text is {size:,} bytes in UTF-8; {target['label']} takes at most "
               f"{target['bytes']:,}", d.path, line, col)
    if not target["emoji"]:
        for unit in d.units:
            for match in EMOJI.finditer(unit.text):
                path, eline, ecol = d.locate(unit, match.group(0))
                report(f"emoji U+{ord(match.group(0)):04X} is rejected by {target['label']}",
                       path, eline, ecol)


RULE = Rule("length-limit", "error", "text over the target's size limits, or with emoji",
            check_draft=check_draft)
