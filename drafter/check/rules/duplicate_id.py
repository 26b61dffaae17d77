"""Two position blocks with the same id: the second one is reported, naming the first."""

from drafter.check.rule import Rule
from drafter.errors import display_path


def check(ctx, report):
    first = {}
    for block in ctx.blocks:
        if block.id in first:
            line, col = block.smap.locate(("id",))
            report(f"duplicate position id '{block.id}' (also in "
                   f"{display_path(first[block.id].path)})", block.path, line, col)
        else:
            first[block.id] = block


RULE = Rule("duplicate-id", "error", "two position blocks share an id", check)
