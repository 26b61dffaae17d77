"""A regulations.gov API v4 document record (``GET /v4/documents/{documentId}``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from drafter.errors import LoadError
from drafter.importers.common import (kind_from, name_for_short, parse_date, read_json,
                                      text_field)
from drafter.importers.model import Imported

WHAT = "a regulations.gov v4 document record (GET /v4/documents/DOCUMENT-ID)"
_CITATION = re.compile(r"^\d+\s+FR\s+\d+$")


def _eastern_date(value) -> dt.date | None:
    """The calendar date in Washington of a regulations.gov timestamp.

    Comment periods close at 11:59 p.m. Eastern time, which the API writes in UTC: the
    deadline "2018-02-12" arrives as "2018-02-13T04:59:59Z".
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if len(text) == 10:
        return parse_date(text)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(text)
    if moment.tzinfo is None:
        return moment.date()
    try:
        from zoneinfo import ZoneInfo
        return moment.astimezone(ZoneInfo("America/New_York")).date()
    except Exception:  # noqa: BLE001 - no time zone data on this machine: Eastern standard time
        return (moment - dt.timedelta(hours=5)).date()


def _record(data, path: Path) -> tuple[str | None, dict]:
    if isinstance(data, dict) and "title" in data and "data" not in data:
        raise LoadError(f"looks like a Federal Register document: expected {WHAT} "
                        "(use --from-federal-register)", path)
    if not isinstance(data, dict) or "data" not in data:
        raise LoadError(f"no 'data' object: expected {WHAT}", path, 1)
    record = data["data"]
    if isinstance(record, list):
        if len(record) != 1:
            raise LoadError(f"'data' holds {len(record)} documents: expected {WHAT}", path)
        record = record[0]
    if not isinstance(record, dict) or not isinstance(record.get("attributes"), dict):
        raise LoadError(f"no 'data.attributes' object: expected {WHAT}", path)
    attributes = record["attributes"]
    if not text_field(attributes, "title"):
        raise LoadError(f"no 'data.attributes.title': expected {WHAT}", path)
    document_id = text_field(record, "id") or text_field(attributes, "documentId")
    return document_id, attributes


def from_regulations_gov(path: Path) -> Imported:
    path = Path(path)
    document_id, attrs = _record(read_json(path, WHAT), path)
    fields: dict = {"title": text_field(attrs, "title"), "jurisdiction": "US"}
    notes: list[str] = []
    warnings: list[str] = []
    agency = text_field(attrs, "agencyId")
    if agency:
        name = name_for_short(agency)
        fields["agency"] = {"name": name or agency, "short_name": agency}
        if name is None:
            warnings.append(f"agency '{agency}': only its acronym is known; "
                            "write its full name in agency.name")
    fields["kind"] = kind_from(text_field(attrs, "documentType"), text_field(attrs, "subtype"),
                               text_field(attrs, "title"))
    for key, target in (("docketId", "docket"), ("docAbstract", "abstract")):
        value = text_field(attrs, key)
        if value:
            fields[target] = value
    rins = attrs.get("additionalRins") or []
    if isinstance(rins, list) and rins and isinstance(rins[0], str):
        fields["rin"] = ", ".join(r.strip() for r in rins if r.strip())
    citation = text_field(attrs, "sourceCitation")
    if citation and _CITATION.match(citation):
        fields["citation"] = citation
    published = _eastern_date(attrs.get("postedDate"))
    if published:
        fields["published"] = published
    deadline = _eastern_date(attrs.get("commentEndDate"))
    if deadline:
        fields["deadline"] = deadline
    elif attrs.get("openForComment") is False:
        warnings.append("the document is not open for comment (no commentEndDate)")
    if document_id:
        fields["url"] = f"https://www.regulations.gov/document/{document_id}"
    fr_number = text_field(attrs, "frDocNum")
    if fr_number:
        notes.append(f"Federal Register document {fr_number}")
    source = "regulations.gov document" + (f" {document_id}" if document_id else "")
    return Imported(fields=fields, source=source, notes=notes, warnings=warnings)
