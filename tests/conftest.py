"""Shared fixtures: the shipped workspace, a throw-away copy of it, and the CLI."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
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
    """Run ``python -m drafter ARGS`` in a separate process."""
    proc = subprocess.run([sys.executable, "-m", "drafter", *map(str, args)], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    return Result(proc.returncode, proc.stdout, proc.stderr)


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
