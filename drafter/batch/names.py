"""Job names: output stems, relative paths of plain segments."""

from __future__ import annotations

import re

_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._ -]*$")


def check_name(value: str) -> str:
    """An output stem: a relative path of plain segments (``members/acme-ntia``)."""
    if value.startswith("/") or "\\" in value:
        raise ValueError(f"name {value!r} must be a relative path with '/' between folders")
    for segment in value.split("/"):
        if segment in ("", ".", "..") or not _SEGMENT.match(segment):
            raise ValueError(f"name {value!r}: use letters, digits, '-', '_', '.' and '/' "
                             "(no empty, hidden or '..' parts)")
    return value
