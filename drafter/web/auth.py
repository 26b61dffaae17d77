"""Accounts for ``drafter serve`` on a non-local address: ``users.yaml``, argon2 password hashes,
roles, and a sign-in rate limit.

``users.yaml`` (workspace root)::

    users:
      jane: {role: reviewer, password: "$argon2id$v=19$..."}

Roles: ``staff`` work on consultations (and batches); ``reviewer`` may also edit and approve
position blocks and apply reviewers' Word edits to them.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from drafter.errors import LoadError

ROLES = ("staff", "reviewer")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def reviewer(self) -> bool:
        return self.role == "reviewer"


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (its own salt; PHC string format)."""
    return _hasher().hash(password)


def _load(path: Path) -> dict:
    from drafter.load.yamlsrc import load_yaml_file

    if not Path(path).is_file():
        return {}
    data, smap = load_yaml_file(Path(path))
    users = (data or {}).get("users", {}) if isinstance(data, dict) else None
    if not isinstance(users, dict):
        raise LoadError("users.yaml must hold 'users:' mapping names to {role, password}", path,
                        smap.locate(("users",))[0] if smap else 1)
    out = {}
    for name, entry in users.items():
        line = smap.locate(("users", name))[0] if smap else None
        if not isinstance(entry, dict) or entry.get("role") not in ROLES \
                or not isinstance(entry.get("password"), str):
            raise LoadError(f"user '{name}' needs a role ({' or '.join(ROLES)}) and a password "
                            "hash (add users with drafter users add)", path, line)
        out[str(name)] = entry
    return out


def load_users(path: Path) -> dict[str, User]:
    """The accounts in ``path`` (none when the file is missing); LoadError when malformed."""
    return {name: User(name, entry["role"]) for name, entry in _load(path).items()}


def add_user(path: Path, name: str, role: str, password: str) -> bool:
    """Add (or replace) account ``name`` in ``path``, keeping the file's other lines and
    comments; returns True when it replaced an account.  Raises LoadError on a bad name, role
    or a password under 8 characters."""
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from drafter.output import atomic_write

    if not NAME.fullmatch(name):
        raise LoadError(f"'{name}' is not a user name (letters, digits, '.', '_', '-')", path)
    if role not in ROLES:
        raise LoadError(f"role must be {' or '.join(ROLES)}, not '{role}'", path)
    if len(password) < MIN_PASSWORD:
        raise LoadError(f"the password must have at least {MIN_PASSWORD} characters", path)
    _load(path)                                  # a malformed file is reported, not replaced
    yaml = YAML()
    path = Path(path)
    doc = yaml.load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
        doc.yaml_set_start_comment("Accounts for drafter serve (drafter users add NAME --role "
                                   "staff|reviewer).\nPasswords are argon2id hashes: never "
                                   "write a password here.")
    users = doc.get("users")
    if not isinstance(users, CommentedMap):
        users = CommentedMap()
        doc["users"] = users
    replaced = name in users
    entry = CommentedMap()
    entry["role"] = role
    entry["password"] = hash_password(password)
    entry.fa.set_flow_style()
    users[name] = entry
    out = io.StringIO()
    yaml.dump(doc, out)
    atomic_write(path, out.getvalue().encode("utf-8"))
    path.chmod(0o600)
    return replaced


# A hash to verify against for unknown names, so both cases take the same time.
_DUMMY = None


def verify(path: Path, name: str, password: str) -> User | None:
    """The account when ``password`` is right for ``name``, else None."""
    from argon2.exceptions import InvalidHashError, VerificationError

    global _DUMMY
    entry = _load(path).get(name)
    hasher = _hasher()
    if entry is None:
        if _DUMMY is None:
            _DUMMY = hasher.hash("not a password of anyone")
        try:
            hasher.verify(_DUMMY, password)
        except VerificationError:
            pass
        return None
    try:
        hasher.verify(entry["password"], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(name, entry["role"])


class RateLimit:
    """At most ``attempts`` failed sign-ins per ``window`` seconds, per client and per name."""

    def __init__(self, attempts: int = 5, window: float = 300.0, clock=time.monotonic):
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque:
        now = self.clock()
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(k)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._recent(k).append(self.clock())

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)
