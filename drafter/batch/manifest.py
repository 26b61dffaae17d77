"""``manifest.json`` in the output folder, and the state drafter keeps between runs.

The manifest is for people and tools::

    {"jobs": [{"name", "status", "consultation", "template", "inputs_sha256",
               "outputs": [{"path", "sha256"}], "positions": [{"id", "hash"}],
               "warnings", "seconds"}]}

``status`` is ``built``, ``skipped``, ``kept-edited`` or ``failed`` (a failed job also has
``error``).  An output's ``sha256`` is always the bytes drafter wrote (or would have written),
so a file whose bytes differ from it was edited by someone.

The state (``.drafter/batch/<key>.json`` in the workspace) remembers which files each job
read and the hashes of input files by size and modification time; it only makes re-runs fast.
A lock next to it keeps two batches from writing to one output folder at once.

The journal (``.drafter/batch/<key>.journal``) records each output's sha256 *before* the
output is renamed into place, one line per write, appended and synced by the worker that
writes it.  A batch killed between two manifest saves thus leaves a record of every output it
wrote, and the next run knows those bytes are drafter's, not a person's edit.  Lines the
manifest has caught up with are dropped at the end of a run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from drafter.errors import DrafterError, LoadError
from drafter.output import atomic_write

MANIFEST = "manifest.json"
STATUSES = ("built", "skipped", "kept-edited", "failed")
STATE_VERSION = 1


def manifest_path(output_dir: Path) -> Path:
    return Path(output_dir) / MANIFEST


def read_manifest(output_dir: Path) -> tuple[dict[str, dict], str | None]:
    """The previous run's entries by job name, and a warning when the file was unusable."""
    path = manifest_path(output_dir)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as exc:
        return {}, f"{path}: warning: ignoring an unreadable manifest ({exc}); outputs that " \
                   "exist will be kept unless they match what drafter builds"
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, list):
        return {}, f"{path}: warning: ignoring a manifest without a 'jobs' list"
    entries: dict[str, dict] = {}
    for entry in jobs:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) \
                and entry.get("status") in STATUSES and entry["name"] not in entries:
            entries[entry["name"]] = entry
    return entries, None


def recorded_outputs(entry: dict | None) -> dict[str, str]:
    """Output path -> sha256 that drafter wrote, from a manifest entry."""
    out: dict[str, str] = {}
    for item in (entry or {}).get("outputs") or []:
        if isinstance(item, dict) and isinstance(item.get("path"), str) \
                and isinstance(item.get("sha256"), str):
            out[item["path"]] = item["sha256"]
    return out


def manifest_bytes(entries: list[dict]) -> bytes:
    """The manifest as JSON with one job per line: readable, diffable, and fast to write."""
    lines = [json.dumps(entry, ensure_ascii=False, default=str) for entry in entries]
    body = ",\n".join(f"  {line}" for line in lines)
    return ('{"jobs": [\n' + body + ("\n" if lines else "") + "]}\n").encode("utf-8")


def write_manifest(output_dir: Path, entries: list[dict]) -> None:
    atomic_write(manifest_path(output_dir), manifest_bytes(entries))


# -- state kept between runs ---------------------------------------------------------------

def state_key(output_dir: Path) -> str:
    return hashlib.sha256(str(Path(output_dir).resolve()).encode("utf-8")).hexdigest()[:16]


class State:
    """Which files each job read, and remembered file hashes (see :mod:`.inputs`)."""

    def __init__(self, state_dir: Path, output_dir: Path):
        self.folder = Path(state_dir) / "batch"
        self.output_dir = Path(output_dir).resolve()
        key = state_key(self.output_dir)
        self.path = self.folder / f"{key}.json"
        self.lock_path = self.folder / f"{key}.lock"
        self.journal_path = self.folder / f"{key}.journal"
        self.jobs: dict[str, dict] = {}
        self.files: dict[str, list] = {}
        self._lock_handle = None

    def load(self) -> None:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION \
                or data.get("output_dir") != str(self.output_dir):
            return
        if isinstance(data.get("jobs"), dict):
            self.jobs = data["jobs"]
        if isinstance(data.get("files"), dict):
            self.files = data["files"]

    def save(self, files: dict[str, list]) -> None:
        data = {"version": STATE_VERSION, "output_dir": str(self.output_dir),
                "jobs": dict(sorted(self.jobs.items())), "files": files}
        atomic_write(self.path, (json.dumps(data, separators=(",", ":")) + "\n").encode())

    def lock(self) -> None:
        """Hold the output folder for this run; another batch writing there is an error."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.lock_path, "a+")
        except OSError as exc:
            raise DrafterError(f"cannot keep batch state in {self.folder}: {exc.strerror}") \
                from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise LoadError("another 'drafter batch' is writing to this output folder; wait "
                            "for it to finish", self.output_dir) from None
        self._lock_handle = handle

    def unlock(self) -> None:
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None


def clean_temporaries(output_dir: Path, names: list[str]) -> list[Path]:
    """Remove what a killed run left: ``.NAME.*.tmp`` beside each output and the manifest."""
    removed = []
    by_folder: dict[Path, set[str]] = {}
    for rel in [*names, MANIFEST]:
        path = Path(output_dir) / rel
        by_folder.setdefault(path.parent, set()).add(path.name)
    for folder, basenames in by_folder.items():
        try:
            candidates = os.listdir(folder)
        except OSError:
            continue
        for entry in candidates:
            if not (entry.startswith(".") and entry.endswith(".tmp")):
                continue
            if any(entry.startswith(f".{base}.") for base in basenames):
                try:
                    (folder / entry).unlink()
                    removed.append(folder / entry)
                except OSError:
                    pass
    return removed


# -- the journal of outputs written ------------------------------------------------------------

def journal_write(journal: Path, rel: str, sha: str) -> None:
    """Append ``rel`` -> ``sha`` to the journal and sync it; call before renaming the output
    into place.  One ``write`` of one short line with O_APPEND: workers may append at once."""
    line = (json.dumps({"path": rel, "sha256": sha}, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        Path(journal).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DrafterError(f"cannot record outputs in {journal}: {exc.strerror}") from None
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def journal_read(journal: Path) -> dict[str, list[str]]:
    """Output path -> the sha256s drafter wrote there since the manifest last caught up;
    torn or foreign lines are skipped."""
    out: dict[str, list[str]] = {}
    try:
        data = Path(journal).read_bytes()
    except OSError:
        return out
    for raw in data.split(b"\n"):
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("path"), str) \
                and isinstance(item.get("sha256"), str):
            shas = out.setdefault(item["path"], [])
            if item["sha256"] not in shas:
                shas.append(item["sha256"])
    return out


def journal_settle(journal: Path, output_dir: Path, entries: list[dict]) -> None:
    """Keep only the journal lines the manifest (``entries``) does not record, and only while
    the output still holds those bytes; remove the journal when none is left."""
    from drafter.output import sha256_file

    pending = journal_read(journal)
    if not pending:
        return
    recorded: dict[str, str] = {}
    for entry in entries:
        recorded.update(recorded_outputs(entry))
    keep = []
    for rel, shas in pending.items():
        current = sha256_file(Path(output_dir) / rel)
        for sha in shas:
            if sha == current and recorded.get(rel) != sha:
                keep.append(json.dumps({"path": rel, "sha256": sha}, ensure_ascii=False))
    try:
        if keep:
            atomic_write(Path(journal), ("\n".join(keep) + "\n").encode("utf-8"))
        else:
            Path(journal).unlink()
    except (OSError, DrafterError):
        pass
