"""Comparing a block's paragraphs in the edited filing with the same block as drafted.

Paragraphs are compared as a reader sees them (:func:`~drafter.harvest.docxread.normalize`):
a re-saved file whose runs, spacing or fonts changed is still ``unchanged``.  Paragraph lists
are aligned with difflib, so a deleted, inserted or split paragraph does not shift the
comparison of the others; changed paragraphs get a word-level diff in the style of
``git diff --word-diff`` (``[-old words-]{+new words+}``).
"""

from __future__ import annotations

import difflib
import re

from drafter.harvest.docxread import normalize

_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Words, single punctuation marks and whitespace runs, with their spans."""
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def word_opcodes(old: str, new: str) -> list[tuple[int, int, str]]:
    """Edits turning ``old`` into ``new``: (start, end in old, replacement text)."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, [t[0] for t in a], [t[0] for t in b],
                                      autojunk=False)
    edits = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        start = a[i1][1] if i1 < len(a) else len(old)
        end = a[i2 - 1][2] if i2 > i1 else start
        text = new[b[j1][1]:b[j2 - 1][2]] if j2 > j1 else ""
        edits.append((start, end, text))
    return edits


def word_diff(old: str, new: str, context: int | None = None) -> str:
    """``old`` with ``[-removed-]`` and ``{+added+}`` marks, word by word.

    With ``context``, unchanged runs longer than that many words on each side of a change
    are shortened to "...".
    """
    old_words, new_words = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    ops = matcher.get_opcodes()
    out = []
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        if op == "equal":
            words = old_words[i1:i2]
            if context is not None:
                head = words[:context] if n > 0 else []
                tail = words[-context:] if n < len(ops) - 1 else []
                if len(head) + len(tail) < len(words):
                    words = head + ["..."] + tail
            out.append(" ".join(words))
            continue
        change = ""
        if i2 > i1:
            change += "[-" + " ".join(old_words[i1:i2]) + "-]"
        if j2 > j1:
            change += "{+" + " ".join(new_words[j1:j2]) + "+}"
        out.append(change)
    return " ".join(part for part in out if part)


def align(original: list[str], edited: list[str]) -> list[tuple[int | None, int | None]]:
    """Pairs (index in original or None, index in edited or None), in document order."""
    a = [normalize(t) for t in original]
    b = [normalize(t) for t in edited]
    pairs: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2)))
        elif op == "delete":
            pairs.extend((i, None) for i in range(i1, i2))
        elif op == "insert":
            pairs.extend((None, j) for j in range(j1, j2))
        else:  # replace: pair in order, the rest deleted or inserted
            n = min(i2 - i1, j2 - j1)
            pairs.extend(zip(range(i1, i1 + n), range(j1, j1 + n)))
            pairs.extend((i, None) for i in range(i1 + n, i2))
            pairs.extend((None, j) for j in range(j1 + n, j2))
    return pairs


def block_diff(original: list[str], edited: list[str], context: int | None = None) -> str:
    """The changed paragraphs of a block, one line each, with word-level marks."""
    lines = []
    for i, j in align(original, edited):
        old = normalize(original[i]) if i is not None else None
        new = normalize(edited[j]) if j is not None else None
        if old == new:
            continue
        if new is None:
            lines.append(f"[-{old}-]")
        elif old is None:
            lines.append(f"{{+{new}+}}")
        else:
            lines.append(word_diff(old, new, context))
    return "\n".join(lines)
