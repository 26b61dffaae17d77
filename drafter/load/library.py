"""The position library: one reviewed block per Markdown file under ``positions/``.

A block's own file holds its **as-filed** wording (the words of the filing it was taken from,
bound to that filing's proceeding).  Reusable wordings live beside it as **variants**,
``<id>.<variant>.md`` (``us``, ``eu``, ``general``), each with its own front matter
(:class:`~drafter.load.models.VariantMeta`).
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from drafter.errors import LoadError
from drafter.load import frontmatter
from drafter.load.models import (AS_FILED, VARIANTS, PositionMeta, Topic, TopicVocabulary,
                                 VariantMeta, validate)
from drafter.load.yamlsrc import SourceMap, load_yaml_file, read_text


@dataclass(frozen=True)
class Variant:
    """A reusable wording of a position: ``<id>.<variant>.md`` beside the block's file."""

    meta: VariantMeta
    body: str
    path: Path
    body_line: int
    smap: SourceMap

    @property
    def name(self) -> str:
        return self.meta.variant

    @property
    def hash(self) -> str:
        return text_hash(self.body)

    def line_of(self, *key) -> int | None:
        return self.smap.locate(tuple(key))[0]


@dataclass(frozen=True)
class Block:
    """A loaded position block: validated front matter, its as-filed body, where it lives,
    and its reusable wordings (variant name -> :class:`Variant`, in file order)."""

    meta: PositionMeta
    body: str
    path: Path
    body_line: int
    smap: SourceMap
    variants: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.meta.id

    def wording(self, variant: str | None) -> "Block | Variant":
        """The as-filed block (``None`` or ``"as-filed"``) or one of its variants."""
        if variant in (None, AS_FILED):
            return self
        return self.variants[variant]

    @property
    def hash(self) -> str:
        """Short hash of the block's wording (its body as written, before rendering)."""
        return text_hash(self.body)

    def line_of(self, *key) -> int | None:
        return self.smap.locate(tuple(key))[0]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:10]


def changed_since_approval(wording) -> bool:
    """Whether an approved wording (a :class:`Block`'s as-filed text or a :class:`Variant`)
    was edited after its approval (see :func:`edited_since_approval`)."""
    return edited_since_approval(wording.meta, wording.body)


def edited_since_approval(meta, body: str) -> bool:
    """Whether a wording with front matter ``meta`` and text ``body`` is approved but was
    edited after its approval: ``meta.approved_hash`` records the hash of the text approved
    and ``body`` no longer has it. Wordings approved before drafter recorded the hash, and
    unapproved ones, never are."""
    return (meta.status.value == "approved" and meta.approved_hash is not None
            and meta.approved_hash != text_hash(body))


def suggest(name: str, choices) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Library:
    """All blocks of a workspace, in a stable order (by file path)."""

    def __init__(self, blocks: list[Block], topics: dict[str, Topic], root: Path,
                 proceedings: dict[str, dict] | None = None):
        self.blocks = {b.id: b for b in blocks}
        self.topics = topics
        self.root = root
        # seed id -> what identifies the proceeding it was filed in (seeds/index.yaml)
        self.proceedings = dict(proceedings or {})

    def __len__(self) -> int:
        return len(self.blocks)

    def __iter__(self):
        return iter(self.blocks.values())

    def __contains__(self, block_id: str) -> bool:
        return block_id in self.blocks

    def get(self, block_id: str, path=None, line=None) -> Block:
        try:
            return self.blocks[block_id]
        except KeyError:
            raise LoadError(f"unknown position id '{block_id}'{suggest(block_id, self.blocks)}",
                            path, line, code="unknown-position") from None

    def query(self, topic: str | None = None, role: str | None = None,
              jurisdiction: str | None = None, status: tuple[str, ...] = ("approved",)) -> list[Block]:
        if topic is not None and topic not in self.topics:
            raise LoadError(f"unknown topic '{topic}'{suggest(topic, self.topics)}")
        out = []
        for block in self.blocks.values():
            m = block.meta
            if status and m.status.value not in status:
                continue
            if topic is not None and topic not in m.topics:
                continue
            if role is not None and m.role.value != role:
                continue
            if jurisdiction is not None and not m.applies_to(jurisdiction):
                continue
            out.append(block)
        return out


def load_topics(path: Path) -> dict[str, Topic]:
    data, smap = load_yaml_file(path)
    return validate(TopicVocabulary, data, path, smap, "topic vocabulary").topics


def load_seed_ids(path: Path) -> set[str] | None:
    if not path.is_file():
        return None
    data, _ = load_yaml_file(path)
    seeds = (data or {}).get("seeds", []) if isinstance(data, dict) else []
    return {str(s.get("id")) for s in seeds if isinstance(s, dict)}


def load_proceedings(path: Path | None) -> dict[str, dict]:
    """Seed id -> its ``proceeding`` mapping (agency, title, docket) from seeds/index.yaml."""
    if path is None or not Path(path).is_file():
        return {}
    data, _ = load_yaml_file(path)
    seeds = (data or {}).get("seeds", []) if isinstance(data, dict) else []
    return {str(s.get("id")): dict(s["proceeding"]) for s in seeds
            if isinstance(s, dict) and isinstance(s.get("proceeding"), dict)}


def load_block(path: Path) -> Block:
    text = read_text(path)
    data, smap, body, body_line = frontmatter.parse(text, path)
    meta = validate(PositionMeta, data, path, smap, "position block")
    return Block(meta=meta, body=body.strip("\n") + "\n", path=path, body_line=body_line, smap=smap)


def load_variant(path: Path) -> Variant:
    """One ``<id>.<variant>.md`` file; its ``id`` and ``variant`` must match the file name."""
    text = read_text(path)
    data, smap, body, body_line = frontmatter.parse(text, path)
    meta = validate(VariantMeta, data, path, smap, "position variant")
    stem_id, stem_variant = path.name[:-3].rsplit(".", 1)
    if meta.id != stem_id:
        raise LoadError(f"variant file of '{stem_id}' says id '{meta.id}' (the file is named "
                        "<id>.<variant>.md)", path, smap.locate(("id",))[0],
                        code="variant-mismatch")
    if meta.variant != stem_variant:
        raise LoadError(f"variant file '{path.name}' says variant '{meta.variant}'", path,
                        smap.locate(("variant",))[0], code="variant-mismatch")
    if not body.strip():
        raise LoadError("variant has no text", path, body_line, code="variant-empty")
    return Variant(meta=meta, body=body.strip("\n") + "\n", path=path, body_line=body_line,
                   smap=smap)


def is_variant_file(path: Path) -> bool:
    """``<id>.<variant>.md``: a reusable wording, not a block (ids never contain a dot)."""
    return path.name[:-3].count(".") >= 1


def _markdown_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if p.is_file() and not p.name.startswith("."))


def block_files(folder: Path) -> list[Path]:
    """The block files under ``folder``: ``*.md``, not hidden, not variants."""
    return [p for p in _markdown_files(folder) if not is_variant_file(p)]


def variant_files(folder: Path) -> list[Path]:
    """The variant files under ``folder``: ``<id>.<variant>.md``, not hidden."""
    return [p for p in _markdown_files(folder) if is_variant_file(p)]


def attach_variants(blocks: list[Block], folder: Path, problems: list | None = None) -> list[Block]:
    """``blocks`` with their variants loaded from ``folder``.

    A variant must sit beside its block's file (same folder) and name a known variant; an
    orphan, a mismatched id or a bad front matter raises :class:`LoadError` at its file and
    line, or, with ``problems`` given, is appended there and skipped.
    """
    by_key = {(b.path.parent, b.id): b for b in blocks}
    found: dict[str, dict] = {}
    for path in variant_files(folder):
        try:
            stem_id, stem_variant = path.name[:-3].rsplit(".", 1)
            if stem_variant not in VARIANTS or stem_variant == AS_FILED:
                raise LoadError(f"unknown variant '{stem_variant}' in the file name (one of "
                                f"{', '.join(VARIANTS)})", path, 1, code="variant-mismatch")
            owner = by_key.get((path.parent, stem_id))
            if owner is None:
                raise LoadError(f"variant of an unknown position '{stem_id}': no {stem_id}.md "
                                "beside it" + suggest(stem_id, [b.id for b in blocks]), path, 1,
                                code="orphan-variant")
            variant = load_variant(path)
        except LoadError as exc:
            if problems is None:
                raise
            problems.append(exc)
            continue
        found.setdefault(owner.id, {})[variant.name] = variant
    return [replace(b, variants={k: found[b.id][k] for k in VARIANTS if k in found[b.id]})
            if b.id in found else b for b in blocks]


def load_library(folder: Path, topics_file: Path | None = None,
                 seeds_index: Path | None = None) -> Library:
    folder = Path(folder)
    if not folder.is_dir():
        raise LoadError("position library folder not found", folder)
    topics_file = topics_file or folder / "topics.yaml"
    if not topics_file.is_file():
        raise LoadError("topic vocabulary not found (positions/topics.yaml)", topics_file)
    topics = load_topics(topics_file)
    seed_ids = load_seed_ids(seeds_index) if seeds_index else None
    blocks: list[Block] = []
    seen: dict[str, Block] = {}
    for path in block_files(folder):
        block = load_block(path)
        for i, topic in enumerate(block.meta.topics):
            if topic not in topics:
                raise LoadError(f"unknown topic '{topic}'{suggest(topic, topics)}", path,
                                block.line_of("topics", i), code="unknown-topic")
        if seed_ids is not None and block.meta.source.seed not in seed_ids:
            raise LoadError(f"unknown seed '{block.meta.source.seed}' in source"
                            f"{suggest(block.meta.source.seed, seed_ids)}", path,
                            block.line_of("source", "seed"), code="unknown-seed")
        if block.id in seen:
            first = seen[block.id]
            raise LoadError(f"duplicate position id '{block.id}' (also in "
                            f"{first.path.relative_to(folder)})", path, block.line_of("id"),
                            code="duplicate-id")
        seen[block.id] = block
        blocks.append(block)
    blocks = attach_variants(blocks, folder)
    return Library(blocks, topics, folder, load_proceedings(seeds_index))
