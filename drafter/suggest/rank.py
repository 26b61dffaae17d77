"""Ranking positions for a question: BM25 over the blocks' words, combined with topics,
jurisdiction, status and role, and a reason for every suggestion.

The score of a block for a question is, in [0, 1]::

    (W_TEXT * text + W_TOPIC * topic) * jurisdiction * status * role

- ``text``: the block's BM25 relevance (FTS5) over its title and summary (weighted most), the
  labels and keywords of its topics, and its body, relative to the best block for this
  question;
- ``topic``: agreement between the topics the question is about (found through the topic
  vocabulary's keywords) and the block's topics, its first (primary) topic counting most;
- ``jurisdiction``: a block written for other jurisdictions counts less than a third (it
  speaks to another legislator: it can inspire an answer, rarely be one);
- ``status``: draft blocks count less; retired blocks are never suggested;
- ``role``: openings and closings rarely answer a question; profile blocks (who we are) only
  answer questions about the filer.

Topics weigh more than words (``W_TOPIC`` > ``W_TEXT``): the topic vocabulary is curated, while
``text`` is relative to the best block, which therefore gets full credit even when it matches a
single incidental word of the question.

A suggestion is *confident* when the block is approved, fits the jurisdiction, shares a topic
with the question, scores at least ``CONFIDENT_SCORE`` and is close to the best suggestion.
Drafts use confident suggestions only, marked for review.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drafter.suggest.index import BlockRow, Index
from drafter.suggest.text import TopicHit, TopicMatcher, fts_query, query_terms

# BM25 weights of the indexed columns: title, summary, topics (labels and keywords), body.
FIELD_WEIGHTS = (3.0, 2.0, 1.0, 1.0)
W_TEXT = 0.4
W_TOPIC = 0.6
OTHER_JURISDICTION = 0.3
DRAFT_STATUS = 0.75
ROLE_FACTORS = {"introduction": 0.3, "closing": 0.3}
PROFILE_OFF_TOPIC = 0.5
CONFIDENT_SCORE = 0.5
CONFIDENT_RATIO = 0.75       # of the best score for the question
MAX_CONFIDENT = 3
CANDIDATES = 60
# Matching a word costs in proportion to the number of blocks that use it.  In a large library,
# words found in more than a tenth of the blocks (and more than COMMON_WORD_BLOCKS of them) are
# left out of the search: BM25 gives them little weight, and they cost the most.  A library of
# up to 1,000 blocks is searched for every word.
MAX_DF_FRACTION = 0.1
COMMON_WORD_BLOCKS = 1000


@dataclass(frozen=True)
class Suggestion:
    position: str
    title: str
    score: float
    why: str
    confident: bool

    def as_json(self) -> dict:
        return {"position": self.position, "title": self.title, "score": self.score,
                "why": self.why, "confident": self.confident}


@dataclass
class Ranked:
    """The suggestions for one question (or for a whole consultation)."""

    id: str | None
    text: str
    suggestions: list[Suggestion] = field(default_factory=list)
    topics: list[TopicHit] = field(default_factory=list)

    @property
    def confident(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.confident]

    def as_json(self) -> dict:
        return {"id": self.id, "text": self.text,
                "suggestions": [s.as_json() for s in self.suggestions]}


def _topic_agreement(hits: list[TopicHit], block: BlockRow) -> float:
    """How much of what the question is about the block covers: each shared topic counts by
    its place in the block's list (the first, primary topic fully, later ones less), over the
    number of topics the question is about."""
    if not hits:
        return 0.0
    asked = {h.topic for h in hits}
    covered = sum(1.0 / (1.0 + 0.5 * i) for i, t in enumerate(block.topics) if t in asked)
    return min(1.0, covered / len(asked))


class Ranker:
    def __init__(self, index: Index):
        self.index = index
        self.matcher = TopicMatcher(index.topics)

    def rank(self, text: str, jurisdiction: str, qid: str | None = None,
             limit: int = 5, explain: int | None = None) -> Ranked:
        """The best ``limit`` blocks for ``text``; the first ``explain`` of them (all by
        default) say why, the others leave ``why`` empty."""
        hits = self.matcher.match(text)
        terms = query_terms(text)
        query = fts_query(self._informative(terms))
        relevance: dict[int, float] = {}
        if query:
            for rowid, score in self.index.search(query, FIELD_WEIGHTS, CANDIDATES):
                relevance[rowid] = max(score, 0.0)
        rows = self.index.rows(relevance)
        best_text = max(relevance.values(), default=0.0) or 1.0
        asked_about_filer = any(h.topic == "coalition" for h in hits)
        scored = []
        for rowid, row in rows.items():
            if row.status == "retired":
                continue
            text_score = relevance[rowid] / best_text
            topic_score = _topic_agreement(hits, row)
            factor = 1.0
            if not row.applies_to(jurisdiction):
                factor *= OTHER_JURISDICTION
            if row.status != "approved":
                factor *= DRAFT_STATUS
            factor *= ROLE_FACTORS.get(row.role, 1.0)
            if row.role == "profile" and not asked_about_filer:
                factor *= PROFILE_OFF_TOPIC
            score = (W_TEXT * text_score + W_TOPIC * topic_score) * factor
            if score > 0:
                scored.append((score, row, topic_score))
        scored.sort(key=lambda item: (-item[0], item[1].id))
        top = scored[0][0] if scored else 0.0
        out: list[Suggestion] = []
        confident_count = 0
        explain = limit if explain is None else min(explain, limit)
        matched = self.index.matched_words([row.rowid for _, row, _ in scored[:explain]], query)
        for n, (score, row, topic_score) in enumerate(scored[:limit]):
            confident = (confident_count < MAX_CONFIDENT
                         and row.status == "approved"
                         and row.applies_to(jurisdiction)
                         and row.role not in ROLE_FACTORS
                         and topic_score > 0
                         and score >= CONFIDENT_SCORE
                         and score >= CONFIDENT_RATIO * top)
            confident_count += confident
            why = self._why(row, hits, matched.get(row.rowid, []), jurisdiction) \
                if n < explain else ""
            out.append(Suggestion(row.id, row.title, round(score, 3), why, confident))
        return Ranked(qid, text, out, hits)

    def prepare(self, texts) -> None:
        """Look up, in one go, what ranking ``texts`` will need to know of the library."""
        if len(self.index) > COMMON_WORD_BLOCKS:
            self.index.document_frequencies(
                w for text in texts for term in query_terms(text) for w in term)

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

    def _why(self, row: BlockRow, hits: list[TopicHit], words: list[str],
             jurisdiction: str) -> str:
        parts = []
        shared = [h for h in hits if h.topic in row.topics]
        if shared:
            parts.append("topics: " + ", ".join(
                f'{h.label} ("' + '", "'.join(h.keywords[:2]) + '")' for h in shared))
        if words:
            parts.append("words: " + ", ".join(words[:8]))
        if row.status != "approved":
            parts.append(f"{row.status} block, not yet approved")
        if not row.applies_to(jurisdiction):
            parts.append("written for " + "/".join(row.jurisdictions) + " filings")
        if row.role in ROLE_FACTORS:
            parts.append(f"a {row.role} block")
        if not parts:
            parts.append("related topics: " + ", ".join(
                self.index.topics.get(t, {}).get("label", t) for t in row.topics))
        return "; ".join(parts)
