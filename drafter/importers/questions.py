"""A pasted list of numbered questions, as the consultation file's ``questions``.

Numbering may be "1.", "2)", "(3)", "Q4:", "Question 5:", "1.2", with lettered sub-questions
("a.", "(b)", "(ii)") under a numbered one becoming "3a", "3b", "3ii".  A question's wrapped
lines are joined to it; lines before the first question (a preamble), section headings ("A.
General", "II. SECURITY") and page numbers are left out.  After a blank line, text continues the
question only when it is indented, a bullet, or follows a sentence that is not finished.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from drafter.errors import LoadError

_EMPH = r"(?:\*\*|__)?"
_NUMBERED = re.compile(
    r"^\s*" + _EMPH + r"(?:"
    r"Q(?:uestion)?\.?\s*(?P<q>\d{1,3}(?:\.\d{1,3})*[a-z]?)\s*[:.)\-–—]?"      # Q4: Question 5.
    r"|\(\s*(?P<paren>\d{1,3})\s*\)"                                        # (3)
    r"|(?P<num>\d{1,3}(?:\.\d{1,3})*)[.)]"                                   # 1. 2) 1.2.
    r"|(?P<dotted>\d{1,3}\.\d{1,3})(?=\s)"                                   # 1.2 text
    r")" + _EMPH + r"(?:\s+|$)", re.I)
_SUB = re.compile(r"^\s*" + _EMPH + r"(?:\((?P<p>[a-z]|[ivx]{1,4})\)|(?P<d>[a-z]|[ivx]{1,4})[.)])"
                  + _EMPH + r"\s+")
_SECTION = re.compile(r"^\s*(?:[A-Z]|[IVXL]{1,5})[.)]\s+\S|^\s*(?:Part|Section)\s+\w+[.:]?(?:\s|$)")
_PAGE = re.compile(r"^\s*(?:page\s+)?\d+(?:\s+of\s+\d+)?\s*$", re.I)
_BULLET = re.compile(r"^\s*[-•*▪◦]\s+")


def _ends_sentence(text: str) -> bool:
    """Whether the run of non-word characters that ends ``text`` holds '.', '?', '!' or ':'
    (``[.?!:]\\W*$``, without its quadratic backtracking on long runs)."""
    end = len(text)
    while end > 0 and not (text[end - 1].isalnum() or text[end - 1] == "_"):
        end -= 1
    return any(ch in ".?!:" for ch in text[end:])


@dataclass
class ParsedQuestion:
    id: str
    text: str
    line: int


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10}


def _next_sub(label: str, previous: str | None) -> bool:
    """Whether ``label`` continues the lettered (a, b, c) or roman (i, ii, iii) sub-list."""
    if previous is None:
        return label in ("a", "i")
    if len(label) == 1 and len(previous) == 1 and ord(label) == ord(previous) + 1:
        return True
    return label in _ROMAN and previous in _ROMAN and _ROMAN[label] == _ROMAN[previous] + 1


def _number(qid: str) -> tuple[int, ...] | None:
    """A dotted numeric id as numbers ("1.2" -> (1, 2)); None for "3a", "Q4b"..."""
    parts = qid.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def in_sequence(qid: str, last: str | None) -> bool:
    """Whether question ``qid`` may follow question ``last``: the next number at some level
    (1 -> 2, 1.2 -> 1.3 or 2) or the first below it (1 -> 1.1); anything may come first."""
    if last is None:
        return True
    new, old = _number(qid), _number(last)
    if new is None or old is None:
        return True
    follows = {old[:k] + (old[k] + 1,) for k in range(len(old))}
    follows.add(old + (1,))
    return new in follows


def sequence_warnings(questions: list[ParsedQuestion]) -> list[tuple[int, str]]:
    """(line, message) for each numbered question out of sequence with the one before."""
    out = []
    last = None
    for q in questions:
        if _number(q.id) is None:
            continue
        if not in_sequence(q.id, last):
            out.append((q.line, f"question {q.id} does not follow question {last}: check the "
                                f"numbering against the notice"))
        last = q.id
    return out


def parse_questions(text: str, path: Path) -> list[ParsedQuestion]:
    out: list[ParsedQuestion] = []
    parts: list[str] = []
    current: ParsedQuestion | None = None
    parent: str | None = None            # the numbered question lettered items belong to
    previous_sub: str | None = None
    closed = True                        # no question is taking continuation lines
    blank_before = False
    last_number: str | None = None       # the last numbered question's id

    def finish():
        nonlocal current
        if current is not None:
            current.text = " ".join(" ".join(parts).split())
            out.append(current)
        current = None

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip()
        if not line.strip():
            blank_before = True
            continue
        numbered = _NUMBERED.match(line)
        if numbered and current is not None and not closed and not blank_before:
            # "2.5 million users" or "100. If so" wrapped onto a new line: a number out of
            # sequence that continues an unfinished sentence is text, not a question
            qid = next(v for v in numbered.groupdict().values() if v)
            unfinished = not re.search(r"[.?!:]\W*$", parts[-1] if parts else "")
            if unfinished and not in_sequence(qid, last_number):
                numbered = None
        sub = _SUB.match(line) if parent is not None and not numbered else None
        if numbered:
            finish()
            qid = next(v for v in numbered.groupdict().values() if v)
            parent, previous_sub, last_number = qid, None, qid
            current = ParsedQuestion(qid, "", number)
            parts = [line[numbered.end():].strip()]
            closed = False
        elif sub:
            label = (sub.group("p") or sub.group("d")).lower()
            if _next_sub(label, previous_sub):
                finish()
                previous_sub = label
                current = ParsedQuestion(f"{parent}{label}", "", number)
                parts = [line[sub.end():].strip()]
                closed = False
            elif not closed:
                parts.append(line.strip())
        elif _SECTION.match(line) or _PAGE.match(line):
            finish()
            closed = True
            if _SECTION.match(line):
                parent = None
        elif current is not None and not closed:
            unfinished = not _ends_sentence(parts[-1] if parts else "")
            if not blank_before or raw[:1].isspace() or _BULLET.match(line) or unfinished:
                parts.append(_BULLET.sub("- ", line).strip() if _BULLET.match(line)
                             else line.strip())
            else:
                finish()
                closed = True
        blank_before = False
    finish()

    if not out:
        raise LoadError("no numbered questions found (expected lines such as '1. ...', "
                        "'2) ...', '(3) ...', 'Q4: ...' or 'Question 5: ...')", path)
    seen: dict[str, int] = {}
    for q in out:
        if not q.text:
            raise LoadError(f"question {q.id} has no text", path, q.line)
        if q.id in seen:
            raise LoadError(f"duplicate question number {q.id} (also on line {seen[q.id]})",
                            path, q.line, code="duplicate-question")
        seen[q.id] = q.line
    return out


def read_questions(path: Path) -> list[ParsedQuestion]:
    path = Path(path)
    from drafter.importers.common import read_import

    return parse_questions(read_import(path, "a question list"), path)
