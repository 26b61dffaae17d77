"""``drafter harvest``: bring a reviewer's wording back from an edited Word file.

A filing is drafted again from its consultation (same library, same template), the draft and
the edited file are read paragraph by paragraph with their provenance bookmarks
(:mod:`.docxread`), and each block's paragraphs are compared (:mod:`.compare`):

- ``unchanged``: every paragraph reads the same;
- ``edited``: with a word-level diff and the new text;
- ``deleted``: none of its paragraphs is left.

Paragraphs without a bookmark (or template paragraphs whose text changed) are ``added``,
attached to the nearest block before them.  A block whose bookmarks carry another hash than
its current text was changed in the library since the filing was drafted: it is flagged
``outdated`` and never written back.  :func:`apply` turns edited blocks into new block files
(:mod:`.writeback`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from drafter.errors import DrafterError, OutputError, display_path
from drafter.harvest.compare import align, block_diff
from drafter.harvest.docxread import (core_title, footnote_texts, is_generated, normalize,
                                      open_path, read_paragraphs, resolve_ids, wording_of)

CONSULTATION_FOLDERS = ("examples", "consultations")


@dataclass
class BlockResult:
    id: str
    status: str  # "unchanged" | "edited" | "deleted"
    path: Path
    original: list[str]
    edited: list[str]
    titled: bool  # the block's first drafted paragraph is its title
    outdated: bool = False
    variant: str = ""  # the wording the filing used: "" (as filed) or a variant name

    @property
    def diff(self) -> str:
        return block_diff(self.original, self.edited) if self.status == "edited" else ""

    @property
    def text(self) -> str:
        """The block's text in the edited filing, title left out."""
        paras = self.edited
        if self.titled and paras and self.original and \
                normalize(paras[0]) == normalize(self.original[0]):
            paras = paras[1:]
        return "\n\n".join(normalize(p) for p in paras)

    def to_json(self) -> dict:
        out = {"id": self.id, "status": self.status, "diff": self.diff, "text": self.text,
               "path": display_path(self.path)}
        if self.outdated:
            out["outdated"] = True
        return out


@dataclass(frozen=True)
class Added:
    after: str | None  # the block before it, None at the top
    text: str
    kind: str  # "new" (no bookmark) | "template" (template text that changed)

    def to_json(self) -> dict:
        return {"after": self.after, "text": self.text, "kind": self.kind}


@dataclass
class HarvestResult:
    edited_path: Path
    consultation: Path
    blocks: list[BlockResult] = field(default_factory=list)
    added: list[Added] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    draft: object = None

    def of(self, status: str) -> list[BlockResult]:
        return [b for b in self.blocks if b.status == status]

    def summary(self) -> str:
        n = len(self.added)
        old = sum(1 for b in self.blocks if b.outdated)
        return (f"{len(self.blocks)} blocks: {len(self.of('unchanged'))} unchanged, "
                f"{len(self.of('edited'))} edited, {len(self.of('deleted'))} deleted; "
                f"{n} paragraph{'' if n == 1 else 's'} added"
                + (f"; {old} outdated (changed in the library since the filing was drafted)"
                   if old else ""))

    def to_json(self) -> dict:
        return {"consultation": display_path(self.consultation),
                "blocks": [b.to_json() for b in self.blocks],
                "added": [a.to_json() for a in self.added], "notes": list(self.notes)}


def _docket_text(value) -> str:
    """A consultation's docket(s) as the filing's identifier gives them ("A; B")."""
    items = value if isinstance(value, list) else [value]
    return "; ".join(str(item.get("docket", "")).strip() if isinstance(item, dict)
                     else str(item).strip() for item in items if item not in (None, ""))


def find_consultation(workspace, edited: Path) -> Path:
    """The consultation a filing answers, from its title (and docket) in the core properties."""
    from drafter.load.yamlsrc import load_yaml_file

    title, docket = core_title(edited)
    if not title:
        raise DrafterError("the document has no title in its properties: name the "
                           "consultation with --consultation", edited)
    folders = [(workspace.root / name, True) for name in CONSULTATION_FOLDERS]
    folders.append((Path(edited).parent, False))  # beside the filing, not below it
    found: list[Path] = []
    for folder, recursive in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.y*ml") if recursive else folder.glob("*.y*ml")):
            if path.suffix not in (".yaml", ".yml") or path.resolve() in found:
                continue
            try:
                data, _ = load_yaml_file(path)
            except DrafterError:
                continue
            if isinstance(data, dict) and str(data.get("title", "")).strip() == title.strip() \
                    and (not docket or _docket_text(data.get("docket")) in ("", docket)):
                found.append(path.resolve())
    if len(found) != 1:
        what = "no consultation" if not found else f"{len(found)} consultations"
        raise DrafterError(f"{what} titled '{title}' in the workspace: name it with "
                           "--consultation", edited)
    return found[0]


def harvest(session, edited: Path, consultation: Path | None = None,
            template: str | None = None) -> HarvestResult:
    edited = open_path(edited)
    consultation = Path(consultation) if consultation else find_consultation(
        session.workspace, edited)
    library = session.library
    edited_paras = read_paragraphs(edited)
    draft = session.draft(consultation, template=template)
    drafted_docx = session.render(draft, "docx")
    drafted_paras = read_paragraphs(drafted_docx)
    result = HarvestResult(edited, consultation, draft=draft)
    drafted_notes, edited_notes = footnote_texts(drafted_docx), footnote_texts(edited)
    for n, (before, after) in enumerate(zip(drafted_notes, edited_notes), start=1):
        if before != after:
            result.notes.append(f"footnote {n} was edited in the filing: footnotes are not "
                                "written back, change the block's footnote by hand")
    if len(drafted_notes) != len(edited_notes):
        result.notes.append(f"the filing has {len(edited_notes)} footnotes, the draft "
                            f"{len(drafted_notes)}: footnotes are not written back")

    marks = {m.name: m for p in drafted_paras + edited_paras for m in p.marks + p.inside
             if m.kind == "B"}
    ids = resolve_ids(marks.values(), library)

    original: dict[str, list[str]] = {}
    variants: dict[str, str] = {}     # block id -> the wording the draft made now uses
    template_texts, unmarked_texts = set(), set()
    for p in drafted_paras:
        mark = p.mark
        if mark is not None and mark.kind == "B" and ids.get(mark.name):
            original.setdefault(ids[mark.name], []).append(p.text)
            variants.setdefault(ids[mark.name], mark.variant)
        elif mark is not None:
            template_texts.add(normalize(p.text))
        else:
            unmarked_texts.add(normalize(p.text))

    edited_by_block: dict[str, list[str]] = {}
    outdated: set[str] = set()
    last_block: str | None = None
    unknown: list[str] = []
    for p in edited_paras:
        mark = p.marks[0] if p.marks else (p.inside[0] if p.inside else None)
        text = normalize(p.text)
        if mark is not None and mark.kind == "B":
            block_id = ids.get(mark.name)
            if block_id is None:
                unknown.append(mark.name)
                continue
            edited_by_block.setdefault(block_id, []).append(p.text)
            if not wording_of(library, block_id, mark.variant).hash.startswith(mark.hash6):
                outdated.add(block_id)
            last_block = block_id
        elif is_generated(p) or not text:
            continue
        elif mark is not None:  # template text
            if text not in template_texts:
                result.added.append(Added(last_block, text, "template"))
        elif text not in unmarked_texts:
            result.added.append(Added(last_block, text, "new"))

    for block_id, paras in original.items():
        block = library.blocks[block_id]
        now = edited_by_block.get(block_id, [])
        if not now:
            status = "deleted"
        elif [normalize(t) for t in now] == [normalize(t) for t in paras]:
            status = "unchanged"
        else:
            status = "edited"
        titled = normalize(paras[0]) == normalize(block.meta.title)
        variant = variants.get(block_id, "")
        result.blocks.append(BlockResult(block_id, status,
                                         wording_of(library, block_id, variant).path, paras, now,
                                         titled, outdated=block_id in outdated,
                                         variant=variant))
    if not any(m.kind == "B" for p in edited_paras for m in p.marks + p.inside):
        result.notes.append("the document has no provenance bookmarks: was it drafted by "
                            "drafter (or copied into a new document)?")
    for name in dict.fromkeys(unknown):
        result.notes.append(f"bookmark {name} names no block of the library: its paragraph "
                            "was not compared")
    for block_id in edited_by_block:
        if block_id not in original:
            result.notes.append(f"block '{block_id}' is in the filing but not in the draft "
                                f"made now from {display_path(consultation)}: not compared")
    for block_id in sorted(outdated):
        result.notes.append(f"block '{block_id}' changed in the library since the filing was "
                            "drafted: compared with its current text, never written back")
    return result


def _renderer(session, draft):
    """Renders one Jinja expression with the filing's values, as the composer would."""
    from drafter.compose.composer import Composer

    composer = Composer(draft.consultation, session.library, session.org,
                        draft.composition.template, [session.workspace.templates])

    def render(expression: str) -> str:
        return composer.env.from_string(expression).render(composer.context)

    return render


def rewrites(session, result: HarvestResult, today: dt.date | None = None):
    """The new block files for the edited blocks: list of :class:`.writeback.Rewrite`.

    Outdated blocks are left out (with a note); title edits are reported, not applied.
    """
    from drafter.harvest.writeback import rewrite_block

    today = today or dt.date.today()
    render = _renderer(session, result.draft)
    out = []
    for b in result.of("deleted"):
        out.append(_note_only(b.path, ["deleted in the filing: not applied (retire the block, "
                                       "or take it out of the consultation, by hand)"]))
    for b in result.of("edited"):
        if b.outdated:
            continue
        block = wording_of(session.library, b.id, b.variant)
        pairs = align(b.original, b.edited)
        body_pairs, notes = [], []
        for i, j in pairs:
            old = b.original[i] if i is not None else None
            new = b.edited[j] if j is not None else None
            if b.titled and i == 0:
                if new is None or normalize(new) != normalize(old):
                    notes.append("the title was edited in the filing: change 'title' in the "
                                 "front matter by hand")
                continue
            body_pairs.append((old, new))
        if all(old is not None and new is not None and normalize(old) == normalize(new)
               for old, new in body_pairs):
            if notes:
                out.append(_note_only(block.path, notes))
            continue
        if "{%" in block.body:
            out.append(_note_only(block.path, notes + [
                "its body uses Jinja statements ({% ... %}): not applied, edit it by hand"]))
            continue
        if all(new is None for _, new in body_pairs):
            out.append(_note_only(block.path, notes + [
                "all of its text was deleted in the filing: not applied (retire the block, or "
                "take it out of the consultation, by hand)"]))
            continue
        rewrite = rewrite_block(block.path, block.body_line, body_pairs, render, today)
        if _body_of(rewrite.expected, block.path) != block.body:
            raise OutputError("the block file was changed since drafter read it (by someone "
                              "else?): nothing applied, their edit is kept; run harvest again",
                              block.path)
        rewrite.notes[:0] = notes
        out.append(rewrite)
    return out


def _body_of(data: bytes, path: Path) -> str:
    """A block file's body (from its bytes) as the library holds it."""
    from drafter.load import frontmatter

    text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    return frontmatter.parse(text, path)[2].strip("\n") + "\n"


def _note_only(path: Path, notes):
    from drafter.harvest.writeback import Rewrite

    text = path.read_bytes().decode("utf-8")
    return Rewrite(path, text, text, list(notes))
