"""Git for saves from the browser: one commit per save, authored by the signed-in person, and a
file's history (who changed what, when, with the diff of each change).

Only used when the workspace is inside a git work tree; a failed commit never undoes a save
(the caller shows the message).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 30


def _git(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          timeout=TIMEOUT, env={**os.environ, **(env or {})})


def is_repository(root: Path) -> bool:
    """Whether ``root`` is inside a git work tree (and git is installed)."""
    if shutil.which("git") is None:
        return False
    try:
        done = _git(root, "rev-parse", "--is-inside-work-tree")
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and done.stdout.strip() == "true"


def email_for(name: str) -> str:
    """A stable address for a person without one: ``jane-doe@drafter.invalid``."""
    local = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "user"
    return f"{local}@drafter.invalid"


def commit(root: Path, paths: list[Path], message: str, author: str | None) -> str | None:
    """Commit ``paths`` (and only them) with ``message``, authored (and committed) by
    ``author`` when given, else by git's configured identity.  Returns None, or the error
    line when git refused; nothing to commit is not an error."""
    rel = [str(Path(p).resolve().relative_to(Path(root).resolve())) for p in paths]
    env = {}
    if author:
        env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email_for(author),
               "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email_for(author)}
    else:
        configured = _git(root, "config", "user.name").stdout.strip()
        if not configured:
            env = {"GIT_AUTHOR_NAME": "drafter serve", "GIT_AUTHOR_EMAIL": "serve@drafter.invalid",
                   "GIT_COMMITTER_NAME": "drafter serve",
                   "GIT_COMMITTER_EMAIL": "serve@drafter.invalid"}
    try:
        added = _git(root, "add", "--", *rel)
        if added.returncode != 0:
            return f"git add failed: {added.stderr.strip().splitlines()[-1:]}"
        status = _git(root, "status", "--porcelain", "--", *rel)
        if not status.stdout.strip():
            return None
        done = _git(root, "commit", "-q", "--no-verify", "-m", message, "--", *rel, env=env)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"git commit failed: {exc}"
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return "git commit failed: " + (lines[-1] if lines else f"exit {done.returncode}")
    return None


@dataclass(frozen=True)
class Change:
    """One commit that touched a file."""

    commit: str
    author: str
    date: str            # ISO 8601
    message: str
    diff: str            # the unified diff of this file in that commit


def history(root: Path, path: Path, limit: int = 20) -> list[Change]:
    """The latest ``limit`` commits that changed ``path``, newest first (empty outside git)."""
    rel = str(Path(path).resolve().relative_to(Path(root).resolve()))
    try:
        done = _git(root, "log", f"-n{limit}", "--follow", "--format=%x1e%H%x1f%an%x1f%aI%x1f%s",
                    "-p", "--unified=1", "--", rel)
    except (OSError, subprocess.SubprocessError):
        return []
    if done.returncode != 0:
        return []
    out = []
    for record in done.stdout.split("\x1e")[1:]:
        head, _, diff = record.partition("\n")
        parts = head.split("\x1f")
        if len(parts) != 4:
            continue
        start = diff.find("@@")
        out.append(Change(parts[0][:10], parts[1], parts[2], parts[3],
                          diff[start:].rstrip() if start >= 0 else ""))
    return out
