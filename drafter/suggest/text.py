"""Words of questions and blocks: tokens, stop words, FTS5 queries and topic keywords."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tokens as FTS5's unicode61 tokenizer sees them (letters and digits; everything else splits).
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)

# Common English function words, and the words every consultation question uses ("please
# describe ... provide examples ..."), which say nothing about the subject.
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are aren as at be because been before
being below between both but by can cannot could did do does doing don down during each either
else etc even ever every few for from further had has have having he her here hers herself him
himself his how however i if in into is isn it its itself just least less let like likely made
make makes many may me might more most much must my myself neither no nor not now of off often
on once one only or other others otherwise ought our ours ourselves out over own per perhaps
rather same shall she should so some such than that the their theirs them themselves then there
therefore these they this those though through thus to too under until up upon us use used uses
using very via was we were what whatever when where whether which while who whom whose why will
with within without would yes yet you your yours yourself yourselves
e g eg i e ie
comment comments commenter commenters question questions respondent respondents please describe
explain provide provides providing example examples specific specifically view views way ways
extent including include includes included consider considered considering appropriate
particular regard regarding respect identify identified identifying discuss address addressed
current currently new need needs needed potential possible important issue issues approach
approaches role roles relevant additional whether better best
agency agencies administration department commission ntia cisa fcc ftc nist
""".split())


def strip_jinja(text: str) -> str:
    """Block bodies without their Jinja expressions (``{{ org.name }}`` is not content)."""
    return _JINJA.sub(" ", text)


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry meaning, in order, with duplicates."""
    return [t for t in tokens(text) if t not in STOP_WORDS and len(t) > 1 and not t.isdigit()]


def query_terms(text: str) -> list[tuple[str, ...]]:
    """The terms to look for: each content word of ``text``, and each pair of adjacent ones.

    Adjacent pairs become phrases, so that "incident reporting" in a question ranks a block
    that says "incident reporting" above one that only says "incident" and "reporting" apart.
    """
    terms: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    previous = None
    for word in tokens(text):
        if word in STOP_WORDS or len(word) < 2 or word.isdigit():
            previous = None
            continue
        for term in ((word,), (previous, word) if previous else None):
            if term is not None and term not in seen:
                seen.add(term)
                terms.append(term)
        previous = word
    return terms


def fts_query(terms) -> str | None:
    """An FTS5 query matching any of ``terms``; every term is quoted, so words like AND, OR
    or NEAR in a question are plain words."""
    parts = ['"' + " ".join(term) + '"' for term in terms]
    return " OR ".join(parts) if parts else None


# --- topic keywords --------------------------------------------------------------------------

def _keyword_pattern(keyword: str) -> str:
    """A keyword as a regular expression: case-insensitive, hyphen or space between words,
    and words of four letters or more also match their longer forms."""
    parts = []
    for word in _TOKEN.findall(keyword):
        word = re.escape(word.lower())
        parts.append(word + (r"\w*" if len(word) >= 4 else r"s?"))
    return r"\b" + r"[\s\-/]+".join(parts) + r"\b"


@dataclass(frozen=True)
class TopicHit:
    topic: str
    label: str
    keywords: tuple[str, ...]      # the words of the question that signalled the topic


class TopicMatcher:
    """Finds the topics a question is about, from the topic vocabulary's labels and keywords."""

    def __init__(self, topics: dict[str, dict]):
        self.labels = {tid: str(t.get("label", tid)) for tid, t in topics.items()}
        self._patterns: list[tuple[str, re.Pattern]] = []
        for tid, topic in topics.items():
            phrases = [str(k) for k in (topic.get("keywords") or [])]
            label = str(topic.get("label", ""))
            if phrases and label and label.lower() not in (p.lower() for p in phrases):
                phrases.append(label)
            parts = [_keyword_pattern(p) for p in phrases if _TOKEN.search(p)]
            if parts:
                # Longest first, so that "incident reporting" wins over "incident".
                parts.sort(key=len, reverse=True)
                self._patterns.append((tid, re.compile("|".join(parts), re.I)))

    def match(self, text: str) -> list[TopicHit]:
        """The topics ``text`` is about, the most strongly signalled first (stable order);
        each with the words of ``text`` that signalled it."""
        found: dict[str, list[str]] = {}
        for tid, pattern in self._patterns:
            for m in pattern.finditer(text):
                words = " ".join(m.group(0).split()).lower()
                found.setdefault(tid, [])
                if words not in found[tid]:
                    found[tid].append(words)
        order = sorted(found, key=lambda t: -len(found[t]))
        return [TopicHit(t, self.labels[t], tuple(found[t])) for t in order]


def topic_text(topic_ids, topics: dict[str, dict]) -> str:
    """What the FTS index holds for a block's topics: each topic's label and keywords."""
    out = []
    for tid in topic_ids:
        topic = topics.get(tid) or {}
        out.append(str(topic.get("label", tid)))
        out.extend(str(k) for k in (topic.get("keywords") or []))
    return " ; ".join(out)
