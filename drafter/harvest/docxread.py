"""Reading a filing's paragraphs and their provenance bookmarks back from a .docx.

The writer wraps every paragraph in one bookmark (see :mod:`drafter.writers.docx.writer`):
``B<seq>_<hash6>_<block id, '-' as '_', cut to 40 characters>`` for block text, ``T<seq>``
for template text.  The body is walked with lxml in document order (python-docx's
``doc.paragraphs`` misses paragraphs inside content controls); a paragraph without a
bookmark of its own but inside a bookmark opened in an earlier paragraph (Word splits a
bookmarked paragraph that way when Enter is pressed in it) belongs to that bookmark.

Text is read as a reviewer sees it with all tracked changes accepted: insertions count,
deletions do not; tabs and line breaks are kept; field codes are not text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from drafter.errors import DrafterError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BLOCK_MARK = re.compile(r"^B(\d+)_([0-9a-f]{6})(?:V([a-z]))?_(\w+)$")
_VARIANTS = {"u": "us", "e": "eu", "g": "general"}
_TEMPLATE_MARK = re.compile(r"^T(\d+)$")
_SKIP = {W + "pPr", W + "rPr", W + "del", W + "moveFrom", W + "instrText", W + "delText",
         W + "txbxContent", W + "fldData"}
_TOC_STYLE = re.compile(r"^(TOC\d|TOCHeading|Contents\d)", re.I)


@dataclass(frozen=True)
class Mark:
    kind: str  # "B" (block) or "T" (template)
    seq: int
    hash6: str = ""
    encoded: str = ""  # the block id as encoded in the name (maybe cut)
    name: str = ""
    variant: str = ""  # the wording: "" (as filed) or a variant name


@dataclass
class Para:
    index: int  # position among the body's paragraphs
    text: str
    marks: list[Mark] = field(default_factory=list)  # bookmarks starting in it
    inside: list[Mark] = field(default_factory=list)  # bookmarks it continues
    style: str = ""

    @property
    def mark(self) -> Mark | None:
        """The bookmark that says where this paragraph came from."""
        for m in self.marks + self.inside:
            return m
        return None


def parse_mark(name: str) -> Mark | None:
    m = _BLOCK_MARK.match(name or "")
    if m:
        return Mark("B", int(m.group(1)), m.group(2), m.group(4), name,
                    _VARIANTS.get(m.group(3) or "", ""))
    m = _TEMPLATE_MARK.match(name or "")
    if m:
        return Mark("T", int(m.group(1)), name=name)
    return None


def normalize(text: str) -> str:
    """Text compared as a reader would: NFC, spaces of any kind as one, no edge spaces."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    return " ".join(text.split())


def _text(el, out: list[str]) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == W + "t":
            out.append(child.text or "")
        elif tag == W + "tab":
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            if child.get(W + "type") not in ("page", "column"):
                out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "p":
            continue  # a nested paragraph (text box) is not this paragraph's text
        else:
            _text(child, out)


def paragraph_text(p) -> str:
    out: list[str] = []
    _text(p, out)
    return "".join(out)


def _style(p) -> str:
    ppr = p.find(W + "pPr")
    style = ppr.find(W + "pStyle") if ppr is not None else None
    return style.get(W + "val", "") if style is not None else ""


def read_paragraphs(source) -> list[Para]:
    """The body's paragraphs, in order, with their bookmarks; ``source`` is a path or bytes."""
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, PackageNotFoundError) as exc:
        path = None if isinstance(source, bytes) else source
        reason = "no such file" if isinstance(exc, FileNotFoundError) else \
            "not a Word document (.docx)"
        raise DrafterError(reason, path) from None
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on bad packages
        raise DrafterError(f"cannot read the Word document: {type(exc).__name__}",
                           None if isinstance(source, bytes) else source) from None
    body = document.element.body
    paras: list[Para] = []
    open_marks: dict[str, Mark] = {}  # bookmark w:id -> mark, opened and not yet closed
    for el in body.iter(W + "p", W + "bookmarkStart", W + "bookmarkEnd"):
        tag = el.tag
        if tag == W + "bookmarkStart":
            mark = parse_mark(el.get(W + "name", ""))
            if mark is not None:
                open_marks[el.get(W + "id", "")] = mark
            continue
        if tag == W + "bookmarkEnd":
            open_marks.pop(el.get(W + "id", ""), None)
            continue
        if any(a.tag == W + "txbxContent" for a in el.iterancestors()):
            continue
        own = [parse_mark(b.get(W + "name", "")) for b in el.iter(W + "bookmarkStart")]
        # marks still open here were opened by an earlier paragraph: this one continues them
        paras.append(Para(index=len(paras), text=paragraph_text(el),
                          marks=[m for m in own if m is not None],
                          inside=list(open_marks.values()), style=_style(el)))
    return paras


def is_generated(para: Para) -> bool:
    """Paragraphs Word or LibreOffice generate (table of contents entries)."""
    return bool(_TOC_STYLE.match(para.style))


def core_title(source) -> tuple[str, str]:
    """(title, identifier) from the document's core properties.

    Read from the package directly: LibreOffice relates the core properties with a
    relationship type python-docx does not look for.
    """
    import posixpath
    import zipfile

    from lxml import etree

    rel_ns = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    dc = "{http://purl.org/dc/elements/1.1/}"
    try:
        with zipfile.ZipFile(source) as package:
            rels = etree.fromstring(package.read("_rels/.rels"))
            for rel in rels.iter(rel_ns + "Relationship"):
                if rel.get("Type", "").endswith("/metadata/core-properties"):
                    target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
                    core = etree.fromstring(package.read(target))
                    title = core.findtext(dc + "title") or ""
                    identifier = core.findtext(dc + "identifier") or ""
                    return title.strip(), identifier.strip()
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        pass
    return "", ""


def resolve_id(mark: Mark, ids) -> str | None:
    """The block id a bookmark names, also when the name was cut to 40 characters."""
    decoded = mark.encoded.replace("_", "-")
    if decoded in ids:
        return decoded
    candidates = [i for i in ids if i.replace("-", "_").startswith(mark.encoded)]
    if len(candidates) == 1:
        return candidates[0]
    return None


def wording_of(library, block_id: str, variant: str = ""):
    """The block (as filed) or its variant that a bookmark's paragraph came from."""
    block = library.blocks[block_id]
    return block.variants.get(variant, block) if variant else block


def resolve_ids(marks, library) -> dict[str, str | None]:
    """Bookmark name -> block id, preferring, among cut names, the id whose hash matches."""
    out = {}
    ids = list(library.blocks)
    for mark in marks:
        found = resolve_id(mark, ids)
        if found is None:
            candidates = [i for i in ids if i.replace("-", "_").startswith(mark.encoded)]
            same_hash = [i for i in candidates
                         if wording_of(library, i, mark.variant).hash.startswith(mark.hash6)]
            found = same_hash[0] if len(same_hash) == 1 else None
        out[mark.name] = found
    return out


def open_path(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise DrafterError("no such file", path)
    return path
