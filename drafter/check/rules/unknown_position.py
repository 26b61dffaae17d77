"""Position ids that do not exist, with "did you mean": in consultations (``positions``,
``answers.*.positions``, ``answers.*.suggested``, ``answers.*.rejected``), in literal arguments of templates and block
bodies (``position("id")``, ``positions(ids=[...])``, macro default lists), and found by the
trial renders."""

from drafter.check.rule import Rule
from drafter.load.library import suggest


def _missing(ctx, pid) -> bool:
    return pid not in ctx.library and pid not in ctx.broken_ids


def check(ctx, report):
    ids = ctx.library.blocks
    for cf in ctx.consultations:
        lists = [(("positions",), cf.model.positions)]
        for qid, answer in cf.model.answers.items():
            lists.append((("answers", qid, "positions"), answer.positions))
            lists.append((("answers", qid, "suggested"), getattr(answer, "suggested", []) or []))
            lists.append((("answers", qid, "rejected"), answer.rejected))
        for key, values in lists:
            for i, pid in enumerate(values):
                if _missing(ctx, pid):
                    line, col = cf.smap.locate(key + (i,))
                    report(f"unknown position id '{pid}'{suggest(pid, ids)}", cf.path, line, col)
    named = set()
    for unit in ctx.analysis.units:
        for ref in ctx.analysis.refs(unit):
            if ref.kind == "id" and _missing(ctx, ref.value):
                named.add(ref.value)
                report(f"unknown position id '{ref.value}'{suggest(ref.value, ids)}",
                       unit.path, ref.line, ref.col)
    for trial in ctx.trials.of_code("unknown-position"):
        # ids named literally are reported where they are written, not where they are used
        if not any(f"'{pid}'" in trial.error.message for pid in named):
            report.error(trial.error)


RULE = Rule("unknown-position", "error", "references to position ids that do not exist", check)
