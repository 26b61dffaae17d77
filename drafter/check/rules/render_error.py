"""Any other failure of a trial render (a filter given the wrong type, an unknown topic asked
of ``positions()``...), at the template's or block's file and line."""

from drafter.check.rule import Rule
from drafter.errors import display_path

CLAIMED = {"undefined", "sandbox", "jinja-syntax", "unknown-position", "unknown-template"}


def check(ctx, report):
    for trial in ctx.trials.errors:
        err = trial.error
        if err.code in CLAIMED:
            continue
        path = err.path if err.path is not None else trial.consultation
        if err.code == "template-jurisdiction":
            report(err.message, path, err.line, err.col)
            continue
        what = f"template {trial.template}" if trial.template else "the block"
        report(f"{err.message} (rendering {what} with {display_path(trial.consultation)})",
               path, err.line, err.col)


RULE = Rule("render-error", "error", "templates or blocks that fail a trial render", check)
