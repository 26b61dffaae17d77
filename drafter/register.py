"""The register: every filing drafter produced, and the block versions it used.

An SQLite database in the workspace's state folder (``.drafter/register.sqlite``).  ``drafter
draft`` and ``drafter batch`` add one filing per output file; ``drafter register list`` shows
recent ones and ``drafter positions used-in ID`` the filings that used a block, comparing the
hash each filing used with the block's current text.  Writers use WAL journaling and a busy
timeout, so several drafter processes can record at once.  Recording is a side record: a
register that cannot be written produces a warning, never a failed draft.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

FILENAME = "register.sqlite"
SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 15000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS filings (
    id           INTEGER PRIMARY KEY,
    created      TEXT NOT NULL,            -- UTC, ISO 8601
    command      TEXT NOT NULL,            -- draft | batch
    job          TEXT,                     -- the batch job's name
    consultation TEXT NOT NULL,            -- absolute path of the consultation file
    title        TEXT,
    docket       TEXT,
    template     TEXT,
    format       TEXT NOT NULL,
    output       TEXT NOT NULL,            -- absolute path of the output file
    sha256       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS filings_created ON filings (created);
CREATE INDEX IF NOT EXISTS filings_output ON filings (output);
CREATE TABLE IF NOT EXISTS filing_blocks (
    filing_id INTEGER NOT NULL REFERENCES filings (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,            -- order of use in the filing
    block_id  TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (filing_id, block_id)
);
CREATE INDEX IF NOT EXISTS filing_blocks_block ON filing_blocks (block_id);
CREATE TABLE IF NOT EXISTS outputs (         -- the last bytes drafter wrote to each file
    output   TEXT PRIMARY KEY,               -- absolute path
    sha256   TEXT NOT NULL,
    command  TEXT NOT NULL,                  -- draft | batch | preview | harvest | new...
    written  TEXT NOT NULL                   -- UTC, ISO 8601
);
"""


@dataclass
class Filing:
    id: int
    created: str
    command: str
    job: str | None
    consultation: str
    title: str | None
    docket: str | None
    template: str | None
    format: str
    output: str
    sha256: str
    blocks: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"id": self.id, "created": self.created, "command": self.command,
                "job": self.job, "consultation": self.consultation, "title": self.title,
                "docket": self.docket, "template": self.template, "format": self.format,
                "output": self.output, "sha256": self.sha256,
                "blocks": [{"id": b, "hash": h} for b, h in self.blocks]}


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat() \
        .replace("+00:00", "Z")


class Register:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"{self.path} was written by a newer drafter (schema {version})")
            if version < SCHEMA_VERSION:
                with self.conn:
                    self.conn.executescript(_SCHEMA)
                    self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            self.conn.close()
            raise

    @classmethod
    def for_workspace(cls, workspace) -> "Register":
        return cls(Path(workspace.state_dir) / FILENAME)

    def close(self) -> None:
        try:
            self.conn.commit()
        finally:
            self.conn.close()

    def commit(self) -> None:
        self.conn.commit()

    def record(self, *, command: str, consultation: str, template: str | None,
               outputs: list[tuple[str, str, str]], blocks: list[tuple[str, str]],
               title: str | None = None, docket: str | None = None, job: str | None = None,
               created: str | None = None, commit: bool = True) -> list[int]:
        """Add one filing per (output path, format, sha256); returns their ids."""
        created = created or now_utc()
        ids = []
        cur = self.conn.cursor()
        for output, fmt, sha in outputs:
            cur.execute(
                "INSERT INTO filings (created, command, job, consultation, title, docket, "
                "template, format, output, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (created, command, job, str(consultation), title, docket, template, fmt,
                 str(output), sha))
            filing_id = cur.lastrowid
            ids.append(filing_id)
            seen = set()
            rows = []
            for n, (block_id, block_hash) in enumerate(blocks):
                if block_id not in seen:
                    seen.add(block_id)
                    rows.append((filing_id, n, block_id, block_hash))
            cur.executemany("INSERT INTO filing_blocks (filing_id, position, block_id, hash) "
                            "VALUES (?, ?, ?, ?)", rows)
            self._wrote(cur, str(output), sha, command, created)
        if commit:
            self.conn.commit()
        return ids

    @staticmethod
    def _wrote(cur, output: str, sha: str, command: str, when: str) -> None:
        cur.execute("INSERT INTO outputs (output, sha256, command, written) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (output) DO UPDATE SET sha256 = excluded.sha256, "
                    "command = excluded.command, written = excluded.written",
                    (output, sha, command, when))

    def record_output(self, output: str, sha: str, command: str) -> None:
        """Remember the bytes (sha256) drafter just wrote to ``output`` (an absolute path)."""
        with self.conn:
            self._wrote(self.conn.cursor(), str(output), sha, command, now_utc())

    def written_sha(self, output: str) -> str | None:
        """The sha256 of what drafter last wrote to ``output`` (absolute path), or None."""
        row = self.conn.execute("SELECT sha256 FROM outputs WHERE output = ?",
                                (str(output),)).fetchone()
        if row is None:  # written before the outputs table existed: the latest filing's
            row = self.conn.execute("SELECT sha256 FROM filings WHERE output = ? ORDER BY "
                                    "created DESC, id DESC LIMIT 1", (str(output),)).fetchone()
        return row[0] if row else None

    def _filings(self, where: str = "", params: tuple = (), limit: int | None = None,
                 ) -> list[Filing]:
        sql = ("SELECT id, created, command, job, consultation, title, docket, template, "
               "format, output, sha256 FROM filings " + where + " ORDER BY created DESC, id DESC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        filings = [Filing(*row) for row in self.conn.execute(sql, params)]
        if filings:
            by_id = {f.id: f for f in filings}
            marks = ",".join("?" * len(by_id))
            for filing_id, block_id, block_hash in self.conn.execute(
                    f"SELECT filing_id, block_id, hash FROM filing_blocks WHERE filing_id IN "
                    f"({marks}) ORDER BY filing_id, position", tuple(by_id)):
                by_id[filing_id].blocks.append((block_id, block_hash))
        return filings

    def recent(self, limit: int | None = 20) -> list[Filing]:
        return self._filings(limit=limit)

    def used_in(self, block_id: str, latest: bool = True) -> list[Filing]:
        """Filings that used the block; ``latest``: only the newest filing per output file."""
        where = "WHERE id IN (SELECT filing_id FROM filing_blocks WHERE block_id = ?)"
        if latest:
            where += (" AND id = (SELECT f2.id FROM filings f2 WHERE f2.output = filings.output"
                      " ORDER BY f2.created DESC, f2.id DESC LIMIT 1)")
        return self._filings(where, (block_id,))


def open_register(workspace) -> Register | None:
    """The workspace's register for reading, or None when nothing was ever recorded."""
    path = Path(workspace.state_dir) / FILENAME
    if not path.is_file():
        return None
    return Register(path)


def record_safely(workspace, warn, **filing) -> bool:
    """Record a filing; a problem becomes a call to ``warn(message)``, never an exception."""
    try:
        register = Register.for_workspace(workspace)
        try:
            register.record(**filing)
        finally:
            register.close()
        return True
    except Exception as exc:  # noqa: BLE001 - the register must never fail a draft
        warn(f"drafter: warning: the filing was written but not recorded in the register "
             f"({type(exc).__name__}: {exc})")
        return False
