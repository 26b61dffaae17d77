"""The library's full-text index: SQLite FTS5, cached in the workspace and kept fresh.

The cache lives in ``<workspace>/.drafter/index.sqlite``.  Opening it costs one directory walk:
each block file's and each variant file's (path, mtime_ns, size) is compared with what the index
recorded, and only the blocks whose file or variant files differ are read again; a block whose
bytes, and its variants', still hash the same is not re-parsed. A block is indexed with the
bodies of its reusable wordings (``<id>.<variant>.md`` beside it), the text new filings use.  A
changed topic vocabulary, another library folder, an older schema, or a file SQLite cannot read
(missing, corrupt, truncated) means a rebuild from nothing, written to a temporary file and
renamed into place, so a reader never sees half an index.  When the workspace is read-only the
index is built in memory instead.

Each answering block also has vectors of what it means (:mod:`drafter.suggest.embed`): one for
its own text and one for each question its front matter says it answers (``answers``, also
searched as words), kept in the same file and refreshed with the block; an index built with
another embedding model (or without one, when ``wordllama`` is not installed) is rebuilt. The
vectors are also kept packed, rewritten whenever one changes: as one float32 matrix in
``index.matrix.<digest>.npy`` beside the index, which a run maps into memory, with its row ids
in table ``packed`` (which holds the float16 matrix too only when no such file can be written:
an index in memory, a read-only folder); when that file is missing or damaged the vectors are
read from their rows. The token ids of every word embedded so far, blocks' and questions'
(table ``words``), spare later runs the tokenizer.

Block files are validated with the same schema as ``drafter draft``; a bad block is reported at
its file and line, as everywhere else.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import heapq
import io
import json
import marshal
import os
import re
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from drafter.errors import DrafterError, LoadError, OutputError
from drafter.load import frontmatter
from drafter.load.library import Library, edited_since_approval, load_block, load_variant
from drafter.load.library import suggest as did_you_mean
from drafter.load.models import ANSWERING_ROLES, VARIANTS, PositionMeta, VariantMeta
from drafter.load.yamlsrc import may_have_aliases
from drafter.output import atomic_write
from drafter.suggest import embed
from drafter.suggest.text import strip_jinja, topic_text

try:  # a YAML parser written in Rust: ten times faster on front matter than PyYAML
    import yaml_rs
except ImportError:  # pragma: no cover - the dependency is declared; PyYAML is the fallback
    yaml_rs = None

SCHEMA_VERSION = "12"
INDEX_NAME = "index.sqlite"
TOKENIZER = "porter unicode61 remove_diacritics 2"
# A file modified this close to the scan may change again within the same mtime tick: it is
# recorded with an unknown mtime so that the next run hashes it again ("racy git").
_RACY_NS = 2_000_000_000
# From this many files to (re)parse on, a second process parses most of them while this one
# parses the rest and writes to SQLite.
_PARALLEL_FROM = 2000
# The share of the files this process parses itself (it also writes every row), so that both
# processes have as much work: on 10,000 files, by each one's CPU time, a fifth left the
# worker with 0.5 to 0.8 s more than this process, 0.28 within 0.15 s of it.
_OWN_SHARE = 0.28
_CHUNKS = 16
# Roles of blocks that answer questions; the others (introduction, profile, framing,
# section-intro, closing) are placed by templates, and never suggested as answers.
ANSWER_ROLES = ANSWERING_ROLES
# The meaning of a block is embedded from its title, summary and the first words of its body.
MEANING_BODY_WORDS = 80
# ... and the first words of each of its reusable wordings (0: none).
MEANING_VARIANT_WORDS = 80

_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blocks(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    path TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    sha TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    topics TEXT NOT NULL,
    jurisdictions TEXT NOT NULL,
    status TEXT NOT NULL,
    role TEXT NOT NULL,
    stance TEXT NOT NULL
);
CREATE VIRTUAL TABLE fts USING fts5(title, summary, topics, body, answers,
                                    tokenize = '{TOKENIZER}');
CREATE TABLE terms(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
-- what each phrase searched adds to the relevance of the answering blocks it matches (see
-- Index.search), for the listing and field weights in meta 'postings'
CREATE TABLE postings(phrase TEXT PRIMARY KEY, rowids BLOB NOT NULL, scores BLOB NOT NULL)
    WITHOUT ROWID;
-- words as the tokenizer stems them ("reporting" -> "report"; "" for a word with no token)
CREATE TABLE stems(word TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID;
-- a block's meanings: k vectors of embed.DIM float16 values, one after another (see Index.vectors)
CREATE TABLE vectors(rowid INTEGER PRIMARY KEY, vec BLOB NOT NULL);
CREATE TABLE packed(kind TEXT PRIMARY KEY, rowids BLOB NOT NULL, vecs BLOB NOT NULL);
CREATE TABLE words(word TEXT PRIMARY KEY, ids BLOB NOT NULL) WITHOUT ROWID;
-- what comparing a question's meaning with the library's found (see Index.keep_meanings), for
-- the matrix and model in meta 'meant'
CREATE TABLE meant(text TEXT PRIMARY KEY, k INTEGER NOT NULL, rowids BLOB NOT NULL,
                   sims BLOB NOT NULL, owns BLOB, nears BLOB NOT NULL, tops BLOB NOT NULL)
    WITHOUT ROWID;
CREATE TABLE variants(
    path TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL
);
"""
_INSERT_BLOCK = ("INSERT INTO blocks(rowid, path, mtime_ns, size, sha, id, title, summary,"
                 " topics, jurisdictions, status, role, stance)"
                 " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
_INSERT_TEXT = ("INSERT INTO fts(rowid, title, summary, topics, body, answers)"
                " VALUES (?, ?, ?, ?, ?, ?)")
_INSERT_VECTOR = "INSERT INTO vectors(rowid, vec) VALUES (?, ?)"
_INSERT_WORD = "INSERT OR IGNORE INTO words(word, ids) VALUES (?, ?)"
# At most this many searched phrases are kept in the index (see Index.keep_searches).
_KEPT_PHRASES = 20_000
# At most this many questions' meaning results are kept in the index (see Index.keep_meanings).
_KEPT_MEANINGS = 2_000
# The scratch full-text table that highlights the words a block matched (Index.matched_words),
# and how many rows it may hold before it is emptied.
_SCRATCH_TABLE = f"CREATE VIRTUAL TABLE s USING fts5(title, summary, body, tokenize='{TOKENIZER}')"
_SCRATCH_ROWS = 512
# The kind of vector of a block's meaning (``packed.kind``).
MEANING = "meaning"
# The file name of the meaning matrix kept beside the index: <prefix><digest>.npy
_MATRIX_PREFIX = "index.matrix."


def _matrix_name(rowids: bytes, vecs: bytes) -> str:
    """The name of the matrix file of these packed row ids and float16 vectors:
    ``index.matrix.<first 16 hex of the sha256 of rowids + b"\\0" + vecs>.npy``."""
    digest = hashlib.sha256(rowids)             # hashed one after the other, without a copy
    digest.update(b"\0")
    digest.update(vecs)
    return f"{_MATRIX_PREFIX}{digest.hexdigest()[:16]}.npy"


class BlockRow(NamedTuple):
    """What the index knows of a block: enough to rank and explain, without its file. (A
    named tuple: a ranking makes a thousand of them, and a tuple is made fastest.)"""

    rowid: int
    id: str
    path: str
    title: str
    summary: str
    topics: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    status: str
    role: str
    stance: str

    def applies_to(self, jurisdiction: str) -> bool:
        return "any" in self.jurisdictions or jurisdiction in self.jurisdictions


@dataclass
class IndexStats:
    """What opening the index did (the benchmark and ``drafter --debug suggest`` show it)."""

    mode: str = "cached"          # cached | rebuilt | memory
    reason: str = ""
    scanned: int = 0
    reparsed: int = 0
    removed: int = 0
    seconds: float = 0.0


# --- reading block files ------------------------------------------------------------------

def parse_block(path: Path | str, data: bytes) -> tuple[PositionMeta, str]:
    """Front matter and body of one block file, validated like ``load_block``.

    The fast path parses the front matter with yaml_rs; anything it cannot take, or that the
    schema rejects, goes through ``load_block`` for the error at the right line (or, should the
    two parsers ever disagree, for the canonical reading).
    """
    fast = _parse_fast(data)
    if fast is not None:
        return fast
    block = load_block(Path(path))    # reads the file again: positioned errors, not UTF-8 too
    return block.meta, block.body


def _front_matter_fast(data: bytes, model):
    """(``model`` validated from the front matter, the body) through yaml-rs, or None when the
    fast path cannot vouch for the file (no yaml-rs, aliases, anything invalid): the callers
    then read it with the reference loader, for the error at its line."""
    if yaml_rs is None:
        return None
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        parts = frontmatter.locate(text)
        # yaml_rs expands aliases freely; an alias needs a '*' (most files have none)
        if parts is None or ("*" in parts[0] and may_have_aliases(parts[0])):
            return None
        fields = yaml_rs.loads(parts[0])
        if not isinstance(fields, dict):
            return None
        return model.model_validate(fields), parts[1].strip("\n")
    except (ValidationError, ValueError, TypeError, UnicodeDecodeError):
        return None
    except Exception as exc:  # noqa: BLE001 - yaml_rs raises its own error classes
        if type(exc).__module__.split(".")[0] != "yaml_rs":
            raise
        return None


def _parse_fast(data: bytes) -> tuple[PositionMeta, str] | None:
    parsed = _front_matter_fast(data, PositionMeta)
    return None if parsed is None else (parsed[0], parsed[1] + "\n")


def _gc_paused(function):
    """``function`` run with Python's cycle collector paused (and then as it was before): a
    build allocates millions of objects that live until its end, none of them in cycles,
    and collecting them again and again costs a tenth of its time."""
    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return paused


def _parse_slow(path: str) -> tuple[PositionMeta, str] | None:
    """Front matter and body of a block file the fast path could not vouch for, read by
    ``load_block`` (as the caller would), or None when it is bad (the caller then reads it
    again, for the error at its line)."""
    try:
        block = load_block(Path(path))
    except DrafterError:
        return None
    return block.meta, block.body


def _variant_slow(path: str) -> str | None:
    """The body of a variant file, read by ``load_variant``, or None when it is bad."""
    try:
        return load_variant(Path(path)).body
    except DrafterError:
        return None


@_gc_paused
def _prepare(job) -> list:
    """Read and parse block files, for the index: runs in a worker process on big builds.

    ``job`` is (root, [(rel, mtime_ns, size, sha or None, data or None, variant files), ...],
    topic texts, whether to embed); a block's variant files are relative paths, in
    ``VARIANTS`` order. Each block gives ``(rel, mtime_ns, size, sha, data, prepared, vector)``
    where ``sha`` covers the block's file and its variants' (:func:`_digest`), ``prepared`` is
    (id, topics, block values, indexed text) or None when the block or one of its variants
    is bad or could not be read (the caller then parses them again for the exact error), and
    ``vector`` the stored bytes of its meaning's embedding, or None (not embedded here). The
    last item is ``None`` and the words the tokenizer met here with their token ids
    (:meth:`drafter.suggest.embed.Embedder.take_fresh`).
    """
    root, items, topic_texts, embedding = job
    out = []
    for rel, mtime_ns, size, sha, data, variant_rels in items:
        if data is None:
            try:
                data = _read(root + "/" + rel)
            except OSError:
                out.append([rel, mtime_ns, size, None, None, None, None])  # the caller reports
                continue
        try:
            variant_data = [_read(root + "/" + v) for v in variant_rels]
        except OSError:
            variant_data = None
        if sha is None and variant_data is not None:
            sha = _digest(data, variant_data)
        fast = _parse_fast(data)
        if fast is None and variant_data is not None:
            fast = _parse_slow(root + "/" + rel)
        prepared = None
        if fast is not None and variant_data is not None:
            bodies = [_variant_fast(v, d) for v, d in zip(variant_rels, variant_data)]
            bodies = [b if b is not None else _variant_slow(root + "/" + v)
                      for v, b in zip(variant_rels, bodies)]
            if all(b is not None for b in bodies):
                meta, body = fast
                prepared = _values(meta, body, topic_texts, tuple(bodies))
                data = None
        out.append([rel, mtime_ns, size, sha, data, prepared, None])
    model = embed.load() if embedding else None
    if model is not None:
        todo = [item for item in out if item[5] is not None and item[5][3].meanings]
        for item, vectors in zip(todo, _embed_meanings(model, [item[5][3].meanings
                                                               for item in todo])):
            item[6] = vectors
    out.append([None, model.take_fresh() if model is not None else {}])
    return out


def _embed_meanings(model, meanings: list[tuple[str, ...]]) -> list[bytes]:
    """The stored bytes of each block's meanings (its text, then the questions it answers):
    k float16 vectors of ``embed.DIM`` values each, one after another."""
    flat = [text for texts in meanings for text in texts]
    vectors = model.embed(flat).astype("float16") if flat else None
    out, at = [], 0
    for texts in meanings:
        out.append(vectors[at:at + len(texts)].tobytes())
        at += len(texts)
    return out


def _digest(data: bytes, variants: list[bytes]) -> str:
    """SHA-256 of a block file's bytes and its variant files' (in order): what the index
    compares to tell whether a block must be indexed again."""
    if not variants:
        return hashlib.sha256(data).hexdigest()
    h = hashlib.sha256(data)
    for item in variants:
        h.update(b"\0%d\0" % len(item))
        h.update(item)
    return h.hexdigest()


def _variant_fast(rel: str, data: bytes) -> str | None:
    """The body of a variant file, or None when the fast path cannot vouch for it (then
    :func:`drafter.load.library.load_variant` reads it, for the error at its line)."""
    parsed = _front_matter_fast(data, VariantMeta)
    if parsed is None:
        return None
    meta, body = parsed
    stem_id, stem_variant = rel.rsplit("/", 1)[-1][:-3].rsplit(".", 1)
    if meta.id != stem_id or meta.variant != stem_variant or not body.strip():
        return None
    return body + "\n"


def _variant_owner(rel: str) -> tuple[str, str] | None:
    """(block file, variant name) of a variant file's relative path, or None when its name
    is no variant drafter knows (the library loader reports it)."""
    folder, _, name = rel.rpartition("/")
    stem_id, _, variant = name[:-3].rpartition(".")
    if variant not in VARIANTS or not stem_id or "." in stem_id:
        return None
    return (folder + "/" if folder else "") + stem_id + ".md", variant


@dataclass(frozen=True)
class IndexedText:
    """What the index searches of a block: its words (the five full-text columns), and the
    texts whose meaning is embedded (``meanings``: the block's own text, then each question it
    answers; empty for blocks that answer no question)."""

    title: str
    summary: str
    topics: str
    body: str
    answers: str
    meanings: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, str, str, str, str]:
        return (self.title, self.summary, self.topics, self.body, self.answers)

    @property
    def meaning(self) -> str:
        """The block's own text, as embedded (empty for blocks that answer no question)."""
        return self.meanings[0] if self.meanings else ""


def indexed_text(meta: PositionMeta, body: str, topic_texts: dict[str, str],
                 variants: tuple[str, ...] = ()) -> IndexedText:
    """The indexable text of one block: the single place that decides what of a block is
    searched, by words and by meaning.

    ``topic_texts`` maps a topic id to its label and keywords; ``variants`` are the bodies of
    the block's reusable wordings (``<id>.<variant>.md``, in ``VARIANTS`` order), the text new
    filings use: their words are searched with the body's. Jinja expressions are not content
    and are left out. The meaning is the title, summary and the lead of the body, as a reader
    takes them in, then the lead of each variant; each question the block answers (its
    ``answers``, one line each in the ``answers`` column) has a meaning of its own.
    """
    topics = " ; ".join(topic_texts.get(t, t) for t in meta.topics)
    body = strip_jinja(body) if "{" in body else body
    wordings = tuple(strip_jinja(v) if "{" in v else v for v in variants)
    meanings: tuple[str, ...] = ()
    answers = meta.answers if meta.role.value in ANSWER_ROLES else []
    if meta.role.value in ANSWER_ROLES and meta.status.value != "retired":
        # the leads are single-spaced already (see _lead)
        parts = [" ".join(meta.title.split()), " ".join(meta.summary.split()),
                 _lead(body, MEANING_BODY_WORDS)]
        if MEANING_VARIANT_WORDS:
            parts.extend(_lead(v, MEANING_VARIANT_WORDS) for v in wordings)
        meanings = (" ".join(parts), *answers)
    if wordings:
        body = "\n\n".join((body.rstrip("\n"),) + tuple(v.strip("\n") for v in wordings)) + "\n"
    return IndexedText(meta.title, meta.summary, topics, body, "\n".join(answers), meanings)


def _lead(text: str, words: int) -> str:
    """The first ``words`` words of ``text``, joined by single spaces (no other white space:
    a remainder ``split`` leaves unsplit is cut off)."""
    return " ".join(text.split(maxsplit=words)[:words])


def _values(meta: PositionMeta, body: str, topic_texts: dict[str, str],
            variants: tuple[str, ...] = ()) -> tuple:
    """(id, topics, block columns, indexed text) of a parsed block, without row ids."""
    # Topic ids and jurisdictions are plain kebab-case words: stored comma-separated. An
    # approved text edited since its approval ranks and answers as a draft does.
    status = "draft" if edited_since_approval(meta, body) else meta.status.value
    block = (meta.id, meta.title, meta.summary, ",".join(meta.topics),
             ",".join(meta.jurisdictions), status, meta.role.value, meta.stance.value)
    return meta.id, tuple(meta.topics), block, indexed_text(meta, body, topic_texts, variants)


def _scan(root: str) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """Every block file and every variant file under ``root``: two maps of relative path ->
    (mtime_ns, size).

    The same files as ``library.block_files`` (``*.md``, not hidden, not variants) and
    ``library.variant_files`` (``<id>.<variant>.md``), in any sub-folder. Where the system
    allows it, each folder is listed through an open descriptor and its files are looked up
    from it (one name each, not the whole path again: a fifth less time for 10,000 files).
    Raises :class:`LoadError`, naming the folder, when a folder cannot be read.
    """
    found: dict[str, tuple[int, int]] = {}
    variants: dict[str, tuple[int, int]] = {}
    by_descriptor = _SCAN_BY_DESCRIPTOR
    stack = [(root, "")]              # (folder, its path relative to root with a "/" after)
    while stack:
        current, prefix = stack.pop()
        fd = None
        try:
            if by_descriptor:
                fd = os.open(current, os.O_RDONLY)
            entries = os.scandir(current if fd is None else fd)
        except OSError as exc:
            if fd is not None:
                os.close(fd)
            raise LoadError(f"cannot read the position library: {exc.strerror}", current) from None
        try:
            with entries:
                for entry in entries:
                    name = entry.name
                    if name.endswith(".md"):
                        if name.startswith("."):
                            continue
                        try:
                            st = entry.stat()
                        except OSError:
                            continue
                        if entry.is_dir(follow_symlinks=False):
                            stack.append((current + os.sep + name, prefix + name + "/"))
                            continue
                        into = variants if "." in name[:-3] else found
                        into[prefix + name] = (st.st_mtime_ns, st.st_size)
                    elif entry.is_dir(follow_symlinks=False):
                        stack.append((current + os.sep + name, prefix + name + "/"))
        finally:
            if fd is not None:
                os.close(fd)
    return found, variants


# Whether os.scandir takes an open folder (POSIX): its entries are then looked up by name.
_SCAN_BY_DESCRIPTOR = os.scandir in os.supports_fd


class _ScanAside:
    """:func:`_scan` of a library and its :func:`_listing` digests, done by a forked child
    process while this one goes on (loading the embedding model: numpy's import and the scan
    both want Python's lock, and two processes run on two cores).

    :meth:`start` gives None where that cannot be done safely: not Linux, or threads already
    running (forking them is unsafe). The child writes, then exits: the digest of the files
    and how many block files there are (``marshal``), then both maps of :func:`_scan`, which
    only a library that changed needs (:meth:`maps`; :meth:`close` leaves them unread).
    """

    def __init__(self, pid: int, fd: int):
        self.pid = pid
        self.pipe = open(fd, "rb")

    @classmethod
    def start(cls, root: str) -> "_ScanAside | None":
        if not _FORK_SCAN or threading.active_count() > 1:
            return None
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:                              # the child: never returns
            try:
                os.close(read_end)
                found, variants = _scan(root)
                head = marshal.dumps((_listing(found.items()) + _listing(variants.items()),
                                      len(found)))
                with open(write_end, "wb") as out:
                    out.write(b"%d\n" % len(head) + head)
                    out.flush()
                    out.write(marshal.dumps((found, variants)))
            finally:
                os._exit(0)                   # no clean-up of the parent's state: not ours
        os.close(write_end)
        return cls(pid, read_end)

    def result(self) -> tuple[str, int] | None:
        """(listing digest, number of block files), or None when the child failed (a folder
        it could not read: the caller scans again, for the error)."""
        try:
            size = int(self.pipe.readline())
            listing, count = marshal.loads(self.pipe.read(size))
        except (ValueError, EOFError, TypeError):
            self.close()
            return None
        return listing, count

    def maps(self):
        """The two maps of :func:`_scan`, or None when the child could not hand them over."""
        try:
            return marshal.loads(self.pipe.read())
        except (ValueError, EOFError, TypeError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading (the child exits); it is waited for in a thread."""
        if not self.pipe.closed:
            self.pipe.close()
            threading.Thread(target=_reap, args=(self.pid,), daemon=True,
                             name="drafter-scan-reaper").start()


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass


# Forking a child to scan the library: only on Linux (on macOS a forked child may not use
# every system library; Windows cannot fork).
_FORK_SCAN = sys.platform.startswith("linux") and hasattr(os, "fork")


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to the index file, which reads it through a memory map (up to
    ``_MAPPED_BYTES``): the pages a ranking reads, scattered over the file, then cost no
    system call each."""
    conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA mmap_size = {_MAPPED_BYTES}")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


_MAPPED_BYTES = 1 << 30


def _chain(first, rest):
    yield first()
    yield from rest


def _listing(entries) -> str:
    """A digest of (path, (mtime_ns, size)) entries, in any order."""
    lines = sorted(f"{path}\0{mtime}\0{size}" for path, (mtime, size) in entries)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _read(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _vocabulary(topics) -> dict[str, dict]:
    return {tid: {"label": t.label, "keywords": list(t.keywords)} for tid, t in topics.items()}


def _file_signature(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "missing"
    return f"{st.st_mtime_ns}:{st.st_size}"


def _unpacked(rows) -> tuple[bytes, bytes]:
    """(int64 row ids, float16 vectors) as ``packed`` stores them, from ``vectors`` rows
    (rowid, blob of k vectors of ``embed.DIM`` float16 values): a row id per vector."""
    from array import array

    width = embed.DIM * 2
    rowids = array("q")
    for rowid, vec in rows:
        rowids.extend([rowid] * (len(vec) // width))
    return rowids.tobytes(), b"".join(vec for _, vec in rows)


def _npy_float32(vecs: bytes) -> memoryview:
    """The bytes of an .npy file holding float16 ``vecs`` (``embed.DIM`` values a row)
    widened to an (n, embed.DIM) float32 matrix: the header and the rows in one buffer, the
    rows widened in place (no copy of the whole file is made)."""
    import numpy as np

    half = np.frombuffer(vecs, dtype=np.float16).reshape(-1, embed.DIM)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": np.lib.format.dtype_to_descr(
        np.dtype(np.float32)), "fortran_order": False, "shape": half.shape})
    head = header.getvalue()                 # padded to a multiple of 64 bytes: rows aligned
    out = np.empty(len(head) + half.size * 4, dtype=np.uint8)
    out[:len(head)] = np.frombuffer(head, dtype=np.uint8)
    np.copyto(out[len(head):].view(np.float32).reshape(half.shape), half)
    return memoryview(out)


def _marked(texts) -> list[str]:
    """The words between highlight() marks, lower-cased, each once, in order."""
    words: list[str] = []
    for text in texts:
        for piece in (text or "").split("\x01")[1:]:
            for word in piece.split("\x02", 1)[0].split():
                word = word.strip(".,;:!?()\"'“”‘’*").lower()
                if word and word not in words:
                    words.append(word)
    return words


# --- the index --------------------------------------------------------------------------------

def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def _best(scores: dict[int, float], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (rowid, score) items of ``scores``, best first, ties by rowid: what
    ``heapq.nsmallest(limit, scores.items(), key=_best_first)`` gives. The ``limit``-th
    largest score is found first, comparing scores alone; only the items that reach it are
    then ordered."""
    if limit <= 0 or not scores:
        return []
    cut = heapq.nlargest(limit, scores.values())[-1]
    return sorted([item for item in scores.items() if item[1] >= cut], key=_best_first)[:limit]


class Index:
    """An open FTS5 index over one position library."""

    def __init__(self, conn: sqlite3.Connection, topics: dict[str, dict], stats: IndexStats,
                 path: Path | None = None):
        self.conn = conn
        self.topics = topics
        self.stats = stats
        self.path = path                  # the index file; None for an index in memory
        # the folder of the index file, where the meaning matrix is kept as a file of its own
        self.folder: Path | None = None if path is None else path.parent
        self._stemmer: sqlite3.Connection | None = None
        self._scratch_rows = 0            # rows copied into the scratch table (matched_words)
        self._stems: dict[str, str] = {}  # word -> stem (shared with readers)
        self._df: dict[str, int] = {}     # stem -> blocks using it, for this listing (shared)
        self._rows: dict[int, BlockRow] = {}  # rows read so far, for this listing (shared)
        # (field weights, phrase) -> (row ids, relevance) for this listing (shared), and
        # those found since the index last kept them
        self._postings: dict[tuple[str, str], tuple[list[int], list[float]]] = {}
        self._fresh_postings: dict[tuple[str, str], tuple[list[int], list[float]]] = {}
        self._fresh_stems: dict[str, str] = {}    # stemmed since the index last kept them
        self._fresh_terms: dict[str, int] = {}    # counted since the index last kept them
        self._size: int | None = None
        self._vectors = None              # (rowids, unit vectors) of the answering blocks
        self._first: Index | None = None  # the index whose vectors a reader() shares
        self._answering = False           # whether temp.answering lists the answering blocks
        self._writer: threading.Thread | None = None   # writing the matrix file (see _pack)
        # (meaning key, text -> kept) as knows_meanings() last read them (see kept_meanings)
        self._kept_read: tuple[str, dict[str, tuple]] = ("", {})

    # -- opening and building -----------------------------------------------------------------

    @classmethod
    def open(cls, state_dir: Path, positions: Path, topics_file: Path,
             preload: bool = False, asked=()) -> "Index":
        """The cached index for ``positions``, refreshed; rebuilt when missing or unusable.

        ``preload``: start loading the embedding model in a thread (:func:`embed.preload`):
        before a rebuild, which needs it; when the cached index is reused, while a forked
        child process scans the library (:class:`_ScanAside`), or, where this process cannot
        fork, after the scan (the scan's ``stat`` of every file and numpy's import both want
        Python's lock: one after the other, each goes faster). ``asked``: the texts the caller
        will rank (questions); when the index kept what their meaning gave
        (:meth:`keep_meanings`) and the library did not change, the model is not needed and
        does not load.
        """
        started = time.perf_counter()
        positions = Path(positions).resolve()
        topics_file = Path(topics_file)
        if not positions.is_dir():
            raise LoadError("position library folder not found", positions)
        if not topics_file.is_file():
            raise LoadError("topic vocabulary not found (positions/topics.yaml)", topics_file)
        path = Path(state_dir) / INDEX_NAME
        index, reason = None, "no index yet"
        if path.is_file():
            try:
                index, reason = cls._reuse(path, positions, topics_file, preload, asked)
            except DrafterError:
                raise
            except (sqlite3.Error, ValueError, KeyError, TypeError, AttributeError,
                    IndexError, OverflowError) as exc:   # damaged rows or metadata: a cache
                index, reason = None, f"unreadable index ({type(exc).__name__}: {exc})"
        if index is None:
            if preload:
                embed.preload(tokenizer=True)   # a build from nothing tokenizes every word
            index = cls._rebuild(path, positions, topics_file, reason)
        index.stats.seconds = time.perf_counter() - started
        return index

    @classmethod
    def _reuse(cls, path: Path, positions: Path, topics_file: Path, preload: bool = False,
               asked=()):
        conn = _connect(path)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not tables:
                conn.close()
                return None, "unreadable index (no tables)"
            if not {"meta", "blocks", "fts", "terms", "stems", "postings", "vectors", "packed",
                    "words", "meant"} <= tables:
                conn.close()
                return None, "unreadable index (tables missing)"
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            if meta.get("schema") != SCHEMA_VERSION:
                conn.close()
                return None, "index from another drafter version"
            if meta.get("library") != str(positions):
                conn.close()
                return None, "index of another library folder"
            if meta.get("embedder") != embed.signature():
                conn.close()
                return None, "embedding model changed"
            signature = _file_signature(topics_file)
            if meta.get("topics_signature") != signature:
                if meta.get("topics_sha") != hashlib.sha256(topics_file.read_bytes()).hexdigest():
                    conn.close()
                    return None, "topic vocabulary changed"
                with conn:
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'topics_signature'",
                                 (signature,))
            topics = json.loads(meta["topics"])
            if not isinstance(topics, dict) or not all(
                    isinstance(v, dict) and isinstance(v.get("label"), str)
                    and isinstance(v.get("keywords"), list)
                    and all(isinstance(k, str) for k in v["keywords"])
                    for v in topics.values()):
                raise ValueError("topics metadata is not the vocabulary")
            index = cls(conn, topics, IndexStats(mode="cached"), path)
            index._refresh(str(positions), preload, asked)
            return index, ""
        except BaseException:
            conn.close()
            raise

    @classmethod
    def _rebuild(cls, path: Path, positions: Path, topics_file: Path, reason: str) -> "Index":
        from drafter.load.library import load_topics

        topics = _vocabulary(load_topics(topics_file))
        meta = {
            "schema": SCHEMA_VERSION,
            "library": str(positions),
            "topics": json.dumps(topics, sort_keys=True),
            "topics_sha": hashlib.sha256(topics_file.read_bytes()).hexdigest(),
            "topics_signature": _file_signature(topics_file),
            "embedder": embed.signature(),
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".index.", suffix=".tmp", dir=path.parent)
            os.close(fd)
        except OSError:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
            index = cls(conn, topics, IndexStats(mode="memory", reason=reason))
            index._create(meta)
            index._refresh(str(positions))
            return index
        conn = sqlite3.connect(tmp, timeout=10, check_same_thread=False)
        try:
            # A crash while building leaves a temporary file, never a broken index.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA cache_size = -65536")
            conn.execute("PRAGMA temp_store = MEMORY")
            index = cls(conn, topics, IndexStats(mode="rebuilt", reason=reason))
            index.folder = path.parent
            index._create(meta)
            index._refresh(str(positions))
            conn.close()
            os.replace(tmp, path)
        except BaseException:
            conn.close()
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        index.conn = _connect(path)
        index._answering = False
        index.path = path
        return index

    @classmethod
    def from_library(cls, library: Library) -> "Index":
        """An in-memory index of an already loaded library (used while composing a draft)."""
        topics = _vocabulary(library.topics)
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        index = cls(conn, topics, IndexStats(mode="memory", reason="loaded library"))
        index._create({"schema": SCHEMA_VERSION, "library": str(library.root),
                       "embedder": embed.signature()})
        texts = index._topic_texts()
        blocks, words, meanings = [], [], []
        for rowid, block in enumerate(library, start=1):
            _, _, columns, text = _values(block.meta, block.body, texts,
                                          tuple(v.body for v in block.variants.values()))
            blocks.append((rowid, block.path.as_posix(), 0, 0, "", *columns))
            words.append((rowid, *text.columns))
            if text.meanings:
                meanings.append((rowid, text.meanings))
        with conn:
            conn.executemany(_INSERT_BLOCK, blocks)
            conn.executemany(_INSERT_TEXT, words)
            index._pack(index._insert_vectors(meanings))
        return index

    def _create(self, meta: dict) -> None:
        self.conn.executescript(_SCHEMA)
        # Fewer, larger segment merges while building (FTS5's default is 4), and fewer
        # segments to merge: terms are held in memory until 16 MB of them (default 1 MB) or
        # the end of the transaction, a fourth less work for a build from nothing.
        self.conn.execute("INSERT INTO fts(fts, rank) VALUES ('automerge', 8)")
        self.conn.execute("INSERT INTO fts(fts, rank) VALUES ('hashsize', 16777216)")
        with self.conn:
            self.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                                  sorted(meta.items()))

    def _topic_texts(self) -> dict[str, str]:
        """What the index holds for each topic: its label and keywords."""
        return {tid: topic_text((tid,), self.topics) for tid in self.topics}

    def _refresh(self, root: str, preload: bool = False, asked=()) -> None:
        """Bring the index in line with the files, reading only those that changed.

        A block is indexed again when its file or one of its variant files changed, appeared
        or went away (and their bytes differ from what was indexed). ``preload`` and
        ``asked``: see :meth:`open`."""
        stats = self.stats
        self._answering = False
        self._df.clear()
        self._rows.clear()
        self._postings.clear()
        self._fresh_postings.clear()
        self._fresh_terms.clear()
        scan_started = time.time_ns()
        # the model loads while a child process scans, or else after the scan (see open())
        aside = _ScanAside.start(root) if preload else None
        loading = False
        try:
            if aside is not None and not self.knows_meanings(asked):
                embed.preload()
                loading = True
            scanned = aside.result() if aside is not None else None
            if scanned is None:
                current, current_variants = _scan(root)
                if preload and not loading and not self.knows_meanings(asked):
                    embed.preload()
                    loading = True
                listing = _listing(current.items()) + _listing(current_variants.items())
                stats.scanned = len(current)
            else:
                listing, stats.scanned = scanned
            recorded = dict(self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('listing', 'blocks')"))
            if recorded.get("listing") == listing:
                if recorded.get("blocks", "").isdigit():
                    self._size = int(recorded["blocks"])
                return
            self._rows.clear()                # read while the child scanned
            if preload and not loading:       # changed blocks are embedded
                embed.preload()
            if scanned is not None:
                maps = aside.maps()
                current, current_variants = maps if maps is not None else _scan(root)
        finally:
            if aside is not None:
                aside.close()
        stored = {row[0]: row[1:] for row in self.conn.execute(
            "SELECT path, mtime_ns, size, sha, rowid, id FROM blocks")}
        stored_variants = {row[0]: row[1:] for row in self.conn.execute(
            "SELECT path, owner, mtime_ns, size FROM variants")}
        variants_of: dict[str, list[tuple[int, str]]] = {}   # block file -> its variant files
        for rel in current_variants:
            owner = _variant_owner(rel)
            if owner is not None:
                variants_of.setdefault(owner[0], []).append((VARIANTS.index(owner[1]), rel))
        touched = {rel for rel, sig in current_variants.items()
                   if rel not in stored_variants or stored_variants[rel][1:] != sig}
        touched.update(rel for rel in stored_variants if rel not in current_variants)
        touched_owners = {o[0] for o in map(_variant_owner, touched) if o is not None}
        changed = sorted(rel for rel, sig in current.items()
                         if rel not in stored or stored[rel][:2] != sig or rel in touched_owners)
        removed = sorted(rel for rel in stored if rel not in current)
        self._size = None
        self._vectors = None
        owners = {row[4]: rel for rel, row in stored.items()}       # block id -> file
        next_rowid = max((row[3] for row in stored.values()), default=0) + 1
        todo = []

        def racy(mtime_ns: int) -> int:
            return -1 if mtime_ns >= scan_started - _RACY_NS else mtime_ns

        with self.conn:
            for rel in removed:
                self._delete(stored[rel][3])
                owners.pop(stored[rel][4], None)
                stats.removed += 1
            for rel in changed:
                mtime_ns, size = current[rel]
                mtime_ns = racy(mtime_ns)
                variant_rels = tuple(v for _, v in sorted(variants_of.get(rel, ())))
                old = stored.get(rel)
                if old is None:
                    todo.append((rel, mtime_ns, size, None, None, variant_rels))
                    continue
                try:
                    data = _read(os.path.join(root, rel))
                    sha = _digest(data, [_read(os.path.join(root, v)) for v in variant_rels])
                except OSError as exc:
                    raise LoadError(f"cannot read: {exc.strerror}", exc.filename) from None
                if old[2] == sha:
                    self.conn.execute("UPDATE blocks SET mtime_ns = ?, size = ? WHERE rowid = ?",
                                      (mtime_ns, size, old[3]))
                    continue
                self._delete(old[3])
                owners.pop(old[4], None)
                todo.append((rel, mtime_ns, size, sha, data, variant_rels))
            inserted = self._parse_and_insert(root, todo, owners, next_rowid) if todo else []
            if todo or removed:
                # built from nothing: every vector is in hand, none needs reading back
                self._pack(None if stored else inserted)
                # what was kept of searches is for the library as it was
                self.conn.execute("DELETE FROM meta WHERE key IN ('terms', 'postings')")
            self.conn.execute("DELETE FROM variants")
            self.conn.executemany(
                "INSERT INTO variants(path, owner, mtime_ns, size) VALUES (?, ?, ?, ?)",
                [(rel, (_variant_owner(rel) or ("",))[0], racy(mtime_ns), size)
                 for rel, (mtime_ns, size) in sorted(current_variants.items())])
            self._record_listing()

    def _record_listing(self) -> None:
        """A digest of the files as recorded, so that the next run can tell in one comparison
        that nothing changed (files recorded as racy never match, and are checked again)."""
        blocks = [(path, (mtime, size)) for path, mtime, size in self.conn.execute(
            "SELECT path, mtime_ns, size FROM blocks")]
        variants = [(path, (mtime, size)) for path, mtime, size in self.conn.execute(
            "SELECT path, mtime_ns, size FROM variants")]
        listing = _listing(blocks) + _listing(variants)
        self.conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                              [("listing", listing), ("blocks", str(len(blocks)))])

    @_gc_paused
    def _parse_and_insert(self, root: str, todo: list, owners: dict[str, str],
                          next_rowid: int) -> list[tuple[int, bytes]]:
        """Parse the files of ``todo`` and index them, in order; the (rowid, stored vectors)
        of the blocks embedded.

        For big builds a forked process parses most files (in chunks, handed back as they are
        ready) while this one parses the first share and writes every row to SQLite.
        """
        texts = self._topic_texts()
        variant_rels_of = {item[0]: item[5] for item in todo}
        pool = None
        model = embed.load()                        # loaded before a fork: the worker shares it
        embedding = model is not None
        self._vectors = None
        if len(todo) >= _PARALLEL_FROM and (os.cpu_count() or 1) > 1:
            self._matrix_written()   # no fork while this index's matrix file is being written
            if model is not None:
                model.tokenizer      # built once, before the fork, for both processes' new words
            try:
                import multiprocessing
                pool = multiprocessing.get_context("fork").Pool(1)
            except (ImportError, ValueError, OSError):
                pool = None
        try:
            if pool is None:
                jobs = iter([_prepare((root, todo, texts, embedding))])
            else:
                own = int(len(todo) * _OWN_SHARE)
                size = max(1, (len(todo) - own) // _CHUNKS)
                chunks = [todo[i:i + size] for i in range(own, len(todo), size)]
                later = pool.imap(_prepare, [(root, chunk, texts, embedding)
                                             for chunk in chunks])
                jobs = _chain(lambda: _prepare((root, todo[:own], texts, embedding)), later)
            rowid = next_rowid
            inserted: list[tuple[int, bytes]] = []
            tokens: dict[str, list[int]] = {}    # every process's new words: stored once, sorted
            for prepared in jobs:
                blocks, words, meanings, vectors = [], [], [], []
                tokens.update(prepared.pop()[1])
                for rel, mtime_ns, size, sha, data, values, vector in prepared:
                    path = root + "/" + rel
                    if values is None:
                        if data is None:
                            try:
                                data = _read(path)
                            except OSError as exc:
                                raise LoadError(f"cannot read: {exc.strerror}",
                                                Path(path)) from None
                        meta, body = parse_block(path, data)
                        variants = [load_variant(Path(root + "/" + v))
                                    for v in variant_rels_of[rel]]
                        sha = sha or _digest(data, [_read(str(v.path)) for v in variants])
                        values = _values(meta, body, texts, tuple(v.body for v in variants))
                    block_id, topics, columns, text = values
                    self._check(path, block_id, topics, rel, owners)
                    blocks.append((rowid, rel, mtime_ns, size, sha, *columns))
                    words.append((rowid, *text.columns))
                    if vector is not None:
                        vectors.append((rowid, vector))
                    elif text.meanings:
                        meanings.append((rowid, text.meanings))
                    rowid += 1
                self.conn.executemany(_INSERT_BLOCK, blocks)
                self.conn.executemany(_INSERT_TEXT, words)
                self.conn.executemany(_INSERT_VECTOR, vectors)
                inserted.extend(vectors)
                inserted.extend(self._insert_vectors(meanings, tokens))
            self._keep_words(tokens)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
        self.stats.reparsed += len(todo)
        return inserted

    def _check(self, path: str, block_id: str, topics, rel: str,
               owners: dict[str, str]) -> None:
        for i, topic in enumerate(topics):
            if topic not in self.topics:
                path = Path(path)
                line = load_block(path).line_of("topics", i)
                raise LoadError(f"unknown topic '{topic}'{did_you_mean(topic, self.topics)}",
                                path, line, code="unknown-topic")
        other = owners.get(block_id)
        if other is not None and other != rel:
            path = Path(path)
            raise LoadError(f"duplicate position id '{block_id}' (also in {other})", path,
                            load_block(path).line_of("id"), code="duplicate-id")
        owners[block_id] = rel

    def _delete(self, rowid: int) -> None:
        self.conn.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
        self.conn.execute("DELETE FROM blocks WHERE rowid = ?", (rowid,))
        self.conn.execute("DELETE FROM vectors WHERE rowid = ?", (rowid,))

    def _insert_vectors(self, meanings: list[tuple[int, tuple[str, ...]]],
                        tokens: dict[str, list[int]] | None = None) -> list[tuple[int, bytes]]:
        """Embed and store the meanings of blocks: (rowid, texts) pairs; the (rowid, stored
        vectors) written, none without a model. The words tokenized for them are stored
        (:meth:`_keep_words`), or added to ``tokens`` for the caller to store."""
        self._vectors = None
        if not meanings:
            return []
        model = embed.load()
        if model is None:
            return []
        self.prime(text for _, texts in meanings for text in texts)
        stored = _embed_meanings(model, [texts for _, texts in meanings])
        rows = [(rowid, data) for (rowid, _), data in zip(meanings, stored)]
        self.conn.executemany(_INSERT_VECTOR, rows)
        if tokens is None:
            self._keep_words(model.take_fresh())
        else:
            tokens.update(model.take_fresh())
        return rows

    def _keep_words(self, tokens: dict[str, list[int]]) -> None:
        """Store words' token ids (int32), for later runs (see :meth:`prime`)."""
        if tokens:
            from array import array

            self.conn.executemany(_INSERT_WORD, [(w, array("i", tokens[w]).tobytes())
                                                 for w in sorted(tokens)])

    def _pack(self, fresh: list[tuple[int, bytes]] | None = None) -> None:
        """Write the meaning vectors again as one matrix: the float32 matrix file
        (:meth:`_write_matrix`, in a thread) and, in ``packed``, each vector's block row id (in
        rowid order; a block's vectors, if it has several, one after another), with the
        float16 vectors themselves only when the index has no folder for the file (an index
        in memory). ``fresh``: every (rowid, stored vectors) of the index when the caller has
        them all in hand (a build from nothing), in any order; else they are read from
        ``vectors``.

        The file is written while the caller goes on (committing, searching); :meth:`vectors`
        waits for it. A file that could not be written is a missing file: the vectors are
        then read from their rows."""
        self._matrix_written()
        if fresh is None:
            rows = self.conn.execute("SELECT rowid, vec FROM vectors ORDER BY rowid").fetchall()
        else:
            rows = sorted(fresh)
        rowids, vecs = _unpacked(rows)
        name = ""
        if self.folder is not None:
            name = _matrix_name(rowids, vecs)
            self._writer = threading.Thread(target=self._write_matrix, args=(name, vecs),
                                            name="drafter-matrix")
            self._writer.start()
        self.conn.execute("INSERT OR REPLACE INTO packed(kind, rowids, vecs) VALUES (?, ?, ?)",
                          (MEANING, rowids, b"" if name else vecs))
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('matrix', ?)",
                          (name,))

    def _matrix_written(self) -> None:
        """Wait until the matrix file :meth:`_pack` started writing is written (or not)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.join()

    def _write_matrix(self, name: str, vecs: bytes, again: bool = False) -> bool:
        """Keep the packed float16 vectors ``vecs`` as float32 in the file ``name`` of the
        index's folder (``index.matrix.<sha256 of row ids and vectors, 16 hex>.npy``), which
        :meth:`vectors` maps into memory instead of reading and widening them; other such
        files are removed. Whether the file is there.

        The file is written once, widened straight into the buffer that is written (an .npy
        header, then the rows), synced and renamed into place (:func:`atomic_write`);
        ``again``: also when a file of that name is there (damaged)."""
        target = self.folder / name
        try:
            if again or not target.is_file():
                atomic_write(target, _npy_float32(vecs))
            for other in self.folder.glob(_MATRIX_PREFIX + "*.npy"):
                if other.name != name:
                    try:
                        other.unlink()
                    except OSError:
                        pass
        except (OSError, OutputError):
            return False
        return True

    def prime(self, texts) -> None:
        """Teach the embedding model the token ids this index keeps for the words of
        ``texts`` (an iterable of str), so that embedding them builds no tokenizer; nothing
        without a model. Loads the model (waiting for :func:`drafter.suggest.embed.preload`)."""
        model = embed.load()
        if model is None:
            return
        missing = model.missing(texts)
        known: dict[str, list[int]] = {}
        from array import array

        for start in range(0, len(missing), 500):
            part = missing[start:start + 500]
            for word, ids in self.conn.execute(
                    f"SELECT word, ids FROM words WHERE word IN ({','.join('?' * len(part))})",
                    part):
                if isinstance(ids, bytes) and len(ids) % 4 == 0:   # else: tokenized again
                    known[word] = array("i", ids).tolist()
        model.teach(known)

    def keep_words(self) -> None:
        """Store the words the embedding model tokenized since the index last did (a
        question's new words), so that later runs find them; a read-only index does not."""
        model = embed.loaded()
        if model is None:
            return
        fresh = model.take_fresh()
        if not fresh:
            return
        try:
            with self.conn:
                self._keep_words(fresh)
        except sqlite3.OperationalError:
            pass

    # -- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        if self._size is None:
            self._size = self.conn.execute("SELECT count(*) FROM blocks").fetchone()[0]
        return self._size

    def document_frequencies(self, words) -> dict[str, int]:
        """In how many blocks each word occurs, as the index sees it (stemmed by the same
        tokenizer): 0 for words the library never uses.

        FTS5's vocabulary answers for the words asked (a lookup per word, costing in
        proportion to its blocks); the answers are kept in memory, and in a table by
        :meth:`keep_searches`, until the library changes, so a question asked again costs one
        indexed read.  Counting the whole vocabulary at
        once would cost a fifth of a second for 10,000 blocks, for the few words questions use.
        """
        stems = self.stems(words)
        unique = sorted(set(s for s in stems.values() if s and s not in self._df))
        if unique:
            self._df.update(self._frequencies(unique))
        return {w: self._df.get(stems[w], 0) for w in stems}

    def _frequencies(self, unique: list[str]) -> dict[str, int]:
        """The document frequencies of stems (see :meth:`document_frequencies`)."""
        meta = dict(self.conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('listing', 'terms')"))
        listing = meta.get("listing") or ""
        counts: dict[str, int] = {}
        if meta.get("terms") == listing:
            counts = dict(self.conn.execute(
                f"SELECT term, docs FROM terms WHERE term IN ({','.join('?' * len(unique))})",
                unique))
        missing = [s for s in unique if s not in counts]
        if missing:
            self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vocab "
                              "USING fts5vocab(main, 'fts', 'row')")
            found = dict(self.conn.execute(
                "SELECT term, doc FROM temp.fts_vocab WHERE term IN "
                f"({','.join('?' * len(missing))})", missing))
            fresh = {s: found.get(s, 0) for s in missing}
            counts.update(fresh)
            self._fresh_terms.update(fresh)       # kept by keep_searches()
        return {s: counts.get(s, 0) for s in unique}

    def search(self, phrases, weights: tuple[float, float, float, float, float],
               limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best matches of any of ``phrases`` (FTS5 phrases, each quoted: the
        query ``p1 OR p2 ...``) among the blocks that answer questions (ANSWER_ROLES, not
        retired): (rowid, relevance), best first, ties by rowid. Relevance is FTS5's BM25 over
        title, summary, topics (labels and keywords), body and the questions the block
        answers, with these weights; higher is better.

        BM25 of an OR query is the sum, phrase by phrase, of each phrase's own BM25 (its IDF
        and frequency do not depend on the other phrases), so each phrase is searched alone
        and what it adds to each block is kept until the library changes (in memory, and in
        the index by :meth:`keep_searches`): a phrase searched before costs one read. The
        sums are added in the query's order, as FTS5 adds them: the figures are FTS5's own,
        to the last bit.
        """
        phrases = list(phrases)
        if not phrases:
            return []
        found = self._phrase_postings(phrases, ",".join(repr(float(w)) for w in weights),
                                      weights)
        first, *rest = phrases
        total: dict[int, float] = dict(zip(*found[first]))
        get = total.get
        for phrase in rest:
            for rowid, score in zip(*found[phrase]):
                total[rowid] = get(rowid, 0.0) + score
        return _best(total, limit)

    def _phrase_postings(self, phrases: list[str], key: str, weights) -> dict:
        """phrase -> (row ids, relevance) of the answering blocks it matches: from memory,
        from the index's ``postings`` (when kept for this listing and these weights), else
        searched."""
        if len(self._postings) > _KEPT_PHRASES:
            self._postings.clear()
            self._fresh_postings.clear()
        out = {}
        missing = []
        for phrase in phrases:
            known = self._postings.get((key, phrase))
            if known is None:
                missing.append(phrase)
            else:
                out[phrase] = known
        if missing:
            meta = dict(self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('listing', 'postings')"))
            if meta.get("postings") == f"{meta.get('listing')}\n{key}":
                from array import array

                unique = sorted(set(missing))
                for phrase, rowids, scores in self.conn.execute(
                        "SELECT phrase, rowids, scores FROM postings WHERE phrase IN "
                        f"({','.join('?' * len(unique))})", unique):
                    if (isinstance(rowids, bytes) and isinstance(scores, bytes)
                            and len(rowids) == len(scores) and len(rowids) % 8 == 0):
                        ids, values = array("q"), array("d")
                        ids.frombytes(rowids)
                        values.frombytes(scores)
                        out[phrase] = self._postings[(key, phrase)] = (ids.tolist(),
                                                                       values.tolist())
            sql = ("SELECT fts.rowid, -bm25(fts, ?, ?, ?, ?, ?) FROM fts "
                   "JOIN temp.answering AS a ON a.rowid = fts.rowid WHERE fts MATCH ? "
                   "ORDER BY fts.rowid")
            for phrase in missing:
                if phrase not in out:
                    self._answering_table()
                    rows = self.conn.execute(sql, (*weights, phrase)).fetchall()
                    found = ([r for r, _ in rows], [v for _, v in rows])
                    out[phrase] = self._postings[(key, phrase)] = found
                    self._fresh_postings[(key, phrase)] = found
        return out

    def _answering_table(self) -> None:
        """The answering blocks' row ids, in a table of this connection: joining it costs
        half as much as looking up each match's row in ``blocks``."""
        if not self._answering:
            roles = ",".join(f"'{r}'" for r in ANSWER_ROLES)
            with self.conn:
                self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS answering("
                                  "rowid INTEGER PRIMARY KEY)")
                self.conn.execute("DELETE FROM temp.answering")
                self.conn.execute("INSERT INTO temp.answering SELECT rowid FROM blocks WHERE "
                                  f"role IN ({roles}) AND status != 'retired'")
            self._answering = True

    def keep_searches(self) -> None:
        """Store, in one transaction, what searching learnt since the index last did: the
        words stemmed, the document frequencies counted (for this listing of the library:
        those of another are dropped first) and the phrases searched (see :meth:`search`),
        for the field weights searched with most recently (dropped first when the library or
        the weights changed, or when more than ``_KEPT_PHRASES`` would be kept). A read-only
        or busy index just does not keep them."""
        stems, terms, fresh = self._fresh_stems, self._fresh_terms, self._fresh_postings
        if not (stems or terms or fresh):
            return
        from array import array

        key = next(reversed(fresh))[0] if fresh else None
        items = sorted((phrase, array("q", ids).tobytes(), array("d", values).tobytes())
                       for (k, phrase), (ids, values) in list(fresh.items()) if k == key)
        stemmed, counted = sorted(stems.items()), sorted(terms.items())
        stems.clear()
        terms.clear()
        fresh.clear()
        try:
            with self.conn:
                meta = dict(self.conn.execute(
                    "SELECT key, value FROM meta WHERE key IN ('listing', 'terms')"))
                listing = meta.get("listing") or ""
                self.conn.executemany("INSERT OR IGNORE INTO stems(word, stem) VALUES (?, ?)",
                                      stemmed)
                if counted:
                    if meta.get("terms") != listing:
                        self.conn.execute("DELETE FROM terms")
                        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) "
                                          "VALUES ('terms', ?)", (listing,))
                    self.conn.executemany("INSERT OR REPLACE INTO terms(term, docs) "
                                          "VALUES (?, ?)", counted)
                if items:
                    self._add_kept("postings", f"{listing}\n{key}", _KEPT_PHRASES,
                                   "INSERT OR REPLACE INTO postings(phrase, rowids, scores) "
                                   "VALUES (?, ?, ?)", items)
        except sqlite3.OperationalError:
            pass

    def _add_kept(self, table: str, current: str, cap: int, insert: str, rows) -> None:
        """In the caller's transaction, add ``rows`` to the kept-results ``table`` (``postings``
        or ``meant``) with ``insert``; first empty it when it holds rows for another state than
        ``current`` (recorded in meta under the table's name), or when more than ``cap`` rows
        would be kept."""
        kept = self.conn.execute("SELECT value FROM meta WHERE key = ?", (table,)).fetchone()
        count = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if not kept or kept[0] != current or count + len(rows) > cap:
            self.conn.execute(f"DELETE FROM {table}")
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                              (table, current))
        self.conn.executemany(insert, rows)

    def _meaning_key(self) -> str:
        """What the meaning results kept in ``meant`` hold for: the library's meaning matrix
        (its file name is the digest of its rows) and the model; "" for an index in memory,
        which keeps none."""
        if self.folder is None:
            return ""
        named = self.conn.execute("SELECT value FROM meta WHERE key = 'matrix'").fetchone()
        if not named or not named[0]:
            return ""
        return f"{named[0]}\n{embed.signature()}"

    def knows_meanings(self, texts) -> bool:
        """Whether the index keeps what comparing the meaning of every one of ``texts`` (an
        iterable of str; none: False) with the library's gave, for the library as it is
        indexed now (see :meth:`keep_meanings`)."""
        texts = sorted(set(texts))
        if not texts:
            return False
        found = self.kept_meanings(texts)
        self._kept_read = (self._meaning_key(), found)    # read while a child scans
        if len(found) != len(texts):
            return False
        from array import array

        candidates = array("q")
        for kept in found.values():
            if isinstance(kept[1], bytes) and len(kept[1]) % 8 == 0:
                candidates.frombytes(kept[1])
        self.rows(set(candidates))            # what ranking them will read of the blocks
        return True

    def kept_meanings(self, texts) -> dict[str, tuple]:
        """text -> (k, rowids, sims, owns, nears, tops) as :meth:`keep_meanings` kept them,
        for those of ``texts`` asked before with the library's meaning matrix and the model
        as they are now."""
        key = self._meaning_key()
        if not key:
            return {}
        texts = sorted(set(texts))
        read_key, read = self._kept_read
        if read_key == key and all(t in read for t in texts):
            return {t: read[t] for t in texts}
        kept = self.conn.execute("SELECT value FROM meta WHERE key = 'meant'").fetchone()
        if not kept or kept[0] != key:
            return {}
        out: dict[str, tuple] = {}
        for start in range(0, len(texts), 500):
            part = texts[start:start + 500]
            for text, *found in self.conn.execute(
                    "SELECT text, k, rowids, sims, owns, nears, tops FROM meant WHERE text IN "
                    f"({','.join('?' * len(part))})", part):
                out[text] = tuple(found)
        return out

    def keep_meanings(self, found: dict[str, tuple]) -> None:
        """Keep, for each question text of ``found``, what comparing its meaning with the
        library's gave: (k, rowids, sims, owns, nears, tops), bytes as
        :class:`drafter.suggest.rank.Recalled` reads them, valid while the meaning matrix and
        the model stay as they are (kept with them in meta 'meant'; results for another
        matrix are dropped first, and all of them when more than ``_KEPT_MEANINGS`` would be
        kept). An index in memory, read-only or busy does not keep them."""
        key = self._meaning_key() if found else ""
        if not key:
            return
        rows = sorted((text, *entry) for text, entry in found.items())
        try:
            with self.conn:
                self._add_kept("meant", key, _KEPT_MEANINGS,
                               "INSERT OR REPLACE INTO meant(text, k, rowids, sims, owns, nears,"
                               " tops) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.OperationalError:
            pass

    def vectors(self):
        """(rowids, vectors) of the meanings of the blocks that answer questions: an int64
        array of n row ids, sorted, and an (n, embed.DIM) float32 array of unit vectors; None
        without an embedding model. A block's first vector is the meaning of its own text, the
        next ones (same row id) those of the questions it answers, in order. Read once per
        index, in one query."""
        if self._first is not None:
            return self._first.vectors()
        if self._vectors is None:
            if embed.signature() == "none":
                return None
            import numpy as np

            self._matrix_written()
            mapped = self._mapped()
            if mapped is not None:
                self._vectors = mapped
                return mapped
            row = self.conn.execute("SELECT rowids, vecs FROM packed WHERE kind = ?",
                                    (MEANING,)).fetchone()
            if row is None or len(row[1]) != len(row[0]) // 8 * embed.DIM * 2:
                # not packed (or damaged), or the matrix file is missing: the rows themselves
                row = _unpacked(self.conn.execute(
                    "SELECT rowid, vec FROM vectors ORDER BY rowid").fetchall())
                self._rewrite_matrix(*row)
            rowids = np.frombuffer(row[0], dtype=np.int64)
            matrix = np.frombuffer(row[1], dtype=np.float16).reshape(len(rowids), embed.DIM)
            self._vectors = (rowids, matrix.astype(np.float32))
        return self._vectors

    def _rewrite_matrix(self, rowids: bytes, vecs: bytes) -> None:
        """Write again, in a thread, the matrix file the index names when it is missing or
        damaged and the rows it was made from are unchanged (its name is their digest), so
        that the next runs map it rather than read the rows. The file is written before this
        process exits."""
        if self.folder is None or not vecs:
            return
        named = self.conn.execute("SELECT value FROM meta WHERE key = 'matrix'").fetchone()
        name = _matrix_name(rowids, vecs)
        if not named or named[0] != name:
            return
        self._writer = threading.Thread(target=self._write_matrix, args=(name, vecs, True),
                                        name="drafter-matrix")
        self._writer.start()

    def _mapped(self):
        """(rowids, matrix) with the matrix mapped from the index's file of it, or None when
        there is none or it does not match the packed row ids (then the packed row is read)."""
        if self.folder is None:
            return None
        import numpy as np

        try:
            name = self.conn.execute("SELECT value FROM meta WHERE key = 'matrix'").fetchone()
            if not name or not re.fullmatch(re.escape(_MATRIX_PREFIX) + "[0-9a-f]{16}\\.npy",
                                            name[0]):
                return None
            ids = self.conn.execute("SELECT rowids FROM packed WHERE kind = ?",
                                    (MEANING,)).fetchone()
            if ids is None:
                return None
            rowids = np.frombuffer(ids[0], dtype=np.int64)
            matrix = np.load(self.folder / name[0], mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError, sqlite3.Error):
            return None
        if matrix.dtype != np.float32 or matrix.shape != (len(rowids), embed.DIM):
            return None
        return rowids, matrix

    def answers(self, rowids) -> dict[int, list[str]]:
        """The questions each block answers (its front matter's ``answers``), in order."""
        rowids = list(rowids)
        if not rowids:
            return {}
        return {r: (a.split("\n") if a else []) for r, a in self.conn.execute(
            f"SELECT rowid, answers FROM fts WHERE rowid IN ({','.join('?' * len(rowids))})",
            rowids)}

    def texts(self, rowids) -> dict[int, str]:
        """The indexed title, summary and body (with its wordings) of each block, as one text
        (joined by new lines)."""
        rowids = list(rowids)
        if not rowids:
            return {}
        rows = self.conn.execute(
            f"SELECT rowid, title, summary, body FROM fts WHERE rowid IN "
            f"({','.join('?' * len(rowids))})", rowids).fetchall()
        return {rowid: "\n".join(t or "" for t in texts) for rowid, *texts in rows}

    def rows(self, rowids) -> dict[int, BlockRow]:
        """The blocks of ``rowids`` the index has ({rowid: BlockRow}; unknown ones left out).
        Rows read once are kept until the library changes: questions share candidates."""
        rowids = list(rowids)
        cache = self._rows
        missing = [r for r in rowids if r not in cache]
        if missing:
            for r in self.conn.execute(
                    "SELECT rowid, id, path, title, summary, topics, jurisdictions, status, role,"
                    f" stance FROM blocks WHERE rowid IN ({','.join('?' * len(missing))})",
                    missing):
                cache[r[0]] = BlockRow(r[0], r[1], r[2], r[3], r[4], tuple(r[5].split(",")),
                                       tuple(r[6].split(",")), r[7], r[8], r[9])
        return {r: cache[r] for r in rowids if r in cache}

    def statuses(self, ids) -> dict[str, str]:
        """The status of each of ``ids`` the library has (unknown ids are left out)."""
        ids = sorted(set(ids))
        if not ids:
            return {}
        return dict(self.conn.execute(
            f"SELECT id, status FROM blocks WHERE id IN ({','.join('?' * len(ids))})", ids))

    def ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM blocks ORDER BY id")]

    def stems(self, words) -> dict[str, str]:
        """Each word as the index's tokenizer stems it ("reporting" -> "report"; "" for a
        word with no token). Stems are kept in the index (they depend only on the tokenizer),
        so a word is stemmed once, by an FTS5 table of the same tokenizer in memory."""
        words = set(words)
        new = sorted(w for w in words if w not in self._stems)
        if new:
            for start in range(0, len(new), 500):
                part = new[start:start + 500]
                self._stems.update(self.conn.execute(
                    f"SELECT word, stem FROM stems WHERE word IN ({','.join('?' * len(part))})",
                    part))
            new = [w for w in new if w not in self._stems]
        if new:
            found: dict[str, str] = {}
            scratch = self._scratch_connection()
            with scratch:
                scratch.execute("DELETE FROM w")
                scratch.executemany("INSERT INTO w(rowid, word) VALUES (?, ?)",
                                    list(enumerate(new)))
                for term, doc in scratch.execute("SELECT term, doc FROM wv"):
                    found[new[doc]] = term
            for word in new:
                found.setdefault(word, "")
            self._stems.update(found)
            self._fresh_stems.update(found)       # kept by keep_searches()
        return {w: self._stems[w] for w in words}

    def matched_words(self, rowids, query: str | None) -> dict[int, list[str]]:
        """For each block, the words of its title, summary and body that matched ``query`` (for
        the "why" of a suggestion), in order, each once.

        The few blocks are copied into a scratch full-text table, where highlighting them
        costs nothing (highlighting in the main index would match the whole library again).
        They are added under new row ids after those copied before, and only they are
        highlighted: deleting rows from a full-text table would tokenize them again. The table
        is emptied (dropped and made again) once it holds ``_SCRATCH_ROWS`` rows.
        """
        rowids = list(rowids)
        if not rowids or not query:
            return {}
        scratch = self._scratch_connection()
        texts = self.conn.execute(
            f"SELECT rowid, title, summary, body FROM fts WHERE rowid IN "
            f"({','.join('?' * len(rowids))})", rowids).fetchall()
        if self._scratch_rows + len(texts) > _SCRATCH_ROWS:
            with scratch:
                scratch.execute("DROP TABLE s")
                scratch.execute(_SCRATCH_TABLE)
            self._scratch_rows = 0
        first = self._scratch_rows + 1
        with scratch:
            scratch.executemany("INSERT INTO s(rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                                [(first + k, *row[1:]) for k, row in enumerate(texts)])
            self._scratch_rows += len(texts)
            marked = scratch.execute(
                "SELECT rowid, " + ", ".join(f"highlight(s, {i}, char(1), char(2))"
                                             for i in range(3))
                + " FROM s WHERE s MATCH ? AND rowid >= ?", (query, first)).fetchall()
        return {texts[at - first][0]: _marked(columns) for at, *columns in marked}

    def _scratch_connection(self) -> sqlite3.Connection:
        if self._stemmer is None:
            self._stemmer = sqlite3.connect(":memory:", check_same_thread=False)
            self._stemmer.execute(f"CREATE VIRTUAL TABLE w USING fts5(word, tokenize='{TOKENIZER}')")
            self._stemmer.execute("CREATE VIRTUAL TABLE wv USING fts5vocab(w, 'instance')")
            self._stemmer.execute(_SCRATCH_TABLE)
            self._scratch_rows = 0
        return self._stemmer

    def reader(self) -> "Index":
        """Another connection to the same index file, for a second thread."""
        if self.path is None:
            raise ValueError("an index in memory has a single connection")
        conn = _connect(self.path)
        other = Index(conn, self.topics, self.stats, self.path)
        other._first = self
        other._size = self._size
        other._stems = self._stems
        other._df = self._df
        other._rows = self._rows
        other._postings = self._postings
        other._fresh_postings = self._fresh_postings
        other._fresh_stems = self._fresh_stems
        other._fresh_terms = self._fresh_terms
        return other

    def describe(self) -> str:
        st = self.stats
        how = st.mode + (f" ({st.reason})" if st.reason else "")
        return (f"index {how}: {st.scanned} files scanned, {st.reparsed} parsed, "
                f"{st.removed} removed, {st.seconds * 1000:.0f} ms")

    def close(self) -> None:
        self._matrix_written()
        self.conn.close()
        if self._stemmer is not None:
            self._stemmer.close()
