"""Sentence embeddings for suggestions: offline, equal to WordLlama's, kept in the index."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from drafter.load.library import load_library
from drafter.errors import LoadError
from drafter.suggest import Index, Suggester, embed


def open_index(ws: Path) -> Index:
    return Index.open(ws / ".drafter", ws / "positions", ws / "positions" / "topics.yaml")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(embed, "_LOADED", {})        # load the model again, under the ban


def test_model_loads_and_ranks_without_network(no_network, workspace):
    assert embed.model_folder() is not None
    suggester = Suggester(open_index(workspace))
    ranked = suggester.question("Should encrypted messages be opened for the police?", "US")
    assert ranked.suggestions[0].similarity is not None
    assert embed._LOADED["model"] is not None


def test_vectors_equal_wordllama_embed(no_network):
    wordllama = pytest.importorskip("wordllama")
    reference = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent,
                                         disable_download=True)
    texts = ["Prior review by a court before data is handed over.", "",
             "Botnets are a global issue, and no solution works if only one country acts."]
    ours = embed.load().embed(texts)
    theirs = reference.embed([texts[0], texts[2]], norm=True)
    assert ours.shape == (3, embed.DIM) and ours.dtype == np.float32
    assert np.abs(ours[[0, 2]] - theirs).max() < 1e-5
    assert not ours[1].any()                          # no tokens: a zero vector
    assert abs(float(ours[0] @ ours[0]) - 1) < 1e-5


def test_many_texts_embed_like_one_at_a_time(monkeypatch):
    model = embed.load()
    texts = [f"Text number {n} about " + "encryption and trust " * (n % 7) for n in range(40)]
    monkeypatch.setattr(embed, "_CHUNK_TOKENS", 50)   # several chunks
    together = model.embed(texts)
    alone = np.vstack([model.embed([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-6


def test_vectors_kept_in_the_index_and_refreshed_with_blocks(workspace):
    import sqlite3

    from test_suggest import age_library, edit_planned_obsolescence

    age_library(workspace)
    index = open_index(workspace)
    answering = sum(1 for b in load_library(workspace / "positions")
                    if b.meta.role.value in ("recommendation", "argument", "concern"))
    rowids, matrix = index.vectors()
    questions = sum(len(b.meta.answers) for b in load_library(workspace / "positions"))
    assert len(set(rowids.tolist())) == answering == 23
    assert matrix.shape == (23 + questions, embed.DIM)           # a block's text, its questions
    index.close()
    path = workspace / ".drafter" / "index.sqlite"
    conn = sqlite3.connect(path)
    before = dict(conn.execute("SELECT b.id, v.vec FROM vectors v JOIN blocks b USING (rowid)"))
    conn.close()
    edit_planned_obsolescence(workspace)
    index = open_index(workspace)
    assert (index.stats.mode, index.stats.reparsed) == ("cached", 1)
    index.close()
    conn = sqlite3.connect(path)
    after = dict(conn.execute("SELECT b.id, v.vec FROM vectors v JOIN blocks b USING (rowid)"))
    conn.close()
    assert set(after) == set(before)
    assert [k for k in before if before[k] != after[k]] == ["planned-obsolescence"]


def test_index_of_another_embedding_model_is_rebuilt(workspace, monkeypatch):
    open_index(workspace).close()
    monkeypatch.setattr(embed, "signature", lambda: "none")
    index = open_index(workspace)
    assert (index.stats.mode, index.stats.reason) == ("rebuilt", "embedding model changed")
    assert index.vectors() is None


def test_without_a_model_ranking_uses_words_and_topics(workspace, monkeypatch):
    monkeypatch.setattr(embed, "signature", lambda: "none")
    monkeypatch.setattr(embed, "_LOADED", {"model": None})
    suggester = Suggester(open_index(workspace))
    ranked = suggester.question("Should providers be required to give law enforcement "
                                "exceptional access to encrypted communications?", "US")
    assert ranked.suggestions[0].position in ("eu-oppose-backdoors",
                                              "combat-abuse-keep-encryption")
    assert all(s.similarity is None for s in ranked.suggestions)
    assert "meaning:" not in ranked.suggestions[0].why


def test_shipped_library_suggester_matches_workspace_index(workspace):
    from_files = Suggester(open_index(workspace)).question("Is data localisation a barrier?", "EU")
    in_memory = Suggester.for_library(load_library(ROOT / "positions")).question(
        "Is data localisation a barrier?", "EU")
    assert [(s.position, s.score) for s in from_files.suggestions] == \
        [(s.position, s.score) for s in in_memory.suggestions]


def test_damaged_model_files_are_a_one_line_error(workspace, tmp_path, monkeypatch):
    from conftest import run_cli

    folder = embed.model_folder()
    broken = tmp_path / "wordllama"
    for rel in (embed._TOKENIZER, embed._WEIGHTS):
        (broken / rel).parent.mkdir(parents=True, exist_ok=True)
    (broken / embed._TOKENIZER).write_bytes((folder / embed._TOKENIZER).read_bytes())
    (broken / embed._WEIGHTS).write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{broken}")
    monkeypatch.setattr(embed, "_LOADED", {})
    monkeypatch.setattr(embed, "model_folder", lambda: broken)
    with pytest.raises(LoadError) as err:
        embed.load()
    assert err.value.path == broken
    assert str(err.value).startswith(f"{broken}: cannot load the embedding model (")
    assert str(err.value).endswith("reinstall drafter's dependencies (wordllama)")
    assert "\n" not in str(err.value)
    monkeypatch.setattr(embed, "_LOADED", {})
    result = run_cli("suggest", "examples/cisa-circia-rfi.yaml", cwd=workspace)
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1
    assert "cannot load the embedding model" in result.err and str(broken) in result.err
    assert not (workspace / ".drafter" / "index.sqlite").exists()     # nothing half-written
