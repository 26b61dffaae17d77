"""A block's ``source.seed`` must name a document of seeds/index.yaml."""

from drafter.check.rule import Rule
from drafter.load.library import suggest


def check(ctx, report):
    if ctx.seed_ids is None:
        return
    for block in ctx.blocks:
        seed = block.meta.source.seed
        if seed not in ctx.seed_ids:
            line, col = block.smap.locate(("source", "seed"))
            report(f"unknown seed '{seed}' in source{suggest(seed, ctx.seed_ids)}", block.path,
                   line, col)


RULE = Rule("unknown-seed", "error", "block sources naming no seed document", check)
