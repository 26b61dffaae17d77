"""What real clients make of the DOCX: LibreOffice (PDF with fields updated, a save round
trip), pdftotext and pandoc.  LibreOffice is slow to start, so the documents are converted in
a few batches (module-scoped fixtures); the tests skip with the reason when a tool is missing
(and fail in CI, where DRAFTER_REQUIRE_CLIENTS is set)."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from drafter.load.workspace import discover
from drafter.model import parse_markdown
from drafter.pipeline import Session
from drafter.writers import WriteContext
from drafter.writers.docx.writer import DocxWriter
from tests.conftest import EXAMPLES, ROOT, require_tool, run_cli
from tests.docxread import NS, q
from tests.test_docx_house import make_house

pytestmark = pytest.mark.real_clients

EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
NESTED = """\
# Lists

1. first
   - a bullet inside
   - another
2. second
   1. nested one
   2. nested two
3. third

Between the lists.

1. again one
2. again two
"""


def require_uno() -> None:
    from drafter.writers import pdf

    soffice = require_tool("soffice", "libreoffice")
    if pdf.find_uno_python(soffice) is None:
        require_tool("python3-uno (a Python that can import uno)")


def pdf_text(data: bytes, tmp: Path, name: str) -> str:
    """pdftotext -layout, with runs of spaces folded to one."""
    path = tmp / f"{name}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")
    # (strip spaces only: pdftotext ends each page with a form feed)
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip(" ") for line in out.split("\n"))


@pytest.fixture(scope="module")
def house_refs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("house")
    return {numbering: make_house(folder / f"house-{numbering}.docx", numbering=numbering)
            for numbering in (True, False)}


@pytest.fixture(scope="module")
def documents(house_refs):
    """name -> DOCX bytes: every example, the NTIA comments on both house documents, and a
    document with nested lists."""
    session = Session(discover(start=ROOT))
    docs = {}
    for name in EXAMPLE_NAMES:
        # without Word comments, as the PDF writer builds them (LibreOffice's PDF export
        # through UNO fails on comments)
        docs[name] = session.render(session.draft(EXAMPLES / f"{name}.yaml"), "docx",
                                    comments=False)
    ntia = session.draft(EXAMPLES / "ntia-botnets-comments.yaml")
    for numbering, ref in house_refs.items():
        docs[f"house-numbering-{numbering}"] = session.render(ntia, "docx", reference_docx=ref)
    docs["nested-lists"] = DocxWriter().write(
        parse_markdown(NESTED, {"title": "Lists"}, {"outline": "roman"}), WriteContext())
    return docs


@pytest.fixture(scope="module")
def rendered(documents, tmp_path_factory):
    """name -> (PDF text, table-of-contents lines), all through one LibreOffice start."""
    require_uno()
    require_tool("pdftotext")
    from drafter.writers.pdf import run_office

    names = list(documents)
    results = run_office([documents[n] for n in names], pdf=True, what="test batch")
    tmp = tmp_path_factory.mktemp("pdf")
    return {name: (pdf_text(result["pdf"], tmp, name), result["toc"])
            for name, result in zip(names, results)}


def pages(text: str) -> list[str]:
    return [p for p in text.split("\f") if p.strip()]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_converts_to_pdf_with_page_x_of_y(rendered, name):
    text, _ = rendered[name]
    numbered = pages(text)
    total = len(numbered)
    assert total >= 1
    for n, page_text in enumerate(numbered, start=1):
        assert f"Page {n} of {total}" in page_text


def test_outline_numbers_show_in_the_pdf(rendered):
    lines = rendered["ntia-botnets-comments"][0].split("\n")
    for heading in ("I. INTRODUCTION", "II. GENERAL FEEDBACK", "III. IDENTIFICATION OF CONCERNS",
                    "a. Monoliths", "b. “Should”", "f. Planned Obsolescence"):
        assert heading in lines, heading
    assert not any(line.startswith("IV.") for line in lines)


def test_lists_restart_at_one_and_nest(rendered):
    lines = rendered["eu-manifesto-2024"][0].split("\n")
    firsts = [line for line in lines if line.startswith("1. ")]
    assert firsts[:4] == ["1. Maintain the free flow of data", "1. Address Internet fragmentation",
                          "1. Promote trust", "1. Protect human rights and avoid overblocking"]
    assert "2. Oppose backdoors" in lines
    nested = rendered["nested-lists"][0].split("\n")
    for expected in ("I. Lists", "1. first", "◦ a bullet inside", "◦ another", "2. second",
                     "a. nested one", "b. nested two", "3. third", "1. again one",
                     "2. again two"):
        assert expected in nested, expected


def test_docket_in_the_running_header_from_page_two(rendered):
    fcc = pages(rendered["fcc-iot-labeling-comments"][0])
    assert len(fcc) >= 2
    header = next(line for line in fcc[1].split("\n") if line)
    assert header == "Comments of i2Coalition, Cybersecurity Labeling for IoT PS Docket No. 23-239"
    first_lines = "\n".join(fcc[0].split("\n")[:4])
    assert "Comments of i2Coalition" not in first_lines  # page 1 has the letterhead instead
    # the letterhead (small capitals come out of pdftotext letter-spaced)
    assert "INTERNETINFRASTRUCTURECOALITION" in re.sub(r"\s", "", first_lines).upper()
    cisa = pages(rendered["cisa-circia-rfi"][0])
    assert next(line for line in cisa[1].split("\n") if line).endswith(
        "Docket No. CISA-2022-0010")


def test_fcc_caption_toc_and_footnotes_in_the_pdf(rendered):
    text, toc = rendered["fcc-iot-labeling-comments"]
    first = pages(text)[0]
    assert re.search(r"In the Matter of \)", first)
    assert re.search(r"Cybersecurity Labeling for Internet of Things1? \) PS Docket No. 23-239",
                     first)
    # the table of contents is filled in, with page numbers
    assert [line.split("\t")[0] for line in toc][:3] == ["I. INTRODUCTION", "II. GENERAL FEEDBACK",
                                                        "III. IDENTIFICATION OF CONCERNS"]
    assert all(line.split("\t")[-1].isdigit() for line in toc)
    assert re.search(r"I\. INTRODUCTION\.{5,} ?1", first)
    assert "Table of Contents" in first.split("\n")  # the TOC heading has no number
    # footnotes at the foot of the page
    assert "88 Fed. Reg. 58,211 (Aug. 25, 2023)," in text
    assert "Cybersecurity Labeling for Internet of Things, PS Docket No. 23-239" in text
    assert "Manos Antonakakis et al., Understanding the Mirai Botnet" in text


def test_house_documents_are_honoured_in_the_pdf(rendered):
    for numbering in (True, False):
        text, _ = rendered[f"house-numbering-{numbering}"]
        first = pages(text)[0]
        assert "ACME TRADE ASSOCIATION" in first.split("\n")[0]
        lines = text.split("\n")
        assert "I. INTRODUCTION" in lines and "a. Monoliths" in lines
        assert "Page 1 of" in first


# -- pandoc -----------------------------------------------------------------------------------

EXPECTED_HEADINGS = {
    "ntia-botnets-comments": [
        (1, "INTRODUCTION"), (1, "GENERAL FEEDBACK"), (1, "IDENTIFICATION OF CONCERNS"),
        (2, "Monoliths"), (2, "“Should”"), (2, "“Information Sharing”"),
        (2, "Centralization As A Threat"), (2, "Global, Diverse Scope"),
        (2, "Planned Obsolescence")],
    "fcc-iot-labeling-comments": [
        (1, "INTRODUCTION"), (1, "GENERAL FEEDBACK"), (1, "IDENTIFICATION OF CONCERNS"),
        (2, "Global, Diverse Scope"), (2, "Planned Obsolescence"),
        (1, "RESPONSES TO QUESTIONS"), (2, "Question 1"), (2, "Question 2"), (2, "Question 3"),
        (1, "CONCLUSION")],
}


def _stringify(inlines) -> str:
    out = []
    for node in inlines:
        if node["t"] == "Str":
            out.append(node["c"])
        elif node["t"] in ("Space", "SoftBreak"):
            out.append(" ")
        elif node["t"] in ("Emph", "Strong", "Span", "Quoted"):
            content = node["c"][-1] if node["t"] in ("Span", "Quoted") else node["c"]
            text = _stringify(content)
            if node["t"] == "Quoted":
                text = "“" + text + "”"
            out.append(text)
    return "".join(out)


@pytest.fixture(scope="module")
def pandoc_json(documents, tmp_path_factory):
    pandoc = require_tool("pandoc")
    tmp = tmp_path_factory.mktemp("pandoc")
    out = {}
    for name in EXAMPLE_NAMES:
        path = tmp / f"{name}.docx"
        path.write_bytes(documents[name])
        proc = subprocess.run([pandoc, "-f", "docx", "-t", "json", str(path)],
                              capture_output=True, check=False)
        assert proc.returncode == 0, (name, proc.stderr.decode())
        out[name] = json.loads(proc.stdout)
    return out


def headings(doc: dict) -> list[tuple[int, str]]:
    return [(b["c"][0], _stringify(b["c"][2])) for b in doc["blocks"] if b["t"] == "Header"]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_pandoc_reads_every_example(pandoc_json, name):
    found = headings(pandoc_json[name])
    assert found and all(level in (1, 2, 3, 4) for level, _ in found)
    assert "Table of Contents" not in [text for _, text in found]
    if name in EXPECTED_HEADINGS:
        assert found == EXPECTED_HEADINGS[name]


def test_pandoc_sees_the_footnotes(pandoc_json):
    notes = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Note":
                notes.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(pandoc_json["fcc-iot-labeling-comments"]["blocks"])
    assert len(notes) == 3


# -- a save through LibreOffice ---------------------------------------------------------------

def test_bookmarks_and_comments_survive_a_libreoffice_save(tmp_path):
    soffice = require_tool("soffice", "libreoffice")
    source = tmp_path / "in" / "annotated.docx"
    source.parent.mkdir()
    assert run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", source,
                   "--annotate").code == 0
    proc = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                           "--headless", "--norestore", "--convert-to", "docx", "--outdir",
                           str(tmp_path / "out"), str(source)], capture_output=True,
                          timeout=240, check=False)
    saved = tmp_path / "out" / "annotated.docx"
    assert proc.returncode == 0 and saved.is_file(), proc.stderr.decode()

    def read(path: Path):
        with zipfile.ZipFile(path) as z:
            document = etree.fromstring(z.read("word/document.xml"))
            comments = etree.fromstring(z.read("word/comments.xml"))
        marks = {}
        for p in document.iter(q("p")):
            text = "".join(t.text or "" for t in p.iter(q("t"))).strip()
            for b in p.findall("w:bookmarkStart", NS):
                marks[b.get(q("name"))] = text
        texts = ["".join(c.itertext()) for c in comments.findall("w:comment", NS)]
        return marks, texts

    before_marks, before_comments = read(source)
    after_marks, after_comments = read(saved)
    block_marks = {k: v for k, v in before_marks.items() if k.startswith("B")}
    assert block_marks
    for name, text in block_marks.items():
        assert after_marks.get(name) == text, name
    assert len(after_comments) == len(before_comments) == 12
    assert any("Position block: undefined-monolith-terms" in c for c in after_comments)


# -- through the command line -----------------------------------------------------------------

def test_update_fields_fills_the_toc_in_the_docx(tmp_path):
    require_uno()
    out = tmp_path / "fcc.docx"
    result = run_cli("draft", EXAMPLES / "fcc-iot-labeling-comments.yaml", "-o", out,
                     "--update-fields")
    assert result.code == 0, result.err
    with zipfile.ZipFile(out) as z:
        document = etree.fromstring(z.read("word/document.xml"))
    entries = []
    for p in document.iter(q("p")):
        style = p.find("w:pPr/w:pStyle", NS)
        if style is not None and style.get(q("val")) in ("TOC1", "TOC2", "TOC3"):
            runs = ["".join(t.text or "" for t in r.iter(q("t"))) for r in p.iter(q("r"))]
            entries.append((style.get(q("val")), [r for r in runs if r]))
    assert entries[0] == ("TOC1", ["I. INTRODUCTION", "1"])
    assert ("TOC2", ["a. Global, Diverse Scope", entries[3][1][1]]) == entries[3]
    assert all(e[1][-1].isdigit() for e in entries)
    # identical runs give identical bytes (LibreOffice's layout is deterministic)
    again = tmp_path / "again.docx"
    assert run_cli("draft", EXAMPLES / "fcc-iot-labeling-comments.yaml", "-o", again,
                   "--update-fields").code == 0
    assert again.read_bytes() == out.read_bytes()


def test_pdf_through_the_command_line_with_a_house_document(tmp_path, house_refs):
    require_uno()
    require_tool("pdftotext")
    out = tmp_path / "ntia.pdf"
    result = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out,
                     "--reference-docx", house_refs[False])
    assert result.code == 0, result.err
    assert out.read_bytes().startswith(b"%PDF")
    text = pdf_text(out.read_bytes(), tmp_path, "check")
    assert "ACME TRADE ASSOCIATION" in text and "I. INTRODUCTION" in text.split("\n")
    assert re.search(r"Page 1 of \d", text)
