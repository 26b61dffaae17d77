"""Which questions of a consultation are answered, and how.

One plan decides what a draft says for each question; the composer (Q&A templates) and
``drafter coverage`` both use it, so the report always matches the draft:

1. ``answers[id].skip`` set: **skipped** (deliberately, for the reason given);
2. ``answers[id].positions`` or ``answers[id].text``: **answered**;
3. ``answers[id].suggested`` (picks recorded by ``drafter suggest --write``): **suggested**;
4. otherwise the library's confident suggestions, computed now: **suggested**.  A block is
   written out once per filing: where the file already uses it for another question, or else
   where it scores best; other questions it suits refer to that answer;
5. nothing: **missing** (the draft shows a placeholder that ``drafter check`` flags).

Drafts mark every suggested answer for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ANSWERED, SUGGESTED, SKIPPED, MISSING = "answered", "suggested", "skipped", "missing"
STATUSES = (ANSWERED, SUGGESTED, SKIPPED, MISSING)


@dataclass
class QuestionStatus:
    id: str
    text: str
    status: str
    positions: list[str] = field(default_factory=list)
    reason: str | None = None          # why a question is skipped
    recorded: bool = False             # suggestions written in the file (not computed now)
    # position id -> the question whose answer carries the block's text (suggestions only)
    references: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        out = {"id": self.id, "status": self.status, "positions": list(self.positions),
               "reason": self.reason}
        if self.references:
            out["see"] = dict(self.references)
        return out


def plan(consultation, recorded: Callable[[str, list[str]], list[str]],
         live: Callable[[object], list[tuple[str, float]]]) -> list[QuestionStatus]:
    """The status of every question of a consultation model, in order.

    ``recorded(question_id, ids)`` returns the usable ones of the file's suggested ids (known,
    not retired) and raises for unknown ids; ``live(question)`` returns the confident
    suggestions for a question as (id, score), best first; it is only called for questions
    the file leaves open.
    """
    out: list[QuestionStatus] = []
    home: dict[str, int] = {}            # position id -> index of the question that shows it
    open_questions = []
    for q in consultation.questions:
        answer = consultation.answers.get(q.id)
        status = QuestionStatus(q.id, q.text, MISSING)
        if answer is not None and answer.skip:
            status.status, status.reason = SKIPPED, answer.skip
        elif answer is not None and (answer.positions or answer.text):
            status.status, status.positions = ANSWERED, list(answer.positions)
        elif answer is not None and answer.suggested and recorded(q.id, list(answer.suggested)):
            status.status, status.recorded = SUGGESTED, True
            status.positions = recorded(q.id, list(answer.suggested))
        else:
            open_questions.append((len(out), q))
        for pid in status.positions:
            home.setdefault(pid, len(out))
        out.append(status)
    picks = {i: live(q) for i, q in open_questions}
    best: dict[str, tuple[float, int]] = {}
    for i, ranked in picks.items():
        for pid, score in ranked:
            if pid not in home and (pid not in best or score > best[pid][0]):
                best[pid] = (score, i)
    home.update({pid: i for pid, (_, i) in best.items()})
    for i, ranked in picks.items():
        if ranked:
            out[i].status, out[i].positions = SUGGESTED, [pid for pid, _ in ranked]
    for i, item in enumerate(out):
        if item.status == SUGGESTED:
            item.references = {pid: out[home[pid]].id for pid in item.positions
                               if home[pid] != i}
    return out


def summary(statuses: list[QuestionStatus]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for item in statuses:
        counts[item.status] += 1
    return counts
