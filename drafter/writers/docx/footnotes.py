"""Real Word footnotes (python-docx has no API for them).

The footnotes part (``/word/footnotes.xml``) holds the separator (id -1) and continuation
separator (id 0) notes and one ``w:footnote`` per reference; the body carries a run with
``w:footnoteReference``.  A reference document that already has footnotes keeps them: new ids
continue after the highest one.
"""

from __future__ import annotations

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from drafter.writers.docx import oxml
from drafter.writers.docx.oxml import el


def register() -> None:
    """Load a reference document's footnotes part as XML (python-docx keeps it as bytes)."""
    PartFactory.part_type_for.setdefault(CT.WML_FOOTNOTES, XmlPart)


register()

_EMPTY = (
    f'<w:footnotes {nsdecls("w", "r")}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    '</w:footnote></w:footnotes>'
)


class Footnotes:
    """The document's footnotes part, created on first use."""

    def __init__(self, document, styles):
        self.document = document
        self.styles = styles
        self._root = None
        self._part = None
        self._next_id = 1

    @property
    def part(self):
        """The footnotes part (created on first use): relationships of links in notes go here."""
        self.root
        return self._part

    @property
    def root(self):
        if self._root is None:
            self._root = self._open()
        return self._root

    def _open(self):
        part = self.document.part
        for rel in part.rels.values():
            if rel.reltype == RT.FOOTNOTES and not rel.is_external:
                target = rel.target_part
                if not isinstance(target, XmlPart):  # loaded before register(): parse it now
                    target = _replace_with_xml_part(part, rel)
                ids = [int(n.get(qn("w:id"))) for n in target.element.findall(qn("w:footnote"))]
                self._next_id = max([0, *ids]) + 1
                self._part = target
                return target.element
        new = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(_EMPTY),
                      part.package)
        part.relate_to(new, RT.FOOTNOTES)
        self._part = new
        self._settings()
        return new.element

    def _settings(self) -> None:
        """Word writes the separator ids into settings.xml; do the same."""
        settings = self.document.settings.element
        if settings.find(qn("w:footnotePr")) is None:
            oxml.settings_set(settings, el("w:footnotePr", children=[
                el("w:footnote", {"w:id": -1}), el("w:footnote", {"w:id": 0})]))

    def new(self):
        """A new, empty ``w:footnote``; returns (element, id)."""
        root = self.root
        note_id = self._next_id
        self._next_id += 1
        note = el("w:footnote", {"w:id": note_id})
        root.append(note)
        return note, note_id

    def reference_run(self, note_id: int):
        """The body's run that shows the note's number."""
        return el("w:r", children=[
            el("w:rPr", children=[el("w:rStyle", {
                "w:val": self.styles.character("Footnote Reference")})]),
            el("w:footnoteReference", {"w:id": note_id})])

    def finish(self, note) -> None:
        """Style the note's paragraphs and put the number mark at the start of the first."""
        text_style = self.styles.paragraph("Footnote Text")
        paragraphs = note.findall(qn("w:p"))
        if not paragraphs:
            paragraphs = [el("w:p")]
            note.append(paragraphs[0])
        for p in paragraphs:
            ppr = p.get_or_add_pPr()
            if ppr.find(qn("w:pStyle")) is None:
                ppr.style = text_style
        first = paragraphs[0]
        mark = el("w:r", children=[
            el("w:rPr", children=[el("w:rStyle", {
                "w:val": self.styles.character("Footnote Reference")})]),
            el("w:footnoteRef")])
        space = el("w:r")
        t = el("w:t")
        t.text = " "
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        space.append(t)
        oxml.prepend(first, mark, space)


def _replace_with_xml_part(document_part, rel):
    old = rel.target_part
    new = XmlPart(old.partname, old.content_type, parse_xml(old.blob), old.package)
    rel._target = new
    return new
