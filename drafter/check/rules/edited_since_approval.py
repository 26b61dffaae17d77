"""Approved wordings edited after their approval: the front matter's ``approved_hash`` (written
by ``drafter positions approve``) is not the hash of the body any more. The text in the file is
not the text a reviewer approved, so it is treated as not approved until approved again."""

from drafter.check.rule import Rule
from drafter.load.library import changed_since_approval


def check(ctx, report):
    for block in ctx.blocks:
        for name, wording in (("as-filed", block), *block.variants.items()):
            if not changed_since_approval(wording):
                continue
            meta = wording.meta
            by = f" by {meta.approved_by}" if meta.approved_by else ""
            on = f" on {meta.approved_on.isoformat()}" if meta.approved_on else ""
            which = "" if name == "as-filed" else f" --variant {name}"
            line, col = wording.smap.locate(("approved_hash",))
            report(f"the wording of position '{block.id}'"
                   f"{'' if name == 'as-filed' else f' ({name})'} changed since it was "
                   f"approved{by}{on}: it counts as not approved until a reviewer approves "
                   f"it again (drafter positions approve {block.id}{which})",
                   wording.path, line, col)


RULE = Rule("edited-since-approval", "warning",
            "approved wording edited after its approval", check)
