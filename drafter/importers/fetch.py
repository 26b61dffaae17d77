"""Fetching a notice over the network: the public Federal Register API, and notice JSON given
as bytes (an upload) rather than as a file.

The base URL is configurable (``DRAFTER_FEDERAL_REGISTER_URL``, or the caller's ``base``), every
request has a timeout, and every failure is a one-line ``LoadError`` that says what to do when
the machine is offline.
"""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from drafter.errors import LoadError
from drafter.importers.federal_register import from_federal_register
from drafter.importers.model import Imported
from drafter.importers.regulations_gov import from_regulations_gov

DEFAULT_BASE_URL = "https://www.federalregister.gov/api/v1"
BASE_URL_ENV = "DRAFTER_FEDERAL_REGISTER_URL"
TIMEOUT_SECONDS = 15.0
MAX_BYTES = 5 * 1024 * 1024          # a Federal Register document record is a few kB
# Federal Register document numbers: 2022-19551, E8-12345, C1-2023-01234 ...
NUMBER = re.compile(r"[A-Za-z0-9]{1,8}(?:-[A-Za-z0-9]{1,10}){1,3}")


def base_url(override: str | None = None) -> str:
    """The API's base URL: ``override``, else ``$DRAFTER_FEDERAL_REGISTER_URL``, else the
    public API (``https://www.federalregister.gov/api/v1``); no trailing slash."""
    url = (override or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).strip().rstrip("/")
    if not re.match(r"https?://", url):
        raise LoadError(f"the Federal Register API address must start with http:// or "
                        f"https:// (got '{url}')")
    return url


def document_url(number: str, base: str | None = None) -> str:
    """``BASE/documents/NUMBER.json`` for a valid document number (LoadError otherwise)."""
    number = (number or "").strip()
    if not NUMBER.fullmatch(number):
        raise LoadError(f"'{number}' is not a Federal Register document number "
                        "(like 2022-19551)")
    return f"{base_url(base)}/documents/{number}.json"


def fetch_federal_register(number: str, base: str | None = None,
                           timeout: float = TIMEOUT_SECONDS) -> tuple[bytes, str]:
    """The JSON record of document ``number`` from the API: (bytes, the URL asked).

    Raises LoadError (naming the URL) on a bad number, HTTP errors (404: no such document),
    time-outs, refused connections and bodies over 5 MB.
    """
    url = document_url(number, base)
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "drafter"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise LoadError(f"no Federal Register document numbered {number} "
                            "(HTTP 404)", url) from None
        raise LoadError(f"the Federal Register API answered HTTP {exc.code} "
                        f"({exc.reason})", url) from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            reason = f"no answer within {timeout:g} s"
        raise LoadError(f"cannot reach the Federal Register API ({reason}); offline? Save "
                        "the document's JSON and use --from-federal-register FILE, or set "
                        f"{BASE_URL_ENV}", url) from None
    if len(data) > MAX_BYTES:
        raise LoadError("the answer is larger than 5 MB: not a document record", url)
    return data, url


def _imported_from_bytes(data: bytes, name: str, reader, where: str) -> Imported:
    with tempfile.TemporaryDirectory(prefix="drafter-notice-") as folder:
        path = Path(folder) / (Path(name).name or "notice.json")
        path.write_bytes(data)
        try:
            return reader(path)
        except LoadError as exc:
            raise LoadError(exc.message, where, exc.line, exc.col) from None


def import_federal_register(number: str, base: str | None = None,
                            timeout: float = TIMEOUT_SECONDS) -> Imported:
    """Consultation fields from Federal Register document ``number``, fetched from the API."""
    return fetch_notice(number, base, timeout)[0]


def fetch_notice(number: str, base: str | None = None,
                 timeout: float = TIMEOUT_SECONDS) -> tuple[Imported, bytes]:
    """:func:`import_federal_register`, with the fetched JSON bytes beside the fields."""
    data, url = fetch_federal_register(number, base, timeout)
    return _imported_from_bytes(data, f"{number.strip()}.json", from_federal_register, url), data


def import_notice(data: bytes, name: str) -> Imported:
    """Consultation fields from notice JSON given as bytes (an uploaded file called ``name``):
    a Federal Register document or a regulations.gov v4 record, told apart by their keys.

    Raises LoadError naming ``name`` when the bytes are not JSON or neither kind of record.
    """
    try:
        text = data.decode("utf-8-sig")
        record = json.loads(text)
    except UnicodeDecodeError:
        raise LoadError("not a JSON file (not UTF-8 text): expected a Federal Register or "
                        "regulations.gov document record", name) from None
    except json.JSONDecodeError as exc:
        raise LoadError(f"not JSON ({exc.msg}): expected a Federal Register or "
                        "regulations.gov document record", name, exc.lineno, exc.colno) from None
    regulations = isinstance(record, dict) and isinstance(record.get("data"), dict) \
        and "title" not in record
    reader = from_regulations_gov if regulations else from_federal_register
    return _imported_from_bytes(data, name, reader, name)
