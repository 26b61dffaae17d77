"""Template functions for drafts that answer every question.

``suggested(question_id)`` is what a Q&A template writes for a question the consultation file
leaves unanswered (see :mod:`drafter.coverage`): the picks recorded by ``drafter suggest
--write``, else the library's confident suggestions that fit the consultation.  Printed, it is
the blocks in a fenced div with class ``suggested`` (a longer fence around the block divs, as
pandoc nests divs) opened by a highlighted note::

    :::: {.suggested}
    ::: {.review-note}
    **[Suggested answer, picked automatically: review before filing.]**
    :::

    ::: {.block block="id" variant="us" hash="..."}
    ...
    :::
    ::::

With nothing to write it is false, and ``placeholder_for(question_id)`` gives the visible
placeholder with, as a Word comment, the top candidates and why each was (not) used (after
the first, only those likely enough to fit to be worth reading, else "No other position comes
close."; and a block written for another jurisdiction that would have been first, by name)::

    ::: {.review-note .answer-placeholder comment="Candidates for question 3: || ..."}
    **[[TODO: answer to question 3]]**
    :::

The DOCX writer highlights ``.review-note`` text and turns a ``comment`` attribute into a Word
comment; every format shows the note.
"""

from __future__ import annotations

import os
import weakref

from markupsafe import Markup

from drafter.compose.functions import placeholder
from drafter.coverage import PLACEHOLDER, SUGGESTED, Candidate, plan, shown_candidates

REVIEW_NOTE = "**[Suggested answer, picked automatically: review before filing.]**"
# One index per loaded library (and process), shared by the drafts of a session.
_SUGGESTERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def suggester_for(library):
    """The in-memory suggestion index of a loaded library (one per process)."""
    from drafter.suggest import Suggester

    # Never an index inherited through fork: SQLite connections do not survive it.
    pid, suggester = _SUGGESTERS.get(library, (None, None))
    if suggester is None or pid != os.getpid():
        suggester = Suggester.for_library(library)
        _SUGGESTERS[library] = (os.getpid(), suggester)
    return suggester


def candidates(ranked, library, consultation, template_variant=None) -> list[Candidate]:
    """A ranker's suggestions (:class:`drafter.suggest.Ranked`) as candidates with their fit."""
    from drafter.compose.wording import fits_answer

    out = []
    for s in ranked.suggestions:
        block = library.blocks.get(s.position)
        fits = block is not None and fits_answer(library, block, consultation, template_variant)
        out.append(Candidate(s.position, s.score, s.why, bool(s.confident), fits, s.chance))
    return out


def _attribute(text: str) -> str:
    """Text safe inside a double-quoted div attribute."""
    return " ".join(str(text).replace('"', "'").replace("\\", "/").split())


class DraftSuggestions:
    def __init__(self, composer):
        self.composer = composer
        self._plan: dict | None = None
        self.shown: dict[str, object] = {}       # question id -> QuestionStatus, as drafted
        self.elsewhere: dict[str, object] = {}   # question id -> rank.Elsewhere, when ranked

    def plan(self) -> dict:
        if self._plan is None:
            cf = self.composer.consultation
            library = self.composer.library
            variant = self.composer.template.options.get("variant")

            def recorded(qid, ids):
                blocks = [library.get(pid, cf.path, cf.line_of("answers", qid, "suggested", i))
                          for i, pid in enumerate(ids)]
                return [b.id for b in blocks if b.meta.status.value != "retired"]

            def live(question):
                ranked = suggester_for(library).question(
                    question.text, cf.model.jurisdiction, question.id, explain=3)
                if ranked.elsewhere is not None:
                    self.elsewhere[question.id] = ranked.elsewhere
                return candidates(ranked, library, cf.model, variant)

            self._plan = {item.id: item for item in plan(cf.model, recorded, live)}
        return self._plan

    def answer(self, question_id, view) -> "SuggestedAnswer":
        item = self.plan().get(str(question_id))
        if item is None or item.status != SUGGESTED:
            return SuggestedAnswer([])
        self.shown[item.id] = item
        blocks = [self.composer.library.get(pid) for pid in item.positions]
        if item.recorded:                    # picks written in the file may be of any role
            from drafter.compose.wording import answers_questions
            for block in blocks:
                if not answers_questions(block):
                    self.composer.role_mismatches.setdefault(block.id, []).append(item.id)
        return SuggestedAnswer([view(block) for block in blocks])

    def placeholder(self, question_id) -> Markup:
        from drafter.suggest.rank import NO_OTHER

        item = self.plan().get(str(question_id))
        qid = str(question_id)
        text = placeholder(f"answer to question {qid}")
        if item is not None and item.status == PLACEHOLDER:
            self.shown[item.id] = item
        lines = [f"No answer was filled in automatically for question {qid}."]
        if item is not None and item.candidates:
            lines.append("Candidates (add one to answers." + qid + ".positions to use it):")
            used = {pid: other.id for other in self.plan().values() if other.id != qid
                    for pid in other.positions}
            shown = shown_candidates(item.candidates)
            for c in shown:
                state = ("confident" if c.confident else "not confident") + (
                    "" if c.fits else ", does not fit this consultation") + (
                    f", already used at question {used[c.position]}"
                    if c.position in used else "")
                lines.append(f"{c.position} (score {c.score:g}, {state}): {c.why}")
            if len(shown) == 1 < len(item.candidates):
                lines.append(NO_OTHER)
            other = self.elsewhere.get(qid)
            if other is not None and other.position not in {c.position for c in shown}:
                lines.append(other.note())
        else:
            lines.append("The library has no position on this question.")
        comment = " || ".join(_attribute(line) for line in lines)
        return Markup(f'::: {{.review-note .answer-placeholder comment="{comment}"}}\n'
                      f"{text}\n:::\n")


class SuggestedAnswer:
    """The automatic answer to one question: the blocks picked for it."""

    def __init__(self, blocks: list):
        self.blocks = blocks

    def __bool__(self) -> bool:
        return bool(self.blocks)

    def render(self) -> Markup:
        if not self:
            return Markup("")
        parts = [":::: {.suggested}", "::: {.review-note}", REVIEW_NOTE, ":::", ""]
        for view in self.blocks:
            parts.append(str(view.render()).rstrip("\n"))
            parts.append("")
        parts.append("::::")
        return Markup("\n".join(parts) + "\n")

    def __str__(self) -> str:
        return str(self.render())

    def __html__(self) -> str:
        return str(self.render())


def draft_globals(composer, view) -> dict:
    helper = DraftSuggestions(composer)
    composer.suggestions = helper

    def suggested(question_id):
        return helper.answer(question_id, view)

    def placeholder_for(question_id):
        return helper.placeholder(question_id)

    return {"suggested": suggested, "placeholder_for": placeholder_for}
