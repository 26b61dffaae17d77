"""Recording accepted suggestions in a consultation file, keeping everything else as written.

The file is read with ruamel.yaml's round-trip loader; only the ``answers`` mapping (and, for a
consultation without questions, the top-level ``suggested`` list) is changed and dumped again, in the
file's own indentation, and spliced back in place of the old lines.  The rest of the file (key
order, comments, quoting, line wrapping, blank lines) is left byte for byte.  The result is read
back and checked before it replaces the file.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from drafter.errors import LoadError
from drafter.load.yamlsrc import load_plain, may_have_aliases, parse_yaml, read_text
from drafter.output import replace_file

REVIEW_NOTE = "suggested by drafter suggest: review"


def _indentation(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file writes them."""
    mapping, offset = None, None
    lines = text.split("\n")
    for i, line in enumerate(lines[:-1]):
        m = re.match(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$", line)
        if not m:
            continue
        parent = len(m.group(1))
        for nxt in lines[i + 1:]:
            if not nxt.strip() or nxt.lstrip().startswith("#"):
                continue
            indent = len(nxt) - len(nxt.lstrip(" "))
            if nxt.lstrip().startswith("- "):
                if offset is None and indent >= parent:
                    offset = indent - parent
            elif indent > parent and mapping is None:
                mapping = indent - parent
            break
        if mapping is not None and offset is not None:
            break
    mapping = mapping or 2
    offset = 2 if offset is None else offset
    return mapping, offset + 2, offset


def _yaml(text: str) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, sequence, offset = _indentation(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _key_lines(doc: CommentedMap, key: str, total: int, original: set) -> tuple[int, int]:
    """0-based [start, end) lines of a top-level key of the file and its value."""
    start = doc.lc.key(key)[0]
    later = [doc.lc.key(k)[0] for k in original if doc.lc.key(k)[0] > start]
    return start, (min(later) if later else total)


def _splice(text: str, doc: CommentedMap, key: str, yaml: YAML, original: set,
            after: str | None) -> str:
    """``text`` with the lines of top-level ``key`` replaced by its value in ``doc``, dumped
    alone; a key the file did not have goes after ``after`` (or at the end)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out = io.StringIO()
    part = CommentedMap()
    part[key] = doc[key]
    yaml.dump(part, out)
    block = out.getvalue().rstrip("\n").split("\n")
    if key in original:
        # The dumped value carries the comments and blank lines that followed it in the file
        # (ruamel attaches them to the value's last node), so it replaces all of them.
        start, end = _key_lines(doc, key, len(lines), original)
        lines[start:end] = block
    elif after is not None and after in original:
        # After the key's value, before the blank lines and comments that open the next key.
        _, end = _key_lines(doc, after, len(lines), original)
        while end > 0 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        lines[end:end] = block
    else:
        while lines and not lines[-1].strip():
            lines.pop()
        lines.extend(block)
    return "\n".join(lines) + "\n"


def record_suggestions(path: Path, picks: dict[str, list[str]],
                       whole: list[str] | None = None, order: list[str] | None = None) -> int:
    """Write ``picks`` (question id -> position ids) as ``answers[id].suggested`` for questions
    the file does not answer yet, and ``whole`` at the end of the top-level ``suggested`` list
    (marked by a comment) for a consultation without questions: never into ``positions``.  New answers go in question ``order``.
    Returns the number of entries written."""
    path = Path(path)
    read = path.read_bytes() if path.is_file() else None
    text = read_text(path)
    if may_have_aliases(text):
        load_plain(text, path)   # ruamel expands aliases without a budget: refuse a bomb first
    yaml = _yaml(text)
    try:
        doc = yaml.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LoadError(f"malformed YAML: {getattr(exc, 'problem', exc)}", path,
                        mark.line + 1 if mark else None) from None
    if not isinstance(doc, CommentedMap):
        raise LoadError("consultation must be a YAML mapping of keys to values", path, 1)
    original = set(doc)
    written = 0
    new_text = text
    if picks:
        answers = doc.get("answers")
        if not isinstance(answers, CommentedMap):
            answers = CommentedMap()
            doc["answers"] = answers
        for qid, ids in picks.items():
            if not ids:
                continue
            key = _existing_key(answers, qid)
            entry = answers.get(key) if key is not None else None
            if key is None:
                entry = CommentedMap()
                answers.insert(_position(answers, qid, order or list(picks)),
                               _quoted(answers, qid, doc.get("questions")), entry)
            elif not isinstance(entry, CommentedMap) or entry.get("positions") \
                    or entry.get("text") or entry.get("skip"):
                continue
            seq = CommentedSeq(ids)
            seq.fa.set_flow_style()
            entry["suggested"] = seq
            written += 1
        if written:
            new_text = _splice(text, doc, "answers", yaml, original, after="questions")
    elif whole:
        chosen = doc.get("positions") or []
        suggested = doc.get("suggested")
        if not isinstance(suggested, CommentedSeq):
            suggested = CommentedSeq()
            doc["suggested"] = suggested
        for pid in whole:
            if pid not in suggested and pid not in chosen:
                suggested.append(pid)
                suggested.yaml_add_eol_comment(REVIEW_NOTE, len(suggested) - 1)
                written += 1
        if written:
            new_text = _splice(text, doc, "suggested", yaml, original, after=None)
    if not written:
        return 0
    _check(new_text, text, path)
    raw = read
    if b"\r\n" in raw:                       # keep the file's line endings and byte-order mark
        new_text = new_text.replace("\n", "\r\n")
    data = new_text.encode("utf-8")
    if raw.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    replace_file(path, data, read)  # keeps its mode; refused if read-only or changed since
    return written


def _position(answers: CommentedMap, qid: str, order: list[str]) -> int:
    """Where a new answer goes: after the answers to the questions that come before it."""
    rank = {q: i for i, q in enumerate(order)}
    mine = rank.get(qid, len(order))
    keys = list(answers)
    position = 0
    for i, key in enumerate(keys):
        if rank.get(str(key), len(order)) < mine:
            position = i + 1
    return position


def _quoted(answers: CommentedMap, qid: str, questions=None):
    """The question id as a key, quoted like the file's other answer keys, or, without any,
    like its questions' ids (double quotes unless the file uses single ones)."""
    keys = list(answers) or [q.get("id") for q in questions or ()
                             if isinstance(q, CommentedMap)]
    single = any(isinstance(k, SingleQuotedScalarString) for k in keys)
    return SingleQuotedScalarString(qid) if single else DoubleQuotedScalarString(qid)


def _existing_key(answers: CommentedMap, qid: str):
    for key in answers:
        if str(key) == str(qid):
            return key
    return None


def _check(new_text: str, old_text: str, path: Path) -> None:
    """The new text must parse to the old data plus the suggestions, nothing else."""
    old, _ = parse_yaml(old_text, path)
    new, _ = parse_yaml(new_text, path)
    strip = {k: v for k, v in new.items() if k not in ("answers", "suggested")}
    if strip != {k: v for k, v in old.items() if k not in ("answers", "suggested")}:
        raise LoadError("could not record the suggestions without changing other keys "
                        "(nothing written)", path)
