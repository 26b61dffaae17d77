"""Milliseconds per filing for the DOCX writer, in process, after imports.

For every example: the whole draft (compose + parse + DOCX) and the DOCX step alone, at 1x,
2x and 10x the example's length (the composed Markdown repeated), best of several runs.
Page counts come from LibreOffice when it is installed (``--no-pages`` skips that).

    .venv/bin/python bench/bench_docx.py [--no-pages]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.errors import Diagnostics  # noqa: E402
from drafter.load.workspace import discover  # noqa: E402
from drafter.model import parse_markdown  # noqa: E402
from drafter.pipeline import Session  # noqa: E402
from drafter.writers import WriteContext  # noqa: E402
from drafter.writers.docx.writer import DocxWriter  # noqa: E402

SCALES = (1, 2, 10)


def best_ms(fn, repeat: int = 5, number: int = 5) -> float:
    fn()  # warm caches (base document, styles)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best * 1000


def main(argv: list[str]) -> int:
    session = Session(discover(start=ROOT))
    house = session.workspace.templates / "house-style.docx"
    writer = DocxWriter()
    rows = []
    documents = []
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        draft = session.draft(example)
        markdown = draft.composition.markdown
        for scale in SCALES:
            text = "\n\n".join([markdown] * scale)
            doc = parse_markdown(text, draft.composition.meta, dict(draft.document.options))
            ctx = WriteContext(reference_docx=house, diagnostics=Diagnostics(),
                               blocks={b.id: b for b in draft.composition.used})
            docx_ms = best_ms(lambda: writer.write(doc, ctx))
            if scale == 1:
                full_ms = best_ms(lambda: session.render(session.draft(example), "docx"))
            else:
                full_ms = None
            paragraphs = sum(1 for _ in _paragraphs(doc))
            rows.append((example.stem, scale, paragraphs, docx_ms, full_ms))
            documents.append(writer.write(doc, ctx))

    pages: list = [None] * len(rows)
    if "--no-pages" not in argv:
        from drafter.writers import pdf

        soffice = pdf.find_soffice()
        if soffice and pdf.find_uno_python(soffice):
            import subprocess
            import tempfile

            results = pdf.run_office(documents, pdf=True, what="bench page count")
            with tempfile.TemporaryDirectory() as tmp:
                for i, result in enumerate(results):
                    path = Path(tmp) / f"{i}.pdf"
                    path.write_bytes(result["pdf"])
                    info = subprocess.run(["pdfinfo", str(path)], capture_output=True,
                                          text=True, check=False).stdout
                    for line in info.splitlines():
                        if line.startswith("Pages:"):
                            pages[i] = int(line.split()[1])

    print(f"{'example':40s} {'x':>3s} {'paras':>6s} {'pages':>5s} {'docx ms':>8s} "
          f"{'draft ms':>9s} {'ms/page':>8s}")
    for (name, scale, paragraphs, docx_ms, full_ms), n_pages in zip(rows, pages):
        per_page = f"{docx_ms / n_pages:8.2f}" if n_pages else f"{'?':>8s}"
        full = f"{full_ms:9.1f}" if full_ms is not None else f"{'':9s}"
        print(f"{name:40s} {scale:3d} {paragraphs:6d} {n_pages or '?':>5} {docx_ms:8.1f} "
              f"{full} {per_page}")
    return 0


def _paragraphs(doc):
    from drafter.model.nodes import Heading, Paragraph
    from drafter.model.text import walk

    return (n for n in walk(doc.children) if isinstance(n, (Heading, Paragraph)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
