"""Blocks whose ``last_reviewed`` is older than ``check.stale_after_days`` (drafter.yaml), or
in the future (a typo)."""

from drafter.check.rule import Rule


def check(ctx, report):
    limit = ctx.settings.stale_after_days
    for block in ctx.blocks:
        reviewed = block.meta.last_reviewed
        age = (ctx.today - reviewed).days
        line, col = block.smap.locate(("last_reviewed",))
        if age > limit:
            report(f"stale: last reviewed {reviewed.isoformat()}, {age} days ago (review "
                   f"blocks every {limit} days)", block.path, line, col)
        elif age < 0:
            report(f"last_reviewed {reviewed.isoformat()} is in the future", block.path, line,
                   col)


RULE = Rule("stale", "warning", "blocks not reviewed for too long", check)
