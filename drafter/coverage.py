"""Which questions of a consultation are answered, and how.

One plan decides what a draft says for each question; the composer (Q&A templates) and
``drafter coverage`` both use it, so the report always matches the draft:

1. ``answers[id].skip`` set: **skipped** (deliberately, for the reason given);
2. ``answers[id].positions`` or ``answers[id].text``: **answered**;
3. ``answers[id].suggested`` (picks recorded by ``drafter suggest --write``): **suggested**;
4. otherwise the library's suggestions that the ranker marks *confident* and that *fit* the
   consultation (:mod:`drafter.compose.wording`: jurisdiction, a reusable wording, a role that
   answers questions), computed now, but never one ``answers[id].rejected`` lists:
   **suggested**.  A block is written out once per filing:
   never again when the file already uses it, else for the question where it scores best;
   another question it suits gets its own next pick, never a mere cross-reference;
5. nothing: **placeholder** (the draft shows a visible placeholder, with the top candidates
   and their reasons as a Word comment, and ``drafter check`` flags it).

Drafts mark every suggested answer for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

ANSWERED, SUGGESTED, SKIPPED, PLACEHOLDER = "answered", "suggested", "skipped", "placeholder"
MISSING = PLACEHOLDER          # the former name of the status
STATUSES = (ANSWERED, SUGGESTED, SKIPPED, PLACEHOLDER)


@dataclass(frozen=True)
class Candidate:
    """One ranked suggestion for a question, and whether the draft may use it; ``chance``:
    the calibrated probability in [0, 1] that it fits (None when not known: past the first
    three, or without a confidence model). The JSON leaves ``chance`` out."""

    position: str
    score: float
    why: str
    confident: bool
    fits: bool
    chance: float | None = None
    # where the filing uses it already, when it would fit here but is not picked: a question
    # id, or "" for the filing's own positions (set by :func:`plan`)
    used_at: str | None = None

    def as_json(self) -> dict:
        out = {"position": self.position, "score": self.score, "why": self.why,
               "confident": self.confident, "fits": self.fits}
        if self.used_at is not None:
            out["used_at"] = self.used_at
        return out

    def note(self) -> str:
        """Why a candidate is not (or may not be) used, for a reader: "" when nothing to say."""
        if self.used_at is not None:
            return ("confident; already in the filing" if not self.used_at
                    else f"confident; used at question {self.used_at}")
        return ("" if self.fits else "does not fit") + (
            "" if self.confident else ("; " if not self.fits else "") + "not confident")


@dataclass
class QuestionStatus:
    id: str
    text: str
    status: str
    positions: list[str] = field(default_factory=list)
    reason: str | None = None          # why a question is skipped
    recorded: bool = False             # suggestions written in the file (not computed now)
    # the ranker's suggestions for an open question, best first (automatic answers only)
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def automatic(self) -> bool:
        """True when the draft's answer is picked by drafter, not chosen in the file."""
        return self.status == SUGGESTED

    def as_json(self) -> dict:
        out = {"id": self.id, "status": self.status, "positions": list(self.positions),
               "reason": self.reason, "automatic": self.automatic}
        if self.status == SUGGESTED:
            out["recorded"] = self.recorded
        if self.candidates:
            out["candidates"] = [c.as_json() for c in self.candidates]
        return out


def plan(consultation, recorded: Callable[[str, list[str]], list[str]],
         live: Callable[[object], list[Candidate]]) -> list[QuestionStatus]:
    """The status of every question of a consultation model, in order.

    ``recorded(question_id, ids)`` returns the usable ones of the file's suggested ids (known,
    not retired) and raises for unknown ids; ``live(question)`` returns the ranked
    suggestions for a question as :class:`Candidate` (best first, with ``confident`` from the
    ranker and ``fits`` for this consultation), or as (id, score) pairs taken as confident and
    fitting; it is only called for questions the file leaves open. Candidates the answer
    lists as ``rejected`` are left out: never picked, never listed.
    """
    out: list[QuestionStatus] = []
    taken: set[str] = set(consultation.positions)   # blocks the filing already shows
    open_questions = []
    for q in consultation.questions:
        answer = consultation.answers.get(q.id)
        status = QuestionStatus(q.id, q.text, PLACEHOLDER)
        if answer is not None and answer.skip:
            status.status, status.reason = SKIPPED, answer.skip
        elif answer is not None and (answer.positions or answer.text):
            status.status, status.positions = ANSWERED, list(answer.positions)
        elif answer is not None and answer.suggested and recorded(q.id, list(answer.suggested)):
            status.status, status.recorded = SUGGESTED, True
            status.positions = recorded(q.id, list(answer.suggested))
        else:
            open_questions.append((len(out), q))
        taken.update(status.positions)
        out.append(status)
    ranked: dict[int, list[Candidate]] = {}
    for i, q in open_questions:
        answer = consultation.answers.get(q.id)
        rejected = set(answer.rejected) if answer is not None else set()
        candidates = (c if isinstance(c, Candidate)
                      else Candidate(c[0], c[1], "", True, True)   # (id, score): confident, fits
                      for c in live(q))
        ranked[i] = [c for c in candidates if c.position not in rejected]
    home: dict[str, tuple[float, int]] = {}       # block -> (best score, question index)
    for i, candidates in ranked.items():
        out[i].candidates = list(candidates)
        for c in candidates:
            if c.confident and c.fits and c.position not in taken:
                if c.position not in home or c.score > home[c.position][0]:
                    home[c.position] = (c.score, i)
    for i, candidates in ranked.items():
        picks = [c.position for c in candidates
                 if c.position in home and home[c.position][1] == i]
        if picks:
            out[i].status, out[i].positions = SUGGESTED, picks
    # a confident candidate left out because the filing uses it elsewhere says where
    where = {pid: s.id for s in out for pid in s.positions}
    where.update((pid, "") for pid in consultation.positions)
    for i in ranked:
        out[i].candidates = [
            replace(c, used_at=where[c.position])
            if c.confident and c.fits and c.position in where
            and c.position not in out[i].positions else c
            for c in out[i].candidates]
    return out


def shown_candidates(candidates: list[Candidate], most: int = 3) -> list[Candidate]:
    """The first ``most`` candidates worth a reader's time: the first, and the later ones
    whose chance to fit reaches the display floor (:func:`drafter.suggest.rank.worth_showing`)."""
    from drafter.suggest.rank import worth_showing

    if not candidates:
        return []
    first = candidates[0].chance
    return [c for n, c in enumerate(candidates[:most]) if worth_showing(c.chance, n, first)]


def summary(statuses: list[QuestionStatus]) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for item in statuses:
        counts[item.status] += 1
    return counts
