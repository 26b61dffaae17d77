"""``drafter suggest``: the library's best positions for each question, with reasons."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import click


def _table(results, whole, every: bool = False) -> str:
    """The suggestions as text. For a question, those after the first are listed only when
    likely enough to fit (:func:`drafter.suggest.rank.worth_showing`; all with ``every``), and
    a block for another jurisdiction that would have been first is named."""
    from drafter.suggest.rank import NO_OTHER

    width = max(60, min(shutil.get_terminal_size((100, 20)).columns, 120))
    lines = []
    items = results if results else [whole]
    for ranked in items:
        head = f"Q{ranked.id}  " if ranked.id is not None else "Consultation  "
        lines.extend(textwrap.wrap(ranked.text, width, initial_indent=head,
                                   subsequent_indent=" " * len(head)) or [head.rstrip()])
        if not ranked.suggestions:
            lines.append("    (no position matches)")
        elif not ranked.confident:
            lines.append("    (no fitting position: none of these is confident)")
        shown = ranked.suggestions if every or ranked is whole else ranked.shown()
        for n, s in enumerate(shown, start=1):
            mark = "*" if s.confident else " "
            lines.append(f"  {mark}{n}. {s.position}  {s.label()}  {s.title}")
            lines.extend(textwrap.wrap(s.why, width, initial_indent="       why: ",
                                       subsequent_indent="            ",
                                       break_on_hyphens=False, break_long_words=False))
        if len(shown) == 1 < len(ranked.suggestions):
            lines.append("     " + NO_OTHER)
        if ranked.elsewhere is not None and ranked.elsewhere.position not in {
                s.position for s in shown}:
            lines.extend(textwrap.wrap(ranked.elsewhere.note(), width, initial_indent="     ",
                                       subsequent_indent="     ",
                                       break_on_hyphens=False, break_long_words=False))
        lines.append("")
    lines.append("* confident: the draft uses it (marked for review) where it fits the "
                 "consultation, once, at the question it scores best on, unless the file "
                 "answers the question; drafter coverage shows the result; drafter suggest "
                 "--write records them")
    return "\n".join(lines)


@click.command()
@click.argument("consultation", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(("table", "json")), default="table",
              show_default=True)
@click.option("-n", "--top", default=3, show_default=True, type=click.IntRange(1, 50),
              help="Suggestions ranked per question (all in JSON; in the table, those after "
                   "the first only when likely enough to fit, unless --all).")
@click.option("--all", "every", is_flag=True,
              help="List every one of the --top suggestions in the table, however unlikely.")
@click.option("--write", is_flag=True,
              help="Record the confident suggestions in the consultation file (answers.ID."
                   "suggested) for questions it does not answer yet, keeping its comments and "
                   "formatting.")
@click.pass_obj
def suggest(opts, consultation, fmt, top, write, every):
    """Rank the library's positions for each question of CONSULTATION.

    Full-text ranking (SQLite FTS5, BM25) over each block's title, summary, body and topics,
    combined with how close each block's meaning is to the question (sentence embeddings,
    offline), the topics the question is about, the jurisdiction and the block's status. Only
    blocks that answer questions are ranked: introductions, profiles, framing, section
    introductions and closings are left to templates; retired blocks are never suggested.
    Confident suggestions (*) are those a draft uses; a question without one has no fitting
    position. In the table, a suggestion after the first is listed only when it is likely
    enough to fit (from 14%; --all lists them all), and a position written for another
    jurisdiction that would have been first is named; JSON lists every one. A consultation
    without questions is matched as a whole, on its title and abstract.
    """
    from drafter.load.consultation import load_consultation
    from drafter.suggest import Suggester

    cf = load_consultation(consultation)
    suggester = Suggester.for_workspace(opts.near(consultation).workspace, cf.model)
    if opts.debug:
        click.echo(suggester.index.describe(), err=True)
    model = cf.model
    if model.questions:
        results = suggester.questions(model, limit=max(top, 5), explain=top)
        whole = None
    else:
        results = []
        whole = suggester.whole(model, limit=max(top, 10), explain=top)
    for ranked in results + ([whole] if whole else []):
        ranked.suggestions = ranked.suggestions[:top] if not write else ranked.suggestions

    if write:
        from drafter.suggest.write import record_suggestions
        if results:
            open_ids = {q.id for q in model.questions
                        if not _answered(model.answers.get(q.id))}
            picks = _planned_picks(opts, model, results, open_ids)
            count = record_suggestions(cf.path, picks, order=[q.id for q in model.questions])
            what = "question" if count == 1 else "questions"
        else:
            fits = _fit(opts, model, answering=False)
            count = record_suggestions(cf.path, {}, [s.position for s in whole.confident
                                                     if fits(s.position)])
            what = "position" if count == 1 else "positions"
        click.echo(f"recorded suggestions for {count} {what} in {cf.path}" if count else
                   f"nothing to record in {cf.path}: every question is answered or has no "
                   "confident suggestion", err=True)
        for ranked in results + ([whole] if whole else []):
            ranked.suggestions = ranked.suggestions[:top]

    if fmt == "json":
        data = {"questions": [r.as_json() for r in results]}
        if whole is not None:
            data["consultation"] = {"text": whole.text,
                                    "suggestions": [s.as_json() for s in whole.suggestions]}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(_table(results, whole, every))


def _planned_picks(opts, model, results, open_ids) -> dict[str, list[str]]:
    """The automatic answers a draft would write (drafter.coverage.plan): confident picks that
    fit, each block where it scores best, for the questions the file leaves open."""
    from drafter.coverage import SUGGESTED, Candidate, plan

    fits = _fit(opts, model)
    ranked = {r.id: r for r in results}

    def live(question):
        return [Candidate(s.position, s.score, s.why, bool(s.confident), fits(s.position))
                for s in ranked[question.id].suggestions]

    statuses = plan(model, lambda qid, ids: ids, live)
    return {s.id: list(s.positions) for s in statuses
            if s.status == SUGGESTED and not s.recorded and s.id in open_ids}


def _fit(opts, model, answering: bool = True):
    """position id -> whether drafter may use it automatically in this consultation."""
    from drafter.compose.wording import choose, fits_answer

    library = opts.session().library

    def fits(pid):
        block = library.blocks.get(pid)
        if block is None:
            return False
        if answering:
            return fits_answer(library, block, model)
        return block.meta.status.value != "retired" and choose(library, block, model).fits

    return fits


def _answered(answer) -> bool:
    return answer is not None and bool(answer.skip or answer.positions or answer.text)
