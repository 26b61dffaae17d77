"""A cache of compiled templates, so each template and block is compiled once.

Jinja compiles every template (and every position body, which is a template too) to Python
code; that is most of the time a draft takes.  The cache keeps the compiled code in memory for
the life of a process and, when given a folder (the workspace's ``.drafter/jinja/``), on disk
for the next process.  Entries are keyed by template name and file, checked against the source
text, and separated by everything that changes the generated code: the environment's class and
syntax settings, and the Jinja, Python and drafter versions.  A cache that cannot be read or
written is silently ignored: it only ever costs a compilation.

Compiled code is executable, so whoever could write the cache folder could run code in the
next draft.  Every file on disk therefore carries an HMAC-SHA256 of its contents, keyed by a
per-user secret kept outside the workspace (:func:`user_key`: ``$XDG_CONFIG_HOME/drafter/key``,
else ``~/.config/drafter/key``, created with mode 0600).  A file whose HMAC does not verify is
never loaded; without a usable key (unreadable, or readable by others) the cache stays in
memory only.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
import stat
import sys
import tempfile
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

_SETTINGS = ("block_start_string", "block_end_string", "variable_start_string",
             "variable_end_string", "comment_start_string", "comment_end_string",
             "line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks",
             "newline_sequence", "keep_trailing_newline", "optimized", "is_async")


def environment_fingerprint(env: jinja2.Environment) -> str:
    """What, besides the source, decides the code Jinja generates for a template."""
    from drafter import __version__

    cls = type(env)
    parts = [f"{cls.__module__}.{cls.__qualname__}", jinja2.__version__, sys.version,
             __version__, f"{env.undefined.__module__}.{env.undefined.__qualname__}",
             repr(env.autoescape) if not callable(env.autoescape) else "autoescape-callable",
             ",".join(sorted(env.extensions)),
             ",".join(sorted(getattr(env, "intercepted_binops", ()))),
             ",".join(sorted(getattr(env, "intercepted_unops", ())))]
    parts.extend(repr(getattr(env, name, None)) for name in _SETTINGS)
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:16]


_MAGIC = b"drafter-jinja-hmac1\n"
_KEY_BYTES = 32


def key_path() -> Path:
    """Where the per-user cache key lives: ``$XDG_CONFIG_HOME/drafter/key``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "drafter" / "key"


def user_key(create: bool = True) -> bytes | None:
    """The per-user secret that authenticates cache files, made (mode 0600) when missing.

    None when it cannot be read or made, or when the file is readable or writable by anyone
    but its owner, or owned by another user (a key others know authenticates nothing).
    """
    path = key_path()
    try:
        if create and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(_KEY_BYTES))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 \
                    or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
                return None
            key = handle.read(_KEY_BYTES + 1)
    except OSError:
        return None
    return key if len(key) == _KEY_BYTES else None


def _sign(key: bytes, name: str, data: bytes) -> bytes:
    return hmac.new(key, name.encode("utf-8") + b"\x00" + data, hashlib.sha256).digest()


class TemplateCache(BytecodeCache):
    """Compiled templates in memory, and in ``folder`` when one is given."""

    def __init__(self, folder: Path | None = None, key: bytes | None = None):
        self.key = key if key is not None else (user_key() if folder is not None else None)
        # without a key nothing on disk can be trusted: memory only
        self.folder = Path(folder) if folder is not None and self.key else None
        self._memory: dict[str, bytes] = {}
        self._fingerprints: dict[int, str] = {}

    def get_bucket(self, environment, name, filename, source) -> Bucket:
        fingerprint = self._fingerprints.get(id(environment))
        if fingerprint is None:
            fingerprint = environment_fingerprint(environment)
            self._fingerprints = {id(environment): fingerprint}
        key = hashlib.sha256(f"{fingerprint}\x00{name}\x00{filename or ''}".encode("utf-8"))
        bucket = Bucket(environment, key.hexdigest()[:32], self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def _file(self, key: str) -> Path | None:
        return self.folder / f"{key}.cache" if self.folder is not None else None

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._memory.get(bucket.key)
        if data is None:
            path = self._file(bucket.key)
            if path is None:
                return
            try:
                signed = path.read_bytes()
            except OSError:
                return
            data = self._verified(bucket.key, signed)
            if data is None:
                return
        try:
            bucket.load_bytecode(io.BytesIO(data))
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, never an error
            bucket.reset()
            return
        if bucket.code is not None:
            self._memory[bucket.key] = data

    def _verified(self, name: str, signed: bytes) -> bytes | None:
        """The cached bytes when their HMAC verifies, else None (never loaded)."""
        head = len(_MAGIC) + hashlib.sha256().digest_size
        if self.key is None or len(signed) < head or not signed.startswith(_MAGIC):
            return None
        mac, data = signed[len(_MAGIC):head], signed[head:]
        return data if hmac.compare_digest(mac, _sign(self.key, name, data)) else None

    def dump_bytecode(self, bucket: Bucket) -> None:
        buffer = io.BytesIO()
        bucket.write_bytecode(buffer)
        data = buffer.getvalue()
        self._memory[bucket.key] = data
        path = self._file(bucket.key)
        if path is None:
            return
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(_MAGIC + _sign(self.key, bucket.key, data) + data)
            os.replace(tmp, path)
            tmp = None
        except OSError:
            pass
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass

    def clear(self) -> None:
        self._memory.clear()
        if self.folder is not None and self.folder.is_dir():
            for path in self.folder.glob("*.cache"):
                try:
                    path.unlink()
                except OSError:
                    pass


def workspace_cache(workspace) -> TemplateCache:
    """The cache kept in the workspace's state folder (``.drafter/jinja/``)."""
    return TemplateCache(workspace.state_dir / "jinja")
