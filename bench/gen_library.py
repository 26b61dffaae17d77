"""Generate a position library of N blocks (default 10,000) for the suggest benchmark.

    python bench/gen_library.py [--blocks 10000] [--out bench/out/lib10k] [--seed 1]

The library is a workspace folder (positions/ with the shipped topics.yaml and the shipped
blocks, plus generated ones; templates/ copied so drafter recognises the workspace).  Generated
blocks look like real ones: valid front matter (1 to 4 topics from the vocabulary, a role, a
stance, jurisdictions, a status: about 80% approved, 15% draft, 5% retired) and a body of 60 to
220 words: sentences from a word-bigram chain trained on the seeds and shipped blocks, the
topics' keywords, and a long tail of rarer words, so that BM25 sees realistic term statistics
(tens of thousands of distinct terms, domain words in many blocks). Answering blocks list 8 to
12 questions they answer (``answers``), as one expert wrote for each shipped block.  The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

ROLES = ["recommendation"] * 5 + ["argument"] * 3 + ["concern"] * 2 + ["framing", "section-intro",
                                                                        "profile"]
STANCES = ["support", "support", "oppose", "conditional", "neutral"]
JURISDICTIONS = [["any"], ["US"], ["EU"], ["EU", "US", "UK", "other"], ["US", "UK"], ["EU"]]

ANSWERING = ("recommendation", "argument", "concern")
# Answering blocks list the questions they answer (front matter ``answers``): as many as one
# expert wrote for each shipped block.
ANSWERS_PER_BLOCK = (8, 12)
QUESTION_FORMS = [
    "How should {tail}?", "Should regulators require {tail}?", "What are the risks of {tail}?",
    "Which safeguards should apply to {tail}?", "Should the rules on {tail} change?",
    "How can providers address {tail}?",
]

OPENERS = [
    "Policymakers should", "We urge the agency to", "The coalition recommends that regulators",
    "Any framework should", "We encourage lawmakers to", "It is essential to",
    "Our members ask policymakers to", "Rules in this area must",
]
VERBS = [
    "recognize", "protect", "preserve", "avoid undermining", "take into account", "support",
    "promote", "clarify", "limit", "carefully weigh", "reconsider", "harmonize",
]
TITLE_FORMS = [
    "{label}: {verb} {tail}", "A balanced approach to {lower}", "{label} and {tail}",
    "Why {lower} matters", "Keep {lower} proportionate", "{label} without {tail}",
]
SYLLABLES = ("ba be bi bo da de di do fa fe fi ka ke ki ko la le li lo ma me mi mo na ne ni no "
             "pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo za ze zi zo "
             "bar ber der dor fen gar ker lin lor man mer nor par per ran ren sen ster tan ter "
             "tor ven vor").split()


class Prose:
    """Sentences from a word-bigram chain trained on the seeds and the shipped blocks: real
    policy vocabulary with its real frequencies, without copying whole sentences.  A share of
    rarer words (names of laws, products, places: invented here) gives the long tail of
    distinct words that a library written over years has."""

    def __init__(self, texts: list[str], rng: random.Random, tail_words: int = 40_000):
        self.rng = rng
        self.next: dict[str, list[str]] = {}
        self.starts: list[str] = []
        for text in texts:
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                words = sentence.split()
                if len(words) < 6:
                    continue
                self.starts.append(words[0])
                for a, b in zip(words, words[1:]):
                    self.next.setdefault(a, []).append(b)
        names = set()
        while len(names) < tail_words:
            names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
        self.tail = sorted(names)

    def rare(self) -> str:
        # Zipf-like (log-uniform rank): a few tail words are common, most are seen rarely.
        rank = int(math.exp(self.rng.random() * math.log(len(self.tail))))
        return self.tail[rank - 1]

    def sentence(self, max_words: int = 30) -> str:
        word = self.rng.choice(self.starts)
        out = [word]
        while len(out) < max_words and not word.endswith((".", "?", "!")):
            choices = self.next.get(word)
            if not choices:
                break
            word = self.rng.choice(choices)
            if self.rng.random() < 0.08:
                out.append(self.rare().capitalize() if self.rng.random() < 0.5 else self.rare())
            out.append(word)
        text = " ".join(out)
        return text if text.endswith((".", "?", "!")) else text + "."


def training_texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "seeds").glob("*")):
        if path.suffix in (".txt", ".md"):
            texts.append(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "positions").rglob("*.md")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        texts.append(re.sub(r"\{\{.*?\}\}", "the coalition", body).replace("**", ""))
    return texts


def words_of(topic: dict) -> list[str]:
    keywords = [str(k) for k in topic.get("keywords") or []]
    return keywords or [str(topic.get("label", "policy")).lower()]


def make_block(rng: random.Random, n: int, topics: dict[str, dict],
               prose: Prose) -> tuple[str, str]:
    ids = sorted(topics)
    chosen = rng.sample(ids, rng.randint(1, 4))
    primary = topics[chosen[0]]
    label = str(primary.get("label", chosen[0]))
    vocab = [w for t in chosen for w in words_of(topics[t])]
    title = rng.choice(TITLE_FORMS).format(
        label=label, lower=label.lower(), verb=rng.choice(VERBS), tail=rng.choice(vocab))
    summary = (f"{rng.choice(OPENERS)} {rng.choice(VERBS)} {rng.choice(vocab)}: "
               + prose.sentence(18).rstrip(".") + ".")
    sentences = []
    target = rng.randint(60, 220)
    count = 0
    while count < target:
        if rng.random() < 0.25:
            s = (f"{rng.choice(OPENERS)} {rng.choice(VERBS)} {rng.choice(vocab)} and "
                 f"{rng.choice(vocab)}.")
        else:
            s = prose.sentence()
        sentences.append(s)
        count += len(s.split())
    paragraphs = []
    while sentences:
        take = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[:take]))
        sentences = sentences[take:]
    if rng.random() < 0.3:
        paragraphs.insert(0, "The {{ org.short_name }} " + rng.choice(VERBS) + "s "
                          + rng.choice(vocab) + ".")
    status = rng.choices(["approved", "draft", "retired"], weights=[80, 15, 5])[0]
    block_id = f"gen-{chosen[0]}-{n:05d}"
    role = rng.choice(ROLES)
    answers = []
    if role in ANSWERING:
        for _ in range(rng.randint(*ANSWERS_PER_BLOCK)):
            tail = (f"{rng.choice(vocab)} and " + prose.sentence(rng.randint(10, 25))
                    .rstrip(".").lower())
            answers.append(rng.choice(QUESTION_FORMS).format(tail=tail))
    front = {
        "id": block_id,
        "title": title[:1].upper() + title[1:],
        "summary": summary,
        "topics": chosen,
        "stance": rng.choice(STANCES),
        "role": role,
        "jurisdictions": rng.choice(JURISDICTIONS),
        "source": {"seed": "ntia-botnets-comments", "section": "generated", "paragraph": 1},
        "status": status,
        "last_reviewed": f"20{rng.randint(22, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }
    if answers:
        front["answers"] = answers
    text = ("---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
            + "---\n" + "\n\n".join(paragraphs) + "\n")
    return f"{chosen[0]}/{block_id}.md", text


def generate(out: Path, blocks: int, seed: int) -> Path:
    if out.exists():
        shutil.rmtree(out)
    positions = out / "positions"
    shutil.copytree(ROOT / "positions", positions)
    shutil.copytree(ROOT / "templates", out / "templates")
    for name in ("org.yaml", "drafter.yaml"):
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, out / name)
    shutil.copytree(ROOT / "seeds", out / "seeds")
    topics = yaml.safe_load((positions / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    shipped = len(list(positions.rglob("*.md")))
    rng = random.Random(seed)
    prose = Prose(training_texts(), rng)
    for n in range(max(0, blocks - shipped)):
        rel, text = make_block(rng, n, topics, prose)
        path = positions / "generated" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "lib10k")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    out = generate(args.out, args.blocks, args.seed)
    count = len(list((out / "positions").rglob("*.md")))
    print(f"wrote {count} blocks to {out / 'positions'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
