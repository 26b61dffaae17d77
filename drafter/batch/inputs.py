"""What a job's outputs depend on, hashed.

A job's ``inputs_sha256`` covers:

- its own settings (template, formats, variables, reference document, SOURCE_DATE_EPOCH) and
  drafter's version;
- the workspace files every job reads: every file in the template folder (templates, bases,
  macros, and a house-style document kept there), ``org.yaml``, ``positions/topics.yaml``,
  ``drafter.yaml``, and an index of the library (each block's id, topics, role, jurisdictions
  and status: what a template's ``positions(topic=...)`` query depends on);
- the files the job itself read: its consultation, the block files it used (their whole
  bytes, wording and title), its reference document, and a template kept outside the folder.

Files are hashed once per run and remembered between runs by size and modification time, so
checking an unchanged batch reads little more than the output files.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import yaml

from drafter import __version__
from drafter.errors import DrafterError
from drafter.load import frontmatter
from drafter.load.yamlsrc import load_plain, may_have_aliases
from drafter.output import sha256_file

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader

_QUERY_FIELDS = ("id", "topics", "role", "jurisdictions", "status")
_RACY_SECONDS = 2.0  # a file modified this recently may change again within its mtime tick


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileHasher:
    """sha256 of input files, remembered by (size, mtime) within a run and between runs.

    With ``snapshot`` (a hasher that lives for one run) a file is looked at once, so every job
    that depends on it sees the same digest.  A file modified within the last seconds is never
    remembered between runs: it could change again without its size or modification time
    changing.
    """

    def __init__(self, known: dict | None = None, snapshot: bool = False):
        self._known: dict[str, list] = {k: list(v) for k, v in (known or {}).items()
                                        if isinstance(v, list) and len(v) == 3}
        self._used: dict[str, list] = {}
        self._snapshot: dict[str, str | None] | None = {} if snapshot else None

    def sha(self, path: Path | str) -> str | None:
        key = str(path)
        if self._snapshot is None:
            return self._sha(key)
        if key not in self._snapshot:
            self._snapshot[key] = self._sha(key)
        return self._snapshot[key]

    def _sha(self, key: str) -> str | None:
        try:
            st = os.stat(key)
        except OSError:
            return None
        entry = self._known.get(key)
        if entry and entry[0] == st.st_size and entry[1] == st.st_mtime_ns:
            self._used[key] = entry
            return entry[2]
        digest = sha256_file(Path(key))
        if digest is None:
            return None
        if time.time() - st.st_mtime_ns / 1e9 > _RACY_SECONDS:
            entry = [st.st_size, st.st_mtime_ns, digest]
            self._known[key] = self._used[key] = entry
        else:
            self._known.pop(key, None)
        return digest

    def entry(self, path: Path | str) -> list | None:
        """[size, mtime_ns, sha256] of a hashed file that may be remembered, else None."""
        return self._known.get(str(path))

    def learn(self, entries: dict) -> None:
        """Entries another process hashed: [size, mtime_ns, sha256] by path."""
        for key, entry in entries.items():
            if isinstance(entry, list) and len(entry) == 3:
                self._known[key] = self._used[key] = list(entry)

    def remembered(self) -> dict[str, list]:
        """What to keep for the next run: the files seen in this one."""
        return dict(sorted(self._used.items()))


def library_index(positions: Path) -> str:
    """A hash of what library queries see: each block's file, id, topics, role, ... status."""
    entries = []
    files = sorted(p for p in Path(positions).rglob("*.md")
                   if p.is_file() and not p.name.startswith("."))
    for path in files:
        rel = path.relative_to(positions).as_posix()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            entries.append([rel, None])
            continue
        found = frontmatter.locate(text.replace("\r\n", "\n"))
        front = found[0] if found is not None else None
        try:
            if front is None:
                data = None
            elif may_have_aliases(front):   # expanded within the loader's alias budget
                data = load_plain(front)
            else:
                data = yaml.load(front, Loader=_Loader)
        except (yaml.YAMLError, DrafterError):
            data = None
        if isinstance(data, dict):
            entries.append([rel, {k: data.get(k) for k in _QUERY_FIELDS}])
        else:
            entries.append([rel, sha256_bytes(text.encode("utf-8"))])
    return sha256_bytes(canonical(entries))


def workspace_inputs(workspace, hasher: FileHasher) -> dict:
    """The inputs every job shares, each as a hash."""
    templates = []
    folder = Path(workspace.templates)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                templates.append([path.relative_to(folder).as_posix(), hasher.sha(path)])
    settings = getattr(workspace, "settings_file", None)
    return {
        "templates": sha256_bytes(canonical(templates)),
        "library": library_index(workspace.positions),
        "topics": hasher.sha(workspace.topics_file),
        "org": hasher.sha(workspace.org_file),
        "settings": hasher.sha(settings) if settings is not None else None,
    }


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def inputs_digest(settings: dict, shared: dict, files: dict[str, str | None]) -> str:
    """The job's inputs_sha256: its settings, the shared inputs and the files it read."""
    return sha256_bytes(canonical({
        "drafter": __version__,
        "job": settings,
        "workspace": shared,
        "files": sorted(files.items()),
    }))
