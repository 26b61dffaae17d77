"""A consultation's ``template:`` must name a template of the workspace (or a template file);
templates and block bodies must include, import and extend templates that exist."""

from drafter.check.rule import Rule
from drafter.errors import DrafterError


def check(ctx, report):
    from drafter.compose.templates import resolve

    for cf in ctx.consultations:
        if cf.model.template:
            try:
                resolve(cf.model.template, ctx.ws.templates, cf.path, cf.line_of("template"))
            except DrafterError as exc:
                report.error(exc)
    for trial in ctx.trials.of_code("unknown-template"):  # {% include %}, {% extends %}...
        report.error(trial.error)


RULE = Rule("unknown-template", "error", "consultations naming a template that does not exist",
            check)
