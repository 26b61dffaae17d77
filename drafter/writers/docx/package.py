"""Opening the base document, core properties, and reproducible saving."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from docx.oxml.ns import qn

from drafter.errors import RenderError

FIXED_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"


def open_base(reference: Path | None):
    """The reference document (styles, page setup, letterhead kept; body emptied) or the default."""
    import docx

    if reference is None:
        document = docx.Document()
    else:
        try:
            document = docx.Document(str(reference))
        except FileNotFoundError:
            raise RenderError("reference document not found", reference) from None
        except Exception as exc:  # noqa: BLE001 - a broken .docx is the user's input error
            raise RenderError(f"not a readable .docx reference document ({type(exc).__name__})",
                              reference) from None
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _drop_thumbnail(document)
    return document


def _drop_thumbnail(document) -> None:
    package_rels = document.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype == _THUMBNAIL:
            del package_rels[r_id]


def document_time(meta: dict) -> dt.datetime:
    date = meta.get("date")
    if isinstance(date, dt.date):
        return dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
    import os
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return FIXED_EPOCH


def set_core_properties(document, meta: dict) -> None:
    props = document.core_properties
    when = document_time(meta).replace(tzinfo=None)
    props.title = meta.get("title") or ""
    props.subject = meta.get("subject") or ""
    props.author = meta.get("author") or ""
    props.last_modified_by = meta.get("author") or ""
    props.keywords = meta.get("keywords") or ""
    props.comments = meta.get("description") or ""
    props.category = meta.get("category") or ""
    props.content_status = meta.get("status") or "Draft"
    props.language = meta.get("language") or ""
    props.identifier = meta.get("docket") or ""
    props.version = ""
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when


def save_reproducible(document) -> bytes:
    """Save with fixed zip entry times and order, so identical inputs give identical bytes."""
    raw = io.BytesIO()
    document.save(raw)
    raw.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                       compresslevel=6) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 0
            dst.writestr(fixed, data, compresslevel=6)
    return out.getvalue()
