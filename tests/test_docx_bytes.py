"""Reproducible bytes (zip, properties, comment dates, no python-docx leftovers) and text that
would break XML or render wrongly (control characters, RTL, CJK, emoji, markup characters)."""

from __future__ import annotations

import hashlib
import io
import zipfile

from lxml import etree

from drafter.errors import Diagnostics
from drafter.model import parse_markdown
from drafter.writers import WriteContext
from drafter.writers.docx import package
from drafter.writers.docx.writer import DocxWriter
from tests.conftest import EXAMPLES, run_process
from tests.docxread import NS, DocxFile, q


def write(markdown: str, meta: dict | None = None, **ctx) -> bytes:
    return DocxWriter().write(parse_markdown(markdown, meta or {}),
                              WriteContext(diagnostics=Diagnostics(), **ctx))


def test_annotated_fcc_filing_is_byte_identical_across_processes(tmp_path):
    outputs = []
    for name, seed in (("a.docx", "1"), ("b.docx", "7")):
        out = tmp_path / name
        result = run_process("draft", EXAMPLES / "fcc-iot-labeling-comments.yaml", "-o", out,
                             "--annotate", env={"PYTHONHASHSEED": seed})
        assert result.code == 0, result.err
        outputs.append(out.read_bytes())
    assert hashlib.sha256(outputs[0]).hexdigest() == hashlib.sha256(outputs[1]).hexdigest()


def test_zip_entries_have_fixed_times_and_no_leftovers():
    data = write("# A\n\nText[^1].\n\n[^1]: Note.\n", {"title": "T", "date": None},
                 annotate=False)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert infos[0].filename == "[Content_Types].xml"
        blobs = {i.filename: z.read(i.filename) for i in infos}
    for name, blob in blobs.items():
        lowered = blob.lower()
        assert b"python-docx" not in lowered and b"python_docx" not in lowered, name
        assert b"macintosh word" not in lowered, name
    assert not any(n.startswith("customXml") or "thumbnail" in n for n in blobs)
    app = etree.fromstring(blobs["docProps/app.xml"])
    assert app.findtext("{*}Application") == "drafter"
    assert app.find("{*}Template") is None


def test_core_properties_and_comment_dates_follow_the_filing_date(monkeypatch):
    import datetime as dt

    meta = {"title": "T", "date": dt.date(2021, 5, 4), "author": "Org", "docket": "X-1"}
    doc = parse_markdown('::: {.block block="b" hash="0123456789"}\nText.\n:::\n', meta)
    data = DocxWriter().write(doc, WriteContext(annotate=True))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = z.read("docProps/core.xml").decode()
        comments = etree.fromstring(z.read("word/comments.xml"))
    assert core.count("2021-05-04T00:00:00Z") == 3  # created, modified, last printed
    assert "<cp:revision>1</cp:revision>" in core and "<dc:identifier>X-1</dc:identifier>" in core
    assert comments.find("w:comment", NS).get(q("date")) == "2021-05-04T00:00:00Z"

    # no date: SOURCE_DATE_EPOCH, else a fixed epoch, never "now"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert package.document_time({}).isoformat() == "2023-11-14T22:13:20+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert package.document_time({}) == package.FIXED_EPOCH
    first = write("Text.\n")
    assert write("Text.\n") == first


# -- text safety ------------------------------------------------------------------------------

def test_control_characters_are_cleaned_and_text_normalised():
    raw = "A\x00B\x07C\x1fD\ufffeE \u0065\u0301 tab\there\r\nnext\x0bvt\x0cff"
    data = write(raw + "\n")
    paragraph = DocxFile(data).paragraphs()[0]
    # CR LF, vertical tab and form feed are line ends: soft breaks inside a paragraph
    assert paragraph.text == "ABCDE \u00e9 tabhere next vt ff"
    document = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    run_children = [etree.QName(c).localname for r in document.iter(q("r")) for c in r]
    assert "tab" in run_children
    assert b"\r" not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_markup_characters_and_emoji_pass_through():
    data = write("Fees & charges < 5 > 3 \u201cquoted\u201d \U0001F680 done\n")
    assert DocxFile(data).paragraphs()[0].text == \
        "Fees & charges < 5 > 3 \u201cquoted\u201d \U0001F680 done"
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert "&amp; charges &lt; 5 &gt; 3" in xml


def test_right_to_left_paragraphs_and_runs():
    data = write("\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd and Latin\n\n"
                 "Latin first \u0645\u0631\u062d\u0628\u0627\n")
    document = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    hebrew, mixed = [p for p in document.iter(q("p")) if "".join(p.itertext()).strip()]
    assert hebrew.find("w:pPr/w:bidi", NS) is not None
    run = hebrew.find("w:r", NS)
    assert run.find("w:rPr/w:rtl", NS) is not None
    assert run.find("w:rPr/w:lang", NS).get(q("bidi")) == "he-IL"
    assert mixed.find("w:pPr/w:bidi", NS) is None  # the first strong character is Latin
    assert mixed.find("w:r/w:rPr/w:lang", NS).get(q("bidi")) == "ar-SA"


def test_cjk_runs_get_east_asian_fonts():
    data = write("\u4e2d\u6587\u6587\u672c\n\n\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\n\n"
                 "\ud55c\uad6d\uc5b4\n\n**\u7c97\u4f53**\n")
    document = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    runs = [r for r in document.iter(q("r")) if r.find("w:t", NS) is not None]
    fonts = [(r.find("w:rPr/w:rFonts", NS).get(q("eastAsia")),
              r.find("w:rPr/w:lang", NS).get(q("eastAsia"))) for r in runs]
    assert fonts == [("SimSun", "zh-CN"), ("MS Mincho", "ja-JP"), ("Batang", "ko-KR"),
                     ("SimSun", "zh-CN")]
    assert runs[3].find("w:rPr/w:b", NS) is not None
    # rPr children in schema order: rFonts before b, lang last
    order = [etree.QName(c).localname for c in runs[3].find("w:rPr", NS)]
    assert order == ["rFonts", "b", "lang"]
    assert DocxFile(data).paragraphs()[0].text == "\u4e2d\u6587\u6587\u672c"


def test_a_huge_paragraph_is_written():
    text = "word " * 200_000
    data = write(text + "\n")
    assert len(DocxFile(data).paragraphs()[0].text) == len(text.strip())
