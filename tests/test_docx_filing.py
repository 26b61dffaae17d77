"""The parts of a filing-grade DOCX: footnotes, table of contents, header and footer, and the
filing shapes (FCC caption, letter with a "Re:" line, EU title block)."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from drafter.load.workspace import discover
from drafter.model import parse_markdown
from drafter.pipeline import Session
from drafter.writers import WriteContext
from drafter.writers.docx import fields, page
from drafter.writers.docx.writer import DocxBuilder, DocxWriter
from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.docxread import NS, DocxFile, q


def parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xml")
                or n.endswith(".rels")}


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(q("t")))


def shown(p) -> str:
    """A paragraph's text as shown: tabs and line breaks included."""
    out = []
    for node in p.iter(q("t"), q("tab"), q("br")):
        if node.tag == q("t"):
            out.append(node.text or "")
        elif node.getparent().tag == q("r"):  # not a tab stop definition in pPr
            out.append("\t" if node.tag == q("tab") else "\n")
    return "".join(out)


def body_texts(data: bytes) -> list[str]:
    return [shown(p) for p in parts(data)["word/document.xml"].iter(q("p"))]


@pytest.fixture(scope="module")
def session():
    return Session(discover(start=ROOT))


@pytest.fixture(scope="module")
def fcc(session):
    draft = session.draft(EXAMPLES / "fcc-iot-labeling-comments.yaml")
    data = session.render(draft, "docx")
    return draft, data, parts(data)


# -- footnotes --------------------------------------------------------------------------------

def test_markdown_footnotes_become_word_footnotes(fcc):
    _, data, xml = fcc
    notes = xml["word/footnotes.xml"]
    by_id = {int(n.get(q("id"))): n for n in notes.findall("w:footnote", NS)}
    assert by_id[-1].get(q("type")) == "separator"
    assert by_id[0].get(q("type")) == "continuationSeparator"
    assert sorted(k for k in by_id if k > 0) == [1, 2, 3]
    assert text_of(by_id[1]).strip() == (
        "Cybersecurity Labeling for Internet of Things, PS Docket No. 23-239, Notice of "
        "Proposed Rulemaking, FCC 23-65, 88 Fed. Reg. 58,211 (Aug. 25, 2023), "
        "https://www.federalregister.gov/d/2023-18357.")
    assert "Understanding the Mirai Botnet" in text_of(by_id[2])
    assert "NIST IR 8425" in text_of(by_id[3])
    # each note: Footnote Text style, the number mark first
    styles = DocxFile(data).style_names
    for note_id in (1, 2, 3):
        first = by_id[note_id].find("w:p", NS)
        assert styles[first.find("w:pPr/w:pStyle", NS).get(q("val"))] == "footnote text"
        runs = first.findall("w:r", NS)
        assert runs[0].find("w:footnoteRef", NS) is not None
    # the body references them in order, with the reference style
    document = xml["word/document.xml"]
    refs = [int(r.get(q("id"))) for r in document.iter(q("footnoteReference"))]
    assert refs == [1, 2, 3]
    ref_run = next(document.iter(q("footnoteReference"))).getparent()
    assert styles[ref_run.find("w:rPr/w:rStyle", NS).get(q("val"))] == "footnote reference"
    # the package knows the part; settings name the separators; no fake "Notes" section
    assert "footnotes.xml" in etree.tostring(xml["word/_rels/document.xml.rels"]).decode()
    assert xml["word/settings.xml"].find("w:footnotePr", NS) is not None
    assert "Notes" not in [p.text for p in DocxFile(data).paragraphs()]


def test_notice_citation_footnote_only_when_the_citation_is_known(session):
    with_citation = session.draft(EXAMPLES / "cisa-circia-rfi.yaml")
    assert "[^notice]: *Request for Information on the Cyber Incident Reporting" in \
        with_citation.composition.markdown
    assert "87 Fed. Reg. 55,833 (Sept. 12, 2022)" in with_citation.composition.markdown
    without = session.draft(EXAMPLES / "ntia-botnets-comments.yaml")
    assert "[^notice]" not in without.composition.markdown
    assert "word/footnotes.xml" not in zipfile.ZipFile(
        io.BytesIO(session.render(without, "docx"))).namelist()


def test_footnote_repeated_and_block_footnote_provenance():
    markdown = ('::: {.block block="cite-me" hash="abcdef1234"}\n'
                "First[^a] and again[^a].\n\n[^a]: The *source*.\n:::\n")
    data = DocxWriter().write(parse_markdown(markdown), WriteContext())
    xml = parts(data)
    notes = [n for n in xml["word/footnotes.xml"].findall("w:footnote", NS)
             if int(n.get(q("id"))) > 0]
    assert [text_of(n).strip() for n in notes] == ["The source.", "The source."]
    italic = [r for r in notes[0].iter(q("r")) if r.find("w:rPr/w:i", NS) is not None]
    assert text_of(italic[0]) == "source"
    marks = [b.get(q("name")) for b in notes[0].iter(q("bookmarkStart"))]
    assert len(marks) == 1 and marks[0].endswith("_abcdef_cite_me")


def test_a_reference_document_with_footnotes_keeps_them(tmp_path):
    first = DocxWriter().write(parse_markdown("A[^1].\n\n[^1]: Old note.\n"), WriteContext())
    ref = tmp_path / "ref.docx"
    ref.write_bytes(first)
    data = DocxWriter().write(parse_markdown("B[^1].\n\n[^1]: New note.\n"),
                              WriteContext(reference_docx=ref))
    notes = parts(data)["word/footnotes.xml"]
    ids = sorted(int(n.get(q("id"))) for n in notes.findall("w:footnote", NS))
    assert ids == [-1, 0, 1, 2]
    assert [int(r.get(q("id"))) for r in parts(data)["word/document.xml"].iter(
        q("footnoteReference"))] == [2]


# -- table of contents ------------------------------------------------------------------------

def test_toc_is_a_real_field_and_word_updates_it_on_open(fcc):
    _, data, xml = fcc
    document = xml["word/document.xml"]
    instr = [i.text for i in document.iter(q("instrText"))]
    assert fields.TOC_INSTRUCTION in instr
    begin = next(f for f in document.iter(q("fldChar")) if f.get(q("fldCharType")) == "begin")
    assert begin.get(q("dirty")) == "true"
    assert xml["word/settings.xml"].find("w:updateFields", NS).get(q("val")) == "true"
    paras = DocxFile(data).paragraphs()
    toc_heading = next(p for p in paras if p.text == "Table of Contents")
    assert toc_heading.style == "toc heading"
    # TOC Heading is unnumbered and not itself an outline level
    style = next(s for s in DocxFile(data).styles.findall("w:style", NS)
                 if s.find("w:name", NS).get(q("val")) == "TOC Heading")
    assert style.find("w:pPr/w:numPr/w:numId", NS).get(q("val")) == "0"
    assert style.find("w:pPr/w:outlineLvl", NS).get(q("val")) == "9"
    # the settings children stay in schema order
    order = [etree.QName(c).localname for c in xml["word/settings.xml"]]
    assert order.index("updateFields") < order.index("footnotePr") < order.index("compat")


def test_toc_option_places_the_field_before_the_first_heading():
    doc = parse_markdown("Front matter.\n\n# One\n\nText.\n\n# Two\n",
                         options={"toc": True, "outline": "roman"})
    paras = DocxFile(DocxWriter().write(doc, WriteContext())).paragraphs()
    assert [p.text for p in paras][:5] == ["Front matter.", "Table of Contents",
                                           "I. One", "II. Two", "One"]


def test_filled_toc_has_entries_pages_and_links():
    doc = parse_markdown("::: {.toc}\n:::\n\n# One\n\n## Sub\n\n# Two\n",
                         options={"outline": "roman"})
    ctx = WriteContext()
    builder = DocxBuilder(doc, ctx)
    builder.build()
    assert builder.has_toc
    entries = fields.match_toc(builder.headings, ["I. One\t1", "a. Sub\t1", "II. Two\t2"])
    assert [(e.level, e.text, e.page) for e in entries] == [
        (1, "I. One", "1"), (2, "a. Sub", "1"), (1, "II. Two", "2")]
    data = DocxBuilder(doc, ctx, toc_entries=entries).build()
    docx_file = DocxFile(data)
    toc = [p for p in docx_file.paragraphs() if p.style in ("toc 1", "toc 2", "toc 3")]
    # (tabs are w:tab elements, so the page number follows the text here)
    assert [(p.style, p.text) for p in toc] == [("toc 1", "I. One1"), ("toc 2", "a. Sub1"),
                                                ("toc 1", "II. Two2")]
    document = parts(data)["word/document.xml"]
    anchors = [h.get(q("anchor")) for h in document.iter(q("hyperlink"))]
    headings = [p for p in docx_file.paragraphs() if p.style.startswith("heading")]
    assert anchors == [h.bookmarks[0] for h in headings]
    # a field that spans the entries: begin in the first, end in the last
    kinds = [f.get(q("fldCharType")) for f in document.iter(q("fldChar"))]
    assert kinds == ["begin", "separate", "end"]


def test_unmatched_toc_lines_are_used_as_they_are():
    entries = fields.match_toc([(1, "I. One", "B1")], ["Other\t3", "More\t4"])
    assert [(e.level, e.text, e.page, e.anchor) for e in entries] == [
        (1, "Other", "3", None), (1, "More", "4", None)]


# -- header and footer ------------------------------------------------------------------------

def test_running_header_from_page_two_and_page_x_of_y_footers(fcc):
    _, _, xml = fcc
    document = xml["word/document.xml"]
    sect = document.find("w:body/w:sectPr", NS)
    assert sect.find("w:titlePg", NS) is not None
    rels = {r.get("Id"): r.get("Target") for r in xml["word/_rels/document.xml.rels"]}
    refs = {(etree.QName(r).localname, r.get(q("type"))): rels[r.get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")]
        for r in sect if etree.QName(r).localname in ("headerReference", "footerReference")}
    running = xml["word/" + refs[("headerReference", "default")]]
    assert text_of(running) == ("Comments of i2Coalition, Cybersecurity Labeling for IoT"
                                "PS Docket No. 23-239")
    assert running.find(".//w:tab", NS) is not None
    letterhead = xml["word/" + refs[("headerReference", "first")]]
    assert "Internet Infrastructure Coalition" in text_of(letterhead)
    for kind in ("first", "default"):
        footer = xml["word/" + refs[("footerReference", kind)]]
        assert text_of(footer).startswith("Page 1 of 1")  # shown until the fields update
        instr = [i.text.strip() for i in footer.iter(q("instrText"))]
        assert instr == ["PAGE", "NUMPAGES"]


def test_header_helpers():
    assert page.docket_label("23-239") == "Docket No. 23-239"
    assert page.docket_label("WC Docket No. 17-108") == "WC Docket No. 17-108"
    assert page.docket_label("Docket # 170602536") == "Docket # 170602536"
    long = "Request for Comments on Promoting Stakeholder Action Against Botnets and Other"
    assert page.short_title(long) == "Request for Comments on Promoting Stakeholder Action " \
                                     "Against Botnets\u2026"
    assert page.short_title("Short") == "Short"


def test_a_house_footer_with_its_own_page_field_is_left_alone(tmp_path):
    import docx

    house = docx.Document()
    footer = house.sections[0].footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.text = "ACME "
    fields.add_simple_field(p._p, " PAGE ", "1")
    ref = tmp_path / "house.docx"
    house.save(str(ref))
    data = DocxWriter().write(parse_markdown("Text.\n"), WriteContext(reference_docx=ref))
    xml = parts(data)
    footers = [v for k, v in xml.items() if k.startswith("word/footer")]
    texts = sorted(text_of(f) for f in footers)
    assert texts == ["ACME 1", "Page 1 of 1"]  # house default footer kept; first page gets ours


# -- filing shapes ----------------------------------------------------------------------------

def test_fcc_caption_has_the_paren_column_and_the_docket(fcc):
    draft, data, xml = fcc
    assert ":::: {.matter .fcc}" in draft.composition.markdown
    document = xml["word/document.xml"]
    table = document.find("w:body/w:tbl", NS)
    cells = table.findall("w:tr/w:tc", NS)
    assert len(cells) == 3
    left, parens, right = ([text_of(p) for p in c.findall("w:p", NS)] for c in cells)
    assert left == ["In the Matter of", "", "Cybersecurity Labeling for Internet of Things"]
    assert set(parens) == {")"} and len(parens) >= len(left) + 1
    assert right == ["PS Docket No. 23-239"]
    assert cells[2].find("w:tcPr/w:vAlign", NS).get(q("val")) == "center"
    borders = table.find("w:tblPr/w:tblBorders", NS)
    assert {b.get(q("val")) for b in borders} == {"nil"}
    texts = body_texts(data)
    caption = texts.index("Before the\nFederal Communications Commission\nWashington, D.C. 20554")
    assert caption < texts.index("In the Matter of") < texts.index(
        "COMMENTS OF THE INTERNET INFRASTRUCTURE COALITION")


def test_letter_shape_with_addressee_and_re_line(workspace):
    consultation = workspace / "examples" / "cisa-circia-rfi.yaml"
    text = consultation.read_text().replace(
        "  short_name: CISA\n",
        "  short_name: CISA\n  addressee: |-\n    Todd Klessman\n    CIRCIA Rulemaking Team Lead\n")
    consultation.write_text(text)
    out = workspace / "letter.docx"
    result = run_cli("draft", consultation, "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    paras = DocxFile(out.read_bytes()).paragraphs()
    texts = body_texts(out.read_bytes())
    assert texts[0] == "November 14, 2022"
    assert texts[1] == ("Todd Klessman\nCIRCIA Rulemaking Team Lead\n"
                        "U.S. Department of Homeland Security, Washington, D.C. 20528")
    assert texts[2] == ("Re:\tRequest for Information on the Cyber Incident Reporting for "
                        "Critical Infrastructure Act of 2022, Docket No. CISA-2022-0010")
    re_line = next(p for p in paras if p.text.startswith("Re:"))
    assert re_line.bold == ["Re:"]
    assert not any(t.startswith("In the Matter of") for t in texts)
    xml = parts(out.read_bytes())
    re_p = next(p for p in xml["word/document.xml"].iter(q("p")) if text_of(p).startswith("Re:"))
    ind = re_p.find("w:pPr/w:ind", NS)
    assert ind.get(q("hanging")) == "720"
    # the notice citation hangs on the opening sentence that names the notice
    assert re_p.find(".//w:footnoteReference", NS) is None
    opening = next(p for p in xml["word/document.xml"].iter(q("p"))
                   if text_of(p).startswith("Thank you for the opportunity"))
    assert opening.find(".//w:footnoteReference", NS) is not None


def test_eu_title_block_with_transparency_register(workspace, tmp_path):
    org = workspace / "org.yaml"
    org.write_text(org.read_text().replace("\ntransparency_register:\n",
                                           "\ntransparency_register: \"123456789012-34\"\n"))
    out = workspace / "eu.docx"
    result = run_cli("draft", workspace / "examples" / "eu-manifesto-2024.yaml", "-o", out,
                     cwd=workspace)
    assert result.code == 0, result.err
    paras = DocxFile(out.read_bytes()).paragraphs()
    assert paras[0].style == "title"
    assert paras[1].style == "subtitle" and paras[1].text == \
        "Internet Infrastructure Coalition (i2Coalition)"
    assert body_texts(out.read_bytes())[2] == \
        "EU Transparency Register: 123456789012-34\n1 March 2024"
    # without the register number the line is simply absent
    plain = run_cli("draft", EXAMPLES / "eu-manifesto-2024.yaml", "-o", tmp_path / "p.md")
    assert plain.code == 0
    assert "Transparency Register" not in (tmp_path / "p.md").read_text()


def test_signature_block_from_the_organisation_facts(fcc):
    _, data, _ = fcc
    paras = DocxFile(data).paragraphs()
    start = next(i for i, p in enumerate(paras) if p.text == "Respectfully submitted,")
    block = paras[start:start + 3]
    assert all(p.style == "signature" for p in block)
    texts = body_texts(data)
    assert texts[start + 1] == ("/s/ Christian Dawson\nCo-Founder & Board Chair\n"
                                "Internet Infrastructure Coalition\n"
                                "[[TODO: mailing address (org.yaml: address)]]")
    assert block[2].text == "Dated: October 6, 2023"
    assert not any("contact@i2coalition.com" in t for t in texts)


def test_every_example_drafts_to_docx(tmp_path):
    for example in sorted(EXAMPLES.glob("*.yaml")):
        out = tmp_path / (example.stem + ".docx")
        result = run_cli("draft", example, "-o", out)
        assert result.code == 0, (example.name, result.err)
        assert zipfile.is_zipfile(out)


def test_shipped_templates_still_listed(tmp_path):
    """house-style.docx in templates/ is not taken for a template."""
    result = run_cli("templates", "list")
    assert result.code == 0
    assert "house-style" not in result.out


def test_markdown_tables_are_word_tables():
    markdown = "| Item | Cost |\n|:-----|-----:|\n| Hosting & DNS | 5 |\n| Audit | 10 |\n"
    data = DocxWriter().write(parse_markdown(markdown), WriteContext())
    table = parts(data)["word/document.xml"].find("w:body/w:tbl", NS)
    styles = DocxFile(data).style_names
    assert styles[table.find("w:tblPr/w:tblStyle", NS).get(q("val"))] == "Table Grid"
    rows = table.findall("w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    cells = [[text_of(tc) for tc in tr.findall("w:tc", NS)] for tr in rows]
    assert cells == [["Item", "Cost"], ["Hosting & DNS", "5"], ["Audit", "10"]]
    assert rows[0].find("w:tc/w:p/w:r/w:rPr/w:b", NS) is not None
    right = rows[1].findall("w:tc", NS)[1].find("w:p/w:pPr/w:jc", NS)
    assert right.get(q("val")) == "right"


def test_a_letterhead_in_the_only_header_stays_on_page_one(tmp_path):
    import docx
    from docx.shared import Inches

    house = docx.Document()
    header = house.sections[0].header
    header.is_linked_to_previous = False
    header.paragraphs[0].text = "ACME LETTERHEAD"
    logo = tmp_path / "logo.png"
    logo.write_bytes(_png_1x1())
    header.paragraphs[0].add_run().add_picture(str(logo), width=Inches(0.5))
    ref = tmp_path / "house.docx"
    house.save(str(ref))
    data = DocxWriter().write(parse_markdown("Text.\n", {"title": "A filing"}),
                              WriteContext(reference_docx=ref))
    xml = parts(data)
    document = xml["word/document.xml"]
    sect = document.find("w:body/w:sectPr", NS)
    rels = {r.get("Id"): r.get("Target") for r in xml["word/_rels/document.xml.rels"]}
    r_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    first = sect.find("w:headerReference[@w:type='first']", NS).get(r_id)
    default = sect.find("w:headerReference[@w:type='default']", NS).get(r_id)
    first_xml, default_xml = xml["word/" + rels[first]], xml["word/" + rels[default]]
    assert text_of(first_xml) == "ACME LETTERHEAD"
    assert text_of(default_xml) == "ACME LETTERHEADA filing"  # house content, then ours
    # the picture came along, with a relationship of its own part
    blip = first_xml.find(".//{http://schemas.openxmlformats.org/drawingml/2006/main}blip")
    embed = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
    first_rels = xml["word/_rels/" + rels[first] + ".rels"]
    assert any(r.get("Id") == embed and r.get("Target").startswith("media/") for r in first_rels)


def _png_1x1() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x1f\x38\x64")) + chunk(b"IEND", b""))
