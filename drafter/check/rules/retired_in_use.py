"""Retired blocks still in use: named by a template or block body, or part of a draft (listed
by the consultation or pulled in by its template)."""

from drafter.check.rule import Rule


def check(ctx, report):
    for unit in ctx.analysis.units:
        for ref in ctx.analysis.refs(unit):
            block = ctx.library.blocks.get(ref.value) if ref.kind == "id" else None
            if block is not None and block.meta.status.value == "retired":
                report(f"retired position '{ref.value}' is used", unit.path, ref.line, ref.col)


def check_draft(d, report):
    for block in d.composition.used:
        if block.meta.status.value == "retired":
            line, col, listed = d.listing(block.id)
            how = "" if listed else f" (through template {d.composition.template.name})"
            report(f"retired position '{block.id}' is used{how}", d.path, line, col)


RULE = Rule("retired-in-use", "error", "retired blocks still used by templates or drafts", check,
            check_draft)
