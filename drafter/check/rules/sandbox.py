"""Constructs the sandbox refuses (attribute walks to ``__class__``/``__globals__``,
``attr`` filter tricks, escape helpers such as ``cycler`` or ``config``), found when each
template and block body is compiled, and at run time by the trial renders."""

from drafter.check.rule import Rule


def check(ctx, report):
    for unit in ctx.analysis.units:
        if unit.error is not None and unit.error.code == "sandbox":
            report.error(unit.error)
    for trial in ctx.trials.of_code("sandbox"):
        report.error(trial.error)


RULE = Rule("sandbox", "error", "template constructs the sandbox refuses", check)
