"""``drafter check``: a linter for the workspace and its drafts.

In markdown-it-py's spirit: a small runner (this module) and one rule per module under
:mod:`drafter.check.rules`, each with a code (``unknown-topic``) used in its messages and by
``--ignore``.  :func:`check_workspace` runs every rule on a workspace (or on the files the user
names); :func:`draft_diagnostics` runs the draft rules on one composed filing, for
``drafter draft`` and ``drafter preview``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from drafter.errors import Diagnostic, DrafterError, display_path


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def summary(self) -> str:
        def count(n, word):
            return f"{n} {word}{'' if n == 1 else 's'}"
        return (f"{count(len(self.errors), 'error')}, {count(len(self.warnings), 'warning')} "
                f"in {count(self.files, 'file')} checked")


def _sort_key(d: Diagnostic):
    return (display_path(d.path) or "", d.line or 0, d.col or 0, d.code, d.message)


def _finish(findings, keep) -> list[Diagnostic]:
    out, seen = [], set()
    for finding in findings:
        d = finding.diagnostic
        if not keep(finding):
            continue
        key = (d.path and str(Path(d.path).resolve()), d.line, d.col, d.code, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return sorted(out, key=_sort_key)


def _selected_rules(ignore=()):
    from drafter.check.rules import BY_CODE, RULES
    from drafter.load.library import suggest

    for code in ignore:
        if code not in BY_CODE:
            raise DrafterError(f"unknown rule '{code}'{suggest(code, BY_CODE)} "
                               "(drafter check --list-rules)", code="usage")
    return [r for r in RULES if r.code not in ignore]


def _run_draft_rules(rules, dctx, findings) -> None:
    from drafter.check.rule import Report

    for rule in rules:
        if rule.check_draft is not None:
            rule.check_draft(dctx, Report(rule, findings, dctx.path))


def check_workspace(workspace, paths=(), today: dt.date | None = None,
                    ignore=()) -> CheckResult:
    """Every rule over the workspace; with ``paths``, only findings about those files."""
    from drafter.check.context import CheckContext, Targets
    from drafter.check.drafts import DraftContext
    from drafter.check.rule import Report
    from drafter.model import parse_markdown

    rules = _selected_rules(ignore)
    for path in map(Path, paths):
        if path.is_file() and path.suffix not in (".md", ".jinja", ".yaml", ".yml"):
            raise DrafterError("not a file drafter checks (position blocks .md, templates "
                               ".jinja, YAML files)", path, code="usage")
        if path.is_file() and path.suffix == ".md" and \
                Path(workspace.positions).resolve() not in path.resolve().parents:
            raise DrafterError(f"not a position block: blocks live under "
                               f"{display_path(workspace.positions)}/", path, code="usage")
    ctx = CheckContext(workspace, Targets([Path(p).resolve() for p in paths]), today)
    findings = []
    for rule in rules:
        if rule.check is not None:
            rule.check(ctx, Report(rule, findings))
    render_rule = next((r for r in rules if r.code == "render-error"), None)
    for cf in ctx.consultations:
        composition = ctx.trials.compositions.get(cf.path)
        if composition is None:
            continue
        try:
            document = parse_markdown(composition.markdown, composition.meta,
                                      dict(composition.options))
        except DrafterError as exc:
            if render_rule is not None:
                Report(render_rule, findings, cf.path)(exc.message, exc.path or cf.path,
                                                       exc.line, exc.col)
            continue
        dctx = DraftContext(cf, composition, document, ctx.settings, ctx.glossary,
                            ctx.glossary_path, ctx.today, ctx.ws.org_file)
        _run_draft_rules(rules, dctx, findings)

    def keep(finding) -> bool:
        return ctx.selected(finding.diagnostic.path) or (
            finding.subject is not None and ctx.selected(finding.subject))

    files = sum(1 for f in ctx.files if ctx.selected(f)) + sum(
        1 for c in ctx.consultations if ctx.selected(c.path) and c.path.resolve() not in ctx.files)
    return CheckResult(_finish(findings, keep), files)


def draft_diagnostics(draft, workspace, today: dt.date | None = None) -> list[Diagnostic]:
    """The draft rules on one composed filing (a :class:`drafter.pipeline.Draft`), as warnings.

    A broken glossary is reported as a warning too: drafting goes on without it.
    """
    from drafter.check.drafts import DraftContext
    from drafter.check.glossary import load_for
    from drafter.load.workspace import load_settings

    findings: list = []
    extra: list[Diagnostic] = []
    try:
        settings = load_settings(workspace).check
    except DrafterError as exc:
        from drafter.load.models import CheckSettings
        settings = CheckSettings()
        extra.append(Diagnostic("warning", f"{exc.message} (default check settings used)",
                                str(exc.path) if exc.path else None, exc.line, exc.col,
                                "schema"))
    try:
        glossary, path = load_for(workspace, settings)
    except DrafterError as exc:
        glossary, path = None, None
        extra.append(Diagnostic("warning", f"{exc.message} (terminology not checked)",
                                str(exc.path) if exc.path else None, exc.line, exc.col,
                                "glossary"))
    dctx = DraftContext(draft.consultation, draft.composition, draft.document, settings,
                        glossary, path, today, workspace.org_file)
    _run_draft_rules(_selected_rules(), dctx, findings)
    out = extra + _finish(findings, lambda f: True)
    return [Diagnostic("warning", d.message, d.path, d.line, d.col, d.code) for d in out]


def list_rules():
    from drafter.check.rules import RULES
    return RULES


_WORDING = ("broad-term", "glossary", "should-overuse")


def filing_warnings(diagnostics, workspace) -> list:
    """What ``drafter draft`` and ``drafter preview`` print of the draft checks about a filing
    (placeholders, deadline, terms in the consultation's own text...).  Wording warnings located in the position library (terms,
    'should') are the library's business, reported by ``drafter check``: here they become one
    line counting them.  Placeholders are always shown."""
    library = Path(workspace.positions).resolve()
    own, in_library = [], 0
    for diag in diagnostics:
        if diag.code in _WORDING and diag.path \
                and library in Path(diag.path).resolve().parents:
            in_library += 1
        else:
            own.append(diag)
    if in_library:
        own.append(Diagnostic(
            "warning", f"{in_library} warning(s) about wording in the position library: run "
            "drafter check to see them", None, None, None, "library-warnings"))
    return own
