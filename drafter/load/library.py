"""The position library: one reviewed block per Markdown file under ``positions/``."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from drafter.errors import LoadError
from drafter.load import frontmatter
from drafter.load.models import PositionMeta, TopicVocabulary, Topic, validate
from drafter.load.yamlsrc import SourceMap, load_yaml_file, read_text


@dataclass(frozen=True)
class Block:
    """A loaded position block: validated front matter, its body source and where it lives."""

    meta: PositionMeta
    body: str
    path: Path
    body_line: int
    smap: SourceMap

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def hash(self) -> str:
        """Short hash of the block's wording (its body as written, before rendering)."""
        return text_hash(self.body)

    def line_of(self, *key) -> int | None:
        return self.smap.locate(tuple(key))[0]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:10]


def suggest(name: str, choices) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Library:
    """All blocks of a workspace, in a stable order (by file path)."""

    def __init__(self, blocks: list[Block], topics: dict[str, Topic], root: Path):
        self.blocks = {b.id: b for b in blocks}
        self.topics = topics
        self.root = root

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


def load_block(path: Path) -> Block:
    text = read_text(path)
    data, smap, body, body_line = frontmatter.parse(text, path)
    meta = validate(PositionMeta, data, path, smap, "position block")
    return Block(meta=meta, body=body.strip("\n") + "\n", path=path, body_line=body_line, smap=smap)


def block_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if p.is_file() and not p.name.startswith("."))


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
    return Library(blocks, topics, folder)
