"""Two blocks in one filing with opposite stances on the same topic.  A block's ``stance`` is
the coalition's stance toward its FIRST topic, so the conflict is two blocks whose first topic
is the same, one supporting and one opposing it."""

from drafter.check.rule import Rule


def check_draft(d, report):
    by_topic: dict[str, list] = {}
    for block in d.composition.used:
        by_topic.setdefault(block.meta.topics[0], []).append(block)
    for topic, blocks in by_topic.items():
        support = [b for b in blocks if b.meta.stance.value == "support"]
        oppose = [b for b in blocks if b.meta.stance.value == "oppose"]
        if support and oppose:
            later = max(support[0], oppose[0], key=blocks.index)
            line, col, _ = d.listing(later.id)
            report(f"opposite stances on topic '{topic}': '{support[0].id}' supports it, "
                   f"'{oppose[0].id}' opposes it", d.path, line, col)


RULE = Rule("stance-conflict", "error", "blocks with opposite stances on a topic in one filing",
            check_draft=check_draft)
