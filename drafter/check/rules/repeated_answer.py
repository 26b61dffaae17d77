"""One position answering several questions: the filing prints the same text under each of
them. (Automatic answers never repeat a block; this is about answers chosen in the file, or a
chosen one beside an automatic one.)"""

from drafter.check.rule import Rule


def check_draft(d, report):
    automatic = getattr(d.composition, "answers", {}) or {}
    first: dict[str, str] = {}
    for question in d.model.questions:
        qid = question.id
        answer = d.model.answers.get(qid)
        if answer is not None and answer.skip:
            continue
        if answer is not None and answer.positions:
            ids = answer.positions                    # chosen in the file
        elif qid in automatic and automatic[qid].status == "suggested":
            ids = automatic[qid].positions            # recorded picks or automatic answers
        else:
            ids = []
        for pid in ids:
            if pid not in first:
                first[pid] = qid
                continue
            line, col = _where(d, qid, pid)
            report(f"position '{pid}' answers question {qid} and question {first[pid]}: the "
                   "filing prints the same text twice (answer one of them with other text, or "
                   "say there that the earlier answer applies)", d.path, line, col)


def _where(d, qid: str, pid: str):
    """The line naming ``pid`` in question ``qid``'s answer, else the question's line."""
    answer = d.model.answers.get(qid)
    for key in ("positions", "suggested"):
        for i, listed in enumerate(getattr(answer, key, None) or []):
            if listed == pid:
                return d.consultation.smap.locate(("answers", qid, key, i))
    return d.question_line(qid), None


RULE = Rule("repeated-answer", "warning", "the same position answering two questions",
            check_draft=check_draft)
