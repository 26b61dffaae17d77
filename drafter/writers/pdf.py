"""PDF through LibreOffice headless: the DOCX writer's output, converted by ``soffice``."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from drafter.errors import RenderError
from drafter.model.nodes import Document
from drafter.writers import WriteContext

SOFFICE_NAMES = ("soffice", "libreoffice")


def find_soffice() -> str | None:
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert(docx_bytes: bytes, target: str = "pdf", timeout: int = 180) -> bytes:
    """Convert DOCX bytes with LibreOffice headless; returns the converted file's bytes."""
    soffice = find_soffice()
    if soffice is None:
        raise RenderError(f"{target.upper()} export needs LibreOffice: install it "
                          "(Debian: apt-get install libreoffice-writer-nogui) so that "
                          "'soffice' is on PATH")
    with tempfile.TemporaryDirectory(prefix="drafter-lo-") as tmp:
        tmp_path = Path(tmp)
        source = tmp_path / "filing.docx"
        source.write_bytes(docx_bytes)
        profile = (tmp_path / "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(tmp_path / "out"), str(source)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RenderError(f"LibreOffice did not finish the {target} conversion in "
                              f"{timeout} s") from None
        produced = tmp_path / "out" / f"filing.{target}"
        if proc.returncode != 0 or not produced.is_file():
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
            raise RenderError(f"LibreOffice could not convert the document to {target}"
                              + (f": {detail[-1]}" if detail else ""))
        return produced.read_bytes()


class PdfWriter:
    format = "pdf"
    extension = ".pdf"

    def write(self, doc: Document, ctx: WriteContext) -> bytes:
        from drafter.writers.docx import DocxWriter

        return convert(DocxWriter().write(doc, ctx), "pdf")
