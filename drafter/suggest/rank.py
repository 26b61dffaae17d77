"""Ranking positions for a question: BM25 over the blocks' words, the meaning of the question
and of each block (sentence embeddings), and the question's topics, with a reason for every
suggestion.

Only blocks that answer questions are ranked (roles recommendation, argument and concern:
:data:`drafter.suggest.index.ANSWER_ROLES`); introductions, profiles, framing, section
introductions and closings stay for templates to place. Retired blocks are never suggested.

The score of a block for a question is, in [0, 1], a convex combination of three normalised
scores, times penalties::

    (W.words * words + W.meaning * meaning + W.topic * topic) * jurisdiction * status

- ``words``: the block's BM25 relevance (FTS5) over its title and summary (weighted most), the
  labels and keywords of its topics, and its body, over the best block's (min-max, the minimum
  being 0: a block sharing no word);
- ``meaning``: the cosine similarity of the question's embedding with the closest of the
  block's (:mod:`drafter.suggest.embed`): the block's own text, or one of the questions its
  front matter says it answers (``answers``), min-max normalised over the candidates;
- ``topic``: agreement between the topics the question is about (found through the topic
  vocabulary's keywords) and the block's topics, its first (primary) topic counting most;
- ``jurisdiction``: a block written for other jurisdictions counts less than a third (it
  speaks to another legislator: it can inspire an answer, rarely be one);
- ``status``: draft blocks count less.

Candidates are the best BM25 matches and the blocks closest in meaning (from a similarity of
``W.meaning_floor``), so a block can be found without sharing a word with the question.

A suggestion is *confident* (drafts use it, marked for review) when a policy lead would accept
it as an answer: the block is approved, fits the jurisdiction, is among the first
``MAX_CONFIDENT``, and the probability that it fits, by a logistic model of what is known of it
(:func:`confidence_features`: its score, similarity, topic agreement, its score against the
best and the next one's, its rank, the similarity of its own text and how much closer one of
its questions is), is at least ``W.confident_at``. When no suggestion is
confident the question has no fitting position. The weights are tuned, and the logistic model
fitted and its threshold chosen, on the dev half of tests/data/suggest/labels.yaml
(``bench/bench_suggest.py --tune``); bench/RESULTS.md gives the figures on the held-out half.

What a reader is shown does not change the ranking: a reason names only distinctive words
(:meth:`Ranker._distinctive`), a suggestion after the first is listed for a reader only from the
chance :data:`SHOW_FROM` (:func:`worth_showing`), and :func:`elsewhere` names a block for
another jurisdiction that would have been first.
"""

from __future__ import annotations

import math
import os
import re
from array import array
from dataclasses import dataclass, field
from typing import NamedTuple

from drafter.suggest import embed
from drafter.suggest.index import ANSWER_ROLES, BlockRow, Index
from drafter.suggest.text import (STOP_WORDS, TopicHit, TopicMatcher, fts_phrases,
                                  query_terms)

# BM25 weights of the indexed columns: title, summary, topics (labels and keywords), body, and
# the questions the block answers.
FIELD_WEIGHTS = (3.0, 2.0, 1.0, 1.0, 1.0)
OTHER_JURISDICTION = 0.3
DRAFT_STATUS = 0.75
MAX_CONFIDENT = 3
CANDIDATES = 60
# Matching a word costs in proportion to the number of blocks that use it.  In a large library,
# words found in more than a tenth of the blocks (and more than COMMON_WORD_BLOCKS of them) are
# left out of the search: BM25 gives them little weight, and they cost the most.  A library of
# up to 1,000 blocks is searched for every word.
MAX_DF_FRACTION = 0.1
COMMON_WORD_BLOCKS = 1000


FEATURES = ("score", "similarity", "topic", "share of the best score", "lead over the next",
            "ranked first", "similarity squared", "similarity of the block's own text",
            "how much closer one of its questions is")


class Recalled(NamedTuple):
    """What comparing a question's meaning with the library's gave when it was asked before,
    as the index keeps it (:meth:`Index.keep_meanings`): all that ranking reads of the
    comparison, so that a question asked again needs neither the model nor the matrix.

    ``top``: (block row id, similarity) of the ``CANDIDATES`` blocks closest in meaning,
    closest first; ``sims``: row id -> similarity, for those and for the blocks the
    question's words matched; ``owns``: row id -> similarity of the block's own text (None
    when no block lists questions); ``nears``: row id -> which of the block's meanings is the
    closest (0: its own text, n: the n-th question it answers). Similarities are the float32
    values of the comparison that kept them, exactly: a question asked again ranks as it did
    then. (Compared again, its similarities could differ in the last bits, with the other
    questions compared at the same time: OpenBLAS adds a product's terms in an order that
    depends on its width.)"""

    top: list[tuple[int, float]]
    sims: dict[int, float]
    owns: dict[int, float] | None
    nears: dict[int, int]

    @classmethod
    def from_kept(cls, kept: tuple) -> "Recalled | None":
        """From (k, rowids, sims, owns, nears, tops) as kept; None when they were kept for
        another number of candidates or are damaged."""
        k, rowids, sims, owns, nears, tops = kept
        if k != CANDIDATES or not all(isinstance(b, bytes) for b in (rowids, sims, nears, tops)):
            return None
        ids, values, near, top = array("q"), array("d"), array("i"), array("q")
        try:
            ids.frombytes(rowids)
            values.frombytes(sims)
            near.frombytes(nears)
            top.frombytes(tops)
            own = None
            if owns is not None:
                own = array("d")
                own.frombytes(owns)
        except (TypeError, ValueError):
            return None
        if not (len(ids) == len(values) == len(near) and (own is None or len(own) == len(ids))):
            return None
        by_id = dict(zip(ids.tolist(), values.tolist()))
        if any(rowid not in by_id for rowid in top):
            return None
        return cls([(rowid, by_id[rowid]) for rowid in top.tolist()], by_id,
                   None if own is None else dict(zip(ids.tolist(), own.tolist())),
                   dict(zip(ids.tolist(), near.tolist())))


def _kept(owners, sims, each, chosen, relevance: dict[int, float]) -> tuple:
    """What :class:`Recalled` reads back, as bytes, from a comparison's results (numpy arrays
    as :meth:`Ranker._measure` gives them; ``chosen``: the indices of the closest blocks,
    closest first; ``relevance``: the blocks the words matched)."""
    import numpy as np

    top = owners[chosen]
    matched = np.asarray(sorted(relevance), dtype=np.int64)
    where = owners.searchsorted(matched)
    inside = where < len(owners)
    matched = matched[inside][owners[where[inside]] == matched[inside]]
    ids = np.union1d(top, matched).astype(np.int64)
    at = owners.searchsorted(ids)
    owns = None
    nears = np.zeros(len(ids), dtype=np.int32)
    if each is not None and len(ids):
        all_sims, starts = each
        firsts = starts[at]
        lengths = np.append(starts[1:], len(all_sims))[at] - firsts
        nears = _first_max_in_segments(all_sims, firsts, lengths).astype(np.int32)
        owns = all_sims[firsts].astype(np.float64).tobytes()
    return (CANDIDATES, ids.tobytes(), sims[at].astype(np.float64).tobytes(), owns,
            nears.tobytes(), top.astype(np.int64).tobytes())


@dataclass(frozen=True)
class Weights:
    """How the ranker combines its scores, and when it is confident.

    ``words``, ``meaning`` and ``topic`` weigh the normalised scores (they sum to 1);
    ``meaning_floor`` is the cosine similarity from which a block is a candidate on meaning
    alone. ``confidence`` is the logistic model of a fitting suggestion: its intercept, then
    one coefficient per :data:`FEATURES`; a suggestion is confident from the probability
    ``confident_at`` (empty ``confidence``: never).
    """

    words: float
    meaning: float
    topic: float
    meaning_floor: float = 0.25
    confidence: tuple[float, ...] = ()
    confident_at: float = 0.5


# Tuned on the dev half of the labelled questions (bench/bench_suggest.py --tune): the ranking
# weights, the logistic model (intercept, then FEATURES) and its threshold.
HYBRID = Weights(words=0.4, meaning=0.4, topic=0.2, meaning_floor=0.25,
                 confidence=(-6.181, 1.335, 2.564, 1.169, 0.603, 1.24, 0.762, 2.463, 3.043,
                             -0.479),
                 confident_at=0.79)
# Words and topics only, tuned the same way: what ranking does without an embedding model, and
# the baseline that the hybrid ranking is measured against.
WORDS_ONLY = Weights(words=0.7, meaning=0.0, topic=0.3,
                     confidence=(-3.774, 2.279, 0.0, 1.16, 0.167, 2.061, 0.565, 0.0, 0.0, 0.0),
                     confident_at=0.87)


@dataclass(frozen=True)
class Suggestion:
    """One ranked block: ``score`` in [0, 1], what the ranking orders by; ``why`` a readable
    reason (empty when not asked for); ``confident``: a draft may use it as the answer;
    ``similarity``: cosine similarity of meaning in [-1, 1], None without an embedding model;
    ``chance``: the probability in [0, 1] that it fits, for the first ``MAX_CONFIDENT`` (None
    for the others, or without a confidence model)."""

    position: str
    title: str
    score: float
    why: str
    confident: bool
    similarity: float | None = None
    chance: float | None = None

    def label(self) -> str:
        """How likely it fits ("fits 64%"), or its score where that is not known."""
        return (f"fits {percent(self.chance)}%" if self.chance is not None
                else f"score {self.score:.2f}")

    def as_json(self) -> dict:
        return {"position": self.position, "title": self.title, "score": self.score,
                "why": self.why, "confident": self.confident}


class Elsewhere(NamedTuple):
    """A block written only for other jurisdictions that would have ranked first had it been
    written for this one: ``position`` and ``title`` of the block, ``jurisdictions`` it is
    written for, and the jurisdiction of the filing (``wanted``)."""

    position: str
    title: str
    jurisdictions: tuple[str, ...]
    wanted: str

    def note(self) -> str:
        """The one line that tells staff the block exists."""
        wanted = self.wanted
        article = "an" if (wanted[:1] in "AEFHILMNORSX" if wanted.isupper()
                           else wanted[:1].lower() in "aeiou") else "a"
        wording = (f"{article} {wanted} wording" if wanted != "other"
                   else "a wording for this filing")
        return (f"The library has a position written for {'/'.join(self.jurisdictions)} filings "
                f"that may fit: {self.title} ({self.position}); a reviewer can write "
                f"{wording}.")


@dataclass
class Ranked:
    """The suggestions for one question (or for a whole consultation), best first;
    ``elsewhere``: the block for another jurisdiction that would have been first
    (:func:`elsewhere`), or None. ``elsewhere`` is not part of the JSON."""

    id: str | None
    text: str
    suggestions: list[Suggestion] = field(default_factory=list)
    topics: list[TopicHit] = field(default_factory=list)
    elsewhere: Elsewhere | None = None

    def shown(self) -> list[Suggestion]:
        """The suggestions worth a reader's time (:func:`worth_showing`), best first."""
        return [s for n, s in enumerate(self.suggestions)
                if worth_showing(s.chance, n, self.suggestions[0].chance)]

    @property
    def confident(self) -> list[Suggestion]:
        """The suggestions a draft may use; empty when no position fits the question."""
        return [s for s in self.suggestions if s.confident]

    def as_json(self) -> dict:
        return {"id": self.id, "text": self.text,
                "suggestions": [s.as_json() for s in self.suggestions]}


def _topic_agreement(asked: set[str], block: BlockRow) -> float:
    """How much of what the question is about (``asked``: the topics its hits name) the
    block covers, in [0, 1]: each shared topic counts by its place in the block's list (the
    first, primary topic fully, later ones less), over the number of topics asked about."""
    if not asked:
        return 0.0
    covered = sum(1.0 / (1.0 + 0.5 * i) for i, t in enumerate(block.topics) if t in asked)
    return min(1.0, covered / len(asked))


class Ranker:
    """Ranks an index's answering blocks for questions, with ``weights`` (HYBRID when an
    embedding model is installed, else WORDS_ONLY); ``matcher``: the :class:`TopicMatcher` of
    another ranker on the same index to share (it only reads), else one is built."""

    def __init__(self, index: Index, weights: Weights | None = None,
                 matcher: TopicMatcher | None = None):
        self.index = index
        self.matcher = TopicMatcher(index.topics) if matcher is None else matcher
        self._model = None
        self._segments = None
        self.meant: dict[str, tuple] = {}         # text -> what _meaning gives, by measure()
        self.searched: dict[str, tuple] = {}      # text -> (query, relevance), by prepare()
        self.found: dict[str, tuple] = {}         # text -> what the index is to keep of it
        self.keep = False                         # whether to note it (in found)
        self._plain: frozenset | None = None      # the stems of PLAIN_WORDS
        if weights is None:
            weights = HYBRID if embed.signature() != "none" else WORDS_ONLY
        self.weights = weights

    def _meaning(self, text: str):
        """How close ``text`` is in meaning to every answering block: (block row ids,
        similarities, every meaning's), or None when meaning is not used. A block's similarity
        is the cosine similarity of the question with the closest of its meanings: its own
        text, or one of the questions it answers. Every meaning's is (the similarity of each
        vector, the index of each block's first vector), or None when no block lists
        questions (one vector each)."""
        if self.weights.meaning <= 0:
            return None
        if text in self.meant:
            return self.meant[text]
        found = self._measure([text])
        return None if found is None else found[0]

    def measure(self, texts) -> None:
        """Compare, in one go, the meaning of ``texts`` with the library's (one product of the
        library's vectors with all the questions' reads the vectors once, not once per
        question); :meth:`rank` then uses what was found."""
        texts = [t for t in dict.fromkeys(texts) if t not in self.meant]
        found = self._measure(texts) if texts else None
        if found is not None:
            self.meant.update(zip(texts, found))

    def recall(self, texts) -> list[str]:
        """Take what the index kept of comparing the meaning of ``texts`` with the library's
        (:class:`Recalled`), for those asked before; the texts it did not keep, to
        :meth:`measure`. Without meaning, none needs measuring."""
        texts = [t for t in dict.fromkeys(texts) if t not in self.meant]
        if self.weights.meaning <= 0 or not texts:
            return []
        for text, kept in self.index.kept_meanings(texts).items():
            recalled = Recalled.from_kept(kept)
            if recalled is not None:
                self.meant[text] = recalled
        return [t for t in texts if t not in self.meant]

    def _measure(self, texts: list[str]):
        """What :meth:`_meaning` gives for each of ``texts``, or None without meaning."""
        if self.weights.meaning <= 0:
            return None
        vectors = self.index.vectors()
        if vectors is None:
            return None
        if self._model is None:
            self._model = embed.load()
        import numpy as np

        rowids, matrix = vectors
        if self._segments is None or self._segments[0] is not rowids:
            starts = np.flatnonzero(np.concatenate(([True], rowids[1:] != rowids[:-1]))) \
                if len(rowids) else np.zeros(0, dtype=np.int64)
            self._segments = (rowids, starts, rowids[starts])
        _, starts, owners = self._segments
        every = matrix @ self._model.embed(texts).T           # (meanings, texts)
        if len(starts) == len(rowids):            # one meaning per block: no answers listed
            return [(owners, every[:, k], None) for k in range(len(texts))]
        best = np.maximum.reduceat(every, starts, axis=0) if len(rowids) else every
        return [(owners, best[:, k], (every[:, k], starts)) for k in range(len(texts))]

    def rank(self, text: str, jurisdiction: str, qid: str | None = None,
             limit: int = 5, explain: int | None = None) -> Ranked:
        """The best ``limit`` blocks for ``text``; the first ``explain`` of them (all by
        default) say why, the others leave ``why`` empty."""
        w = self.weights
        scored, meaning_used, hits, query, nearest = self._candidates(text, jurisdiction)
        out: list[Suggestion] = []
        explain = limit if explain is None else min(explain, limit)
        explained = [row.rowid for _, row, _, _, _ in scored[:explain]]
        matched = self._distinctive(self.index.matched_words(explained, query), text)
        answers = self.index.answers(r for r in explained if r in nearest)
        for n, (score, row, topic, sim, _) in enumerate(scored[:limit]):
            chance, confident = confidence(w, scored, n, jurisdiction, meaning_used)
            asked = answers.get(row.rowid, [])
            near = nearest.get(row.rowid, 0)
            why = ""
            if n < explain:
                why = self._why(row, hits, matched.get(row.rowid, []), jurisdiction, sim,
                                asked[near - 1] if 0 < near <= len(asked) else None,
                                searched=query is not None)
                if chance is not None:
                    why += fits_reason(chance, w.confident_at)
                    if chance >= w.confident_at and not confident:
                        why += "; " + _why_not_automatic(scored, n, jurisdiction)
            out.append(Suggestion(row.id, row.title, round(score, 3), why, confident,
                                  None if sim is None else round(sim, 3), chance))
        return Ranked(qid, text, out, hits, elsewhere(scored, jurisdiction, w))

    def candidates(self, text: str, jurisdiction: str):
        """Every candidate block for ``text``, scored: ([(score, row, topic agreement,
        similarity or None, similarity of the block's own text or None)] best first, whether
        meaning was used, the question's topics, the FTS query). What :meth:`rank` decides on;
        the tuning reads it too."""
        return self._candidates(text, jurisdiction)[:4]

    def _candidates(self, text: str, jurisdiction: str):
        hits = self.matcher.match(text)
        query, relevance = self._words(text)
        scored, meaning_used, nearest = self._score(text, jurisdiction, hits, relevance)
        return scored, meaning_used, hits, query, nearest

    def _words(self, text: str) -> tuple[str | None, dict[int, float]]:
        """The FTS query for ``text`` and the BM25 relevance of its best matches."""
        if text in self.searched:
            return self.searched[text]
        phrases = fts_phrases(self._informative(query_terms(text)))
        relevance: dict[int, float] = {}
        for rowid, score in self.index.search(phrases, FIELD_WEIGHTS, CANDIDATES):
            relevance[rowid] = max(score, 0.0)
        return (" OR ".join(phrases) or None), relevance

    def _score_only(self, item) -> tuple[list, bool]:
        """The scored candidates of a labelled question and whether meaning was used (for
        tuning)."""
        scored, meaning_used, _, _ = self.candidates(item.text, item.jurisdiction)
        return scored, meaning_used

    def _score(self, text: str, jurisdiction: str, hits: list[TopicHit],
               relevance: dict[int, float]):
        w = self.weights
        similarity: dict[int, float] = {}
        meaning = self._meaning(text)
        nearest: dict[int, int] = {}
        if isinstance(meaning, Recalled) and any(r not in meaning.sims for r in relevance):
            found = self._measure([text])     # the words match a block it did not keep
            meaning = None if found is None else found[0]
        if isinstance(meaning, Recalled):
            for rowid, sim in meaning.top:
                if sim >= w.meaning_floor:
                    similarity[rowid] = sim
            for rowid in sorted(relevance):
                similarity.setdefault(rowid, meaning.sims[rowid])
        elif meaning is not None:
            rowids, sims, each = meaning
            chosen = _most_similar(sims, CANDIDATES)
            for i in chosen.tolist():
                if sims[i] >= w.meaning_floor:
                    similarity[int(rowids[i])] = float(sims[i])
            if relevance:                     # rowids are sorted: find the words' matches
                asked = sorted(relevance)
                where = rowids.searchsorted(asked)
                for rowid, i in zip(asked, where.tolist()):
                    if i < len(rowids) and rowids[i] == rowid:
                        similarity.setdefault(rowid, float(sims[i]))
            if self.keep:
                self.found[text] = _kept(rowids, sims, each, chosen, relevance)
        rows = self.index.rows(set(relevance) | set(similarity))
        best_text = max(relevance.values(), default=0.0) or 1.0
        low = min(similarity.values(), default=0.0)
        spread = max(similarity.values(), default=0.0) - low
        scored = []
        asked = {h.topic for h in hits}           # once for every candidate
        on_words, on_meaning, on_topic = w.words, w.meaning, w.topic
        get_words, get_sim = relevance.get, similarity.get
        for rowid, row in rows.items():
            status = row.status
            if status == "retired" or row.role not in ANSWER_ROLES:
                continue
            words = get_words(rowid, 0.0) / best_text
            sim = get_sim(rowid)
            close = 0.0 if sim is None else ((sim - low) / spread if spread > 0 else 1.0)
            topic = _topic_agreement(asked, row)
            factor = 1.0
            if not row.applies_to(jurisdiction):
                factor *= OTHER_JURISDICTION
            if status != "approved":
                factor *= DRAFT_STATUS
            score = (on_words * words + on_meaning * close + on_topic * topic) * factor
            if score > 0:
                scored.append((score, row, topic, sim, None))
        scored.sort(key=lambda item: (-item[0], item[1].id))
        if isinstance(meaning, Recalled):
            if meaning.owns is not None:
                owns, nears = meaning.owns, meaning.nears
                for k, (score, row, topic, sim, _) in enumerate(scored):
                    scored[k] = (score, row, topic, sim, owns[row.rowid])
                    if nears[row.rowid]:
                        nearest[row.rowid] = nears[row.rowid]
        elif meaning is not None and each is not None and scored:
            all_sims, starts = each
            import numpy as np

            where = rowids.searchsorted([row.rowid for _, row, _, _, _ in scored])
            firsts = starts[where]
            lengths = np.append(starts[1:], len(all_sims))[where] - firsts
            closest = _first_max_in_segments(all_sims, firsts, lengths).tolist()
            for k, (n, own) in enumerate(zip(closest, all_sims[firsts].tolist())):
                score, row, topic, sim, _ = scored[k]
                scored[k] = (score, row, topic, sim, own)
                if n:
                    nearest[row.rowid] = n
        return scored, meaning is not None, nearest

    def prepare(self, texts) -> None:
        """Look up, in one go, what ranking ``texts`` will need to know of the library, and
        search their words: the embedding model meanwhile loads in another thread (SQLite
        searches without holding Python's lock)."""
        texts = list(texts)
        if len(self.index) > COMMON_WORD_BLOCKS:
            self.index.document_frequencies(
                w for text in texts for term in query_terms(text) for w in term)
        for text in texts:
            self.searched[text] = self._words(text)

    def _informative(self, terms: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
        """The terms worth searching for: words the library uses, but not in most blocks."""
        if not terms or len(self.index) <= COMMON_WORD_BLOCKS:
            return terms
        df = self.index.document_frequencies(w for term in terms for w in term)
        ceiling = max(MAX_DF_FRACTION * len(self.index), COMMON_WORD_BLOCKS)
        kept = [t for t in terms
                if all(df[w] > 0 for w in t) and any(df[w] <= ceiling for w in t)]
        if not kept:
            known = sorted((df[t[0]], t) for t in terms if len(t) == 1 and df[t[0]] > 0)
            kept = [t for _, t in known[:3]]
        return kept

    def _distinctive(self, matched: dict[int, list[str]], question: str
                     ) -> dict[int, list[str]]:
        """The words of each block's match (``matched``: row id -> words, as
        :meth:`Index.matched_words` gives them) worth naming in a reason, in order: not a
        function word or a word that names no subject (:data:`PLAIN_WORDS`, any of their
        forms), not a word used by half the blocks or more (BM25 gives those no weight: they
        do not tell one block from another), and an acronym only where the question means the
        same (:func:`same_sense`); one form of a word ("requirement", not also "requires").
        Acronyms are named as written (IP, DNS)."""
        words = sorted({w for found in matched.values() for w in found})
        if not words:
            return {}
        pieces = {w: _WORD.findall(w) for w in words}      # "cross-border": cross, border
        stems = self.index.stems([p for ps in pieces.values() for p in ps])
        if self._plain is None:
            self._plain = frozenset(s for s in self.index.stems(PLAIN_WORDS).values() if s)
        plain = self._plain
        df = self.index.document_frequencies(words)
        blocks = len(self.index)
        texts = self.index.texts(matched)
        asked = _WORD.findall(question)
        out: dict[int, list[str]] = {}
        for rowid, found in matched.items():
            kept, named = [], set()
            text = texts.get(rowid, "")
            tokens = None
            for word in found:
                own = {stems[p] for p in pieces[word]} - {""}
                if (word in STOP_WORDS or not own or own <= plain or own <= named
                        or 2 * df[word] >= blocks):
                    continue
                if tokens is None:
                    tokens = _WORD.findall(text)
                sense = same_sense(word, text, question, tokens, asked)
                if sense is not None and sense == word and not close_form(word, asked):
                    continue          # only the stemmer joins them: "authorities" (question:
                                      # "authorizations"), "accessibility" ("access")
                if sense is not None:
                    kept.append(sense)
                    named |= own
            out[rowid] = kept
        return out

    def _why(self, row: BlockRow, hits: list[TopicHit], words: list[str],
             jurisdiction: str, sim: float | None, asked: str | None = None,
             searched: bool = False) -> str:
        parts = []
        shown = None if sim is None else round(sim, 2)    # words and figure agree
        if shown is not None and asked is not None and shown >= QUOTE_FROM:
            parts.append(f"meaning: {_closeness(shown)}, like a question it answers, "
                         f"\u201c{_shorten(asked)}\u201d (similarity {shown:.2f})")
        elif shown is not None:
            parts.append(f"meaning: {_closeness(shown)} (similarity {shown:.2f})")
        shared = [h for h in hits if h.topic in row.topics]
        if shared:
            parts.append("topics: " + ", ".join(
                f'{h.label} ("' + '", "'.join(h.keywords[:2]) + '")' for h in shared))
        if words:
            parts.append("words: " + ", ".join(words[:8]))
        elif searched:
            parts.append("no distinctive words in common")
        if row.status != "approved":
            parts.append(f"{row.status} block, not yet approved")
        if not row.applies_to(jurisdiction):
            parts.append("written for " + "/".join(row.jurisdictions) + " filings")
        if not parts:
            parts.append("related topics: " + ", ".join(
                self.index.topics.get(t, {}).get("label", t) for t in row.topics))
        return "; ".join(parts)


def _first_max_in_segments(values, firsts, lengths):
    """For each segment ``values[firsts[i]:firsts[i] + lengths[i]]`` of a 1-d array (each
    ``lengths[i]`` >= 1), the place of its largest value within it, the first on ties: an
    int array of what ``values[first:first + length].argmax()`` gives each, found in one go."""
    import numpy as np

    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    gathered = values[np.arange(int(lengths.sum())) - np.repeat(offsets - firsts, lengths)]
    if np.isnan(gathered).any():          # argmax stops at the first NaN: segment by segment
        return np.array([int(values[f:f + n].argmax())
                         for f, n in zip(firsts.tolist(), lengths.tolist())], dtype=np.int64)
    top = np.maximum.reduceat(gathered, offsets)
    hits = np.flatnonzero(gathered == np.repeat(top, lengths))
    return hits[np.searchsorted(hits, offsets)] - offsets


def _most_similar(sims, k: int):
    """The indices of the ``k`` largest of ``sims`` (a 1-d array), largest first, ties in
    descending index order: what ``sims.argsort(kind="stable")[::-1][:k]`` gives, without
    sorting the whole array."""
    import numpy as np

    if len(sims) > 4 * k:
        cut = np.partition(sims, len(sims) - k)[len(sims) - k]
        chosen = np.flatnonzero(sims >= cut)
    else:
        chosen = np.arange(len(sims))
    order = np.lexsort((-chosen, -sims[chosen]))
    return chosen[order][:k]


def confidence_features(scored: list, n: int) -> tuple[float, ...]:
    """What the confidence model knows of the ``n``-th of the scored candidates ((score, row,
    topic agreement, similarity or None, similarity of the block's own text or None), best
    first), in :data:`FEATURES` order."""
    score, _, topic, sim, own = scored[n]
    top = scored[0][0]
    following = scored[n + 1][0] if n + 1 < len(scored) else 0.0
    sim = 0.0 if sim is None else sim
    own = sim if own is None else own
    return (score, sim, topic, score / top if top > 0 else 0.0, score - following,
            1.0 if n == 0 else 0.0, sim * sim, own, sim - own)


def probability(w: Weights, features) -> float:
    """The probability, by ``w.confidence``, that a suggestion with these features fits."""
    if not w.confidence:
        return 0.0
    z = w.confidence[0] + sum(c * f for c, f in zip(w.confidence[1:], features))
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def confidence(w: Weights, scored: list, n: int, jurisdiction: str,
               meaning_used: bool) -> tuple[float | None, bool]:
    """(the probability that the ``n``-th of the scored candidates fits, None past the first
    ``MAX_CONFIDENT`` or without a confidence model; whether it is an answer a policy lead
    would accept: an approved block that fits the jurisdiction, with that probability at
    least ``w.confident_at``)."""
    if n >= MAX_CONFIDENT or not w.confidence:
        return None, False
    chance = probability(w, confidence_features(scored, n))
    return chance, chance >= w.confident_at and may_answer(scored, n, jurisdiction,
                                                           meaning_used)


def may_answer(scored: list, n: int, jurisdiction: str, meaning_used: bool) -> bool:
    """Whether the ``n``-th of the scored candidates may be an automatic answer, however
    likely it is to fit: an approved block that fits the jurisdiction (and, when meaning is
    used, one whose meaning was compared)."""
    _, row, _, sim, _ = scored[n]
    return (row.status == "approved" and row.applies_to(jurisdiction)
            and (sim is not None or not meaning_used))


def percent(chance: float) -> int:
    """``chance`` (0 to 1) as a whole percentage, rounded down, so that a chance just under
    the confidence threshold never shows as the threshold itself (0.7996 is 79%, not 80%)."""
    return math.floor(round(chance * 100, 6))


def fits_reason(chance: float, confident_at: float) -> str:
    """What a reason ends with: "; fits: 64% likely (confident from 80%)"."""
    return f"; fits: {percent(chance)}% likely (confident from {percent(confident_at)}%)"


def _why_not_automatic(scored: list, n: int, jurisdiction: str) -> str:
    """Why the ``n``-th of the scored candidates, likely enough to fit, may still not be an
    automatic answer (:func:`may_answer`)."""
    _, row, _, sim, _ = scored[n]
    if row.status != "approved":
        return f"not used automatically: the position is {row.status}, not approved"
    if not row.applies_to(jurisdiction):
        return f"not used automatically: the position is not for {jurisdiction} filings"
    if sim is None:
        return "not used automatically: its meaning was not compared"
    return "not used automatically"


def confident_by(w: Weights, scored: list, n: int, jurisdiction: str,
                 meaning_used: bool) -> bool:
    """Whether the ``n``-th of the scored candidates is confident (see :func:`confidence`)."""
    return confidence(w, scored, n, jurisdiction, meaning_used)[1]


def _shorten(text: str, words: int = 14) -> str:
    split = text.split()
    return " ".join(split[:words]) + (" \u2026" if len(split) > words else "")


# A reason quotes the question a block answers that resembles the one asked only from this
# similarity ("very close"): below it the resemblance is too loose to be worth showing.
QUOTE_FROM = 0.6


def _closeness(sim: float) -> str:
    if sim >= 0.6:
        return "very close to the question"
    if sim >= 0.45:
        return "close to the question"
    if sim >= 0.3:
        return "somewhat related to the question"
    return "distant from the question"


# --- what a reader is shown ------------------------------------------------------------------

# Words that name no subject, whatever the consultation: common verbs, nouns and adverbs of
# questions and position papers ("do the markets work well", "disputes that call for", "close
# the gap", "be required to", "ensure"), and the prefixes of hyphenated words ("multi-factor",
# "multi-stakeholder"). A reason never names them (in any form: "working", "calls",
# "requirement"), though the ranking still counts them.
PLAIN_WORDS = frozenset("""
call close work well take give help keep set put come go get see show find know think say tell
ask seek want look bring hold turn run move meet mean lead follow change start continue remain
become seem begin part place case point fact thing time year day level area form kind type
number side lot great good high low large small long short full main early late
evidence response respond input feedback answer proposal propose view opinion reason effect
maintain require allow enable ensure support promote uphold foster avoid company organisation
organization multi non pre post co sub self anti across among around beyond toward towards
along behind inside outside onto
""".split())

# The lowest calibrated chance at which a suggestion after the first is shown to a reader (the
# table of drafter suggest and drafter coverage, a draft's placeholder comment): chosen on the
# dev half of tests/data/suggest/labels.yaml by :func:`show_from`, as the lowest whole
# percentage from which at least one in three of the dev candidates shown after the first is
# right (34% of 132 at 14%; 13 in 100 of all 492 second and third candidates are right).
SHOW_FROM = 0.14
SHOWN_PRECISION = 1 / 3


def show_from(observations, precision: float = SHOWN_PRECISION) -> float:
    """The display floor :data:`SHOW_FROM` from ``observations``: (chance in [0, 1], whether
    the block is right) of labelled candidates after the first. The lowest whole percentage p
    such that, of the candidates whose chance is at least p/100, a share of at least
    ``precision`` are right; 1.0 when none is."""
    observations = [(c, bool(r)) for c, r in observations if c is not None]
    for p in range(0, 101):
        shown = [right for chance, right in observations if chance >= p / 100]
        if shown and sum(shown) >= precision * len(shown):
            return p / 100
    return 1.0


def worth_showing(chance: float | None, n: int, first: float | None) -> bool:
    """Whether the ``n``-th suggestion (0: the best) is worth a reader's time: the first
    always; a later one when its calibrated chance reaches :data:`SHOW_FROM` (without a
    confidence model, ``first`` None, every one)."""
    if n == 0 or first is None:
        return True
    return chance is not None and chance >= SHOW_FROM


NO_OTHER = "No other position comes close."


def elsewhere(scored: list, jurisdiction: str, w: Weights) -> Elsewhere | None:
    """The block written only for other jurisdictions that would be the first of the scored
    candidates ((score, row, ...) best first, as :meth:`Ranker.candidates` gives them) if it
    were written for ``jurisdiction``: its score without the jurisdiction factor above the
    first one's, and, first, a chance to fit (by ``w``'s confidence model) of at least
    :data:`SHOW_FROM`. The best such, or None (also when the first is itself for another
    jurisdiction: it is shown, and says so)."""
    if not scored or not scored[0][1].applies_to(jurisdiction):
        return None
    first = scored[0][0]
    for k, (score, row, *rest) in sorted(
            ((k, item) for k, item in enumerate(scored[1:], start=1)
             if not item[1].applies_to(jurisdiction) and item[0] / OTHER_JURISDICTION > first),
            key=lambda pair: (-pair[1][0], pair[0])):
        fitting = [(score / OTHER_JURISDICTION, row, *rest)] + scored[:k] + scored[k + 1:]
        if w.confidence and probability(w, confidence_features(fitting, 0)) < SHOW_FROM:
            continue
        return Elsewhere(row.id, row.title, tuple(row.jurisdictions), jurisdiction)
    return None


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


# How much of the longer of two words their common beginning must be for a reason to call
# them one word: "encrypted" / "encryption" (7 of 10), "requirement" / "required" (7 of 11),
# "regulatory" / "regulation" (7 of 10) are; "authorities" / "authorizations" (7 of 14),
# "accessibility" / "access" (6 of 13), "community" / "communications" (7 of 14) are not,
# though the Porter stemmer gives each pair one stem.
CLOSE_FORM = 0.6


def close_form(word: str, question_tokens: list[str]) -> bool:
    """Whether ``word`` (lower case, as matched in a block; "cross-border" as one) is written
    in the question in a close form (:data:`CLOSE_FORM`); for a word of several parts, one of
    its parts."""
    asked = {t.lower() for t in question_tokens}
    for part in [word] + (_WORD.findall(word) if not word.isalnum() else []):
        for other in asked:
            shared = len(os.path.commonprefix([part, other]))
            if shared >= CLOSE_FORM * max(len(part), len(other)):
                return True
    return False


def _is_acronym(token: str) -> bool:
    """IP, DNS, ISPs: capitals (and a plural s), two letters or more."""
    core = token[:-1] if len(token) > 2 and token.endswith("s") else token
    return len(core) >= 2 and core.isupper()


def _forms(tokens: list[str], word: str) -> list[str]:
    plain = word[:-1] if len(word) > 2 and word.endswith("s") else word
    return [t for t in tokens if t.lower() in (word, plain, plain + "s")]


def _expansions(tokens: list[str], acronym: str) -> set[str]:
    """Runs of words of ``tokens`` whose initials spell ``acronym`` (function words between
    them skipped: "Department of Justice"), lower-cased, with the place after each run."""
    letters = [c for c in acronym.lower() if c.isalpha()]
    if letters and acronym.endswith("s") and len(letters) > 2 and acronym[:-1].isupper():
        letters = letters[:-1]
    found = set()
    for start, token in enumerate(tokens):
        if not letters or token.lower()[0] != letters[0] or token.lower() in STOP_WORDS:
            continue
        run, k, i = [token.lower()], 1, start + 1
        while k < len(letters) and i < len(tokens):
            t = tokens[i].lower()
            if t in STOP_WORDS and k > 0:
                i += 1
                continue
            if t[0] != letters[k]:
                break
            run.append(t)
            k, i = k + 1, i + 1
        if k == len(letters) and len(run) > 1:
            found.add((" ".join(run), i))
    return found


def _defined(text: str, acronym: str) -> set[str]:
    """What ``text`` spells ``acronym`` out as: "Internet Protocol (IP)", "IP (Internet
    Protocol)"; lower-cased."""
    out = set()
    for m in re.finditer(r"\(\s*" + re.escape(acronym) + r"\s*\)", text):
        before = _WORD.findall(text[:m.start()])[-12:]
        out |= {run for run, end in _expansions(before, acronym) if end == len(before)}
    for m in re.finditer(r"\b" + re.escape(acronym) + r"\s*\(([^)]*)\)", text):
        inside = _WORD.findall(m.group(1))
        out |= {run for run, end in _expansions(inside, acronym) if end == len(inside)}
    return out


def same_sense(word: str, block: str, question: str, block_tokens: list[str] | None = None,
               question_tokens: list[str] | None = None) -> str | None:
    """How to name ``word`` (lower-cased, as the index matched it in a block's ``block`` text)
    in a reason for ``question``, or None when the two texts do not mean the same by it. An
    acronym (IP, DNS) matches the same acronym, unless each text spells it out differently,
    or its expansion in the other text; never a word that is only written in lower case
    ("ip" in "IP" when the question says neither "IP" nor "Internet Protocol"). Acronyms are
    named as written; other words in lower case. ``block_tokens`` and ``question_tokens``:
    the texts' words, when already split."""
    btoks = _WORD.findall(block) if block_tokens is None else block_tokens
    qtoks = _WORD.findall(question) if question_tokens is None else question_tokens
    bforms, qforms = _forms(btoks, word), _forms(qtoks, word)
    if not bforms or not qforms:
        return word
    bacr = [t for t in bforms if _is_acronym(t)]
    qacr = [t for t in qforms if _is_acronym(t)]
    bplain, qplain = len(bacr) < len(bforms), len(qacr) < len(qforms)
    if bplain and qplain:
        return word
    if bacr and qacr:
        acronym = bacr[0]
        bdef, qdef = _defined(block, acronym), _defined(question, qacr[0])
        return None if bdef and qdef and not bdef & qdef else acronym
    if bacr:                      # an acronym in the block, a plain word in the question
        acronym, other, spelt = bacr[0], qtoks, _defined(block, bacr[0])
    else:                         # an acronym in the question, a plain word in the block
        acronym, other, spelt = qacr[0], btoks, _defined(question, qacr[0])
    runs = {run for run, _ in _expansions(other, acronym)}
    if runs and (not spelt or runs & spelt):
        return acronym
    return None
