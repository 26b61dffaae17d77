"""Reading DOCX files back for tests: paragraphs with style, numbering and bookmarks."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Para:
    style: str
    text: str
    num: tuple[int, int] | None          # (numId, ilvl) set on the paragraph
    bookmarks: list[str] = field(default_factory=list)
    bold: list[str] = field(default_factory=list)


class DocxFile:
    def __init__(self, data: bytes):
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.document = etree.fromstring(self.zip.read("word/document.xml"))
        self.styles = etree.fromstring(self.zip.read("word/styles.xml"))
        self.numbering = (etree.fromstring(self.zip.read("word/numbering.xml"))
                          if "word/numbering.xml" in self.zip.namelist() else None)
        self.style_names = {s.get(q("styleId")): s.find("w:name", NS).get(q("val"))
                            for s in self.styles.findall("w:style", NS)}

    def xml(self, name: str) -> bytes:
        return self.zip.read(name)

    def paragraphs(self) -> list[Para]:
        out = []
        for p in self.document.iter(q("p")):
            style_el = p.find("w:pPr/w:pStyle", NS)
            style = self.style_names.get(style_el.get(q("val")), "") if style_el is not None else "Normal"
            num_el = p.find("w:pPr/w:numPr", NS)
            num = None
            if num_el is not None:
                num = (int(num_el.find("w:numId", NS).get(q("val"))),
                       int(num_el.find("w:ilvl", NS).get(q("val"))))
            text = "".join(t.text or "" for t in p.iter(q("t")))
            bookmarks = [b.get(q("name")) for b in p.iter(q("bookmarkStart"))]
            bold = ["".join(t.text or "" for t in r.iter(q("t"))) for r in p.iter(q("r"))
                    if r.find("w:rPr/w:b", NS) is not None]
            out.append(Para(style.lower(), text, num, bookmarks, bold))
        return out

    def style_numbering(self, style_name: str) -> tuple[int, int] | None:
        for s in self.styles.findall("w:style", NS):
            if s.find("w:name", NS).get(q("val")).lower() == style_name.lower():
                num = s.find("w:pPr/w:numPr", NS)
                if num is None:
                    return None
                ilvl = num.find("w:ilvl", NS)
                return (int(num.find("w:numId", NS).get(q("val"))),
                        int(ilvl.get(q("val"))) if ilvl is not None else 0)
        return None

    def num_format(self, num_id: int, ilvl: int) -> tuple[str, str]:
        """(numFmt, lvlText) of a numbering instance's level."""
        num = self.numbering.xpath(f"w:num[@w:numId='{num_id}']", namespaces=NS)[0]
        abstract_id = num.find("w:abstractNumId", NS).get(q("val"))
        abstract = self.numbering.xpath(f"w:abstractNum[@w:abstractNumId='{abstract_id}']",
                                        namespaces=NS)[0]
        lvl = abstract.xpath(f"w:lvl[@w:ilvl='{ilvl}']", namespaces=NS)[0]
        return lvl.find("w:numFmt", NS).get(q("val")), lvl.find("w:lvlText", NS).get(q("val"))

    def restarts(self, num_id: int) -> bool:
        num = self.numbering.xpath(f"w:num[@w:numId='{num_id}']", namespaces=NS)[0]
        starts = num.xpath("w:lvlOverride[@w:ilvl='0']/w:startOverride/@w:val", namespaces=NS)
        return starts == ["1"]

    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs())
