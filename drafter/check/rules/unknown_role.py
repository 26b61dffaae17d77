"""Literal roles in templates (``selected(role="argument")``, ``sections(roles=(...))``,
macro arguments named ``role``) must be block roles: a typo would silently select nothing."""

from drafter.check.rule import Rule
from drafter.load.library import suggest
from drafter.load.models import Role


def check(ctx, report):
    roles = [r.value for r in Role]
    for unit in ctx.analysis.units:
        for ref in ctx.analysis.refs(unit):
            if ref.kind == "role" and ref.value not in roles:
                report(f"unknown role '{ref.value}'{suggest(ref.value, roles)} (roles: "
                       f"{', '.join(roles)})", unit.path, ref.line, ref.col)


RULE = Rule("unknown-role", "error", "templates selecting blocks by a role that does not exist",
            check)
