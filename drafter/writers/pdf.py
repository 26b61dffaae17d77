"""PDF through LibreOffice headless, and the LibreOffice helpers the DOCX writer uses.

A PDF is the DOCX writer's output, opened in LibreOffice with its fields and table of
contents updated (LibreOffice's ``--convert-to`` does not update a TOC), then exported.
That needs LibreOffice's Python bridge (UNO), which lives outside drafter's virtual
environment: :mod:`drafter.writers.lo_update` runs under that Python (Debian:
``/usr/bin/python3`` with ``python3-uno``).  ``--update-fields`` on a DOCX uses the same
path to learn the page numbers of the table of contents.

Where LibreOffice is: ``DRAFTER_SOFFICE``, else ``soffice``/``libreoffice`` on PATH.  Its
Python: ``DRAFTER_UNO_PYTHON``, else the first of a few known places that can import uno.
Without LibreOffice these exports fail with one clear error; without its Python bridge a PDF
is still made with ``--convert-to`` and a warning says the table of contents is not filled.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from drafter.errors import Diagnostics, RenderError
from drafter.model.nodes import Document
from drafter.writers import WriteContext

SOFFICE_NAMES = ("soffice", "libreoffice")
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python",
               "/opt/libreoffice/program/python",
               "/Applications/LibreOffice.app/Contents/Resources/python")
INSTALL_HINT = ("install it (Debian: apt-get install libreoffice-writer-nogui python3-uno) so "
                "that 'soffice' is on PATH, or set DRAFTER_SOFFICE")
TIMEOUT = 240


class UnoUnavailable(RenderError):
    """LibreOffice is there, but no Python that can drive it."""


def find_soffice() -> str | None:
    explicit = os.environ.get("DRAFTER_SOFFICE", "").strip()
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_soffice(what: str) -> str:
    soffice = find_soffice()
    if soffice is None:
        raise RenderError(f"{what} needs LibreOffice, which was not found: {INSTALL_HINT}")
    return soffice


def find_uno_python(soffice: str) -> str | None:
    """A Python that can import uno: ``DRAFTER_UNO_PYTHON`` if set (and only it), else the
    first of LibreOffice's own and a few known places."""
    return _find_uno_python(soffice, os.environ.get("DRAFTER_UNO_PYTHON", "").strip())


@lru_cache(maxsize=8)
def _find_uno_python(soffice: str, explicit: str) -> str | None:
    if explicit:
        candidates = [explicit]
    else:
        candidates = [str(Path(soffice).resolve().parent / "python"), *UNO_PYTHONS]
    for candidate in candidates:
        if not Path(candidate).is_file():
            continue
        try:
            ok = subprocess.run([candidate, "-c", "import uno"], capture_output=True,
                                timeout=30, check=False).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return candidate
    return None


def _write_sources(folder: Path, documents: list[bytes]) -> list[Path]:
    """Each document as ``filing<i>.docx`` in ``folder``, for LibreOffice to open."""
    sources = []
    for i, data in enumerate(documents):
        source = folder / f"filing{i}.docx"
        source.write_bytes(data)
        sources.append(source)
    return sources


def run_office(documents: list[bytes], pdf: bool, what: str) -> list[dict]:
    """Open each DOCX in LibreOffice (one start for all), update its fields and indexes;
    returns per document ``{"toc": [lines], "pdf": bytes | None}``."""
    soffice = require_soffice(what)
    python = find_uno_python(soffice)
    if python is None:
        raise UnoUnavailable(f"{what} needs LibreOffice's Python bridge (python3-uno), which "
                             "was not found: install it, or set DRAFTER_UNO_PYTHON")
    script = Path(__file__).with_name("lo_update.py")
    with tempfile.TemporaryDirectory(prefix="drafter-lo-") as tmp:
        tmp_path = Path(tmp)
        items = [{"input": str(source),
                  "pdf": str(source.with_suffix(".pdf")) if pdf else None}
                 for source in _write_sources(tmp_path, documents)]
        job = tmp_path / "job.json"
        result = tmp_path / "result.json"
        job.write_text(json.dumps({"soffice": soffice,
                                   "profile": (tmp_path / "profile").as_uri(),
                                   "timeout": TIMEOUT, "items": items}), encoding="utf-8")
        proc = subprocess.Popen([python, str(script), str(job), str(result)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RenderError(f"LibreOffice did not finish ({what}) in {TIMEOUT} s") from None
        try:
            answer = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            detail = err.decode("utf-8", "replace").strip().splitlines()
            raise RenderError(f"LibreOffice failed ({what})"
                              + (f": {detail[-1]}" if detail else "")) from None
        if answer.get("error"):
            raise RenderError(f"LibreOffice failed ({what}): {answer['error']}")
        out = []
        for item, got in zip(items, answer["items"]):
            pdf_bytes = None
            if item["pdf"]:
                produced = Path(item["pdf"])
                if not produced.is_file():
                    raise RenderError(f"LibreOffice made no PDF ({what})")
                pdf_bytes = produced.read_bytes()
            out.append({"toc": list(got.get("toc", [])), "pdf": pdf_bytes})
        return out


def toc_lines(docx_bytes: bytes) -> list[str]:
    """The table of contents as LibreOffice lays it out: ``text<TAB>page`` per entry."""
    return run_office([docx_bytes], pdf=False, what="--update-fields")[0]["toc"]


def convert(documents: list[bytes], target: str = "pdf") -> list[bytes]:
    """Plain ``soffice --convert-to`` (fields are not updated), all files in one start."""
    soffice = require_soffice(f"{target.upper()} export")
    with tempfile.TemporaryDirectory(prefix="drafter-lo-") as tmp:
        tmp_path = Path(tmp)
        sources = _write_sources(tmp_path, documents)
        cmd = [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
               "--headless", "--norestore", "--convert-to", target, "--outdir",
               str(tmp_path / "out"), *map(str, sources)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise RenderError(f"LibreOffice did not finish the {target} conversion in "
                              f"{TIMEOUT} s") from None
        out = []
        for source in sources:
            produced = tmp_path / "out" / f"{source.stem}.{target}"
            if proc.returncode != 0 or not produced.is_file():
                detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
                lines = detail.splitlines()
                raise RenderError(f"LibreOffice could not convert the document to {target}"
                                  + (f": {lines[-1]}" if lines else ""))
            out.append(produced.read_bytes())
        return out


def export_pdfs(documents: list[bytes], diagnostics: Diagnostics | None = None,
                has_toc: bool = True) -> list[bytes]:
    """PDFs with fields and tables of contents updated (falls back to a plain conversion,
    with a warning when a table of contents stays empty, if UNO is missing)."""
    try:
        return [item["pdf"] for item in run_office(documents, pdf=True, what="PDF export")]
    except UnoUnavailable as exc:
        if has_toc and diagnostics is not None:
            diagnostics.warn(f"the table of contents is not filled in: {exc}",
                             code="toc-not-updated")
        return convert(documents, "pdf")


class PdfWriter:
    format = "pdf"
    extension = ".pdf"

    def write(self, doc: Document, ctx: WriteContext) -> bytes:
        from drafter.writers.docx.writer import DocxBuilder

        from dataclasses import replace

        # Word comments stay out of the PDF (LibreOffice's export through UNO fails on them,
        # and a PDF shows no comments): the note paragraphs and highlights remain.
        builder = DocxBuilder(doc, replace(ctx, annotate=False, comments=False))
        data = builder.build()
        return export_pdfs([data], ctx.diagnostics, has_toc=builder.has_toc)[0]
