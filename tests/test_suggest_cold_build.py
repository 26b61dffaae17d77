"""The cold build of the suggestion index, made cheaper: the meaning vectors kept once as a
matrix file (the packed row keeps only their row ids), the vectors of a build from nothing
packed from memory, texts split into words in one go, the cycle collector paused while
building. Each must give exactly what the slower path gave, and a damaged matrix file must
never give other suggestions."""

from __future__ import annotations

import gc
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from conftest import run_cli
from drafter.errors import LoadError
from drafter.load.library import load_library
from drafter.suggest import Index, embed
from drafter.suggest.index import indexed_text

pytestmark = pytest.mark.skipif(embed.model_folder() is None, reason="wordllama not installed")

CONSULTATION = Path("examples") / "cisa-circia-rfi.yaml"


def open_index(ws: Path) -> Index:
    return Index.open(ws / ".drafter", ws / "positions", ws / "positions" / "topics.yaml")


def fresh_model() -> embed.Embedder:
    return embed.Embedder(embed.model_folder())


def suggest_json(ws: Path) -> list:
    result = run_cli("suggest", CONSULTATION, "-f", "json", "-n", "10", cwd=ws)
    assert result.code == 0, result.err
    return json.loads(result.out)["questions"]


def library_texts(ws: Path) -> list[str]:
    texts = []
    for block in load_library(ws / "positions"):
        texts.extend(indexed_text(block.meta, block.body, {},
                                  tuple(v.body for v in block.variants.values())).meanings)
    return texts


# --- texts split into words in one go -----------------------------------------------------------

def test_texts_embedded_together_equal_each_embedded_alone(workspace):
    texts = library_texts(workspace)[:60] + [
        "", "   ", "one", "tab\tand\nnew line", "\u00a0non-breaking\u2003spaces\u3000",
        "file\x1cseparator\x1fcontrols", "ends with a space ", "émigré ünïcödé 日本語 🙂",
    ]
    together = fresh_model().embed(texts)
    for i, text in enumerate(texts):
        alone = fresh_model().embed([text])
        assert alone.tobytes() == together[i:i + 1].tobytes(), repr(text)


def test_texts_holding_the_separator_are_split_one_by_one(workspace):
    """A NUL inside a text (or a known word) must not cut it in two: the same vectors as one
    text at a time."""
    texts = ["a\x00b c", "plain words here", "\x00", "x \x00 y"]
    together = fresh_model().embed(texts)
    for i, text in enumerate(texts):
        assert fresh_model().embed([text]).tobytes() == together[i:i + 1].tobytes()
    model = fresh_model()
    model.embed(["\x00"])                           # the separator is now a known word
    again = model.embed(["plain words here", "more plain words"])
    assert again[:1].tobytes() == together[1:2].tobytes()


def test_word_rows_of_texts_split_together_or_alone_agree():
    model = fresh_model()
    texts = ["How should CISA define covered entity?", "", "entity  covered\tCISA", "x"]
    rows, lengths = model._word_rows(texts)
    assert lengths.tolist() == [6, 0, 3, 1]
    words = [w for t in texts for w in t.split()]
    assert rows.tolist() == [model._words[w] for w in words]


# --- the vectors kept once --------------------------------------------------------------------

def test_a_build_from_nothing_packs_what_reading_the_rows_back_packs(workspace):
    index = open_index(workspace)
    assert index.stats.mode == "rebuilt"
    index._matrix_written()
    built = index.conn.execute("SELECT rowids, vecs FROM packed").fetchone()
    name = index.conn.execute("SELECT value FROM meta WHERE key = 'matrix'").fetchone()[0]
    data = (workspace / ".drafter" / name).read_bytes()
    with index.conn:
        index._pack()                             # the vectors read back from their rows
    index._matrix_written()
    assert index.conn.execute("SELECT rowids, vecs FROM packed").fetchone() == built
    assert index.conn.execute("SELECT value FROM meta WHERE key = 'matrix'").fetchone()[0] == name
    assert (workspace / ".drafter" / name).read_bytes() == data
    assert built[1] == b""                        # the vectors are in the file, not again here
    matrix = np.load(workspace / ".drafter" / name)
    assert matrix.dtype == np.float32 and matrix.shape == (len(built[0]) // 8, embed.DIM)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=2e-3)


def test_an_index_without_a_matrix_folder_keeps_the_vectors_in_the_packed_row(workspace):
    library = load_library(workspace / "positions")
    in_memory = Index.from_library(library)
    rowids, vecs = in_memory.conn.execute("SELECT rowids, vecs FROM packed").fetchone()
    assert len(vecs) == len(rowids) // 8 * embed.DIM * 2 > 0
    from_files = open_index(workspace)
    assert np.array_equal(np.asarray(from_files.vectors()[1]), in_memory.vectors()[1])


@pytest.mark.parametrize("damage", ["truncated", "missing", "header only", "another shape"])
def test_a_damaged_matrix_file_falls_back_to_the_rows_with_the_same_suggestions(workspace,
                                                                                damage):
    before = suggest_json(workspace)
    (path,) = (workspace / ".drafter").glob("index.matrix.*.npy")
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[:len(data) // 2])
    elif damage == "missing":
        path.unlink()
    elif damage == "header only":
        path.write_bytes(data[:128])
    else:
        np.save(path, np.zeros((3, embed.DIM), dtype=np.float32))
    index = open_index(workspace)
    assert index.stats.mode == "cached"
    rowids, matrix = index.vectors()
    assert not isinstance(matrix, np.memmap)
    rows = index.conn.execute("SELECT vec FROM vectors ORDER BY rowid").fetchall()
    halves = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float16)
    assert np.array_equal(matrix, halves.astype(np.float32).reshape(-1, embed.DIM))
    index.close()
    assert suggest_json(workspace) == before


def test_an_index_whose_packed_row_still_holds_the_vectors_is_read_as_before(workspace):
    """An index written before the matrix file kept the vectors alone (the packed row held
    them too) ranks the same."""
    before = suggest_json(workspace)
    index = open_index(workspace)
    rows = index.conn.execute("SELECT vec FROM vectors ORDER BY rowid").fetchall()
    index.close()
    conn = sqlite3.connect(workspace / ".drafter" / "index.sqlite")
    with conn:
        conn.execute("UPDATE packed SET vecs = ?", (b"".join(r[0] for r in rows),))
    conn.close()
    for path in (workspace / ".drafter").glob("index.matrix.*.npy"):
        path.unlink()
    assert suggest_json(workspace) == before


# --- the cycle collector ------------------------------------------------------------------------

def test_the_cycle_collector_runs_again_after_a_build_and_after_a_failed_one(workspace):
    assert gc.isenabled()
    open_index(workspace).close()
    assert gc.isenabled()
    gc.disable()
    try:
        Index.open(workspace / "other", workspace / "positions",
                   workspace / "positions" / "topics.yaml").close()
        assert not gc.isenabled()                 # left as the caller had it
    finally:
        gc.enable()
    block = next((workspace / "positions").rglob("should-imperatives.md"))
    block.write_text(block.read_text(encoding="utf-8").replace("role: ", "role: worry\n#", 1),
                     encoding="utf-8")
    with pytest.raises(LoadError):
        Index.open(workspace / "third", workspace / "positions",
                   workspace / "positions" / "topics.yaml")
    assert gc.isenabled()


def test_the_full_text_index_holds_16_mb_of_terms_before_writing_a_segment(workspace):
    index = open_index(workspace)
    config = dict(index.conn.execute("SELECT k, v FROM fts_config"))
    assert config["hashsize"] == 16 * 1024 * 1024 and config["automerge"] == 8


# --- blocks the fast path leaves to the reference parser ---------------------------------------

def test_a_block_the_fast_path_cannot_vouch_for_is_read_where_it_is_prepared(workspace,
                                                                             monkeypatch):
    """A block whose front matter may hold an alias (a '*' where a node could start) is read
    by the reference parser in the process that prepares it (the worker, on big builds), not
    again by the process writing the index; the index is the same either way."""
    import drafter.load.yamlsrc as yamlsrc
    import drafter.suggest.index as index_module

    path = next((workspace / "positions").rglob("proportionate-copyright-enforcement.md"))
    text = path.read_text(encoding="utf-8")
    question = "Should providers, **always**, act?"
    path.write_text(text.replace('answers:\n  - "', f'answers:\n  - {question}\n  - "', 1),
                    encoding="utf-8")
    assert yamlsrc.may_have_aliases(path.read_text(encoding="utf-8").split("---")[1])
    again = []
    monkeypatch.setattr(index_module, "parse_block",
                        lambda *args: again.append(args) or pytest.fail("parsed again"))
    sequential = Index.open(workspace / "seq", workspace / "positions",
                            workspace / "positions" / "topics.yaml")
    monkeypatch.setattr(index_module, "_PARALLEL_FROM", 8)
    parallel = Index.open(workspace / "par", workspace / "positions",
                          workspace / "positions" / "topics.yaml")
    assert again == []
    query = ("SELECT b.rowid, b.id, b.sha, f.title, f.body, f.answers, v.vec FROM blocks b "
             "JOIN fts f ON f.rowid = b.rowid LEFT JOIN vectors v ON v.rowid = b.rowid "
             "ORDER BY b.rowid")
    rows = sequential.conn.execute(query).fetchall()
    assert parallel.conn.execute(query).fetchall() == rows
    (answers,) = [r[5] for r in rows if r[1] == "proportionate-copyright-enforcement"]
    assert answers.split("\n")[0] == question


def test_a_parallel_build_builds_the_tokenizer_once_before_the_fork(workspace, monkeypatch,
                                                                       tmp_path):
    import os

    import tokenizers

    import drafter.suggest.index as index_module

    builds = tmp_path / "builds"
    real = tokenizers.Tokenizer

    class Counted:
        @staticmethod
        def from_file(path):
            with open(builds, "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()}\n")
            return real.from_file(path)

    monkeypatch.setattr(tokenizers, "Tokenizer", Counted)
    monkeypatch.setattr(embed, "_LOADED", {"model": fresh_model()})
    monkeypatch.setattr(index_module, "_PARALLEL_FROM", 8)
    parallel = open_index(workspace)
    assert builds.read_text(encoding="utf-8").split() == [str(os.getpid())]
    monkeypatch.setattr(embed, "_LOADED", {"model": fresh_model()})
    monkeypatch.setattr(index_module, "_PARALLEL_FROM", 10**9)
    sequential = Index.open(workspace / "seq", workspace / "positions",
                            workspace / "positions" / "topics.yaml")
    query = "SELECT rowid, vec FROM vectors ORDER BY rowid"
    assert parallel.conn.execute(query).fetchall() == sequential.conn.execute(query).fetchall()


def test_a_matrix_file_that_cannot_be_written_is_a_missing_one(workspace, monkeypatch):
    """The file is written in a thread while the index is committed and searched: when that
    fails the vectors come from their rows, and the suggestions are the same."""
    import drafter.suggest.index as index_module
    from drafter.errors import OutputError

    before = suggest_json(workspace)
    for path in (workspace / ".drafter").glob("index.*"):
        path.unlink()

    def fail(path, data):
        raise OutputError("cannot write: No space left on device", path)

    monkeypatch.setattr(index_module, "atomic_write", fail)
    index = open_index(workspace)
    assert index.stats.mode == "rebuilt"
    rowids, matrix = index.vectors()
    assert not isinstance(matrix, np.memmap)
    assert not list((workspace / ".drafter").glob("index.matrix.*"))
    assert index.conn.execute("SELECT vecs FROM packed").fetchone()[0] == b""
    index.close()
    assert suggest_json(workspace) == before


def test_the_matrix_file_is_written_while_the_index_is_searched(workspace, monkeypatch):
    import threading

    import drafter.suggest.index as index_module

    release = threading.Event()
    real = index_module.atomic_write

    def slow(path, data):
        assert release.wait(10)
        real(path, data)

    monkeypatch.setattr(index_module, "atomic_write", slow)
    index = open_index(workspace)                 # returns while the file is being written
    assert not list((workspace / ".drafter").glob("index.matrix.*.npy"))
    assert index.search("encryption", (1, 1, 1, 1, 1), 3)
    release.set()
    rowids, matrix = index.vectors()              # waits for it
    assert isinstance(matrix, np.memmap)
    assert len(list((workspace / ".drafter").glob("index.matrix.*.npy"))) == 1


# --- the text embedded --------------------------------------------------------------------------

def test_a_lead_is_single_spaced_whatever_the_white_space_of_its_text():
    import random

    from drafter.suggest.index import _lead

    rng = random.Random(3)
    spaces = [" ", "  ", "\t", "\n", "\u00a0", "\u2003", "\x1c"]
    for _ in range(3000):
        text = rng.choice(["", " ", "\n"]) + "".join(
            rng.choice("wx") * rng.randint(1, 3)
            + "".join(rng.choice(spaces) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(0, 100)))
        for words in (1, 5, 80):
            lead = _lead(text, words)
            assert lead == " ".join(lead.split()) == " ".join(text.split()[:words])


def test_a_blocks_meaning_is_its_title_summary_and_leads_single_spaced(workspace):
    from drafter.suggest.index import MEANING_BODY_WORDS, MEANING_VARIANT_WORDS
    from drafter.suggest.text import strip_jinja

    block = next(b for b in load_library(workspace / "positions") if len(b.variants) >= 2)
    block.meta.title = " Spaced \t title\n"
    variants = tuple(v.body for v in block.variants.values())
    text = indexed_text(block.meta, block.body, {}, variants)
    words = [*block.meta.title.split(), *block.meta.summary.split(),
             *strip_jinja(block.body).split()[:MEANING_BODY_WORDS]]
    for body in variants:
        words.extend(strip_jinja(body).split()[:MEANING_VARIANT_WORDS])
    assert text.meaning == " ".join(words)
    assert text.meanings[1:] == tuple(block.meta.answers)
