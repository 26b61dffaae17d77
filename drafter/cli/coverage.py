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
@click.option("--strict", is_flag=True,
              help="Exit 1 when any question has only a placeholder or an automatic answer.")
@click.pass_obj
def coverage(opts, consultation, fmt, strict):
    """Show how the draft of CONSULTATION answers each question.

    answered: positions or text chosen in the file; suggested: picked automatically (recorded
    by drafter suggest --write, or the library's confident suggestions that fit the
    consultation), marked for review in the draft; skipped: left out on purpose, with a reason;
    placeholder: nothing fits, the draft shows a placeholder with the candidates (after the
    first, only those likely enough to fit), or "no position in the library". JSON gives,
    per question, the status, the positions, whether the answer is automatic and the ranked
    candidates with their reasons, confidence and fit.
    """
    from drafter.coverage import PLACEHOLDER, SUGGESTED, plan, shown_candidates, summary
    from drafter.load.consultation import load_consultation
    from drafter.suggest import Suggester
    from drafter.suggest.drafting import candidates

    cf = load_consultation(consultation)
    model = cf.model
    statuses = []
    if model.questions:
        session = opts.near(consultation).session()
        library = session.library
        for qid, answer in model.answers.items():
            for field in ("positions", "suggested"):
                for i, pid in enumerate(getattr(answer, field)):
                    library.get(pid, cf.path, cf.line_of("answers", qid, field, i))
        from drafter.compose.composer import choose_template
        info = choose_template(cf, opts.workspace.templates, force=True)
        variant = info.options.get("variant")
        suggester = Suggester.for_workspace(opts.workspace, model)
        if opts.debug:
            click.echo(suggester.index.describe(), err=True)

        def recorded(qid, ids):
            return [pid for pid in ids if library.blocks[pid].meta.status.value != "retired"]

        def live(question):
            ranked = suggester.question(question.text, model.jurisdiction, question.id,
                                        explain=3)
            return candidates(ranked, library, model, variant)

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
            elif item.status == "answered" and not item.positions:
                detail = "(own text)"
            elif item.positions:
                detail = ", ".join(item.positions)
                if item.status == SUGGESTED:
                    detail += "  [recorded]" if item.recorded else "  [automatic]"
            elif item.candidates:
                shown = shown_candidates(item.candidates)
                detail = "candidates: " + ", ".join(
                    c.position + (f" ({c.note()})" if c.note() else "") for c in shown)
                if len(shown) == 1 < len(item.candidates):
                    detail += "; no other position comes close"
            elif getattr(model.answers.get(item.id), "rejected", None):
                detail = "no position in the library besides those the file rejects"
            else:
                detail = "no position in the library"
            head = f"Q{item.id:<5} {item.status:<11} "
            lines.extend(textwrap.wrap(detail, 100, initial_indent=head,  # ids stay whole
                                       subsequent_indent=" " * len(head),
                                       break_on_hyphens=False, break_long_words=False))
        total = len(statuses)
        lines.append("")
        lines.append(f"{total} question{'s' if total != 1 else ''}: " + ", ".join(
            f"{counts[s]} {s}" for s in ("answered", "suggested", "skipped", "placeholder")))
        click.echo("\n".join(lines))
    if strict and (counts.get(PLACEHOLDER) or counts.get(SUGGESTED)):
        raise SystemExit(1)
