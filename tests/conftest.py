"""Shared fixtures: the shipped workspace, a throw-away copy of it, and the CLI."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args, cwd: Path | None = None) -> Result:
    """Run ``drafter ARGS`` in this process, as the console script would."""
    from drafter.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(cwd or ROOT)
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(old)
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*args, cwd: Path | None = None, env: dict | None = None,
                timeout: int = 120) -> Result:
    """Run ``python -m drafter ARGS`` in a separate process.

    Run from the repository, or given a file of the repository (whose folder is then the
    workspace), the process keeps its state (register, caches) in a throw-away folder named
    by ``DRAFTER_STATE_DIR``, never in the repository's ``.drafter/``.
    """
    full_env = {**os.environ, **(env or {})}
    in_repository = Path(cwd or ROOT).resolve() == ROOT or any(
        Path(str(a)).is_absolute() and ROOT in Path(str(a)).resolve().parents for a in args)
    if in_repository and STATE_DIR_ENV not in full_env:
        full_env[STATE_DIR_ENV] = str(_process_state_dir())
    proc = subprocess.run([sys.executable, "-m", "drafter", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, env=full_env)
    return Result(proc.returncode, proc.stdout, proc.stderr)


STATE_DIR_ENV = "DRAFTER_STATE_DIR"
_STATE: dict[str, Path] = {}


def _process_state_dir() -> Path:
    import tempfile

    if "dir" not in _STATE:
        _STATE["dir"] = Path(tempfile.mkdtemp(prefix="drafter-test-state-"))
    return _STATE["dir"]


def _isolate_state(monkeypatch, folder) -> None:
    """Send the repository workspace's state to ``folder()`` (a temporary folder)."""
    from drafter.load import workspace as ws_module

    original = ws_module.Workspace.state_dir.fget

    def state_dir(self) -> Path:
        if os.environ.get(STATE_DIR_ENV, "").strip() or Path(self.root).resolve() != ROOT:
            return original(self)
        return folder()

    monkeypatch.setattr(ws_module.Workspace, "state_dir", property(state_dir))


@pytest.fixture(scope="session", autouse=True)
def isolated_session_state(tmp_path_factory):
    """As :func:`isolated_state`, for module- and session-scoped fixtures, which pytest sets
    up before any function-scoped one."""
    holder: dict[str, Path] = {}

    def folder() -> Path:
        if "dir" not in holder:
            holder["dir"] = tmp_path_factory.mktemp("session-state")
        return holder["dir"]

    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate_state(monkeypatch, folder)
        yield


@pytest.fixture(autouse=True)
def isolated_state(monkeypatch, tmp_path_factory):
    """Every test keeps the repository workspace's state (filing register, suggestion index,
    template cache, batch state) in a temporary folder: tests never write into the
    repository's ``.drafter/``.  Copies of the workspace (the ``workspace`` fixture) keep
    their own ``.drafter/``, which tests may inspect."""
    holder: dict[str, Path] = {}

    def folder() -> Path:
        if "dir" not in holder:
            holder["dir"] = tmp_path_factory.mktemp("state")
        return holder["dir"]

    _isolate_state(monkeypatch, folder)
    yield


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A copy of the shipped workspace that a test may break."""
    dest = tmp_path / "ws"
    dest.mkdir()
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, dest / name)
    return dest


def require_tool(*names: str) -> str:
    """The first of ``names`` on PATH; skips the test (fails in CI) when none is there."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{' or '.join(names)} is not installed"
    if os.environ.get("DRAFTER_REQUIRE_CLIENTS"):
        pytest.fail(message + " (DRAFTER_REQUIRE_CLIENTS is set)")
    pytest.skip(message)


def group_gone(pgid: int, timeout: float = 10.0) -> bool:
    """True once no process of the group ``pgid`` is left running, within ``timeout`` seconds
    (a zombie counts as gone: it holds no files, locks included)."""
    deadline = time.monotonic() + timeout
    while True:
        running = False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:
                running = True
                break
        if not running:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
