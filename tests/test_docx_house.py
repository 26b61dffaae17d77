"""House style: the shipped default, reference documents (CLI, consultation, workspace), and
what happens when a reference lacks styles or a numbering part."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Pt
from lxml import etree

from drafter.errors import Diagnostics, RenderError
from drafter.model import parse_markdown
from drafter.writers import WriteContext
from drafter.writers.docx import house
from drafter.writers.docx.writer import DocxWriter
from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.docxread import NS, DocxFile, q

SHIPPED = ROOT / "templates" / "house-style.docx"


def write(markdown: str, reference: Path | None = None, options: dict | None = None,
          meta: dict | None = None):
    diagnostics = Diagnostics()
    doc = parse_markdown(markdown, meta or {"title": "T"}, options or {})
    data = DocxWriter().write(doc, WriteContext(reference_docx=reference,
                                                diagnostics=diagnostics))
    return DocxFile(data), diagnostics


def make_house(path: Path, *, numbering: bool, heading_font: str = "Arial Black",
               letterhead: str = "ACME TRADE ASSOCIATION") -> Path:
    """A house document as Word leaves one: a letterhead, its own Heading 1, no Heading 2."""
    document = docx.Document()
    heading = document.styles["Heading 1"]
    heading.font.name = heading_font
    heading.font.size = Pt(17)
    for name in ("Heading 2", "Heading 3", "Quote", "Title", "Subtitle"):
        document.styles[name].element.getparent().remove(document.styles[name].element)
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    section.first_page_header.paragraphs[0].text = letterhead
    document.add_paragraph("Body text that the filing replaces.")
    document.save(str(path))
    if not numbering:
        strip_numbering(path)
    return path


def strip_numbering(path: Path) -> None:
    """Remove word/numbering.xml, its relationship and content type (Word's output when no
    list was ever used)."""
    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/numbering.xml":
                continue
            if info.filename == "word/_rels/document.xml.rels":
                root = etree.fromstring(data)
                for rel in list(root):
                    if rel.get("Target") == "numbering.xml":
                        root.remove(rel)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            if info.filename == "[Content_Types].xml":
                root = etree.fromstring(data)
                for override in list(root):
                    if override.get("PartName") == "/word/numbering.xml":
                        root.remove(override)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            dst.writestr(info, data)
    src.close()
    path.write_bytes(out.getvalue())


# -- the shipped default ------------------------------------------------------------------

def test_shipped_house_style_is_reproducible_from_the_script(tmp_path):
    target = tmp_path / "house.docx"
    assert house.main([str(target), "--org", str(ROOT / "org.yaml")]) == 0
    # entry by entry: compressed bytes may differ between zlib builds
    def entries(path: Path) -> list[tuple[str, bytes]]:
        with zipfile.ZipFile(path) as z:
            return [(i.filename, z.read(i.filename)) for i in z.infolist()]

    assert entries(target) == entries(SHIPPED), \
        "templates/house-style.docx is stale: rebuild it with python -m drafter.writers.docx.house"


def test_shipped_house_style_design():
    with zipfile.ZipFile(SHIPPED) as z:
        names = z.namelist()
        styles = etree.fromstring(z.read("word/styles.xml"))
        document = etree.fromstring(z.read("word/document.xml"))
        header = etree.fromstring(z.read("word/header1.xml"))
    assert "word/stylesWithEffects.xml" not in names and not any("customXml" in n for n in names)
    fonts = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert fonts.get(q("ascii")) == "Times New Roman"
    size = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS)
    assert size.get(q("val")) == "24"
    by_name = {s.find("w:name", NS).get(q("val")): s for s in styles.findall("w:style", NS)}
    for name in ("heading 1", "heading 2", "heading 3", "Title", "Quote", "footnote text",
                 "footnote reference", "TOC Heading", "toc 1", "header", "footer",
                 "annotation text", "Hyperlink", "List Paragraph", "Filing Caption"):
        assert name in by_name, name
    assert by_name["heading 1"].find("w:rPr/w:b", NS) is not None
    assert by_name["heading 1"].find("w:rPr/w:color", NS) is None  # black, not theme blue
    assert by_name["TOC Heading"].find("w:pPr/w:outlineLvl", NS).get(q("val")) == "9"
    margins = document.find("w:body/w:sectPr/w:pgMar", NS)
    assert {margins.get(q(s)) for s in ("top", "bottom", "left", "right")} == {"1440"}
    assert document.find("w:body/w:sectPr/w:titlePg", NS) is not None
    assert "Internet Infrastructure Coalition" in "".join(header.itertext())


def test_without_any_reference_the_builtin_design_is_used():
    docx_file, diagnostics = write("# A\n\nText.\n")
    assert not diagnostics.warnings
    styles = docx_file.styles
    fonts = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert fonts.get(q("ascii")) == "Times New Roman"


def test_drafts_use_the_shipped_house_style_and_its_letterhead(tmp_path):
    out = tmp_path / "ntia.docx"
    assert run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out).code == 0
    with zipfile.ZipFile(out) as z:
        headers = [etree.fromstring(z.read(n)) for n in z.namelist()
                   if n.startswith("word/header")]
    texts = ["".join(h.itertext()) for h in headers]
    assert any("Internet Infrastructure Coalition" in t for t in texts)  # the letterhead


# -- a reference document -------------------------------------------------------------------

@pytest.mark.parametrize("numbering", [True, False], ids=["with-numbering", "no-numbering"])
def test_house_document_is_honoured(tmp_path, numbering):
    ref = make_house(tmp_path / "house.docx", numbering=numbering)
    if not numbering:
        assert "word/numbering.xml" not in zipfile.ZipFile(ref).namelist()
    markdown = ("# INTRODUCTION\n\n## Detail\n\nText.\n\n1. one\n2. two\n\nBetween.\n\n"
                "1. again\n")
    docx_file, diagnostics = write(markdown, ref, {"outline": "roman"})
    # its Heading 1 (font) is kept, its body is replaced, its letterhead survives
    h1 = next(s for s in docx_file.styles.findall("w:style", NS)
              if s.get(q("styleId")) == "Heading1")
    assert h1.find("w:rPr/w:rFonts", NS).get(q("ascii")) == "Arial Black"
    assert "Body text that the filing replaces." not in docx_file.text()
    with zipfile.ZipFile(io.BytesIO(docx_file.data)) as z:
        headers = "".join("".join(etree.fromstring(z.read(n)).itertext())
                          for n in z.namelist() if n.startswith("word/header"))
    assert "ACME TRADE ASSOCIATION" in headers
    # the missing styles were added from drafter's defaults, with one warning
    names = {s.find("w:name", NS).get(q("val")).lower() for s in
             docx_file.styles.findall("w:style", NS)}
    assert "heading 2" in names and "toc 1" not in names  # only what the filing uses
    warnings = [w.message for w in diagnostics.warnings]
    assert len(warnings) == 1 and "'Heading 2'" in warnings[0] and "lacks" in warnings[0]
    # numbered lists work and restart, with or without a numbering part in the reference
    assert docx_file.numbering is not None
    items = [p for p in docx_file.paragraphs() if p.num and p.num[0] != 0]
    assert [p.text for p in items] == ["one", "two", "again"]
    assert items[0].num[0] == items[1].num[0] != items[2].num[0]
    assert docx_file.restarts(items[0].num[0]) and docx_file.restarts(items[2].num[0])
    assert docx_file.num_format(items[0].num[0], 0) == ("decimal", "%1.")
    # outline numbering linked to the house's own heading styles
    num = docx_file.style_numbering("heading 1")
    assert docx_file.num_format(*num) == ("upperRoman", "%1.")


def test_a_missing_custom_style_gets_a_plain_fallback(tmp_path):
    ref = make_house(tmp_path / "house.docx", numbering=True)
    docx_file, diagnostics = write("::: {custom-style=\"Pull Quote\"}\nQuoted.\n:::\n", ref)
    para = next(p for p in docx_file.paragraphs() if p.text == "Quoted.")
    assert para.style == "pull quote"
    assert any("'Pull Quote'" in w.message for w in diagnostics.warnings)


def test_reference_docx_from_the_command_line(tmp_path):
    ref = make_house(tmp_path / "house.docx", numbering=False, heading_font="Verdana")
    out = tmp_path / "out.docx"
    result = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out,
                     "--reference-docx", ref)
    assert result.code == 0, result.err
    assert "lacks the style(s)" in result.err
    styles = DocxFile(out.read_bytes()).styles
    h1 = next(s for s in styles.findall("w:style", NS) if s.get(q("styleId")) == "Heading1")
    assert h1.find("w:rPr/w:rFonts", NS).get(q("ascii")) == "Verdana"


def test_reference_docx_from_the_consultation_and_the_workspace(workspace):
    make_house(workspace / "examples" / "house.docx", numbering=True, heading_font="Georgia")
    make_house(workspace / "ws-house.docx", numbering=True, heading_font="Tahoma")
    consultation = workspace / "examples" / "ntia-botnets-comments.yaml"

    def heading_font(out: Path) -> str:
        styles = DocxFile(out.read_bytes()).styles
        h1 = next(s for s in styles.findall("w:style", NS) if s.get(q("styleId")) == "Heading1")
        return h1.find("w:rPr/w:rFonts", NS).get(q("ascii"))

    settings = workspace / "drafter.yaml"
    settings.write_text(settings.read_text() + "reference_docx: ws-house.docx\n")
    assert run_cli("draft", consultation, "-o", workspace / "a.docx", cwd=workspace).code == 0
    assert heading_font(workspace / "a.docx") == "Tahoma"

    consultation.write_text(consultation.read_text() + "reference_docx: house.docx\n")
    assert run_cli("draft", consultation, "-o", workspace / "b.docx", cwd=workspace).code == 0
    assert heading_font(workspace / "b.docx") == "Georgia"


def test_missing_or_broken_reference_is_one_error_and_no_output(tmp_path, workspace):
    out = tmp_path / "out.docx"
    result = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out,
                     "--reference-docx", tmp_path / "nope.docx")
    assert result.code == 2 and "reference document not found" in result.err
    assert result.err.count("\n") == 1 and not out.exists()

    broken = tmp_path / "broken.docx"
    broken.write_text("not a zip")
    result = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out,
                     "--reference-docx", broken)
    assert result.code == 2 and "broken.docx" in result.err and "not a readable" in result.err
    assert not out.exists()

    settings = workspace / "drafter.yaml"
    settings.write_text(settings.read_text() + "reference_docx: missing-house.docx\n")
    line = settings.read_text().splitlines().index("reference_docx: missing-house.docx") + 1
    result = run_cli("draft", workspace / "examples" / "ntia-botnets-comments.yaml", "-o",
                     workspace / "x.docx", cwd=workspace)
    assert result.code == 2
    assert f"drafter.yaml:{line}:" in result.err and "missing-house.docx" in result.err


def test_direct_render_error_for_a_missing_reference(tmp_path):
    with pytest.raises(RenderError, match="reference document not found"):
        write("Text.\n", tmp_path / "missing.docx")


def test_style_copied_from_the_default_keeps_the_house_fonts(tmp_path):
    """A copied style states only what differs from Normal: no font of its own."""
    ref = make_house(tmp_path / "house.docx", numbering=True)
    docx_file, _ = write("## Detail\n\nText.\n", ref)
    h2 = next(s for s in docx_file.styles.findall("w:style", NS)
              if s.find("w:name", NS).get(q("val")).lower() == "heading 2")
    assert h2.find("w:rPr/w:rFonts", NS) is None
    based = h2.find("w:basedOn", NS).get(q("val"))
    assert docx_file.style_names[based] == "Normal"
