"""What the server keeps warm between requests, and the workspace's files as the web sees them.

A :class:`Resident` holds one pipeline :class:`~drafter.pipeline.Session` (library, org facts,
compiled templates) and one suggestion index, and replaces them when a file they were read
from changes (a cheap ``stat`` of the library, templates and settings on each use), so the CLI,
git and the browser can change the same workspace.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path

from drafter.errors import DrafterError, LoadError

CONSULTATION_FOLDERS = ("consultations", "examples")
NEW_FOLDER = "consultations"
MB = 1024 * 1024


@dataclass
class WebSettings:
    """How ``drafter serve`` runs.

    ``sign_in``: accounts required (any host but 127.0.0.1/localhost); ``users_file``: the
    accounts (default ``users.yaml`` in the workspace); ``upload_limit``: bytes per request
    (default 20 MB); ``federal_register_url``: the API's base URL (None: the public API, or
    ``$DRAFTER_FEDERAL_REGISTER_URL``); ``fetch_timeout``: seconds; ``secret_key``: signs the
    session cookies (None: kept in ``.drafter/web/secret``).
    """

    workspace: object
    sign_in: bool = False
    users_file: Path | None = None
    upload_limit: int = 20 * MB
    federal_register_url: str | None = None
    fetch_timeout: float = 15.0
    secret_key: str | None = None
    batch_workers: int = 1
    today: dt.date | None = None

    def __post_init__(self):
        if self.users_file is None:
            self.users_file = Path(self.workspace.root) / "users.yaml"


class Resident:
    """The warm pipeline session and suggestion index of one workspace."""

    def __init__(self, workspace):
        self.workspace = workspace
        self.lock = threading.RLock()
        self._signature = None
        self._session = None
        self._suggester = None

    def _current(self):
        from drafter.preview import snapshot, watched_files

        return snapshot(watched_files(self.workspace, self.workspace.settings_file))

    def refresh(self) -> None:
        """Forget what was loaded when a library, template or settings file changed."""
        signature = self._current()
        if signature != self._signature:
            if self._suggester is not None:
                self._suggester.index.close()
            self._session = None
            self._suggester = None
            self._signature = signature

    def session(self):
        """The pipeline session (library, org, templates loaded once)."""
        from drafter.bccache import workspace_cache
        from drafter.pipeline import Session

        with self.lock:
            self.refresh()
            if self._session is None:
                self._session = Session(self.workspace,
                                        bytecode_cache=workspace_cache(self.workspace))
            return self._session

    def suggester(self):
        """The suggestion index (cached in ``.drafter/index.sqlite``, as for the CLI)."""
        from drafter.suggest import Suggester

        with self.lock:
            self.refresh()
            if self._suggester is None:
                # yaml-rs 0.1.6 (the optional "fast" header parser) crashed the process with
                # a segmentation fault inside yaml_rs.loads when a second server thread of one
                # process rebuilt the index (seen twice, not reproducible at will); a server's
                # requests may run on any thread, so the index is refreshed here with PyYAML,
                # with the same results.
                import drafter.suggest.index as index_module

                fast, index_module.yaml_rs = index_module.yaml_rs, None
                try:
                    self._suggester = Suggester.for_workspace(self.workspace)
                finally:
                    index_module.yaml_rs = fast
            return self._suggester

    def weights(self):
        """The ranker's :class:`drafter.suggest.rank.Weights`: of the suggestion index in
        use, without checking the workspace's files again (loaded when there is none)."""
        with self.lock:
            return (self._suggester or self.suggester()).ranker.weights


def inside(root: Path, rel: str) -> Path:
    """``root / rel`` when it stays inside ``root`` (after resolving links and ``..``), else
    LoadError: no request path reaches outside the workspace."""
    if not rel or "\x00" in rel or "\\" in rel or rel.startswith("/"):
        raise LoadError(f"'{rel}' is not a path inside the workspace", code="not-found")
    root = Path(root).resolve()
    path = (root / rel).resolve()
    if path != root and root not in path.parents:
        raise LoadError(f"'{rel}' is not a path inside the workspace", code="not-found")
    return path


def consultation_path(workspace, rel: str) -> Path:
    """The consultation file at ``rel`` (under ``consultations/`` or ``examples/``)."""
    path = inside(workspace.root, rel)
    parts = path.relative_to(Path(workspace.root).resolve()).parts
    if len(parts) < 2 or parts[0] not in CONSULTATION_FOLDERS \
            or path.suffix not in (".yaml", ".yml") or not path.is_file():
        raise LoadError(f"no consultation file '{rel}' in the workspace", code="not-found")
    return path


def relative(workspace, path: Path) -> str:
    """``path`` relative to the workspace root, with forward slashes."""
    return Path(path).resolve().relative_to(Path(workspace.root).resolve()).as_posix()


def consultation_files(workspace) -> list[Path]:
    """Every consultation file: ``consultations/**.yaml`` and ``examples/*.yaml`` (batch
    files and other YAML without ``title`` and ``agency`` left out)."""
    from drafter.load.yamlsrc import load_yaml_file

    root = Path(workspace.root)
    found = []
    for folder, pattern in (("consultations", "**/*.y*ml"), ("examples", "*.y*ml")):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.glob(pattern)):
            if path.suffix not in (".yaml", ".yml") or not path.is_file():
                continue
            try:
                data, _ = load_yaml_file(path)
            except DrafterError:
                found.append(path)          # shown with its error
                continue
            if isinstance(data, dict) and "title" in data and "agency" in data:
                found.append(path)
    return found


def batch_files(workspace) -> list[Path]:
    """Batch files of the workspace: YAML with ``jobs`` or ``matrix`` under ``examples/``,
    ``consultations/`` and ``batch/``."""
    from drafter.load.yamlsrc import load_yaml_file

    root = Path(workspace.root)
    out = []
    for folder in ("batch", "examples", "consultations"):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.y*ml")):
            try:
                data, _ = load_yaml_file(path)
            except DrafterError:
                continue
            if isinstance(data, dict) and ("jobs" in data or "matrix" in data):
                out.append(path)
    return out


@dataclass
class BatchRun:
    """A batch running (or run) in the background, as its reporter saw it."""

    file: str
    total: int = 0
    to_build: int = 0
    entries: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: object = None
    error: str | None = None
    running: bool = True

    @property
    def done(self) -> int:
        return sum(1 for e in self.entries if e.get("status") not in ("to build",))

    # the runner's Reporter interface
    def start(self, total: int, to_build: int, workers: int) -> None:
        self.total, self.to_build = total, to_build

    def job(self, entry: dict, ran: bool = False) -> None:
        self.entries.append(dict(entry))

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def finish(self, summary) -> None:
        self.summary = summary
