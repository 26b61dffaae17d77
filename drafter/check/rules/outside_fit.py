"""Blocks drafted outside their fit: a jurisdiction they are not for, a variant whose audience
is another one, or a block whose role does not answer questions chosen as an answer."""

from drafter.check.rule import Rule
from drafter.compose.wording import OUTSIDE_FIT


def check_draft(d, report):
    choices = getattr(d.composition, "choices", {}) or {}
    for block_id, choice in choices.items():
        for problem in choice.problems:
            if problem.kind == OUTSIDE_FIT:
                line, col, _ = d.listing(block_id)
                report(problem.message, d.path, line, col)
    for block_id, questions in (getattr(d.composition, "role_mismatches", {}) or {}).items():
        block = d.blocks.get(block_id)
        role = block.meta.role.value if block is not None else "?"
        line, col, _ = d.listing(block_id)
        report(f"position '{block_id}' ({role}) answers question "
               f"{', '.join(dict.fromkeys(questions))}, but a {role} block does not answer "
               "questions", d.path, line, col)


RULE = Rule("outside-fit", "warning", "blocks used outside the jurisdictions and roles they fit",
            check_draft=check_draft)
