"""Issue 12, items 1-11: what a Washington or Brussels reader expects of a filing.

Each test reads the DOCX (python-docx and the raw XML) and, where layout matters, what
LibreOffice makes of it (PDF text through pdftotext, or a plain-text export).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from drafter.compose.citation import agency_mentions, fed_reg, joined_dockets
from drafter.load.workspace import discover
from drafter.model import parse_markdown
from drafter.pipeline import Session
from drafter.writers import WriteContext
from drafter.writers.docx.writer import DocxWriter
from tests.conftest import EXAMPLES, ROOT, require_tool, run_cli
from tests.docxread import NS, DocxFile, q

FCC = "fcc-iot-labeling-comments"
CISA = "cisa-circia-rfi"
NTIA = "ntia-botnets-comments"
MANIFESTO = "eu-manifesto-2024"
EC = "ec-encryption-call-for-evidence"
ALL = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"


@pytest.fixture(scope="module")
def session():
    return Session(discover(start=ROOT))


@pytest.fixture(scope="module")
def drafts(session):
    """name -> (composed Markdown, DOCX bytes) for every example."""
    out = {}
    for name in ALL:
        draft = session.draft(EXAMPLES / f"{name}.yaml")
        out[name] = (draft.composition.markdown, session.render(draft, "docx"))
    return out


@pytest.fixture(scope="module")
def pdfs(session, tmp_path_factory):
    """name -> list of page texts (pdftotext -layout, spaces folded), through LibreOffice."""
    from tests.test_real_clients import pdf_text, require_uno

    require_uno()
    require_tool("pdftotext")
    from drafter.writers.pdf import run_office

    names = [FCC, CISA, NTIA, MANIFESTO, EC]
    # As the PDF writer does: without the Word comments of review notes (LibreOffice's export
    # through UNO fails on them; a PDF shows none).
    documents = [session.render(session.draft(EXAMPLES / f"{n}.yaml"), "docx", comments=False)
                 for n in names]
    results = run_office(documents, pdf=True, what="test batch")
    tmp = tmp_path_factory.mktemp("conventions")
    out = {}
    for name, result in zip(names, results):
        (tmp / f"{name}.pdf").write_bytes(result["pdf"])
        text = pdf_text(result["pdf"], tmp, name)
        out[name] = [p for p in text.split("\f") if p.strip()]
    out["_dir"] = tmp
    return out


def _body(data: bytes):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(q("t")))


def _cells(data: bytes) -> list[list[str]]:
    """The first table's cells, each as its paragraphs' texts (blank ones dropped)."""
    tbl = _body(data).find(".//w:tbl", NS)
    assert tbl is not None, "no caption table"
    return [[_text(p) for p in tc.findall("w:p", NS) if _text(p).strip()]
            for tc in tbl.iter(q("tc"))]


def _header_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.sections[0].header.paragraphs)


def _core(data: bytes):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml"))


# -- 1. the US caption -------------------------------------------------------------------------

def test_item01_caption_in_the_matter_of_on_its_own_line_docket_in_right_column(drafts, pdfs):
    _, data = drafts[CISA]
    left, parens, right = _cells(data)
    assert left == ["In the Matter of", "Request for Information on the Cyber Incident "
                    "Reporting for Critical Infrastructure Act of 2022"]
    assert set(parens) == {")"} and len(parens) >= 3
    assert right == ["Docket No. CISA-2022-0010"]
    texts = [p.text for p in DocxFile(data).paragraphs()]
    assert not any(t.startswith("In the Matter of ") for t in texts)  # no run-in line
    # LibreOffice lays it out as two columns
    first = pdfs[CISA][0]
    assert re.search(r"^In the Matter of \)$", first, re.M)
    assert re.search(r"^(\) )?Docket No\. CISA-2022-0010$", first, re.M)
    # without docket or RIN: two lines, no right-hand column
    _, ntia = drafts[NTIA]
    assert _body(ntia).find(".//w:tbl", NS) is None
    texts = [p.text for p in DocxFile(ntia).paragraphs()]
    at = texts.index("In the Matter of")
    assert texts[at + 1].startswith("Request for Comments on Promoting Stakeholder Action")


# -- 2. several dockets --------------------------------------------------------------------------

def test_item02_docket_list_in_caption_header_metadata_and_schema(workspace, tmp_path):
    path = workspace / "examples" / f"{FCC}.yaml"
    path.write_text(path.read_text().replace(
        "docket: PS Docket No. 23-239\n",
        "docket: [PS Docket No. 23-239, PS Docket No. 22-90]\n"))
    out = tmp_path / "fcc.docx"
    result = run_cli("draft", path, "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    data = out.read_bytes()
    left, parens, right = _cells(data)
    assert right == ["PS Docket No. 23-239", "PS Docket No. 22-90"]   # each on its own line
    assert len(parens) >= 3
    assert "PS Docket Nos. 23-239, 22-90" in _header_text(data)
    core = _core(data)
    assert core.find(f"{DC}identifier").text == "PS Docket No. 23-239; PS Docket No. 22-90"
    everything = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n)
                          for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
                          if n.endswith(".xml"))
    assert b"['" not in everything and b"&apos;]" not in everything
    check = run_cli("check", path, cwd=workspace)
    assert check.code == 0, check.out + check.err
    import json
    schema = json.loads(run_cli("schema", "consultation").out)
    kinds = [option.get("type") for option in schema["properties"]["docket"]["anyOf"]]
    assert "string" in kinds and "array" in kinds
    assert joined_dockets(["WC Docket No. 17-108", "Docket No. X"]) == \
        "WC Docket No. 17-108; Docket No. X"


# -- 3. keep with next ----------------------------------------------------------------------------

def _keeps(p) -> bool:
    return p.find("w:pPr/w:keepNext", NS) is not None


def test_item03_keep_with_next_titles_questions_and_widow_control(drafts, pdfs):
    _, data = drafts[MANIFESTO]
    body = _body(data)
    titles = [p for p in body.iter(q("p")) if p.find("w:pPr/w:numPr", NS) is not None
              and p.find(".//w:b", NS) is not None]
    assert len(titles) >= 15
    assert all(_keeps(p) for p in titles)
    # question heading (style) and quoted question (paragraph) keep with the answer
    _, cisa = drafts[CISA]
    styles = DocxFile(cisa)
    quotes = [p for p in _body(cisa).iter(q("p"))
              if styles.style_names.get(getattr(p.find("w:pPr/w:pStyle", NS), "get",
                                                lambda _: "")(q("val"))) == "Quote"]
    assert len(quotes) == 8 and all(_keeps(p) for p in quotes)
    heading2 = next(s for s in styles.styles.findall("w:style", NS)
                    if s.find("w:name", NS).get(q("val")).lower() == "heading 2")
    assert heading2.find("w:pPr/w:keepNext", NS) is not None
    normal = next(s for s in styles.styles.findall("w:style", NS)
                  if s.get(q("default")) == "1" and s.get(q("type")) == "paragraph")
    assert normal.find("w:pPr/w:widowControl", NS) is not None
    # in LibreOffice's layout no page ends on an item title or a question's heading
    title_texts = {_text(p).strip() for p in titles}
    for name in (MANIFESTO, CISA):
        for page in pdfs[name][:-1]:
            lines = [line for line in page.split("\n") if line.strip()
                     and not line.startswith("Page ")]
            last = lines[-1]
            assert last not in title_texts and not re.match(r"^Question \d+$", last), \
                (name, last)


# -- 4. A4 ---------------------------------------------------------------------------------------

def _page_size(data: bytes) -> tuple[int, int]:
    size = _body(data).find(".//w:sectPr/w:pgSz", NS)
    return int(size.get(q("w"))), int(size.get(q("h")))


def test_item04_a4_for_eu_and_uk_letter_for_us(drafts, pdfs):
    for name in (MANIFESTO, EC, "ec-lawful-access-questionnaire"):
        assert _page_size(drafts[name][1]) == (11906, 16838), name
    for name in (FCC, CISA, NTIA):
        assert _page_size(drafts[name][1]) == (12240, 15840), name
    info = subprocess.run(["pdfinfo", str(pdfs["_dir"] / f"{EC}.pdf")], capture_output=True,
                          text=True).stdout
    assert "(A4)" in info
    # the template option paper decides otherwise; UK is A4 too
    doc = parse_markdown("Text.\n", {"jurisdiction": "EU"}, {"paper": "letter"})
    assert _page_size(DocxWriter().write(doc, WriteContext())) == (12240, 15840)
    doc = parse_markdown("Text.\n", {"jurisdiction": "UK"}, {})
    assert _page_size(DocxWriter().write(doc, WriteContext())) == (11906, 16838)


# -- 5. table of contents ------------------------------------------------------------------------

def test_item05_toc_written_at_generation_readable_without_update(drafts, tmp_path):
    _, data = drafts[FCC]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "Update this field" not in xml
    doc = DocxFile(data)
    toc = [(p.style, p.text) for p in doc.paragraphs() if p.style.startswith("toc ")
           and p.style != "toc heading"]
    assert toc[:4] == [("toc 1", "I. INTRODUCTION"), ("toc 1", "II. GENERAL FEEDBACK"),
                       ("toc 1", "III. IDENTIFICATION OF CONCERNS"),
                       ("toc 2", "a. Global, Diverse Scope")]
    # each entry links to its heading's bookmark, all inside the one TOC field
    body = _body(data)
    marks = {b.get(q("name")) for b in body.iter(q("bookmarkStart"))}
    anchors = [h.get(q("anchor")) for h in body.iter(q("hyperlink")) if h.get(q("anchor"))]
    assert len(anchors) == len(toc) and set(anchors) <= marks
    instr = [i.text for i in body.iter(q("instrText")) if "TOC" in (i.text or "")]
    assert len(instr) == 1
    # LibreOffice's own text export (no field update) shows the entries
    soffice = require_tool("soffice", "libreoffice")
    src = tmp_path / "fcc.docx"
    src.write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path),
                    str(src)], capture_output=True, timeout=180, check=True)
    text = (tmp_path / "fcc.txt").read_text(encoding="utf-8-sig")
    contents = text.split("Table of Contents", 1)[1]
    assert "INTRODUCTION" in contents.split("Thank you", 1)[0]
    assert "Update this field" not in text


# -- 6. signature ------------------------------------------------------------------------------

def test_item06_signature_s_name_title_org_address_and_date(drafts, workspace, tmp_path):
    texts = [p.text for p in DocxFile(drafts[FCC][1]).paragraphs()]
    at = texts.index("Respectfully submitted,")
    assert texts[at + 1] == ("/s/ Christian DawsonCo-Founder & Board ChairInternet "
                             "Infrastructure Coalition[[TODO: mailing address (org.yaml: "
                             "address)]]")
    assert texts[at + 2] == "Dated: October 6, 2023"
    assert not any("contact@i2coalition.com" in t for t in texts)   # no letterhead repeated
    title = texts.index("COMMENTS OF THE INTERNET INFRASTRUCTURE COALITION")
    assert "October 6, 2023" not in texts[title + 1]                 # no date under the title
    cisa = [p.text for p in DocxFile(drafts[CISA][1]).paragraphs()]
    assert cisa[cisa.index("Respectfully submitted,") + 2] == "November 14, 2022"
    # with the mailing address in org.yaml: its lines, no placeholder
    org = workspace / "org.yaml"
    org.write_text(org.read_text().replace(
        "\naddress:\n", "\naddress: |-\n  1 Example Street NW\n  Washington, DC 20001\n"))
    out = tmp_path / "fcc.md"
    assert run_cli("draft", workspace / "examples" / f"{FCC}.yaml", "-o", out,
                   cwd=workspace).code == 0
    md = out.read_text()
    assert "Internet Infrastructure Coalition\\\n1 Example Street NW\\\nWashington, DC 20001" in md
    assert "mailing address" not in md
    schema = run_cli("schema", "org").out
    assert '"address"' in schema and '"transparency_register"' in schema


# -- 7. citations --------------------------------------------------------------------------------

def test_item07_legal_citation_footnote_on_the_opening_sentence(drafts):
    assert fed_reg("88 FR 58211", dt.date(2023, 8, 25)) == "88 Fed. Reg. 58,211 (Aug. 25, 2023)"
    assert fed_reg("87 FR 55833", dt.date(2022, 9, 12)) == "87 Fed. Reg. 55,833 (Sept. 12, 2022)"
    assert fed_reg("83 Fed. Reg. 26036", dt.date(2018, 6, 5)) == \
        "83 Fed. Reg. 26,036 (June 5, 2018)"
    assert fed_reg("Something else") == "Something else"
    _, data = drafts[FCC]
    notes = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/footnotes.xml"))
    first = next(n for n in notes.findall("w:footnote", NS) if n.get(q("id")) == "1")
    assert _text(first).strip() == (
        "Cybersecurity Labeling for Internet of Things, PS Docket No. 23-239, Notice of "
        "Proposed Rulemaking, FCC 23-65, 88 Fed. Reg. 58,211 (Aug. 25, 2023), "
        "https://www.federalregister.gov/d/2023-18357.")
    body = _body(data)
    marked = [p for p in body.iter(q("p")) if p.find(".//w:footnoteReference", NS) is not None
              and p.find(".//w:footnoteReference", NS).get(q("id")) == "1"]
    assert len(marked) == 1 and _text(marked[0]).startswith("Thank you for the opportunity")
    assert body.find(".//w:tbl", NS).find(".//w:footnoteReference", NS) is None  # not the caption


# -- 8. skipped questions ----------------------------------------------------------------------

def test_item08_skipped_questions_are_left_out_reason_kept_in_coverage(workspace, tmp_path):
    path = workspace / "examples" / f"{CISA}.yaml"
    text = path.read_text()
    start, end = text.index('\n  "2":\n', text.index("\nanswers:")), text.index('\n  "3":\n')
    path.write_text(text[:start] + '\n  "2": {skip: outside our members\' remit}' + text[end:])
    out = tmp_path / "c.docx"
    assert run_cli("draft", path, "-o", out, cwd=workspace).code == 0
    texts = [p.text for p in DocxFile(out.read_bytes()).paragraphs()]
    assert "Question 1" in texts and "Question 3" in texts and "Question 2" not in texts
    assert not any("No response" in t or "remit" in t for t in texts)
    coverage = run_cli("coverage", path, cwd=workspace)
    assert re.search(r"2\s+skipped.*remit", coverage.out), coverage.out
    # the template option show_skipped keeps a line in its place
    template = workspace / "templates" / "with-skipped.jinja"
    template.write_text((workspace / "templates" / "us-rfc-responses.jinja").read_text()
                        .replace("options:\n", "options:\n  show_skipped: true\n", 1))
    out2 = tmp_path / "c2.md"
    assert run_cli("draft", path, "-t", "with-skipped", "-o", out2, cwd=workspace).code == 0
    md = out2.read_text()
    assert "## Question 2\n" in md and "*No response to this question.*" in md


# -- 9. typography and running header -----------------------------------------------------------

def test_item09_curly_quotes_everywhere_and_a_sensible_running_title(drafts):
    for name in ALL:
        texts = [p.text for p in DocxFile(drafts[name][1]).paragraphs()]
        straight = [t for t in texts if '"' in t or re.search(r"\w'\w", t)]
        assert straight == [], (name, straight[:2])
    cisa = "\n".join(p.text for p in DocxFile(drafts[CISA][1]).paragraphs())
    assert "“covered entity”" in cisa
    header = _header_text(drafts[NTIA][1])
    assert header == "i2Coalition Comments to NTIA"
    assert "\u2026" not in header
    # a short title is kept, with the body's typography; the docket goes beside it
    assert _header_text(drafts[CISA][1]).endswith("\tDocket No. CISA-2022-0010")
    assert _header_text(drafts["ntia-consumer-privacy-rfc"][1]).startswith(
        "Developing the Administration’s Approach to Consumer Privacy\t")


# -- 10. metadata --------------------------------------------------------------------------------

def test_item10_metadata_a_recipient_should_see(drafts, workspace, tmp_path, monkeypatch):
    core = _core(drafts[FCC][1])
    assert core.find(f"{DC}subject").text == \
        "Comments of the Internet Infrastructure Coalition, PS Docket No. 23-239"
    status = core.find(f"{CP}contentStatus")
    assert status is None or not (status.text or "").strip()
    keywords = core.find(f"{CP}keywords").text
    assert keywords and not re.search(r"\b[a-z]+-[a-z]+\b", keywords)   # labels, not ids
    assert core.find(f"{DCTERMS}created").text.startswith("2023-10-06")
    # no date anywhere: no invented 2000-01-01
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    path = workspace / "examples" / "undated.yaml"
    path.write_text("title: T\nagency: {name: Test Agency, short_name: TA}\nkind: rfc\n"
                    "jurisdiction: US\n")
    out = tmp_path / "u.docx"
    assert run_cli("draft", path, "-o", out, cwd=workspace).code == 0
    core = _core(out.read_bytes())
    assert core.find(f"{DCTERMS}created") is None and core.find(f"{DCTERMS}modified") is None
    assert b"2000-01-01" not in zipfile.ZipFile(out).read("docProps/core.xml")


# -- 11. agency wording ---------------------------------------------------------------------------

def test_item11_agency_named_once_in_full_no_possessive_before_parentheses(drafts):
    for name in ALL:
        md = drafts[name][0]
        assert not re.search(r"[’']s \(", md), name
    assert "issued by the Federal Communications Commission (the Commission)." in drafts[FCC][0]
    ec = drafts[EC][0]   # an EU paper names the Commission in full before "the Commission"
    assert "European Commission" in ec and ec.index("European Commission") < ec.index("the Commission")
    assert "issued by the National Telecommunications and Information Administration (NTIA)." \
        in drafts[NTIA][0]
    assert agency_mentions("Federal Trade Commission", "FTC") == \
        ("Federal Trade Commission (the Commission)", "the Commission")
    assert agency_mentions("Cybersecurity and Infrastructure Security Agency", "CISA") == \
        ("Cybersecurity and Infrastructure Security Agency (CISA)", "CISA")
    assert agency_mentions("Department of Commerce", "Department") == \
        ("Department of Commerce (the Department)", "the Department")


def test_an_agency_whose_short_name_is_its_name_is_not_named_twice():
    assert agency_mentions("Home Office", "Home Office") == ("Home Office", "the Home Office")
    assert agency_mentions("Home Office", "the Home Office") == ("Home Office", "the Home Office")
    assert agency_mentions("Ofcom", "Ofcom") == ("Ofcom", "Ofcom")
    assert agency_mentions("Home Office", "HO") == ("Home Office (HO)", "HO")


def test_an_agency_whose_ref_is_its_name_with_the_article_is_not_named_twice():
    # `drafter new --agency "Home Office" --agency-short "Home Office" --agency-ref "the Home
    # Office"` printed "issued by the Home Office (the Home Office)."
    assert agency_mentions("Home Office", "Home Office", "the Home Office") == \
        ("Home Office", "the Home Office")
    assert agency_mentions("Ofcom", "Ofcom", "Ofcom") == ("Ofcom", "Ofcom")
    assert agency_mentions("Home Office", "Home Office", "the Department") == \
        ("Home Office (the Department)", "the Department")


def test_a_department_named_by_its_subject_takes_no_article():
    assert agency_mentions("Department of Commerce", "Commerce") == \
        ("Department of Commerce (Commerce)", "Commerce")
    assert agency_mentions("Department of the Treasury", "Treasury") == \
        ("Department of the Treasury (Treasury)", "Treasury")
    assert agency_mentions("Department of Commerce", "Commerce Department") == \
        ("Department of Commerce (the Commerce Department)", "the Commerce Department")


def test_item01_fcc_caption_keeps_the_docket_placeholder_when_missing(workspace, tmp_path):
    path = workspace / "examples" / f"{FCC}.yaml"
    path.write_text(path.read_text().replace("docket: PS Docket No. 23-239\n", ""))
    out = tmp_path / "f.composed.md"
    assert run_cli("draft", path, "-o", out, cwd=workspace).code == 0
    assert "::: {.docket}\n**[[TODO: docket number]]**" in out.read_text()


def test_item02_docket_list_validates_its_items(tmp_path):
    from drafter.load.consultation import load_consultation

    path = tmp_path / "c.yaml"
    path.write_text("title: T\nagency: {name: A, short_name: A}\nkind: rfc\njurisdiction: US\n"
                    "docket: [24-146, 22-90]\n")
    model = load_consultation(path).model
    assert model.dockets == ["24-146", "22-90"]
    assert model.docket_text == "24-146; 22-90"
    path.write_text(path.read_text().replace("[24-146, 22-90]", "[single]"))
    assert load_consultation(Path(path)).model.docket == "single"


def test_item02_fcc_proceedings_each_beside_its_docket(workspace, tmp_path):
    path = workspace / "examples" / f"{FCC}.yaml"
    path.write_text(path.read_text().replace(
        "docket: PS Docket No. 23-239\n",
        "docket:\n  - {docket: PS Docket No. 21-346, proceeding: Resilient Networks}\n"
        "  - docket: PS Docket No. 15-80\n"
        "    proceeding: Amendments to Part 4 of the Commission's Rules Concerning "
        "Disruptions to Communications\n"))
    out = tmp_path / "p.docx"
    result = run_cli("draft", path, "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    tbl = _body(out.read_bytes()).find(".//w:tbl", NS)
    rows = [[[_text(p) for p in tc.findall("w:p", NS) if _text(p).strip()]
             for tc in tr.findall("w:tc", NS)] for tr in tbl.findall("w:tr", NS)]
    assert [(r[0], r[2]) for r in rows] == [
        (["In the Matter of", "Resilient Networks"], ["PS Docket No. 21-346"]),
        (["Amendments to Part 4 of the Commission’s Rules Concerning Disruptions to "
          "Communications"], ["PS Docket No. 15-80"])]
    assert all(set(r[1]) == {")"} for r in rows)
    assert run_cli("check", path, cwd=workspace).code == 0


def test_item02_harvest_finds_a_filing_with_several_dockets(workspace, tmp_path):
    path = workspace / "examples" / f"{CISA}.yaml"
    path.write_text(path.read_text().replace("docket: CISA-2022-0010\n",
                                             "docket: [CISA-2022-0010, CISA-2022-0011]\n"))
    out = tmp_path / "c.docx"
    assert run_cli("draft", path, "-o", out, cwd=workspace).code == 0
    assert _core(out.read_bytes()).find(f"{DC}identifier").text == \
        "CISA-2022-0010; CISA-2022-0011"
    result = run_cli("harvest", out, "--format", "json", cwd=workspace)
    assert result.code == 0, result.err


def test_item03_text_after_a_list_keeps_the_body_spacing():
    doc = parse_markdown("Intro.\n\n1. one\n2. two\n\nAfter the list.\n", {}, {})
    body = _body(DocxWriter().write(doc, WriteContext()))
    paras = body.findall("w:body/w:p", NS)
    spacing = [p.find("w:pPr/w:spacing", NS) for p in paras]
    assert [_text(p) for p in paras] == ["Intro.", "one", "two", "After the list."]
    assert spacing[1] is None                       # inside the list: the style's spacing
    assert spacing[2].get(q("after")) == "160"      # the last item: the body's space after


def test_item05_annotated_filing_gets_its_page_numbers_too(tmp_path):
    from tests.test_real_clients import require_uno

    require_uno()
    out = tmp_path / "a.docx"
    result = run_cli("draft", EXAMPLES / f"{FCC}.yaml", "-o", out, "--annotate",
                     "--update-fields")
    assert result.code == 0, result.err
    doc = DocxFile(out.read_bytes())
    toc = [p.text for p in doc.paragraphs() if p.style == "toc 1"]
    assert toc[:2] == ["I. INTRODUCTION1", "II. GENERAL FEEDBACK2"]
    assert "word/comments.xml" in zipfile.ZipFile(out).namelist()


# -- the closing after answers to questions ------------------------------------------------------

def _headings_and_text(docx_path):
    from docx import Document

    return [(p.style.name, p.text) for p in Document(str(docx_path)).paragraphs if p.text.strip()]


@pytest.mark.parametrize("example, heading, closing_starts", [
    ("ec-lawful-access-questionnaire.yaml", "Conclusion", "The i2Coalition (Internet Infrastructure"),
    ("cisa-circia-rfi.yaml", "CONCLUSION", "Thank you again"),
])
def test_closing_after_questions_has_a_heading_not_the_last_questions(example, heading,
                                                                     closing_starts, tmp_path):
    """Without a heading of its own, the closing paragraph read as part of the last answer."""
    out = tmp_path / "f.docx"
    assert run_cli("draft", EXAMPLES / example, "-o", out).code == 0
    paragraphs = _headings_and_text(out)
    at = next(i for i, (_, text) in enumerate(paragraphs) if text.startswith(closing_starts))
    style, text = paragraphs[at - 1]
    assert style.startswith("Heading 1") and text.endswith(heading), paragraphs[at - 3:at + 1]


def test_seed_rebuild_without_questions_keeps_its_closing_without_heading(tmp_path):
    """The NTIA botnet comments closed without a heading: a rebuild stays faithful."""
    out = tmp_path / "f.docx"
    assert run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out).code == 0
    paragraphs = _headings_and_text(out)
    assert not any(text.endswith("CONCLUSION") for _, text in paragraphs)


def test_eu_questionnaire_closes_with_thanks_not_a_third_description_of_the_coalition(tmp_path):
    """A new EU questionnaire response described the coalition twice under "About" and a
    third time after the last answer; its default closing is now the thanks."""
    path = tmp_path / "ec.yaml"
    path.write_text("title: Retention of data by service providers\n"
                    "agency: {name: European Commission, short_name: Commission}\n"
                    "kind: call-for-evidence\njurisdiction: EU\n"
                    "questions:\n  - {id: '1', text: Which providers should be covered?}\n")
    out = tmp_path / "ec.docx"
    assert run_cli("draft", path, "-o", out, cwd=ROOT).code == 0
    paragraphs = _headings_and_text(out)
    heading, closing = paragraphs[-2], paragraphs[-1]
    assert heading[0].startswith("Heading 1") and heading[1] == "Conclusion"
    assert closing[1].startswith("Thank you again for the opportunity to present our views.")
    assert not any(t.startswith("The i2Coalition (Internet Infrastructure Coalition) ensures")
                   for _, t in paragraphs)


@pytest.mark.parametrize("name", [EC, "ec-lawful-access-questionnaire"])
def test_eu_filings_describe_the_coalition_once_under_about(drafts, name):
    """The "About" section of an EU filing is one paragraph: the shipped examples had two
    near-identical descriptions of the coalition one after the other."""
    document = docx.Document(io.BytesIO(drafts[name][1]))
    paragraphs = [(p.style.name, p.text.strip()) for p in document.paragraphs if p.text.strip()]
    start = next(i for i, (style, text) in enumerate(paragraphs)
                 if style.startswith("Heading") and text.startswith("About the "))
    end = next(i for i in range(start + 1, len(paragraphs))
               if paragraphs[i][0].startswith("Heading"))
    about = [text for _, text in paragraphs[start + 1:end]]
    assert len(about) == 1, about
    assert "doing business in the EU" in about[0]
    body = "\n".join(text for _, text in paragraphs)
    assert "is the voice for worldwide businesses" not in body


UK_RESPONSE = """title: Revised notices regime
agency: {name: Home Office, short_name: Home Office}
kind: public-consultation
jurisdiction: UK
date: 2023-07-28
questions:
  - id: "1"
    text: Should operators give advance notice of changes to their services?
"""


def test_document_subject_says_what_the_filing_is(drafts, workspace):
    # A UK response's properties said "Comments of ..." while its page says "response from".
    assert _core(drafts[EC][1]).find(f"{DC}subject").text == \
        "Contribution of the Internet Infrastructure Coalition"
    assert _core(drafts[NTIA][1]).find(f"{DC}subject").text == \
        "Comments of the Internet Infrastructure Coalition"
    (workspace / "examples" / "uk.yaml").write_text(UK_RESPONSE)
    run_cli("draft", "examples/uk.yaml", "-o", "out/uk.docx", cwd=workspace)
    assert _core((workspace / "out" / "uk.docx").read_bytes()).find(f"{DC}subject").text == \
        "Response of the Internet Infrastructure Coalition"
