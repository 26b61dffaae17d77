"""Text not approved by a reviewer in a filing: the wording the filing uses (the block's
as-filed text or the variant chosen for it) is still ``draft``, or was edited after its
approval."""

from drafter.check.rule import Rule
from drafter.load.library import changed_since_approval


def check_draft(d, report):
    choices = getattr(d.composition, "choices", {}) or {}
    for block in d.composition.used:
        choice = choices.get(block.id)
        variant = choice.variant if choice is not None else "as-filed"
        wording = choice.wording if choice is not None else block
        edited = changed_since_approval(wording)
        if wording.meta.status.value != "draft" and not edited:
            continue
        line, col, listed = d.listing(block.id)
        if isinstance(listed, str):
            how = f" (the automatic answer to question {listed})"
        else:
            how = "" if listed else f" (through template {d.composition.template.name})"
        if edited:
            which = "" if variant == "as-filed" else f" --variant {variant}"
            report(f"the {'' if variant == 'as-filed' else repr(variant) + ' '}wording of "
                   f"position '{block.id}' changed since it was approved (drafter positions "
                   f"approve {block.id}{which}){how}", d.path, line, col)
        elif variant == "as-filed":
            report(f"position '{block.id}' is not approved yet (status: draft){how}", d.path,
                   line, col)
        else:
            report(f"the '{variant}' wording of position '{block.id}' is not approved yet "
                   f"(status: draft; drafter positions approve {block.id} --variant "
                   f"{variant}){how}", d.path, line, col)


RULE = Rule("unapproved-in-use", "warning", "unapproved (draft) text in a filing",
            check_draft=check_draft)
