"""Styles: look up style ids once, and add a sensible fallback for any style the base lacks.

A house document written by Word holds only the styles it used, so a filing often needs
styles the reference lacks (Heading 2, Footnote Text, TOC 1...).  Such a style is copied from
drafter's default house style (:mod:`drafter.writers.docx.house`), which states only what
differs from Normal, so the copy takes on the house's own fonts.  A name drafter does not
know (a template's ``custom-style``) gets a plain paragraph style based on Normal.  Every
addition is reported in one warning.
"""

from __future__ import annotations

import copy

from docx.oxml.ns import qn

from drafter.errors import Diagnostics


class StyleMap:
    """Style names to style ids for one document, adding missing styles."""

    def __init__(self, document, diagnostics: Diagnostics, warn_missing: bool = True):
        self.document = document
        self.element = document.styles.element
        self.diagnostics = diagnostics
        self.warn_missing = warn_missing
        self.added: list[str] = []
        self.ids: dict[tuple[str, str], str] = {}
        self.by_id: dict[str, object] = {}
        for style in self.element.findall(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            self.by_id[style_id] = style
            name_el = style.find(qn("w:name"))
            if name_el is None:
                continue
            self.ids[(style.get(qn("w:type")), _canonical(name_el.get(qn("w:val"))))] = style_id

    def paragraph(self, name: str) -> str:
        return self._get("paragraph", name)

    def character(self, name: str) -> str:
        return self._get("character", name)

    def table(self, name: str) -> str:
        return self._get("table", name)

    def has(self, name: str, kind: str = "paragraph") -> bool:
        return (kind, _canonical(name)) in self.ids

    def body_space_after(self) -> int:
        """The space after a body paragraph, in twentieths of a point: the default paragraph
        style's, else the document defaults', else 160 (8 pt)."""
        path = f"{qn('w:pPr')}/{qn('w:spacing')}"
        default = self._default_id("paragraph")
        candidates = [self.by_id[default].find(path)] if default in self.by_id else []
        candidates.append(self.element.find(
            f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{path}"))
        for spacing in candidates:
            if spacing is not None and spacing.get(qn("w:after")) is not None:
                return int(spacing.get(qn("w:after")))
        return 160

    def get_element(self, style_id: str):
        return self.by_id.get(style_id)

    def _get(self, kind: str, name: str) -> str:
        key = (kind, _canonical(name))
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = self._add(kind, name)
        return found

    # -- fallbacks ------------------------------------------------------------------------

    def _add(self, kind: str, name: str) -> str:
        from drafter.writers.docx.house import default_styles

        template = _by_name(default_styles(), kind, _canonical(name))
        if template is not None:
            style_id = self._copy(template, default_styles())
        else:
            style_id = self._plain(kind, name)
        self.added.append(name)
        return style_id

    def _copy(self, template, library: dict) -> str:
        style = copy.deepcopy(template)
        style_id = template.get(qn("w:styleId"))
        if style_id in self.by_id:  # the id is taken by a style of another name
            style_id = self._free_id(style_id)
            style.set(qn("w:styleId"), style_id)
        style.attrib.pop(qn("w:default"), None)
        for tag in ("w:link",):
            for child in style.findall(qn(tag)):
                style.remove(child)
        for tag in ("w:basedOn", "w:next"):
            ref = style.find(qn(tag))
            if ref is None:
                continue
            target_id = self._resolve_ref(ref.get(qn("w:val")), library,
                                          copy_missing=(tag == "w:basedOn"))
            if target_id is None:
                style.remove(ref)
            else:
                ref.set(qn("w:val"), target_id)
        self._append(style, style.get(qn("w:type")), template.find(qn("w:name")).get(qn("w:val")))
        return style_id

    def _resolve_ref(self, ref_id: str, library: dict, copy_missing: bool) -> str | None:
        """The id, in this document, of the style that ``ref_id`` names in the library."""
        source = library.get(ref_id)
        if source is None:
            return None
        kind = source.get(qn("w:type"))
        name = _canonical(source.find(qn("w:name")).get(qn("w:val")))
        found = self.ids.get((kind, name))
        if found is not None:
            return found
        if kind == "paragraph" and name == "normal":
            return self._default_id("paragraph")
        if not copy_missing:
            return None
        found = self._copy(source, library)
        self.ids[(kind, name)] = found
        self.added.append(source.find(qn("w:name")).get(qn("w:val")))
        return found

    def _default_id(self, kind: str) -> str | None:
        for style in self.by_id.values():
            if style.get(qn("w:type")) == kind and style.get(qn("w:default")) in ("1", "true"):
                return style.get(qn("w:styleId"))
        return None

    def _plain(self, kind: str, name: str) -> str:
        from docx.oxml import OxmlElement

        style_id = self._free_id("".join(ch for ch in name if ch.isalnum()) or "Style")
        style = OxmlElement("w:style")
        style.set(qn("w:type"), kind)
        style.set(qn("w:styleId"), style_id)
        name_el = OxmlElement("w:name")
        name_el.set(qn("w:val"), name)
        style.append(name_el)
        base = self._default_id(kind) if kind == "paragraph" else None
        if base:
            based = OxmlElement("w:basedOn")
            based.set(qn("w:val"), base)
            style.append(based)
        style.append(OxmlElement("w:qFormat"))
        self._append(style, kind, name)
        return style_id

    def _append(self, style, kind: str, name: str) -> None:
        self.element.append(style)
        style_id = style.get(qn("w:styleId"))
        self.by_id[style_id] = style
        self.ids[(kind, _canonical(name))] = style_id

    def _free_id(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.by_id:
            n += 1
            candidate = f"{base}{n}"
        return candidate

    def report(self) -> None:
        """One warning naming every style that had to be added (a reference document only)."""
        if self.warn_missing and self.added:
            names = ", ".join(f"'{n}'" for n in self.added)
            self.diagnostics.warn(
                f"the reference document lacks the style(s) {names}; drafter's default "
                "definitions were added", code="missing-style")


def _by_name(library: dict, kind: str, canonical: str):
    for style in library.values():
        if style.get(qn("w:type")) != kind:
            continue
        name = style.find(qn("w:name"))
        if name is not None and _canonical(name.get(qn("w:val"))) == canonical:
            return style
    return None


def _canonical(name: str | None) -> str:
    # Word writes built-in names in lower case in styles.xml ("heading 1"); compare loosely.
    return (name or "").strip().lower()
