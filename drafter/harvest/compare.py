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
    return marked([word_segments(old, new, context)])


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
    return marked(diff_lines(original, edited, context))


def word_segments(old: str, new: str, context: int | None = None) -> list[tuple[str, str]]:
    """``old`` turned into ``new`` word by word, as (kind, text) segments in reading order:
    kind ``"same"`` (words both have), ``"del"`` (words only ``old`` has) or ``"ins"`` (words
    only ``new`` has); texts are words joined by single spaces, segments are read with a space
    between them.  With ``context``, unchanged runs longer than that many words on each side
    of a change are shortened to ``"..."`` (as :func:`word_diff`,
    whose ``[-...-]{+...+}`` text these segments spell out)."""
    old_words, new_words = old.split(), new.split()
    ops = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes()
    out: list[tuple[str, str]] = []
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        if op == "equal":
            words = old_words[i1:i2]
            if context is not None:
                head = words[:context] if n > 0 else []
                tail = words[-context:] if n < len(ops) - 1 else []
                if len(head) + len(tail) < len(words):
                    words = head + ["..."] + tail
            if words:
                out.append(("same", " ".join(words)))
            continue
        if i2 > i1:
            out.append(("del", " ".join(old_words[i1:i2])))
        if j2 > j1:
            out.append(("ins", " ".join(new_words[j1:j2])))
    return out


def diff_lines(original: list[str], edited: list[str],
               context: int | None = None) -> list[list[tuple[str, str]]]:
    """The changed paragraphs of a block (``original`` as drafted, ``edited`` as in the
    filing: lists of paragraph texts), one list of :func:`word_segments` each; a deleted
    paragraph is one ``"del"`` segment, an added one one ``"ins"`` segment.  The same lines
    as :func:`block_diff`, as data rather than marked-up text."""
    lines = []
    for i, j in align(original, edited):
        old = normalize(original[i]) if i is not None else None
        new = normalize(edited[j]) if j is not None else None
        if old == new:
            continue
        if new is None:
            lines.append([("del", old)])
        elif old is None:
            lines.append([("ins", new)])
        else:
            lines.append(word_segments(old, new, context))
    return lines


def marked(lines: list[list[tuple[str, str]]]) -> str:
    """:func:`diff_lines` as ``git diff --word-diff`` text (``[-old-]{+new+}``), one line per
    paragraph: the text ``drafter harvest`` prints."""
    out = []
    for line in lines:
        parts, change = [], ""
        for kind, text in line:
            if kind == "same":
                if change:
                    parts.append(change)
                    change = ""
                parts.append(text)
            else:
                change += f"[-{text}-]" if kind == "del" else f"{{+{text}+}}"
        if change:
            parts.append(change)
        out.append(" ".join(parts))
    return "\n".join(out)
