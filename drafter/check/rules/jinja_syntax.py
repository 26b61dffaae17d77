"""Jinja syntax errors (and unknown filters or tests) in templates and block bodies, at the
file's own line: a block body's line counts from the top of its Markdown file."""

from drafter.check.rule import Rule


def check(ctx, report):
    for unit in ctx.analysis.units:
        if unit.error is not None and unit.error.code == "jinja-syntax":
            report.error(unit.error)
    for trial in ctx.trials.of_code("jinja-syntax"):
        report.error(trial.error)


RULE = Rule("jinja-syntax", "error", "Jinja syntax errors in templates and block bodies", check)
