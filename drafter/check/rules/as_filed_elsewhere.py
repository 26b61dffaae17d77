"""As-filed wording (the words of the filing a block was taken from, bound to that proceeding)
used in another proceeding: the block needs a reusable variant for this jurisdiction."""

from drafter.check.rule import Rule
from drafter.compose.wording import AS_FILED_ELSEWHERE


def check_draft(d, report):
    for block_id, choice in (getattr(d.composition, "choices", {}) or {}).items():
        for problem in choice.problems:
            if problem.kind == AS_FILED_ELSEWHERE:
                line, col, _ = d.listing(block_id)
                report(problem.message, d.path, line, col)


RULE = Rule("as-filed-elsewhere", "warning",
            "as-filed wording used outside the proceeding it was filed in",
            check_draft=check_draft)
