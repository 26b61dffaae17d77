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
    """The reference document (styles, page setup, letterhead kept; body emptied), or
    drafter's default house style when there is none."""
    import docx

    if reference is None:
        from drafter.writers.docx.house import default_base

        data = default_base()
    else:
        data = _read_reference(Path(reference))
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - a broken .docx is the user's input error
        raise RenderError(f"not a readable .docx reference document ({type(exc).__name__})",
                          reference) from None
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    drop_thumbnail(document)
    return document


_REFERENCE_CACHE: dict[tuple, bytes] = {}


def _read_reference(path: Path) -> bytes:
    """The reference's bytes, read once per process while the file stays unchanged."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise RenderError("reference document not found", path) from None
    except OSError as exc:
        raise RenderError(f"cannot read the reference document: {exc.strerror}", path) from None
    if not path.is_file():
        raise RenderError("the reference document is not a file", path)
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    data = _REFERENCE_CACHE.get(key)
    if data is None:
        data = path.read_bytes()
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise RenderError("not a readable .docx reference document (not a zip package)",
                              path)
        from drafter.ziplimits import check_package
        check_package(data, path, "reference document")
        _REFERENCE_CACHE.clear()
        _REFERENCE_CACHE[key] = data
    return data


def drop_thumbnail(document) -> None:
    package_rels = document.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype == _THUMBNAIL:
            del package_rels[r_id]


_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
    'docPropsVTypes"><Application>drafter</Application><DocSecurity>0</DocSecurity>'
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
)
_APP_PROPS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
              "extended-properties")


def set_app_properties(document) -> None:
    """docProps/app.xml names drafter, not the application that made the base document.

    Counts (pages, words) and the template name would be stale or wrong, so they go.
    """
    for rel in document.part.package.rels.values():
        if rel.reltype == _APP_PROPS and not rel.is_external:
            rel.target_part._blob = _APP_XML.encode("utf-8")


def document_time(meta: dict) -> dt.datetime:
    date = meta.get("date")
    if isinstance(date, dt.date):
        return dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
    import os
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (OverflowError, ValueError, OSError):
            from drafter.errors import RenderError
            raise RenderError(f"SOURCE_DATE_EPOCH={epoch} is not a time drafter can use "
                              "(seconds since 1970, before the year 10000)") from None
    return FIXED_EPOCH


def set_core_properties(document, meta: dict) -> None:
    from drafter.model.parse import clean_text

    def text(key: str, default: str = "") -> str:
        value = meta.get(key)
        return clean_text(str(value)) if value else default

    props = document.core_properties
    props.title = text("title")
    props.subject = text("subject")
    props.author = text("author")
    props.last_modified_by = text("author")
    props.keywords = text("keywords")
    props.comments = text("description")
    props.category = text("category")
    props.content_status = text("status")
    props.language = text("language")
    props.identifier = text("identifier") or text("docket")
    props.version = ""
    props.revision = 1
    if has_date(meta):
        when = document_time(meta).replace(tzinfo=None)
        props.created = when
        props.modified = when
        props.last_printed = when
    else:
        # No filing date: no invented one (2000-01-01) either.
        for tag in ("dcterms:created", "dcterms:modified", "cp:lastPrinted"):
            for node in props._element.findall(qn(tag)):
                props._element.remove(node)


def has_date(meta: dict) -> bool:
    """Whether the filing has a real date: its own, or SOURCE_DATE_EPOCH."""
    import os

    return isinstance(meta.get("date"), dt.date) or \
        os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit()


class _FixedZip:
    """python-docx's physical package writer, with fixed entry times and compression."""

    def __init__(self, stream):
        self.zip = zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=6)

    def write(self, pack_uri, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.create_system = 0
        self.zip.writestr(info, blob, compresslevel=6)

    def close(self) -> None:
        self.zip.close()


def save_reproducible(document) -> bytes:
    """Save with fixed zip entry times and order, so identical inputs give identical bytes.

    The parts are written in python-docx's own order (content types, package relationships,
    then the parts as reached from the document), which depends only on the document.
    """
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    writer = _FixedZip(out)
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    writer.close()
    return out.getvalue()
