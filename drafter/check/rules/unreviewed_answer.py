"""Answers drafter picked automatically (suggestions) that nobody has accepted yet."""

from drafter.check.rule import Rule


def check_draft(d, report):
    for qid, item in (getattr(d.composition, "answers", {}) or {}).items():
        if item.status != "suggested":
            continue
        how = "recorded by drafter suggest --write" if item.recorded else "picked automatically"
        report(f"question {qid} is answered with {', '.join(item.positions)}, {how} and not "
               f"reviewed: move the ids to answers.{qid}.positions to accept them", d.path,
               d.question_line(qid))


RULE = Rule("unreviewed-answer", "warning", "automatic answers not yet accepted by a person",
            check_draft=check_draft)
