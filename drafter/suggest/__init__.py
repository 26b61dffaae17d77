"""Which library positions answer a consultation's questions.

``Suggester`` ranks blocks for each question (or for the consultation as a whole when it has
no questions) over an SQLite FTS5 index of the library with a vector of each block's meaning
(:mod:`drafter.suggest.embed`): cached in the workspace for the CLI
(:mod:`drafter.suggest.index`), or built in memory from a loaded library while composing.
Ranking, confidence and explanations are in :mod:`drafter.suggest.rank`.
"""

from __future__ import annotations

import os

__all__ = ["Suggester", "Ranked", "Suggestion", "Index"]

PARALLEL_FROM = 2000      # blocks: below this, one thread answers faster than two

# The index (SQLite) and the ranker load on first use: ``drafter draft`` imports this package
# for ``suggested()`` but needs them only when a question is left unanswered.
_LAZY = {"Index": "drafter.suggest.index", "Ranked": "drafter.suggest.rank",
         "Ranker": "drafter.suggest.rank", "Suggestion": "drafter.suggest.rank"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Suggester:
    """Suggestions from one index. ``weights`` (:class:`drafter.suggest.rank.Weights`) default
    to the hybrid ranking when an embedding model is installed, else words and topics only."""

    def __init__(self, index: Index, weights=None):
        from drafter.suggest.rank import Ranker

        self.index = index
        self.ranker = Ranker(index, weights)
        # a cached index keeps what comparing each question's meaning gave (Index.keep_meanings)
        self.ranker.keep = index.path is not None
        self._second: Ranker | None = None

    @classmethod
    def for_workspace(cls, workspace, consultation=None) -> "Suggester":
        """The suggester of a workspace's cached index (:meth:`Index.open`), refreshed.
        ``consultation``: the consultation model that will be ranked, if known: when every
        one of its questions was asked before and the library did not change, the embedding
        model is not loaded."""
        from drafter.suggest.index import Index

        return cls(Index.open(workspace.state_dir, workspace.positions, workspace.topics_file,
                              preload=True, asked=asked_texts(consultation)))

    @classmethod
    def for_library(cls, library) -> "Suggester":
        from drafter.suggest.index import Index

        return cls(Index.from_library(library))

    def question(self, text: str, jurisdiction: str, qid: str | None = None,
                 limit: int = 5, explain: int | None = None) -> Ranked:
        """The best ``limit`` answering blocks for one question, in a :class:`Ranked`: its
        ``suggestions`` (each with ``position``, ``score`` in [0, 1], ``why`` for the first
        ``explain``, and ``confident``) and ``confident``, the ones a draft may use (empty when
        no position fits)."""
        self._ready([text])
        try:
            return self.ranker.rank(text, jurisdiction, qid, limit, explain)
        finally:
            self.ranker.meant.clear()
            self._keep_words()

    def questions(self, consultation, limit: int = 5,
                  explain: int | None = None) -> list[Ranked]:
        """Suggestions for every question of a consultation model, in the file's order.

        With a large library, a second thread with its own connection searches the questions'
        words while this one compares their meaning with the library's: SQLite searches and
        numpy multiplies without holding Python's lock, so two cores work at once.
        """
        questions = list(consultation.questions)
        jurisdiction = consultation.jurisdiction
        parallel = not (len(questions) < 4 or self.index.path is None
                        or len(self.index) < PARALLEL_FROM or (os.cpu_count() or 1) < 2)
        # Search every question's words first (looking up their document frequencies at once),
        # while the embedding model loads: the ranking then only reads what was found.
        texts = [q.text for q in questions]
        try:
            # what the index kept of questions asked before needs no model and no matrix
            unknown = self.ranker.recall(texts)
            if parallel and unknown:
                self._search_and_measure(texts, unknown)
            else:
                self.ranker.prepare(texts)
                if unknown:
                    self._prime(unknown)
                    self.ranker.measure(unknown)
            # Ranking is Python's work, which one thread does fastest.
            return [self.ranker.rank(q.text, jurisdiction, q.id, limit, explain)
                    for q in questions]
        finally:
            self.ranker.searched.clear()
            self.ranker.meant.clear()
            self._keep_words()

    def _prime(self, texts: list[str]) -> None:
        """Token ids of the texts' words from the index (no tokenizer for words seen before)."""
        w = self.ranker.weights
        if w.meaning > 0:
            self.index.prime(texts)
            self.index.vectors()          # read once, before two threads would both read them

    def _ready(self, texts: list[str]) -> None:
        """Take what the index kept of the meaning of ``texts``, and prime the model for the
        others."""
        unknown = self.ranker.recall(texts)
        if unknown:
            self._prime(unknown)

    def _keep_words(self) -> None:
        """Keep in the index what this ranking learnt: the tokens of new words, the
        stems, document frequencies and phrases searched (:meth:`Index.keep_searches`), and
        what comparing the questions' meaning gave (:meth:`Index.keep_meanings`)."""
        w = self.ranker.weights
        if w.meaning > 0:
            self.index.keep_words()
        self.index.keep_searches()
        found, self.ranker.found = self.ranker.found, {}
        if found:
            self.index.keep_meanings(found)

    def _second_ranker(self) -> Ranker:
        """A ranker on a second connection to the index, sharing the first one's searches and
        topic matcher."""
        from drafter.suggest.rank import Ranker

        if self._second is None:
            self._second = Ranker(self.index.reader(), self.ranker.weights, self.ranker.matcher)
        self._second.searched = self.ranker.searched
        self._second.meant = self.ranker.meant
        return self._second

    def _search_and_measure(self, texts: list[str], unknown: list[str]) -> None:
        """Search the words of ``texts`` on the second connection while this thread, on the
        first, primes the embedding model with the token ids of ``unknown`` (those whose
        meaning the index did not keep; waiting for the model's load) and compares their
        meaning with the library's."""
        second = self._second_ranker()

        def measure() -> None:
            self._prime(unknown)
            self.ranker.measure(unknown)

        _in_two(measure, lambda: second.prepare(texts))

    def whole(self, consultation, limit: int = 10, explain: int | None = None) -> Ranked:
        """Suggestions for a consultation as a whole: its title and abstract."""
        text = whole_text(consultation)
        self._ready([text])
        try:
            return self.ranker.rank(text, consultation.jurisdiction, None, limit, explain)
        finally:
            self.ranker.meant.clear()
            self._keep_words()


def whole_text(consultation) -> str:
    """What a consultation without questions is matched on: its title and abstract."""
    return " ".join(t for t in (consultation.title, consultation.abstract or "") if t)


def asked_texts(consultation) -> list[str]:
    """The texts :class:`Suggester` ranks for a consultation model: its questions' texts, or
    its :func:`whole_text` when it has none; none for None."""
    if consultation is None:
        return []
    if consultation.questions:
        return [q.text for q in consultation.questions]
    return [whole_text(consultation)]


def _in_two(here, there) -> tuple:
    """(here(), there()), ``there`` run in a second thread meanwhile; an exception of either
    is raised in the caller's thread (``here``'s first). A plain thread: importing
    ``concurrent.futures`` would cost more than the call saves."""
    import threading

    done: list = []
    failed: list[BaseException] = []

    def other() -> None:
        try:
            done.append(there())
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=other, daemon=True)
    thread.start()
    try:
        first = here()
    finally:
        thread.join()
    if failed:
        raise failed[0]
    return first, done[0]
