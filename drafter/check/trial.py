"""Trial renders: every template and every block body against every consultation.

Static analysis cannot see everything (a ``variables`` key one consultation lacks, a value of
the wrong type, a sandbox refusal that depends on data), so ``drafter check`` also renders, in
the strict sandbox, every template against every consultation it knows, and every block body
in each consultation's context (a block that no consultation can render is reported; one
that fails only where a filing would not use it is not).  Errors keep the file and line where
they happened.  The composition of each consultation with its own template is kept for the
draft checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from drafter.errors import DrafterError, TemplateError


@dataclass(frozen=True)
class TrialError:
    error: DrafterError
    consultation: Path
    template: str | None  # None: a block body rendered on its own


@dataclass
class Trials:
    errors: list[TrialError] = field(default_factory=list)
    compositions: dict = field(default_factory=dict)  # consultation path -> Composition
    skipped: set = field(default_factory=set)  # consultations that could not be composed

    def of_code(self, *codes: str) -> list[TrialError]:
        return [e for e in self.errors if e.error.code in codes]


def _positioned(exc: BaseException, loader) -> DrafterError:
    from drafter.compose.environment import to_drafter_error

    if isinstance(exc, DrafterError):
        return exc
    try:
        return to_drafter_error(exc, loader)
    except Exception:  # noqa: BLE001 - whatever a template raised is reported, not re-raised
        return TemplateError(f"template failed: {type(exc).__name__}: {exc}",
                             code="template-runtime")


def referenced_ids(cf) -> list[str]:
    ids = list(cf.model.positions)
    for answer in cf.model.answers.values():
        ids.extend(answer.positions)
        ids.extend(getattr(answer, "suggested", []) or [])
    return ids


def run_trials(ctx) -> Trials:
    from drafter.compose.composer import Composer, choose_template
    from drafter.compose.templates import read_info

    trials = Trials()
    seen: set = set()
    cache = ctx.template_cache
    composers: list = []  # (composer of a consultation's own template, consultation)

    def record(err: DrafterError, cf, template) -> None:
        key = (str(err.path), err.line, err.code, err.message)
        if key not in seen:
            seen.add(key)
            trials.errors.append(TrialError(err, cf.path, template))

    if ctx.org is None:
        trials.skipped.update(cf.path for cf in ctx.consultations)
        return trials
    broken = {u.path for u in ctx.analysis.units if u.error is not None}
    infos = []
    for t in ctx.templates:
        if not t.partial:
            try:
                infos.append(read_info(t.path))
            except DrafterError:
                continue
    # With files named on the command line, only what concerns them is rendered: every
    # template against every consultation when a template is named; else the consultations
    # named or listing a named block, each with its own template.
    full = not ctx.targets.paths
    all_templates = full or any(ctx.selected(t.path) for t in ctx.templates)
    named_blocks = {b.id for b in ctx.blocks if ctx.selected(b.path)}
    for cf in ctx.consultations:
        if any(pid not in ctx.library for pid in referenced_ids(cf)):
            trials.skipped.add(cf.path)
            continue
        try:
            chosen = choose_template(cf, ctx.ws.templates)
        except DrafterError as exc:
            if exc.code == "template-jurisdiction":     # drafted only with --force: a finding
                record(exc, cf, None)
            trials.skipped.add(cf.path)
            continue
        if not (all_templates or ctx.selected(cf.path)
                or named_blocks & set(referenced_ids(cf))):
            try:  # a context to render named blocks in, nothing drafted
                composer = Composer(cf, ctx.library, ctx.org, chosen, [ctx.ws.templates])
                composer.env.bytecode_cache = cache
                composers.append((composer, cf))
            except Exception:  # noqa: BLE001 - this consultation just gives no context
                pass
            continue
        candidates = list(infos) if all_templates else []
        if all(i.path != chosen.path for i in candidates):
            candidates.append(chosen)
        for info in candidates:
            composer = None
            try:
                composer = Composer(cf, ctx.library, ctx.org, info, [ctx.ws.templates])
                composer.env.bytecode_cache = cache
                composition = composer.render()
            except Exception as exc:  # noqa: BLE001 - every failure is a finding
                err = _positioned(exc, composer.loader if composer else None)
                if err.path is None or Path(str(err.path)) not in broken:
                    record(err, cf, info.name)
                if info.path == chosen.path:
                    trials.skipped.add(cf.path)
                continue
            if info.path == chosen.path:
                trials.compositions[cf.path] = composition
                composers.append((composer, cf))
    # Each block on its own, in the first consultation's context, then in the next ones
    # while it fails: a block may need variables only some consultations have.  It is
    # reported when no consultation can render it (drafts report the rest).
    for block in ctx.library:
        if Path(block.path) in broken or not (full or block.id in named_blocks):
            continue
        failed = None
        for composer, cf in composers:
            try:
                composer.body_text(block)
            except Exception as exc:  # noqa: BLE001
                failed = failed or (_positioned(exc, composer.loader), cf)
                continue
            failed = None
            break
        if failed is not None:
            record(failed[0], failed[1], None)
    return trials
