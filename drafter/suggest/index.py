"""The library's full-text index: SQLite FTS5, cached in the workspace and kept fresh.

The cache lives in ``<workspace>/.drafter/index.sqlite``.  Opening it costs one directory walk:
each block file's (path, mtime_ns, size) is compared with what the index recorded, and only the
files that differ are read again; a file whose bytes still hash the same is not re-parsed.  A
changed topic vocabulary, another library folder, an older schema, or a file SQLite cannot read
(missing, corrupt, truncated) means a rebuild from nothing, written to a temporary file and
renamed into place, so a reader never sees half an index.  When the workspace is read-only the
index is built in memory instead.

Block files are validated with the same schema as ``drafter draft``; a bad block is reported at
its file and line, as everywhere else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from drafter.errors import LoadError
from drafter.load import frontmatter
from drafter.load.library import Library, load_block, suggest as did_you_mean
from drafter.load.models import PositionMeta
from drafter.suggest.text import strip_jinja, topic_text

try:  # a YAML parser written in Rust: ten times faster on front matter than PyYAML
    import yaml_rs
except ImportError:  # pragma: no cover - the dependency is declared; PyYAML is the fallback
    yaml_rs = None

SCHEMA_VERSION = "6"
INDEX_NAME = "index.sqlite"
TOKENIZER = "porter unicode61 remove_diacritics 2"
# A file modified this close to the scan may change again within the same mtime tick: it is
# recorded with an unknown mtime so that the next run hashes it again ("racy git").
_RACY_NS = 2_000_000_000
# From this many files to (re)parse on, a second process parses most of them while this one
# parses the rest and writes to SQLite.
_PARALLEL_FROM = 2000
_CHUNKS = 8

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
CREATE VIRTUAL TABLE fts USING fts5(title, summary, topics, body, tokenize = '{TOKENIZER}');
CREATE TABLE terms(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
"""
_INSERT_BLOCK = ("INSERT INTO blocks(rowid, path, mtime_ns, size, sha, id, title, summary,"
                 " topics, jurisdictions, status, role, stance)"
                 " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
_INSERT_TEXT = "INSERT INTO fts(rowid, title, summary, topics, body) VALUES (?, ?, ?, ?, ?)"


@dataclass(frozen=True)
class BlockRow:
    """What the index knows of a block: enough to rank and explain, without its file."""

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


def _parse_fast(data: bytes) -> tuple[PositionMeta, str] | None:
    if yaml_rs is None:
        return None
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        parts = frontmatter.locate(text)
        if parts is None:
            return None
        fields = yaml_rs.loads(parts[0])
        if not isinstance(fields, dict):
            return None
        return PositionMeta.model_validate(fields), parts[1].strip("\n") + "\n"
    except (ValidationError, ValueError, TypeError, UnicodeDecodeError):
        return None
    except Exception as exc:  # noqa: BLE001 - yaml_rs raises its own error classes
        if type(exc).__module__.split(".")[0] != "yaml_rs":
            raise
        return None


def _prepare(job) -> list:
    """Read and parse block files, for the index: runs in a worker process on big builds.

    ``job`` is (root, [(rel, mtime_ns, size, sha or None, data or None), ...], topic texts).
    Each file gives ``(rel, mtime_ns, size, sha, data, prepared)`` where ``prepared`` is
    (id, topics, block values, text values) or None when the fast path could not take it (the
    caller then parses it again for the exact error).
    """
    root, items, topic_texts = job
    out = []
    for rel, mtime_ns, size, sha, data in items:
        if data is None:
            try:
                data = _read(root + "/" + rel)
            except OSError:
                out.append((rel, mtime_ns, size, None, None, None))   # reported by the caller
                continue
        if sha is None:
            sha = hashlib.sha256(data).hexdigest()
        fast = _parse_fast(data)
        prepared = None
        if fast is not None:
            meta, body = fast
            prepared = _values(meta, body, topic_texts)
            data = None
        out.append((rel, mtime_ns, size, sha, data, prepared))
    return out


def _values(meta: PositionMeta, body: str, topic_texts: dict[str, str]) -> tuple:
    """(id, topics, block columns, text columns) of a parsed block, without row ids."""
    # Topic ids and jurisdictions are plain kebab-case words: stored comma-separated.
    block = (meta.id, meta.title, meta.summary, ",".join(meta.topics),
             ",".join(meta.jurisdictions), meta.status.value, meta.role.value, meta.stance.value)
    topics = " ; ".join(topic_texts.get(t, t) for t in meta.topics)
    body = strip_jinja(body) if "{" in body else body
    return meta.id, tuple(meta.topics), block, (meta.title, meta.summary, topics, body)


def _scan(root: str) -> dict[str, tuple[int, int]]:
    """Every block file under ``root``: relative path -> (mtime_ns, size).

    The same files as ``library.block_files``: ``*.md``, not hidden, not variants
    (``<id>.<variant>.md``), in any sub-folder.
    """
    found: dict[str, tuple[int, int]] = {}
    cut = len(root) + 1
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            entries = os.scandir(current)
        except OSError as exc:
            raise LoadError(f"cannot read the position library: {exc.strerror}", current) from None
        with entries:
            for entry in entries:
                name = entry.name
                if name.endswith(".md"):
                    if name.startswith(".") or "." in name[:-3]:  # hidden, or a variant
                        continue
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                        continue
                    found[entry.path[cut:].replace(os.sep, "/")] = (st.st_mtime_ns, st.st_size)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
    return found


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

class Index:
    """An open FTS5 index over one position library."""

    def __init__(self, conn: sqlite3.Connection, topics: dict[str, dict], stats: IndexStats,
                 path: Path | None = None):
        self.conn = conn
        self.topics = topics
        self.stats = stats
        self.path = path                  # the index file; None for an index in memory
        self._stemmer: sqlite3.Connection | None = None
        self._stems: dict[str, str] = {}
        self._size: int | None = None

    # -- opening and building -----------------------------------------------------------------

    @classmethod
    def open(cls, state_dir: Path, positions: Path, topics_file: Path) -> "Index":
        """The cached index for ``positions``, refreshed; rebuilt when missing or unusable."""
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
                index, reason = cls._reuse(path, positions, topics_file)
            except sqlite3.DatabaseError as exc:
                index, reason = None, f"unreadable index ({exc})"
        if index is None:
            index = cls._rebuild(path, positions, topics_file, reason)
        index.stats.seconds = time.perf_counter() - started
        return index

    @classmethod
    def _reuse(cls, path: Path, positions: Path, topics_file: Path):
        conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
        try:
            meta = dict(conn.execute("SELECT key, value FROM meta"))
            if meta.get("schema") != SCHEMA_VERSION:
                conn.close()
                return None, "index from another drafter version"
            if meta.get("library") != str(positions):
                conn.close()
                return None, "index of another library folder"
            signature = _file_signature(topics_file)
            if meta.get("topics_signature") != signature:
                if meta.get("topics_sha") != hashlib.sha256(topics_file.read_bytes()).hexdigest():
                    conn.close()
                    return None, "topic vocabulary changed"
                with conn:
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'topics_signature'",
                                 (signature,))
            index = cls(conn, json.loads(meta["topics"]), IndexStats(mode="cached"), path)
            index._refresh(str(positions))
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
        index.conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
        index.path = path
        return index

    @classmethod
    def from_library(cls, library: Library) -> "Index":
        """An in-memory index of an already loaded library (used while composing a draft)."""
        topics = _vocabulary(library.topics)
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        index = cls(conn, topics, IndexStats(mode="memory", reason="loaded library"))
        index._create({"schema": SCHEMA_VERSION, "library": str(library.root)})
        texts = index._topic_texts()
        blocks, words = [], []
        for rowid, block in enumerate(library, start=1):
            _, _, columns, text = _values(block.meta, block.body, texts)
            blocks.append((rowid, block.path.as_posix(), 0, 0, "", *columns))
            words.append((rowid, *text))
        with conn:
            conn.executemany(_INSERT_BLOCK, blocks)
            conn.executemany(_INSERT_TEXT, words)
        return index

    def _create(self, meta: dict) -> None:
        self.conn.executescript(_SCHEMA)
        # Fewer, larger segment merges while building (FTS5's default is 4).
        self.conn.execute("INSERT INTO fts(fts, rank) VALUES ('automerge', 8)")
        with self.conn:
            self.conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                                  sorted(meta.items()))

    def _topic_texts(self) -> dict[str, str]:
        """What the index holds for each topic: its label and keywords."""
        return {tid: topic_text((tid,), self.topics) for tid in self.topics}

    def _refresh(self, root: str) -> None:
        """Bring the index in line with the files, reading only those that changed."""
        stats = self.stats
        scan_started = time.time_ns()
        current = _scan(root)
        stats.scanned = len(current)
        listing = _listing(current.items())
        recorded = self.conn.execute("SELECT value FROM meta WHERE key = 'listing'").fetchone()
        if recorded is not None and recorded[0] == listing:
            return
        stored = {row[0]: row[1:] for row in self.conn.execute(
            "SELECT path, mtime_ns, size, sha, rowid, id FROM blocks")}
        changed = sorted(rel for rel, sig in current.items()
                         if rel not in stored or stored[rel][:2] != sig)
        removed = sorted(rel for rel in stored if rel not in current)
        if not changed and not removed:
            with self.conn:
                self._record_listing()
            return
        self._size = None
        owners = {row[4]: rel for rel, row in stored.items()}       # block id -> file
        next_rowid = max((row[3] for row in stored.values()), default=0) + 1
        todo = []
        with self.conn:
            for rel in removed:
                self._delete(stored[rel][3])
                owners.pop(stored[rel][4], None)
                stats.removed += 1
            for rel in changed:
                mtime_ns, size = current[rel]
                if mtime_ns >= scan_started - _RACY_NS:
                    mtime_ns = -1
                old = stored.get(rel)
                if old is None:
                    todo.append((rel, mtime_ns, size, None, None))
                    continue
                try:
                    data = _read(os.path.join(root, rel))
                except OSError as exc:
                    raise LoadError(f"cannot read: {exc.strerror}", exc.filename) from None
                sha = hashlib.sha256(data).hexdigest()
                if old[2] == sha:
                    self.conn.execute("UPDATE blocks SET mtime_ns = ?, size = ? WHERE rowid = ?",
                                      (mtime_ns, size, old[3]))
                    continue
                self._delete(old[3])
                owners.pop(old[4], None)
                todo.append((rel, mtime_ns, size, sha, data))
            self._parse_and_insert(root, todo, owners, next_rowid)
            self._record_listing()

    def _record_listing(self) -> None:
        """A digest of the files as recorded, so that the next run can tell in one comparison
        that nothing changed (files recorded as racy never match, and are checked again)."""
        listing = _listing((path, (mtime, size)) for path, mtime, size in self.conn.execute(
            "SELECT path, mtime_ns, size FROM blocks"))
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('listing', ?)",
                          (listing,))

    def _parse_and_insert(self, root: str, todo: list, owners: dict[str, str],
                          next_rowid: int) -> None:
        """Parse the files of ``todo`` and index them, in order.

        For big builds a forked process parses most files (in chunks, handed back as they are
        ready) while this one parses the first share and writes every row to SQLite.
        """
        texts = self._topic_texts()
        pool = None
        if len(todo) >= _PARALLEL_FROM and (os.cpu_count() or 1) > 1:
            try:
                import multiprocessing
                pool = multiprocessing.get_context("fork").Pool(1)
            except (ImportError, ValueError, OSError):
                pool = None
        try:
            if pool is None:
                jobs = iter([_prepare((root, todo, texts))])
            else:
                own = len(todo) // 7
                size = max(1, (len(todo) - own) // _CHUNKS)
                chunks = [todo[i:i + size] for i in range(own, len(todo), size)]
                later = pool.imap(_prepare, [(root, chunk, texts) for chunk in chunks])
                jobs = _chain(lambda: _prepare((root, todo[:own], texts)), later)
            rowid = next_rowid
            for prepared in jobs:
                blocks, words = [], []
                for rel, mtime_ns, size, sha, data, values in prepared:
                    path = root + "/" + rel
                    if values is None:
                        if data is None:
                            try:
                                data = _read(path)
                            except OSError as exc:
                                raise LoadError(f"cannot read: {exc.strerror}",
                                                Path(path)) from None
                        sha = sha or hashlib.sha256(data).hexdigest()
                        meta, body = parse_block(path, data)
                        values = _values(meta, body, texts)
                    block_id, topics, columns, text = values
                    self._check(path, block_id, topics, rel, owners)
                    blocks.append((rowid, rel, mtime_ns, size, sha, *columns))
                    words.append((rowid, *text))
                    rowid += 1
                self.conn.executemany(_INSERT_BLOCK, blocks)
                self.conn.executemany(_INSERT_TEXT, words)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
        self.stats.reparsed += len(todo)

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

    # -- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        if self._size is None:
            self._size = self.conn.execute("SELECT count(*) FROM blocks").fetchone()[0]
        return self._size

    def document_frequencies(self, words) -> dict[str, int]:
        """In how many blocks each word occurs, as the index sees it (stemmed by the same
        tokenizer): 0 for words the library never uses.

        FTS5's vocabulary answers for the words asked (a lookup per word, costing in
        proportion to its blocks); the answers are kept in a table until the library changes,
        so a question asked again costs one indexed read.  Counting the whole vocabulary at
        once would cost a fifth of a second for 10,000 blocks, for the few words questions use.
        """
        stems = self.stems(words)
        unique = sorted(set(s for s in stems.values() if s))
        if not unique:
            return {w: 0 for w in stems}
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
            self._remember(listing, meta.get("terms") == listing, fresh)
        return {w: counts.get(stems[w], 0) for w in stems}

    def _remember(self, listing: str, current: bool, counts: dict[str, int]) -> None:
        """Keep document frequencies for the next question; counts taken for another listing
        of the library are dropped first.  A read-only index just does not remember."""
        try:
            with self.conn:
                if not current:
                    self.conn.execute("DELETE FROM terms")
                    self.conn.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES ('terms', ?)", (listing,))
                self.conn.executemany("INSERT OR REPLACE INTO terms(term, docs) VALUES (?, ?)",
                                      sorted(counts.items()))
        except sqlite3.OperationalError:
            pass

    def search(self, query: str, weights: tuple[float, float, float, float],
               limit: int) -> list[tuple[int, float]]:
        """(rowid, relevance) of the best matches; relevance is BM25 over title, summary,
        topics (labels and keywords) and body with these weights, higher is better."""
        sql = ("SELECT rowid, -bm25(fts, ?, ?, ?, ?) AS score FROM fts WHERE fts MATCH ? "
               "ORDER BY score DESC, rowid LIMIT ?")
        return [(r, s) for r, s in self.conn.execute(sql, (*weights, query, limit))]

    def rows(self, rowids) -> dict[int, BlockRow]:
        rowids = list(rowids)
        if not rowids:
            return {}
        out = {}
        for r in self.conn.execute(
                "SELECT rowid, id, path, title, summary, topics, jurisdictions, status, role,"
                f" stance FROM blocks WHERE rowid IN ({','.join('?' * len(rowids))})",
                rowids):
            out[r[0]] = BlockRow(r[0], r[1], r[2], r[3], r[4], tuple(r[5].split(",")),
                                 tuple(r[6].split(",")), r[7], r[8], r[9])
        return out

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
        """Each word as the index's tokenizer stems it ("reporting" -> "report")."""
        words = set(words)
        new = sorted(w for w in words if w not in self._stems)
        if new:
            scratch = self._scratch_connection()
            with scratch:
                scratch.execute("DELETE FROM w")
                scratch.executemany("INSERT INTO w(rowid, word) VALUES (?, ?)",
                                    list(enumerate(new)))
                for term, doc in scratch.execute("SELECT term, doc FROM wv"):
                    self._stems[new[doc]] = term
            for word in new:
                self._stems.setdefault(word, "")
        return {w: self._stems[w] for w in words}

    def matched_words(self, rowids, query: str | None) -> dict[int, list[str]]:
        """For each block, the words of its title, summary and body that matched ``query`` (for
        the "why" of a suggestion), in order, each once.

        The few blocks are copied into a scratch full-text table, where highlighting them
        costs nothing (highlighting in the main index would match the whole library again).
        """
        rowids = list(rowids)
        if not rowids or not query:
            return {}
        scratch = self._scratch_connection()
        texts = self.conn.execute(
            f"SELECT rowid, title, summary, body FROM fts WHERE rowid IN "
            f"({','.join('?' * len(rowids))})", rowids).fetchall()
        with scratch:
            scratch.execute("DELETE FROM s")
            scratch.executemany("INSERT INTO s(rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                                texts)
            marked = scratch.execute(
                "SELECT rowid, " + ", ".join(f"highlight(s, {i}, char(1), char(2))"
                                             for i in range(3))
                + " FROM s WHERE s MATCH ?", (query,)).fetchall()
        return {rowid: _marked(columns) for rowid, *columns in marked}

    def _scratch_connection(self) -> sqlite3.Connection:
        if self._stemmer is None:
            self._stemmer = sqlite3.connect(":memory:", check_same_thread=False)
            self._stemmer.execute(f"CREATE VIRTUAL TABLE w USING fts5(word, tokenize='{TOKENIZER}')")
            self._stemmer.execute("CREATE VIRTUAL TABLE wv USING fts5vocab(w, 'instance')")
            self._stemmer.execute(
                f"CREATE VIRTUAL TABLE s USING fts5(title, summary, body, tokenize='{TOKENIZER}')")
        return self._stemmer

    def reader(self) -> "Index":
        """Another connection to the same index file, for a second thread."""
        if self.path is None:
            raise ValueError("an index in memory has a single connection")
        conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        return Index(conn, self.topics, self.stats, self.path)

    def describe(self) -> str:
        st = self.stats
        how = st.mode + (f" ({st.reason})" if st.reason else "")
        return (f"index {how}: {st.scanned} files scanned, {st.reparsed} parsed, "
                f"{st.removed} removed, {st.seconds * 1000:.0f} ms")

    def close(self) -> None:
        self.conn.close()
        if self._stemmer is not None:
            self._stemmer.close()
