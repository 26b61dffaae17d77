"""Undefined variables: names the drafting context does not define and unknown attributes of
known values (``org.shortname``), found statically in every template and block body; then
whatever a strict trial render of every template against every consultation finds."""

from drafter.check.rule import Rule
from drafter.errors import display_path
from drafter.load.library import suggest


def check(ctx, report):
    analysis = ctx.analysis
    static = set()
    for unit in analysis.units:
        for name, line, col in analysis.undefined_names(unit):
            static.add((str(unit.path), line))
            choices = analysis.known | unit.assigned | analysis.inherited(unit)
            report(f"undefined name '{name}'{suggest(name, choices)}", unit.path,
                   line, col)
        for owner, attr, shape, line, col in analysis.bad_attributes(unit):
            static.add((str(unit.path), line))
            report(f"undefined name: '{owner}' has no attribute '{attr}'"
                   f"{suggest(attr, shape.keys)}", unit.path, line, col)
    for trial in ctx.trials.of_code("undefined"):
        err = trial.error
        if (str(err.path), err.line) in static:
            continue  # the static finding says it better
        what = f"template {trial.template}" if trial.template else "the block"
        report(f"{err.message} (rendering {what} with {display_path(trial.consultation)})",
               err.path, err.line, err.col)


RULE = Rule("undefined", "error", "undefined variables in templates and block bodies", check)
