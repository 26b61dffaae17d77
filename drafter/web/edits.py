"""Changing workspace files from the browser: answers in consultation files, position blocks.

Every change reads the file, checks the version token the page was rendered with, edits it
with ruamel.yaml's round trip (comments, key order and quoting kept: the same splice
``drafter suggest --write`` uses), validates the result as the CLI would load it, and replaces
the file atomically.  A token that no longer matches raises :class:`Conflict`: someone else
saved first, and nothing is written.

Version tokens are short hashes: of one answer's data for consultation answers (two people
answering different questions do not conflict), of the whole file for position blocks.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, FoldedScalarString,
                                      LiteralScalarString, SingleQuotedScalarString)

from drafter.errors import DrafterError, LoadError
from drafter.load.yamlsrc import parse_yaml, read_text
from drafter.output import atomic_write

_LOCK = threading.RLock()     # one writer at a time within the server process
WIDTH = 96                    # the column long answer lines are folded at (as the importer)


class Conflict(DrafterError):
    """The file changed since the page was rendered: the save is refused, nothing written."""

    code = "conflict"


class Said(str):
    """What an edit did, in words (a ``str``); ``changed`` is False when the file was left as
    it was (nothing written)."""

    changed: bool = True

    def __new__(cls, text: str, changed: bool = True):
        said = super().__new__(cls, text)
        said.changed = changed
        return said


def token_of(value) -> str:
    """A 16-hex-digit version token for ``value`` (bytes, or any JSON-able data)."""
    data = value if isinstance(value, bytes) else json.dumps(
        value, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def _answer_data(data, qid: str):
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        return None
    for key, value in answers.items():
        if str(key) == str(qid):
            return value
    return None


def answer_token(path: Path, qid: str) -> str:
    """The version token of question ``qid``'s answer in consultation file ``path``."""
    data, _ = parse_yaml(read_text(Path(path)), Path(path))
    return token_of(_answer_data(data, qid))


def answer_tokens(data, question_ids) -> dict[str, str]:
    """Version tokens of every question's answer, from the file's parsed data."""
    return {qid: token_of(_answer_data(data, qid)) for qid in question_ids}


def _ids(entry: CommentedMap, key: str) -> list[str]:
    value = entry.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []


def _set_ids(entry: CommentedMap, key: str, ids: list[str]) -> None:
    if ids:
        entry[key] = CommentedSeq(ids)
    elif key in entry:
        del entry[key]


def accept(pid: str, name: str | None = None) -> Callable[[CommentedMap], str]:
    """Move position ``pid`` into the answer's ``positions`` (out of ``suggested`` and
    ``rejected``).  What it says names the position ``name`` (e.g. its title quoted), else
    by its id; so do :func:`reject` and :func:`unreject`."""
    name = name or pid

    def change(entry: CommentedMap) -> str:
        positions = _ids(entry, "positions")
        if pid in positions and pid not in _ids(entry, "suggested") + _ids(entry, "rejected"):
            return f"{name} was already accepted: nothing changed"
        if pid not in positions:
            positions.append(pid)
        _set_ids(entry, "positions", positions)
        _set_ids(entry, "suggested", [p for p in _ids(entry, "suggested") if p != pid])
        _set_ids(entry, "rejected", [p for p in _ids(entry, "rejected") if p != pid])
        return f"accepted {name}"
    return change


def reject(pid: str, name: str | None = None) -> Callable[[CommentedMap], str]:
    """Reject position ``pid`` as the answer: an accepted one (in ``positions``: the page's
    Remove button) is taken out and may be suggested again ("removed"); any other candidate
    is taken out of ``suggested`` and recorded in ``rejected``, so neither the suggestions,
    the draft nor ``drafter coverage`` offer it for this question again ("rejected")."""
    name = name or pid

    def change(entry: CommentedMap) -> str:
        suggested, positions = _ids(entry, "suggested"), _ids(entry, "positions")
        rejected = _ids(entry, "rejected")
        if pid in positions:
            _set_ids(entry, "positions", [p for p in positions if p != pid])
            return f"removed {name}"
        if pid in rejected:
            return f"{name} was already rejected: nothing changed"
        _set_ids(entry, "suggested", [p for p in suggested if p != pid])
        _set_ids(entry, "rejected", rejected + [pid])
        return f"rejected {name}"
    return change


def unreject(pid: str, name: str | None = None) -> Callable[[CommentedMap], str]:
    """Take back the rejection of ``pid``: out of ``rejected``, so it may be suggested (and
    drafted automatically) again."""
    name = name or pid

    def change(entry: CommentedMap) -> str:
        rejected = _ids(entry, "rejected")
        if pid not in rejected:
            return f"{name} was not rejected: nothing changed"
        _set_ids(entry, "rejected", [p for p in rejected if p != pid])
        return f"took back the rejection of {name}"
    return change


def _clean_text(text: str | None) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def set_text(text: str | None) -> Callable[[CommentedMap], str]:
    """Set the answer's own Markdown ``text`` (empty: remove it); the same text as saved
    (line ends and trailing blanks aside) leaves the entry as it is."""
    clean = _clean_text(text)

    def change(entry: CommentedMap) -> str:
        if clean == _clean_text(str(entry.get("text") or "")):
            return "the answer is the same as the one saved: nothing changed" if clean \
                else "there is no answer text to remove: nothing changed"
        if clean:
            entry["text"] = LiteralScalarString(clean) if "\n" in clean else clean
            return "wrote the answer"
        entry.pop("text", None)
        return "removed the answer text"
    return change


def with_text(change: Callable[[CommentedMap], str],
              text: str | None) -> Callable[[CommentedMap], str]:
    """``change``, and the answer's ``text`` set to ``text`` (the "Your answer" box as the
    page had it when Accept, Reject or Skip was clicked) when it differs from the saved text;
    ``None`` leaves the text alone."""
    if text is None:
        return change
    clean = _clean_text(text)
    write = set_text(clean)

    def both(entry: CommentedMap) -> str:
        said = change(entry)
        if clean != _clean_text(str(entry.get("text") or "")):
            said += " and " + write(entry)
        return said
    return both


def set_skip(reason: str | None) -> Callable[[CommentedMap], str]:
    """Skip the question for ``reason`` (empty: answer it again)."""
    clean = " ".join((reason or "").split())

    def change(entry: CommentedMap) -> str:
        if clean == " ".join(str(entry.get("skip") or "").split()):
            return (f"already skipped ({clean}): nothing changed" if clean
                    else "not skipped: nothing changed")
        if clean:
            entry["skip"] = clean
            return f"skipped ({clean})"
        entry.pop("skip", None)
        return "no longer skipped"
    return change


def _keep_format(raw: bytes, text: str) -> bytes:
    if b"\r\n" in raw:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if raw.startswith(b"\xef\xbb\xbf") else data


# --- the file's own style --------------------------------------------------------------------

def _walk(node):
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _flow_lists(doc: CommentedMap, entry: CommentedMap, before: dict) -> bool:
    """Whether new lists of ids are written in flow style (``[a, b]``): as most of the
    answer's own lists when it has some, else of the other answers' lists, else of the file's
    lists of plain values; else flow only when the file has flow lists and no block ones."""
    if entry.fa.flow_style():
        return True
    def ids(answer):
        return [answer[k] for k in ("positions", "suggested", "rejected")
                if isinstance(answer, dict) and isinstance(answer.get(k), CommentedSeq)]

    own = ids(before)
    answers = doc.get("answers")
    others = [n for a in (answers.values() if isinstance(answers, dict) else ())
              if a is not entry for n in ids(a)]
    new = [id(v) for v in entry.values()]
    scalars = [n for n in _walk(doc) if isinstance(n, CommentedSeq) and n and id(n) not in new
               and not any(isinstance(v, (dict, list)) for v in n)]
    for group in (own, others, scalars):
        if group:
            return sum(bool(n.fa.flow_style()) for n in group) * 2 >= len(group)
    lists = [n for n in _walk(doc) if isinstance(n, CommentedSeq) and n and id(n) not in new]
    return bool(lists) and all(n.fa.flow_style() for n in lists)


def _answer_key(doc: CommentedMap, answers: CommentedMap, qid: str):
    """Question ``qid`` as an answer key, quoted as the file quotes the other answer keys,
    else as it quotes the questions' ids (double quotes when neither says)."""
    keys = [k for k in answers if isinstance(k, str)]
    if not keys:
        questions = doc.get("questions")
        keys = [q.get("id") for q in questions if isinstance(q, dict)] \
            if isinstance(questions, list) else []
    for key in keys:
        if isinstance(key, SingleQuotedScalarString):
            return SingleQuotedScalarString(qid)
        if isinstance(key, DoubleQuotedScalarString):
            return DoubleQuotedScalarString(qid)
    return DoubleQuotedScalarString(qid)


def _folded(text: str, width: int):
    """``text`` (one line) as a folded scalar (``>-``) whose lines end before ``width``
    columns; the text itself unchanged (folds only at single spaces between words)."""
    if len(text) <= width or not text.isprintable():
        return text
    folds, start, last = [], 0, None
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1 and text[i - 1] != " " and text[i + 1] != " ":
            if i - start > width and last is not None:
                folds.append(last)
                start = last + 1
            last = i
    if len(text) - start > width and last is not None and last > start:
        folds.append(last)
    if not folds:
        return text
    scalar = FoldedScalarString(text)
    scalar.fold_pos = sorted(set(folds))
    return scalar


def _restyle(doc: CommentedMap, entry: CommentedMap, before: dict, indent: int) -> None:
    """Give what ``change`` put into ``entry`` the file's style: lists of ids in flow or block
    style, a long one-line text folded at :data:`WIDTH` columns."""
    flow = _flow_lists(doc, entry, before)
    for key in ("positions", "suggested", "rejected"):
        value = entry.get(key)
        if isinstance(value, CommentedSeq) and value is not before.get(key):
            if flow:
                value.fa.set_flow_style()
            else:
                value.fa.set_block_style()
    text = entry.get("text")
    if isinstance(text, str) and text is not before.get("text") and \
            type(text) is str and not entry.fa.flow_style():
        entry["text"] = _folded(text, WIDTH - indent)


def edit_answer(path: Path, qid: str, token: str,
                change: Callable[[CommentedMap], str]) -> Said:
    """Apply ``change`` to question ``qid``'s answer in consultation file ``path``.

    ``token`` is the answer's version token when the page was rendered.  Returns what
    ``change`` says it did, as a :class:`Said` whose ``changed`` is False when the answer's
    data would stay the same (then nothing is written: the file's bytes and mtime are kept).  Raises :class:`Conflict` when the answer changed meanwhile,
    LoadError when the file does not load before or after (nothing written then).
    """
    from ruamel.yaml.error import YAMLError

    from drafter.load.consultation import load_consultation
    from drafter.suggest.write import _existing_key, _indentation, _position, _splice, _yaml

    path = Path(path)
    with _LOCK:
        raw = path.read_bytes()
        text = read_text(path)
        cf = load_consultation(path)
        order = [q.id for q in cf.model.questions]
        if qid not in order:
            raise LoadError(f"no question '{qid}' in this consultation", path)
        data, _ = parse_yaml(text, path)
        if token_of(_answer_data(data, qid)) != token:
            raise Conflict(f"question {qid}'s answer was changed since this page was opened "
                           "(by someone else, or in another tab): nothing was saved. The page "
                           "now shows the answer as it is: look at it, then act again.", path)
        yaml = _yaml(text)
        try:
            doc = yaml.load(text)
        except YAMLError as exc:
            raise LoadError(f"malformed YAML: {exc}", path) from None
        original = set(doc)
        answers = doc.get("answers")
        if not isinstance(answers, CommentedMap):
            answers = CommentedMap()
            doc["answers"] = answers
        key = _existing_key(answers, qid)
        entry = answers.get(key) if key is not None else None
        if not isinstance(entry, CommentedMap):
            entry = CommentedMap()
            if key is not None:
                answers[key] = entry
        before = dict(entry)
        said = change(entry)
        _restyle(doc, entry, before, 3 * _indentation(text)[0])
        if key is None and len(entry):
            answers.insert(_position(answers, qid, order), _answer_key(doc, answers, qid),
                           entry)
        elif key is not None and not len(entry):
            del answers[key]
        new_text = _splice(text, doc, "answers", yaml, original, after="questions")
        new_data, _ = parse_yaml(new_text, path)
        keep = [k for k in set(data) | set(new_data) if k != "answers"]
        if any(data.get(k) != new_data.get(k) for k in keep) or \
                _plain(_answer_data(new_data, qid)) != _plain(entry if len(entry) else None):
            raise LoadError("could not change the answer without changing other keys "
                            "(nothing written)", path)
        if new_text == text or _plain(_answer_data(new_data, qid)) == \
                _plain(_answer_data(data, qid)):
            return Said(said, changed=False)
        _validate_consultation(new_text, path)
        atomic_write(path, _keep_format(raw, new_text))
        return Said(said)


def _plain(value):
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _validate_consultation(text: str, path: Path) -> None:
    from drafter.load.models import Consultation, validate

    data, smap = parse_yaml(text, path)
    validate(Consultation, data, path, smap, "consultation")


# --- position blocks --------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One ``drafter check`` finding about an edited block, at a line of the edited text."""

    severity: str
    line: int | None
    message: str
    code: str


def file_token(path: Path) -> str:
    """The version token of a whole file (its bytes)."""
    return token_of(Path(path).read_bytes())


def _overlay(workspace, block_path: Path, text: str, folder: Path):
    """A workspace in ``folder`` that sees the real one through symbolic links, except for
    ``block_path`` whose text is ``text``; returns (workspace, the edited file's path)."""
    from drafter.load.workspace import Workspace

    root = Path(workspace.root)
    for entry in root.iterdir():
        if entry.name in (".drafter", ".git") or entry == Path(workspace.positions):
            continue
        os.symlink(entry, folder / entry.name)
    positions = folder / "positions"
    rel_block = block_path.resolve().relative_to(Path(workspace.positions).resolve())
    for src in Path(workspace.positions).rglob("*"):
        rel = src.relative_to(workspace.positions)
        if any(part.startswith(".") for part in rel.parts):
            continue
        dest = positions / rel
        if src.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif rel != rel_block:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, dest)
    edited = positions / rel_block
    edited.parent.mkdir(parents=True, exist_ok=True)
    edited.write_text(text, encoding="utf-8")
    templates = Path(workspace.templates)
    ws = Workspace(root=folder, positions=positions,
                   templates=(folder / "templates") if templates == root / "templates"
                   else templates)
    return ws, edited


def check_block_text(workspace, block_path: Path, text: str) -> list[Finding]:
    """``drafter check``'s findings about ``block_path`` if it held ``text``: the whole
    workspace is checked as it would be after the save, with nothing written to it."""
    from drafter.check import check_workspace

    folder = Path(tempfile.mkdtemp(prefix="drafter-check-"))
    try:
        ws, edited = _overlay(workspace, Path(block_path), text, folder)
        result = check_workspace(ws, [edited])
        out = []
        for d in result.diagnostics:
            same = d.path is not None and Path(d.path).resolve() == edited.resolve()
            out.append(Finding(d.severity, d.line if same else None,
                               d.message if same else f"{Path(d.path).name if d.path else ''}"
                               f"{':' + str(d.line) if d.line and d.path else ''}: "
                               f"{d.message}".lstrip(": "), d.code))
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class BlockRefused(DrafterError):
    """An edited block that ``drafter check`` finds errors in: nothing was saved."""

    code = "check"

    def __init__(self, findings: list[Finding], path: Path):
        errors = [f for f in findings if f.severity == "error"]
        super().__init__(f"{len(errors)} error{'' if len(errors) == 1 else 's'}: nothing was "
                         "saved", path)
        self.findings = findings


def save_block(workspace, path: Path, text: str, token: str, block_id: str) -> list[Finding]:
    """Replace position block ``path`` (id ``block_id``) by ``text`` after ``drafter check``
    passes on it; returns the warnings.  Raises :class:`Conflict` when the file changed since
    ``token``, :class:`BlockRefused` (with the findings) when the check finds errors or the
    id changed."""
    from drafter.load import frontmatter

    path = Path(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    with _LOCK:
        if file_token(path) != token:
            raise Conflict(f"position '{block_id}' was changed by someone else since this page "
                           "was opened: nothing was saved. Your text is kept below; compare it "
                           "with the current wording, then save again.", path)
        findings = check_block_text(workspace, path, text)
        found = frontmatter.locate(text)
        if found is not None:
            try:
                data, _ = parse_yaml(found[0], path, line_offset=1)
            except DrafterError:
                data = None
            if isinstance(data, dict) and data.get("id") not in (None, block_id):
                findings.insert(0, Finding("error", 2, f"the id must stay '{block_id}' (a new "
                                           "id is a new block: add a file)", "id-changed"))
        if any(f.severity == "error" for f in findings):
            raise BlockRefused(findings, path)
        atomic_write(path, text.encode("utf-8"))
        return findings


def date_token(date) -> str:
    """The version token of a consultation's date of filing (a ``datetime.date`` or None)."""
    return token_of(date.isoformat() if date else "")


def set_filing_date(path: Path, token: str, value: str) -> Said:
    """Set consultation file ``path``'s top-level ``date`` (the date of filing, ``YYYY-MM-DD``)
    to ``value``, changing only that line (or adding it after ``deadline``, else after
    ``jurisdiction``); the rest of the file is kept byte for byte. ``token`` is the date's
    :func:`date_token` when the page was rendered. Returns what was done (``changed`` False
    when the date was already that one: nothing is written). Raises :class:`Conflict` when
    the date changed meanwhile, LoadError for a value that is not a date or a file that does
    not load before or after (nothing written then)."""
    import datetime as dt

    from drafter.review import _set_key

    path = Path(path)
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise LoadError(f"'{value}' is not a date: choose one (YYYY-MM-DD)", path) from None
    with _LOCK:
        raw = path.read_bytes()
        text = read_text(path)
        data, _ = parse_yaml(text, path)
        if not isinstance(data, dict):
            raise LoadError("the consultation file is not a mapping of keys", path)
        current = data.get("date")
        if token_of(current.isoformat() if isinstance(current, dt.date) else
                    str(current or "")) != token:
            raise Conflict("the date of filing was changed since this page was opened (by "
                           "someone else, or in another tab): nothing was saved. The page now "
                           "shows it as it is: set it again.", path)
        said = f"the date of filing is {day.isoformat()}"
        if str(current) == day.isoformat():
            return Said(said + ": nothing changed", changed=False)
        lines = text.replace("\r\n", "\n")
        after = "deadline" if "deadline" in data else "jurisdiction"
        new_text = _set_key(lines, "date", day.isoformat(), after, "\n")
        new_data, _ = parse_yaml(new_text, path)
        if not isinstance(new_data, dict) or str(new_data.get("date")) != day.isoformat() or any(
                data.get(k) != new_data.get(k) for k in set(data) | set(new_data) if k != "date"):
            raise LoadError("could not set the date without changing other keys (nothing "
                            "written)", path)
        _validate_consultation(new_text, path)
        atomic_write(path, _keep_format(raw, new_text))
        return Said(said)
