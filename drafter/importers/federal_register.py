"""A Federal Register API document (``/api/v1/documents/{number}.json``) as consultation fields."""

from __future__ import annotations

from pathlib import Path

from drafter.errors import LoadError
from drafter.importers.common import (agency_name, clean_docket, deadline_from_text, kind_from,
                                      parse_date, read_json, short_name, text_field)
from drafter.importers.model import Imported

WHAT = "a Federal Register API document (GET /api/v1/documents/NUMBER.json)"


def _document(data, path: Path) -> dict:
    """The one document in the file: the document itself, or a search result holding one."""
    if isinstance(data, dict) and isinstance(data.get("results"), list) and "title" not in data:
        results = data["results"]
        if len(results) != 1:
            raise LoadError(f"holds {len(results)} search results: expected {WHAT}", path)
        data = results[0]
    if isinstance(data, dict) and "data" in data and "title" not in data:
        raise LoadError(f"looks like a regulations.gov record: expected {WHAT} "
                        "(use --from-regulations-gov)", path)
    if not isinstance(data, dict):
        raise LoadError(f"JSON {type(data).__name__} at the top: expected {WHAT}", path, 1)
    if not text_field(data, "title"):
        raise LoadError(f"no 'title': expected {WHAT}", path)
    if not any(k in data for k in ("document_number", "agencies", "type", "publication_date")):
        raise LoadError(f"none of 'document_number', 'agencies', 'type', 'publication_date': "
                        f"expected {WHAT}", path)
    return data


def _agency(agencies, path: Path) -> tuple[str | None, str | None, list[str]]:
    """The most specific agency (one with a parent: NTIA rather than the Commerce Department)."""
    notes: list[str] = []
    if agencies is None:
        return None, None, notes
    if not isinstance(agencies, list) or not all(isinstance(a, dict) for a in agencies):
        raise LoadError("'agencies' must be a list of objects with 'name' and 'parent_id'", path)
    named = [a for a in agencies if text_field(a, "name") or text_field(a, "raw_name")]
    if not named:
        return None, None, notes
    children = [a for a in named if a.get("parent_id") is not None]
    chosen = children[-1] if children else named[0]
    name = text_field(chosen, "name") or text_field(chosen, "raw_name").title()
    if len(named) > 1:
        others = [text_field(a, "name") or text_field(a, "raw_name") for a in named
                  if a is not chosen]
        notes.append("also listed: " + ", ".join(others))
    return agency_name(name), short_name(name), notes


def from_federal_register(path: Path) -> Imported:
    path = Path(path)
    doc = _document(read_json(path, WHAT), path)
    fields: dict = {"title": text_field(doc, "title"), "jurisdiction": "US"}
    notes: list[str] = []
    warnings: list[str] = []
    name, short, agency_notes = _agency(doc.get("agencies"), path)
    if name:
        fields["agency"] = {"name": name, "short_name": short}
        notes.extend(f"agency {n}" for n in agency_notes)
    fields["kind"] = kind_from(text_field(doc, "type"), text_field(doc, "action"),
                               text_field(doc, "title"))
    dockets = doc.get("docket_ids") or []
    if isinstance(dockets, str):
        dockets = [dockets]
    dockets = [clean_docket(d) for d in dockets if isinstance(d, (str, int)) and str(d).strip()]
    if dockets:
        fields["docket"] = ", ".join(dict.fromkeys(dockets))
    rins = doc.get("regulation_id_numbers") or []
    if isinstance(rins, str):
        rins = [rins]
    rins = [str(r).strip() for r in rins if isinstance(r, (str, int)) and str(r).strip()]
    if rins:
        fields["rin"] = ", ".join(dict.fromkeys(rins))
    for key, target in (("citation", "citation"), ("html_url", "url"), ("abstract", "abstract")):
        value = text_field(doc, key)
        if value:
            fields[target] = value
    published = parse_date(doc.get("publication_date"))
    if published:
        fields["published"] = published
    deadline = parse_date(doc.get("comments_close_on"))
    if deadline is None:
        dates = text_field(doc, "dates")
        deadline = deadline_from_text(dates)
        if deadline is not None:
            notes.append(f"deadline read from 'dates': {dates}")
        elif doc.get("comments_close_on") is None:
            warnings.append("no comment deadline: 'comments_close_on' is null and 'dates' "
                            "gives no date")
    if deadline is not None:
        fields["deadline"] = deadline
    number = text_field(doc, "document_number")
    source = "Federal Register document" + (f" {number}" if number else "") + \
        (f" ({fields['citation']})" if fields.get("citation") else "")
    return Imported(fields=fields, source=source, notes=notes, warnings=warnings)
