"""A consultation's ``template:`` must name a template of the workspace (a name, never a path);
templates and block bodies must include, import and extend templates that exist."""

from drafter.check.rule import Rule
from drafter.errors import DrafterError


def check(ctx, report):
    from drafter.compose.templates import resolve_name

    for cf in ctx.consultations:
        if cf.model.template:
            try:
                resolve_name(cf.model.template, ctx.ws.templates, cf.path, cf.line_of("template"))
            except DrafterError as exc:
                report.error(exc)
    for trial in ctx.trials.of_code("unknown-template"):  # {% include %}, {% extends %}...
        report.error(trial.error)


RULE = Rule("unknown-template", "error", "consultations naming a template that does not exist",
            check)
