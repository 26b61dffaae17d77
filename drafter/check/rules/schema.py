"""Files that do not load: malformed YAML or front matter, schema violations (with the line of
the offending key), unreadable files, in blocks, consultations, topics, org facts, workspace
settings, the glossary and batch files."""

from drafter.check.rule import Rule


def check(ctx, report):
    for exc in ctx.load_problems:
        report.error(exc)


RULE = Rule("schema", "error", "files that do not load or do not match their schema", check)
