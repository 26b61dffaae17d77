"""Styles: look up style ids once, and add a sensible fallback for any style the base lacks."""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from drafter.errors import Diagnostics

# Paragraph styles the writer uses, with the style each falls back on when missing.
PARAGRAPH_STYLES = {
    "Normal": None,
    "Title": "Normal",
    "Subtitle": "Normal",
    "Heading 1": "Normal",
    "Heading 2": "Normal",
    "Heading 3": "Normal",
    "Heading 4": "Normal",
    "List Paragraph": "Normal",
    "Quote": "Normal",
    "Caption": "Normal",
}

CHARACTER_STYLES = {"Hyperlink": None}


class StyleMap:
    """Style names to style ids for one document, adding missing styles with a warning."""

    def __init__(self, document, diagnostics: Diagnostics, warn_missing: bool = True):
        self.document = document
        self.diagnostics = diagnostics
        self.warn_missing = warn_missing
        self.ids: dict[tuple[str, str], str] = {}
        for style in document.styles.element.findall(qn("w:style")):
            name_el = style.find(qn("w:name"))
            if name_el is None:
                continue
            kind = style.get(qn("w:type"))
            self.ids[(kind, _canonical(name_el.get(qn("w:val"))))] = style.get(qn("w:styleId"))

    def paragraph(self, name: str) -> str:
        return self._get("paragraph", name)

    def character(self, name: str) -> str:
        return self._get("character", name)

    def has(self, name: str, kind: str = "paragraph") -> bool:
        return (kind, _canonical(name)) in self.ids

    def _get(self, kind: str, name: str) -> str:
        key = (kind, _canonical(name))
        if key not in self.ids:
            self.ids[key] = self._add(kind, name)
        return self.ids[key]

    def _add(self, kind: str, name: str) -> str:
        wd_type = WD_STYLE_TYPE.PARAGRAPH if kind == "paragraph" else WD_STYLE_TYPE.CHARACTER
        style = self.document.styles.add_style(name, wd_type)
        if kind == "paragraph":
            base = PARAGRAPH_STYLES.get(name, "Normal")
            if base and self.has(base):
                style.base_style = self.document.styles[base]
            if name.startswith("Heading") or name in ("Title", "Subtitle"):
                style.font.bold = True
                style.font.size = Pt({"Title": 18, "Subtitle": 13}.get(name, 13))
                style.paragraph_format.keep_with_next = True
                style.paragraph_format.space_before = Pt(12)
                style.paragraph_format.space_after = Pt(6)
        elif name == "Hyperlink":
            style.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
            style.font.underline = True
        if self.warn_missing and name not in ("Hyperlink",):
            self.diagnostics.warn(f"the reference document has no '{name}' style; "
                                  "a plain fallback was added", code="missing-style")
        return style.style_id


def _canonical(name: str | None) -> str:
    # Word writes built-in names in lower case in styles.xml ("heading 1"); compare loosely.
    return (name or "").strip().lower()
