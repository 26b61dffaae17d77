"""``drafter coverage``: which questions are answered, suggested, skipped or missing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click


@click.command()
@click.argument("consultation", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table",
              show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 when any question is missing an answer.")
@click.pass_obj
def coverage(opts, consultation, fmt, strict):
    """Show how the draft of CONSULTATION answers each question.

    answered: positions or text chosen in the file; suggested: only automatic picks (recorded by
    drafter suggest --write, or the library's confident suggestions), marked for review in the
    draft; skipped: left out on purpose, with a reason; missing: nothing fits, the draft has a
    placeholder.
    """
    from drafter.coverage import MISSING, plan, summary
    from drafter.errors import LoadError
    from drafter.load.consultation import load_consultation
    from drafter.suggest import Suggester

    cf = load_consultation(consultation)
    model = cf.model
    suggester = Suggester.for_workspace(opts.near(consultation).workspace) \
        if model.questions else None
    if suggester is not None and opts.debug:
        click.echo(suggester.index.describe(), err=True)
    statuses = {}
    if suggester is not None:
        known = suggester.index.statuses(
            {pid for a in model.answers.values() for pid in [*a.positions, *a.suggested]})

        def check(ids, qid, field):
            for i, pid in enumerate(ids):
                if pid not in known:
                    from drafter.load.library import suggest as did_you_mean
                    raise LoadError(f"unknown position id '{pid}'"
                                    f"{did_you_mean(pid, suggester.index.ids())}", cf.path,
                                    cf.line_of("answers", qid, field, i), code="unknown-position")

        for qid, answer in model.answers.items():
            check(answer.positions, qid, "positions")
            check(answer.suggested, qid, "suggested")

        def recorded(qid, ids):
            return [pid for pid in ids if known.get(pid) != "retired"]

        def live(question):
            ranked = suggester.question(question.text, model.jurisdiction, question.id,
                                        explain=0)
            return [(s.position, s.score) for s in ranked.confident]

        statuses = plan(model, recorded, live)
    counts = summary(statuses) if statuses else {}

    if fmt == "json":
        click.echo(json.dumps({"questions": [s.as_json() for s in statuses],
                               "summary": counts}, indent=2, ensure_ascii=False))
    elif not statuses:
        click.echo(f"{cf.path}: no questions (drafter suggest ranks positions for the "
                   "consultation as a whole)")
    else:
        lines = []
        for item in statuses:
            if item.status == "skipped":
                detail = f"({item.reason})"
            elif item.positions:
                detail = ", ".join(pid + (f" (see Q{item.references[pid]})"
                                          if pid in item.references else "")
                                   for pid in item.positions)
                if item.status == "suggested":
                    detail += "  [recorded]" if item.recorded else "  [automatic]"
            else:
                detail = "-"
            head = f"Q{item.id:<5} {item.status:<10} "
            lines.extend(textwrap.wrap(detail, 100, initial_indent=head,
                                       subsequent_indent=" " * len(head)))
        total = len(statuses)
        lines.append("")
        lines.append(f"{total} question{'s' if total != 1 else ''}: " + ", ".join(
            f"{counts[s]} {s}" for s in ("answered", "suggested", "skipped", "missing")))
        click.echo("\n".join(lines))
    if strict and counts.get(MISSING):
        raise SystemExit(1)
