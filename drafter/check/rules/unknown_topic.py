"""Topics that are not in positions/topics.yaml: in block front matter, and in literal
``topic=`` arguments of templates and block bodies."""

from drafter.check.rule import Rule
from drafter.load.library import suggest


def check(ctx, report):
    if ctx.topics is None:
        return
    for block in ctx.blocks:
        for i, topic in enumerate(block.meta.topics):
            if topic not in ctx.topics:
                line, col = block.smap.locate(("topics", i))
                report(f"unknown topic '{topic}'{suggest(topic, ctx.topics)}", block.path,
                       line, col)
    for unit in ctx.analysis.units:
        for ref in ctx.analysis.refs(unit):
            if ref.kind == "topic" and ref.value not in ctx.topics:
                report(f"unknown topic '{ref.value}'{suggest(ref.value, ctx.topics)}",
                       unit.path, ref.line, ref.col)


RULE = Rule("unknown-topic", "error", "topics missing from the topic vocabulary", check)
