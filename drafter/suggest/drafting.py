"""Template functions for drafts that answer every question.

``suggested(question_id)`` is what a Q&A template writes for a question the consultation file
leaves unanswered (see :mod:`drafter.coverage`): the picks recorded by ``drafter suggest
--write``, else the library's confident suggestions; false when there are none.  Printed, it
is the blocks in a fenced div with class ``suggested`` (a longer fence around the block divs, as
pandoc nests divs) with a visible note; a block already written out for another question is
referred to instead of repeated::

    :::: {.suggested}
    *Suggested position: review before filing.*

    ::: {.block block="id" hash="..."}
    ...
    :::

    *See also our response to Question 8.*
    ::::

The DOCX writer turns ``.suggested`` divs into a Word comment; every format shows the note.
"""

from __future__ import annotations

import os
import weakref

from markupsafe import Markup

from drafter.compose.functions import md_escape
from drafter.coverage import SUGGESTED, plan

REVIEW_NOTE = "*Suggested position: review before filing.*"
# One index per loaded library (and process), shared by the drafts of a session.
_SUGGESTERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class DraftSuggestions:
    def __init__(self, composer):
        self.composer = composer
        self._plan: dict | None = None
        self.used: dict[str, list[str]] = {}       # question id -> block ids, automatic

    def plan(self) -> dict:
        if self._plan is None:
            from drafter.suggest import Suggester

            cf = self.composer.consultation
            library = self.composer.library
            suggester = None

            def recorded(qid, ids):
                blocks = [library.get(pid, cf.path, cf.line_of("answers", qid, "suggested", i))
                          for i, pid in enumerate(ids)]
                return [b.id for b in blocks if b.meta.status.value != "retired"]

            def live(question):
                nonlocal suggester
                if suggester is None:
                    # Never an index inherited through fork: SQLite connections do not survive it.
                    pid, suggester = _SUGGESTERS.get(library, (None, None))
                    if suggester is None or pid != os.getpid():
                        suggester = Suggester.for_library(library)
                        _SUGGESTERS[library] = (os.getpid(), suggester)
                ranked = suggester.question(question.text, cf.model.jurisdiction, question.id,
                                            explain=0)
                return [(s.position, s.score) for s in ranked.confident]

            self._plan = {item.id: item for item in plan(cf.model, recorded, live)}
        return self._plan

    def answer(self, question_id, view) -> "SuggestedAnswer":
        item = self.plan().get(str(question_id))
        if item is None or item.status != SUGGESTED:
            return SuggestedAnswer([], [])
        self.used[item.id] = item.positions
        own = [view(self.composer.library.get(pid)) for pid in item.positions
               if pid not in item.references]
        order = [q.id for q in self.composer.consultation.model.questions]
        see = sorted(set(item.references.values()), key=order.index)
        return SuggestedAnswer(own, see)


class SuggestedAnswer:
    """The automatic answer to one question: blocks, and questions whose answers it shares."""

    def __init__(self, blocks: list, see: list[str]):
        self.blocks = blocks
        self.see = see

    def __bool__(self) -> bool:
        return bool(self.blocks or self.see)

    def render(self) -> Markup:
        if not self:
            return Markup("")
        parts = [":::: {.suggested}", REVIEW_NOTE, ""]
        for view in self.blocks:
            parts.append(str(view.render()).rstrip("\n"))
            parts.append("")
        if self.see:
            questions = self.see[0] if len(self.see) == 1 else \
                ", ".join(self.see[:-1]) + " and " + self.see[-1]
            label = "Questions" if len(self.see) > 1 else "Question"
            parts.append(f"*See {'also ' if self.blocks else ''}our response to {label} "
                         f"{md_escape(questions)}.*")
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

    return {"suggested": suggested}
