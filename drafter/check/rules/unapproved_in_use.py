"""Blocks whose status is still ``draft`` (not approved by a reviewer) in a filing."""

from drafter.check.rule import Rule


def check_draft(d, report):
    for block in d.composition.used:
        if block.meta.status.value == "draft":
            line, col, listed = d.listing(block.id)
            how = "" if listed else f" (through template {d.composition.template.name})"
            report(f"position '{block.id}' is not approved yet (status: draft){how}", d.path,
                   line, col)


RULE = Rule("unapproved-in-use", "warning", "unapproved (draft) blocks in a filing",
            check_draft=check_draft)
