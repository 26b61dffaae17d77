"""Writing outputs safely: a temporary file in the same folder, then an atomic rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from drafter.errors import OutputError


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    _write_via_temp(Path(path), data, mode=0o644, mkdir=True)


def _write_via_temp(path: Path, data: bytes, mode: int, mkdir: bool = False,
                    owner: tuple[int, int] | None = None, before_replace=None) -> None:
    """``data`` into a temporary file beside ``path`` (synced, ``mode``, ``owner`` when we may
    give it), then ``before_replace()`` (which may refuse by raising), then an atomic rename
    over ``path``; the temporary file never outlives a failure.  Raises OutputError."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if mkdir:
            folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write here: {exc.strerror}", path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if owner is not None:
            try:
                os.chown(tmp, *owner)
            except OSError:
                pass  # not ours to give away: the new file keeps our owner
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write: {exc.strerror}", path) from None
        raise


def sha256_file(path: Path) -> str | None:
    """The sha256 of a file's bytes, or None when it cannot be read."""
    import hashlib

    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file (also through links); False if either is
    missing."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_inputs(path: Path, inputs) -> None:
    """Refuse to write ``path`` over an input of the same run, ``--force`` or not.

    ``inputs`` is an iterable of (path, what) pairs, e.g. ``(c.yaml, "the consultation")``.
    Raises :class:`OutputError` naming the output and the input.
    """
    path = Path(path)
    for source, what in inputs:
        if source is not None and same_file(path, source):
            raise OutputError(f"this output would overwrite {what} ({source}) that this run "
                              "reads: choose another output file", path)


def check_overwrite(path: Path, workspace=None, force: bool = False) -> None:
    """Refuse to replace a file that drafter did not write, or that was edited since.

    A file may be replaced when its bytes are what drafter last wrote there: the sha256 the
    workspace's register (``.drafter/register.sqlite``) recorded for it.  ``force`` replaces
    it anyway.  Raises :class:`OutputError`.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError("a folder is in the way of this output", path)
    if force or not path.exists():
        return
    current = sha256_file(path)
    recorded = written_sha(workspace, path) if workspace is not None else None
    if current is not None and current == recorded:
        return
    if recorded is None:
        raise OutputError("the file exists and drafter did not write it: use --force to "
                          "replace it, or choose another output file", path)
    raise OutputError("the file was changed since drafter wrote it (edited?): use --force "
                      "to replace it, or save the edits under another name", path)


def written_sha(workspace, path: Path) -> str | None:
    """What drafter last wrote to ``path`` according to the register, or None."""
    from drafter.register import open_register

    try:
        register = open_register(workspace)
        if register is None:
            return None
        try:
            return register.written_sha(str(Path(path).resolve()))
        finally:
            register.close()
    except Exception:  # noqa: BLE001 - an unreadable register knows nothing
        return None


def remember_written(workspace, path: Path, data: bytes, command: str, warn=None) -> None:
    """Record in the register that drafter wrote ``data`` to ``path`` (a problem: a warning)."""
    import hashlib

    from drafter.register import Register

    try:
        register = Register.for_workspace(workspace)
        try:
            register.record_output(str(Path(path).resolve()),
                                   hashlib.sha256(data).hexdigest(), command)
        finally:
            register.close()
    except Exception as exc:  # noqa: BLE001 - the register must never fail a write
        if warn is not None:
            warn(f"drafter: warning: {path} was written but not recorded in the register "
                 f"({type(exc).__name__}: {exc})")


def write_output(path: Path, data: bytes, *, workspace=None, inputs=(), force: bool = False,
                 command: str = "draft", record: bool = True, warn=None) -> None:
    """Write one output safely: never over an input of the run (``inputs``: (path, what)
    pairs), never over a file drafter did not write or one edited since unless ``force``,
    atomically, and recorded in the workspace's register (when ``record``) so a later run may
    replace it.  Raises :class:`OutputError`."""
    check_inputs(path, inputs)
    check_overwrite(path, workspace, force)
    atomic_write(path, data)
    if record and workspace is not None:
        remember_written(workspace, path, data, command, warn)


def draft_inputs(session, result, reference: Path | None = None) -> list[tuple[Path, str]]:
    """Every file a draft (:class:`drafter.pipeline.Draft`) read, as (path, what) pairs: the
    consultation, the templates, the blocks used, the reference document and the workspace's
    own files.  No output may replace one of them (:func:`check_inputs`)."""
    ws = session.workspace
    inputs: list[tuple[Path, str]] = [(result.consultation.path, "the consultation")]
    template = Path(result.composition.template.path)
    inputs.append((template, "the template"))
    for folder in dict.fromkeys([template.parent, Path(ws.templates)]):
        if folder.is_dir():
            inputs.extend((p, "a template") for p in sorted(folder.glob("*.jinja")))
    inputs.extend((Path(b.path), "a position block") for b in result.composition.used)
    if reference is not None:
        inputs.append((Path(reference), "the reference document"))
    inputs.extend((p, "a workspace file") for p in (
        ws.org_file, ws.settings_file, ws.topics_file, ws.seeds_index, ws.root / "glossary.yaml"))
    return inputs


def replace_file(path: Path, data: bytes, expected: bytes) -> None:
    """Replace an existing file that drafter read (as ``expected``) with ``data``.

    The file keeps its permission bits.  A read-only file is refused, and so is one whose
    bytes are no longer ``expected`` (someone changed it since it was read): nothing is
    written then, and the other person's change is kept.  Atomic like :func:`atomic_write`.
    Raises :class:`OutputError`.
    """
    import stat as stat_

    path = Path(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise OutputError(f"cannot update: {exc.strerror}", path) from None
    if not st.st_mode & stat_.S_IWUSR or not os.access(path, os.W_OK):
        raise OutputError("the file is read-only: not changed (make it writable to update it)",
                          path)

    def unchanged() -> None:
        if path.read_bytes() != expected:
            raise OutputError("the file was changed by someone else since drafter read it: "
                              "not changed, their edit is kept; run the command again", path)

    _write_via_temp(path, data, stat_.S_IMODE(st.st_mode), owner=(st.st_uid, st.st_gid),
                    before_replace=unchanged)
