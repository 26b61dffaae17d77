"""Stage 1, load: YAML with lines, schemas, the library, org facts, consultations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drafter.errors import LoadError
from drafter.load.consultation import load_consultation
from drafter.load.library import load_library
from drafter.load.org import load_org
from drafter.load.yamlsrc import parse_yaml, load_yaml_file
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "positions", seeds_index=ROOT / "seeds" / "index.yaml")


def test_yaml_keeps_the_line_of_every_key():
    data, smap = parse_yaml("a: 1\nb:\n  - x: 2\n    y: 2024-01-02\n")
    assert data == {"a": 1, "b": [{"x": 2, "y": __import__("datetime").date(2024, 1, 2)}]}
    assert smap.locate(("b", 0, "y")) == (4, 5)
    assert smap.locate(("b", 0, "missing")) == (3, 5)


def test_malformed_yaml_names_the_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("title: x\nagency: [unclosed\nkind: rfc\n")
    with pytest.raises(LoadError) as err:
        load_yaml_file(path)
    assert err.value.line == 3
    assert str(err.value).startswith(f"{path}:3:") or "c.yaml:3:" in str(err.value)


def test_duplicate_yaml_keys_are_an_error():
    with pytest.raises(LoadError, match="duplicate key 'a'"):
        parse_yaml("a: 1\na: 2\n")


def test_consultation_missing_key_names_parent_and_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("title: T\nagency:\n  name: Agency\nkind: rfc\njurisdiction: US\n")
    with pytest.raises(LoadError) as err:
        load_consultation(path)
    assert err.value.line == 2
    assert "agency: missing required key 'short_name'" in err.value.message


def test_consultation_bad_enum_lists_choices(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("title: T\nagency: {name: A, short_name: A}\nkind: comment\njurisdiction: US\n")
    with pytest.raises(LoadError) as err:
        load_consultation(path)
    assert err.value.line == 3
    assert "'call-for-evidence'" in err.value.message


def test_consultation_rejects_unknown_keys(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("title: T\nagency: {name: A, short_name: A}\nkind: rfc\njurisdiction: US\n"
                    "positons: [x]\n")
    with pytest.raises(LoadError, match="unknown key 'positons'") as err:
        load_consultation(path)
    assert err.value.line == 5


def test_duplicate_question_ids_rejected(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("title: T\nagency: {name: A, short_name: A}\nkind: rfc\njurisdiction: US\n"
                    "questions:\n  - {id: 1, text: a}\n  - {id: 1, text: b}\n")
    with pytest.raises(LoadError, match="duplicate question id '1'") as err:
        load_consultation(path)
    assert err.value.line == 7


def test_library_has_at_least_30_valid_blocks_with_provenance(library):
    assert len(library) >= 30
    index, _ = load_yaml_file(ROOT / "seeds" / "index.yaml")
    seeds = {s["id"]: s for s in index["seeds"]}
    for block in library:
        assert block.path.stem == block.id
        assert block.meta.source.seed in seeds
        assert (ROOT / "seeds" / seeds[block.meta.source.seed]["file"]).is_file()
        assert block.body.strip(), block.id


def test_seed_files_are_the_shared_originals():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    for original in shared.iterdir():
        assert (ROOT / "seeds" / original.name).read_bytes() == original.read_bytes()


def test_library_covers_every_manifesto_recommendation_and_ntia_part(library):
    manifesto_items = {(b.meta.source.section, b.meta.source.item) for b in library
                       if b.meta.source.seed == "eu-manifesto-2024" and b.meta.role.value == "recommendation"}
    assert len(manifesto_items) == 15
    sections = {s for s, _ in manifesto_items}
    assert len(sections) == 4
    intros = [b for b in library if b.meta.source.seed == "eu-manifesto-2024"
              and b.meta.role.value == "section-intro"]
    assert {b.meta.title for b in intros} >= sections
    concerns = sorted(b.meta.source.item for b in library
                      if b.meta.source.seed == "ntia-botnets-comments" and b.meta.role.value == "concern")
    assert concerns == ["a", "b", "c", "d", "e", "f"]
    ntia_roles = {b.meta.role.value for b in library if b.meta.source.seed == "ntia-botnets-comments"}
    assert {"introduction", "profile", "argument", "concern", "closing"} <= ntia_roles


def test_org_facts_state_both_founding_facts_once():
    org = load_org(ROOT / "org.yaml")
    assert org.founded == 2012
    assert (org.first_convened.year, org.first_convened.event) == (2011, "HostingCon")


def test_block_bodies_take_org_facts_from_variables(library):
    # No filing can contradict another on who the coalition is or when it was founded.
    for block in library:
        body = re.sub(r"\{\{.*?\}\}", "", block.body)
        assert "i2Coalition" not in body, block.id
        assert not re.search(r"\b201[12]\b", body), block.id
        assert "90-plus" not in body, block.id


def test_every_block_topic_is_in_the_vocabulary(library):
    for block in library:
        assert set(block.meta.topics) <= set(library.topics), block.id


def _write_block(folder: Path, block_id: str, extra: str = "", topics: str = "[encryption]") -> Path:
    path = folder / f"{block_id}.md"
    path.write_text(f"""---
id: {block_id}
title: A title
summary: One line.
topics: {topics}
stance: support
role: argument
jurisdictions: [any]
source: {{seed: eu-manifesto-2024, section: S, paragraph: 1}}
status: approved
last_reviewed: 2026-01-01
{extra}---
Body text.
""")
    return path


def test_unknown_topic_names_file_and_line(workspace):
    path = _write_block(workspace / "positions" / "encryption", "new-block", topics="[encryption, crypto-wars]")
    with pytest.raises(LoadError) as err:
        load_library(workspace / "positions")
    assert err.value.path == path and err.value.line == 5
    assert "unknown topic 'crypto-wars'" in err.value.message


def test_duplicate_block_ids_name_both_files(workspace):
    _write_block(workspace / "positions" / "data", "eu-oppose-backdoors")
    with pytest.raises(LoadError) as err:
        load_library(workspace / "positions")
    assert "duplicate position id 'eu-oppose-backdoors'" in err.value.message
    assert "encryption/eu-oppose-backdoors.md" in err.value.message or \
        "data/eu-oppose-backdoors.md" in err.value.message


def test_invalid_block_field_is_named(workspace):
    path = _write_block(workspace / "positions" / "data", "bad-stance")
    path.write_text(path.read_text().replace("stance: support", "stance: maybe"))
    with pytest.raises(LoadError) as err:
        load_library(workspace / "positions")
    assert err.value.line == 6 and "stance" in err.value.message


def test_summary_must_be_one_line(workspace):
    path = _write_block(workspace / "positions" / "data", "long-summary")
    path.write_text(path.read_text().replace("summary: One line.", 'summary: "one\\ntwo"'))
    with pytest.raises(LoadError, match="summary must be one line"):
        load_library(workspace / "positions")


def test_block_without_front_matter(workspace):
    (workspace / "positions" / "data" / "plain.md").write_text("Just text\n")
    with pytest.raises(LoadError, match="must start with '---'"):
        load_library(workspace / "positions")


@pytest.mark.parametrize("text,expected", [
    ("---\na: 1\n---\nbody\n", ("a: 1", "body\n", 4)),
    ("---\n---\nb", ("", "b", 3)),
    ("---\na\n...", ("a", "", 4)),
    (" --- \na: 1\n  ---  \nx\ny", ("a: 1", "x\ny", 4)),
    ("---\na\n----\n--- x\n---\nc", ("a\n----\n--- x", "c", 6)),
    ("---\na: 1\n", None),
    ("x\n---\n", None),
    ("", None),
])
def test_front_matter_is_located_the_same_everywhere(text, expected):
    from drafter.load import frontmatter

    assert frontmatter.locate(text) == expected
