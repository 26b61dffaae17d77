"""Stage 4, writers: one small interface, one module per output format.

A writer turns a :class:`~drafter.model.Document` into bytes; the caller decides where the
bytes go (always through an atomic write, see :mod:`drafter.output`).  Writers are looked up
by format name and imported only when used, so the CLI starts fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from drafter.errors import Diagnostics, RenderError
from drafter.model.nodes import Document


@dataclass
class WriteContext:
    """What a writer may need beyond the document itself."""

    source_markdown: str = ""
    reference_docx: Path | None = None
    annotate: bool = False
    update_fields: bool = False
    comments: bool = True       # Word comments of review notes (a placeholder's candidates)
    blocks: dict = field(default_factory=dict)  # block id -> load.library.Block, for annotations
    sources: dict = field(default_factory=dict)  # seed id -> seed title, for annotations
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


class Writer(Protocol):
    format: str
    extension: str

    def write(self, doc: Document, ctx: WriteContext) -> bytes: ...


_WRITERS = {
    "docx": "drafter.writers.docx:DocxWriter",
    "md": "drafter.writers.markdown:MarkdownWriter",
    "html": "drafter.writers.html:HtmlWriter",
    "txt": "drafter.writers.text:TextWriter",
    "pdf": "drafter.writers.pdf:PdfWriter",
    "composed": "drafter.writers.markdown:ComposedWriter",
}

FORMATS = tuple(_WRITERS)

# A format's file extension, where it is not "." + the format's name.
_EXTENSIONS = {"composed": ".composed.md"}


def extension(fmt: str) -> str:
    """The file extension of format ``fmt`` ("docx" -> ".docx", "composed" -> ".composed.md")."""
    return _EXTENSIONS.get(fmt, "." + fmt)


def get_writer(fmt: str) -> Writer:
    try:
        target = _WRITERS[fmt]
    except KeyError:
        raise RenderError(f"unknown output format '{fmt}' (choose from {', '.join(FORMATS)})") \
            from None
    module_name, cls_name = target.split(":")
    return getattr(importlib.import_module(module_name), cls_name)()


def format_of_output(name: str) -> str:
    """The format of an output file that drafter named (``name.<extension>``): "x.docx" ->
    "docx", "x.composed.md" -> "composed"."""
    return format_for_path(Path(name)) or name.rsplit(".", 1)[-1]


def format_for_path(path: Path) -> str | None:
    """The format a file name implies ("x.composed.md" -> "composed", "x.htm" -> "html"), or
    None for an extension no writer has."""
    for fmt, ext in _EXTENSIONS.items():
        if Path(path).name.lower().endswith(ext):
            return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    aliases = {"markdown": "md", "htm": "html", "text": "txt"}
    suffix = aliases.get(suffix, suffix)
    return suffix if suffix in _WRITERS else None
