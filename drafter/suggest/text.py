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
on once one ones only or other others otherwise ought our ours ourselves out over own per perhaps
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


def fts_phrases(terms) -> list[str]:
    """Each of ``terms`` (tuples of words) as an FTS5 phrase, quoted, so that words like AND,
    OR or NEAR in a question are plain words."""
    return ['"' + " ".join(term) + '"' for term in terms]


def fts_query(terms) -> str | None:
    """An FTS5 query matching any of ``terms`` (its phrases joined by OR), or None."""
    parts = fts_phrases(terms)
    return " OR ".join(parts) if parts else None


# --- topic keywords --------------------------------------------------------------------------

def _word_matches(keyword_word: str, token: str) -> bool:
    """A keyword's word against a question's token: words of four letters or more also match
    their longer forms ("encrypt" - "encryption"); shorter ones match as they are or plural."""
    if len(keyword_word) >= 4:
        return token.startswith(keyword_word)
    return token == keyword_word or token == keyword_word + "s"


@dataclass(frozen=True)
class TopicHit:
    topic: str
    label: str
    keywords: tuple[str, ...]      # the words of the question that signalled the topic


class TopicMatcher:
    """Finds the topics a question is about, from the topic vocabulary's labels and keywords.

    Matching ignores case and punctuation between words ("multi-stakeholder" is "multi
    stakeholder"); a keyword's words must follow each other in the question.
    """

    def __init__(self, topics: dict[str, dict]):
        self.labels = {tid: str(t.get("label", tid)) for tid, t in topics.items()}
        # first word's key -> [(topic, words)]; the key is a word's first four letters, or
        # the whole of a shorter word
        self._by_head: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for tid, topic in topics.items():
            phrases = [str(k) for k in (topic.get("keywords") or [])]
            label = str(topic.get("label", ""))
            if phrases and label and label.lower() not in (p.lower() for p in phrases):
                phrases.append(label)
            for phrase in phrases:
                words = tuple(tokens(phrase))
                if words:
                    head = words[0][:4] if len(words[0]) >= 4 else words[0]
                    self._by_head.setdefault(head, []).append((tid, words))

    def match(self, text: str) -> list[TopicHit]:
        """The topics ``text`` is about, the most strongly signalled first (stable order);
        each with the words of ``text`` that signalled it."""
        toks = tokens(text)
        found: dict[str, list[str]] = {}
        for i, token in enumerate(toks):
            heads = {token[:4], token} | ({token[:-1]} if token.endswith("s") else set())
            for head in heads:
                for tid, words in self._by_head.get(head, ()):
                    if i + len(words) <= len(toks) and all(
                            _word_matches(w, toks[i + j]) for j, w in enumerate(words)):
                        matched = " ".join(toks[i:i + len(words)])
                        seen = found.setdefault(tid, [])
                        if matched not in seen:
                            seen.append(matched)
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
