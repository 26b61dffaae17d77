"""A consultation's ``template:`` must name a template of the workspace (or a template file)."""

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


RULE = Rule("unknown-template", "error", "consultations naming a template that does not exist",
            check)
