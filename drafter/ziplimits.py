"""Limits on the Word documents drafter opens, checked before any part is decompressed.

A DOCX is a zip package.  A small package can declare parts that decompress to gigabytes (a
"zip bomb"), or hold so many parts that listing them is the attack.  :func:`check_package`
reads only the zip's central directory (the declared sizes) and refuses a package that has
more than :data:`MAX_MEMBERS` parts, a part larger than :data:`MAX_MEMBER_BYTES`, more than
:data:`MAX_TOTAL_BYTES` in all, or a part of more than 1 MiB that expands more than
:data:`MAX_RATIO` times.  Declared sizes cannot be exceeded when reading: Python's zipfile
stops at the declared size and fails on a mismatch.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from drafter.errors import DrafterError

MAX_MEMBERS = 5_000
MAX_MEMBER_BYTES = 100 * 2**20     # one part, decompressed
MAX_TOTAL_BYTES = 300 * 2**20      # every part, decompressed
MAX_RATIO = 200                    # decompressed / compressed, for parts over 1 MiB
_RATIO_FROM = 2**20


class PackageTooLarge(DrafterError):
    """A Word document whose parts would decompress beyond drafter's limits."""


def check_package(source, path=None, what: str = "Word document") -> None:
    """Refuse a zip package (path or bytes) that would decompress beyond the limits.

    Raises :class:`PackageTooLarge` naming ``path`` (default: ``source`` when it is a path).
    A file that is not a zip at all is left to the caller's own error.
    """
    where = path if path is not None else (None if isinstance(source, bytes) else source)
    try:
        opened = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes)
                                 else Path(source))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    with opened as package:
        infos = package.infolist()
        if len(infos) > MAX_MEMBERS:
            raise PackageTooLarge(f"{what} has {len(infos):,} parts (at most {MAX_MEMBERS:,})",
                                  where)
        total = 0
        for info in infos:
            size = info.file_size
            total += size
            if size > MAX_MEMBER_BYTES:
                raise PackageTooLarge(f"{what} part '{info.filename}' expands to "
                                      f"{size / 2**20:,.0f} MiB (at most "
                                      f"{MAX_MEMBER_BYTES // 2**20} MiB)", where)
            if size > _RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
                raise PackageTooLarge(f"{what} part '{info.filename}' expands "
                                      f"{size // max(info.compress_size, 1):,} times (a zip "
                                      f"bomb? at most {MAX_RATIO} times)", where)
        if total > MAX_TOTAL_BYTES:
            raise PackageTooLarge(f"{what} expands to {total / 2**20:,.0f} MiB in all (at most "
                                  f"{MAX_TOTAL_BYTES // 2**20} MiB)", where)
