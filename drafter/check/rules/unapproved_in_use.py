"""Text still ``draft`` (not approved by a reviewer) in a filing: the wording the filing uses,
the block's as-filed text or the variant chosen for it."""

from drafter.check.rule import Rule


def check_draft(d, report):
    choices = getattr(d.composition, "choices", {}) or {}
    for block in d.composition.used:
        choice = choices.get(block.id)
        variant = choice.variant if choice is not None else "as-filed"
        wording = choice.wording if choice is not None else block
        if wording.meta.status.value != "draft":
            continue
        line, col, listed = d.listing(block.id)
        if isinstance(listed, str):
            how = f" (the automatic answer to question {listed})"
        else:
            how = "" if listed else f" (through template {d.composition.template.name})"
        if variant == "as-filed":
            report(f"position '{block.id}' is not approved yet (status: draft){how}", d.path,
                   line, col)
        else:
            report(f"the '{variant}' wording of position '{block.id}' is not approved yet "
                   f"(status: draft; drafter positions approve {block.id} --variant "
                   f"{variant}){how}", d.path, line, col)


RULE = Rule("unapproved-in-use", "warning", "unapproved (draft) text in a filing",
            check_draft=check_draft)
