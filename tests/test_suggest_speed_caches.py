"""The caches that make suggestions fast: the token ids of words kept in the index (a run
whose words are all known builds no tokenizer), the meaning vectors packed in one row, and
the memory-mapped token table. Each must give exactly what the uncached path gives, and be
refreshed when what it caches changes."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from array import array
from pathlib import Path

import numpy as np
import pytest

from conftest import run_cli
from drafter.load.consultation import load_consultation
from drafter.load.library import load_library
from drafter.suggest import Index, Suggester, embed

pytestmark = pytest.mark.skipif(embed.model_folder() is None, reason="wordllama not installed")


def open_index(ws: Path) -> Index:
    return Index.open(ws / ".drafter", ws / "positions", ws / "positions" / "topics.yaml")


def fresh_model() -> embed.Embedder:
    """An embedder that has seen no word yet (the process-wide one keeps what it learned)."""
    return embed.Embedder(embed.model_folder())


@pytest.fixture
def own_model(monkeypatch):
    """Make embed.load() give a new embedder, as a new process would."""
    model = fresh_model()
    monkeypatch.setattr(embed, "_LOADED", {"model": model})
    return model


def stored_words(ws: Path) -> dict[str, list[int]]:
    conn = sqlite3.connect(ws / ".drafter" / "index.sqlite")
    try:
        return {w: array("i", ids).tolist() for w, ids in conn.execute("SELECT word, ids FROM words")}
    finally:
        conn.close()


def odd_words(count: int, seed: int = 7) -> list[str]:
    """Words of letters from several scripts, digits, punctuation, symbols and emoji."""
    rng = random.Random(seed)
    alphabet = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                ".,;:!?'\"()[]{}-_/\\@#$%&*+=<>|~`^"
                "éèêëàâäçñøåæœßÉÀÇ" "ąćęłńóśźż" "абвгдежзийклмнопрст" "αβγδεζηθ"
                "日本語中文한국어" "ـعربية" "\u0301\u0308" "€£¥§©®°±µ¶·" "🙂🚀✓→")
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))))
    return sorted(words)


def library_words(limit: int) -> list[str]:
    words: set[str] = set()
    for block in load_library(Path(__file__).resolve().parent.parent / "positions"):
        words.update(block.body.split())
        words.update(block.meta.title.split())
    return sorted(words)[:limit]


# --- the word -> token ids cache ---------------------------------------------------------------

def one_at_a_time(words: list[str]) -> list[list[int]]:
    """The tokenizer's tokens of each word, each word encoded on its own."""
    tokenizer = fresh_model().tokenizer
    return [tokenizer.encode(w, add_special_tokens=False).ids for w in words]


def test_word_token_cache_gives_the_tokenizers_tokens(workspace, own_model):
    words = odd_words(2500) + library_words(1500) + [
        "72-hour", "incidents?", "1,000", "What", "naïve", "Straße", "🙂", "a\u2581b",
        "\u2581", "\u2581\u2581x", "end\u2581"]
    index = open_index(workspace)
    own_model.embed([" ".join(words)])            # tokenized, then kept
    index.keep_words()
    index.close()
    stored = stored_words(workspace)
    assert set(words) <= set(stored)
    reference = one_at_a_time(words)
    assert [stored[w] for w in words] == reference
    assert all(ids for ids in reference)          # every word has a token


def test_words_tokenized_together_as_one_at_a_time():
    words = odd_words(3000, seed=11) + ["x\u2581y", "\u2581", "plain", "a\u2581"]
    assert fresh_model().tokens(words) == one_at_a_time(words)
    assert fresh_model().tokens([]) == []


def test_embedding_from_the_word_cache_equals_the_tokenizer_path(workspace, monkeypatch):
    texts = [" ".join(odd_words(40, seed=n)) for n in range(30)] + [
        "", "   ", "Should providers report incidents within 72 hours?",
        "Prior review by a court before data is handed over."]
    by_tokenizer = fresh_model()
    expected = by_tokenizer.embed(texts)
    index = open_index(workspace)
    monkeypatch.setattr(embed, "_LOADED", {"model": by_tokenizer})
    index.keep_words()
    cached = fresh_model()
    monkeypatch.setattr(embed, "_LOADED", {"model": cached})
    index.prime(texts)
    got = cached.embed(texts)
    assert cached._tokenizer is None              # every word came from the index
    assert got.shape == expected.shape == (len(texts), embed.DIM)
    assert np.abs(got - expected).max() < 1e-6
    assert not got[-4].any() and not got[-3].any()   # no tokens: zero vectors


def test_warm_run_builds_no_tokenizer_and_ranks_the_same(workspace, own_model):
    consultation = load_consultation(workspace / "examples" / "cisa-circia-rfi.yaml").model
    first = [r.as_json() for r in Suggester(open_index(workspace)).questions(consultation)]
    assert own_model._tokenizer is not None       # the first run tokenized every word
    again = fresh_model()
    embed._LOADED["model"] = again
    suggester = Suggester(open_index(workspace))
    assert suggester.index.stats.mode == "cached"
    second = [r.as_json() for r in suggester.questions(consultation)]
    assert second == first
    assert again._tokenizer is None               # the questions' words were kept too
    # A question with a new word builds the tokenizer, and the word is kept for next time.
    suggester.question("Is quuxification of routers a concern?", "US")
    assert again._tokenizer is not None
    assert stored_words(workspace)["quuxification"] == fresh_model().tokens(["quuxification"])[0]


def test_cli_suggest_json_same_bytes_when_the_word_cache_serves(workspace, own_model):
    first = run_cli("suggest", "examples/ntia-consumer-privacy-rfc.yaml", "-f", "json",
                    cwd=workspace)
    assert first.code == 0
    embed._LOADED["model"] = again = fresh_model()
    second = run_cli("suggest", "examples/ntia-consumer-privacy-rfc.yaml", "-f", "json",
                     cwd=workspace)
    assert second.code == 0 and second.out == first.out
    assert again._tokenizer is None
    assert json.loads(second.out)["questions"][0]["suggestions"]


def test_damaged_word_cache_rows_are_tokenized_again(workspace, own_model):
    index = open_index(workspace)
    Suggester(index).question("Should encrypted messages be opened for the police?", "US")
    index.close()
    conn = sqlite3.connect(workspace / ".drafter" / "index.sqlite")
    with conn:
        conn.execute("UPDATE words SET ids = x'0102' WHERE word = 'encrypted'")     # not int32s
        conn.execute("UPDATE words SET ids = ? WHERE word = 'police?'",
                     (array("i", [10 ** 9]).tobytes(),))                          # no such token
    conn.close()
    embed._LOADED["model"] = again = fresh_model()
    index = open_index(workspace)
    index.prime(["Should encrypted messages be opened for the police?"])
    assert "encrypted" not in again._words and "police?" not in again._words
    assert "messages" in again._words
    vector = again.embed(["Should encrypted messages be opened for the police?"])
    assert np.abs(vector - fresh_model().embed(
        ["Should encrypted messages be opened for the police?"])).max() < 1e-6


def test_changed_tokenizer_file_rebuilds_index_and_word_cache(workspace, tmp_path, monkeypatch):
    folder = embed.model_folder()
    copy = tmp_path / "wordllama"
    for rel in (embed._TOKENIZER, embed._WEIGHTS):
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / rel, copy / rel)
    monkeypatch.setattr(embed, "model_folder", lambda: copy)
    monkeypatch.setattr(embed, "_LOADED", {})
    open_index(workspace).close()
    assert stored_words(workspace)
    conn = sqlite3.connect(workspace / ".drafter" / "index.sqlite")
    with conn:
        conn.execute("INSERT INTO words(word, ids) VALUES ('stale-word', x'01000000')")
    conn.close()
    with open(copy / embed._TOKENIZER, "a", encoding="utf-8") as f:
        f.write("\n")                             # another tokenizer file: another signature
    index = open_index(workspace)
    assert (index.stats.mode, index.stats.reason) == ("rebuilt", "embedding model changed")
    index.close()
    assert "stale-word" not in stored_words(workspace)


# --- the packed vectors ------------------------------------------------------------------------

def _packed_equals_rows(index: Index) -> tuple[int, bool]:
    """(number of blocks with vectors, whether the packed form holds exactly their vectors):
    the row ids in ``packed``, the vectors in the matrix file it names (then not again in
    ``packed``), else in ``packed``."""
    index._matrix_written()                       # the file is written in a thread
    conn = index.conn
    rows = conn.execute("SELECT rowid, vec FROM vectors ORDER BY rowid").fetchall()
    rowids, vecs = conn.execute("SELECT rowids, vecs FROM packed WHERE kind = 'meaning'").fetchone()
    per_vector = [r[0] for r in rows for _ in range(len(r[1]) // (embed.DIM * 2))]
    halves = b"".join(r[1] for r in rows)
    name = conn.execute("SELECT value FROM meta WHERE key = 'matrix'").fetchone()[0]
    if name:
        folder = Path(conn.execute("PRAGMA database_list").fetchone()[2]).parent
        matrix = np.load(folder / name, allow_pickle=False)
        same = vecs == b"" and matrix.dtype == np.float32 and np.array_equal(
            matrix, np.frombuffer(halves, dtype=np.float16).astype(np.float32)
            .reshape(-1, embed.DIM))
    else:
        same = vecs == halves
    return len(rows), array("q", rowids).tolist() == per_vector and same


def test_blocks_with_several_vectors_are_packed_one_row_id_per_vector(workspace):
    index = open_index(workspace)
    first, second = [r[0] for r in index.conn.execute(
        "SELECT rowid FROM vectors ORDER BY rowid LIMIT 2")]
    one = index.conn.execute("SELECT vec FROM vectors WHERE rowid = ?",
                             (first,)).fetchone()[0][:embed.DIM * 2]
    with index.conn:                              # a block with three meanings
        index.conn.execute("UPDATE vectors SET vec = ? WHERE rowid = ?", (one * 3, first))
        index._pack()
    index._vectors = None
    rowids, matrix = index.vectors()
    assert rowids.tolist()[:4] == [first, first, first, second]
    assert matrix.shape == (len(rowids), embed.DIM)
    assert np.array_equal(matrix[0], matrix[2])
    assert _packed_equals_rows(index)[1]


def test_packed_vectors_follow_edits_and_removals(workspace):
    from test_suggest import age_library, block_file, edit_planned_obsolescence

    age_library(workspace)
    index = open_index(workspace)
    assert _packed_equals_rows(index) == (23, True)
    rowids, matrix = index.vectors()
    assert rowids.dtype == np.int64 and list(rowids) == sorted(rowids)
    assert len(set(rowids.tolist())) == 23
    assert matrix.dtype == np.float32 and matrix.shape == (len(rowids), embed.DIM)
    index.close()
    edit_planned_obsolescence(workspace)
    index = open_index(workspace)
    assert (index.stats.mode, index.stats.reparsed) == ("cached", 1)
    assert _packed_equals_rows(index) == (23, True)
    edited = index.conn.execute("SELECT rowid FROM blocks WHERE id = 'planned-obsolescence'"
                                ).fetchone()[0]
    rowids, matrix = index.vectors()
    vec = index.conn.execute("SELECT vec FROM vectors WHERE rowid = ?", (edited,)).fetchone()[0]
    assert np.array_equal(matrix[rowids == edited],
                          np.frombuffer(vec, dtype=np.float16).astype(np.float32)
                          .reshape(-1, embed.DIM))
    index.close()
    block_file(workspace, "planned-obsolescence").unlink()
    for variant in (workspace / "positions").rglob("planned-obsolescence.*.md"):
        variant.unlink()
    index = open_index(workspace)
    assert index.stats.removed == 1
    assert _packed_equals_rows(index) == (22, True)
    assert edited not in set(index.vectors()[0].tolist())


def test_unpacked_or_damaged_packed_vectors_are_read_from_the_rows(workspace):
    index = open_index(workspace)
    rowids, matrix = index.vectors()
    index.close()
    conn = sqlite3.connect(workspace / ".drafter" / "index.sqlite")
    with conn:
        conn.execute("UPDATE packed SET vecs = x'00' WHERE kind = 'meaning'")
    conn.close()
    index = open_index(workspace)
    again_ids, again = index.vectors()
    assert np.array_equal(again_ids, rowids) and np.array_equal(again, matrix)


def test_in_memory_index_vectors_equal_the_workspace_index(workspace):
    from_files = open_index(workspace).vectors()
    in_memory = Index.from_library(load_library(workspace / "positions")).vectors()
    assert np.array_equal(from_files[1], in_memory[1])


# --- the memory-mapped token table ------------------------------------------------------------

def test_memory_mapped_table_equals_safetensors(tmp_path):
    from safetensors import safe_open

    path = embed.model_folder() / embed._WEIGHTS
    with safe_open(str(path), framework="numpy") as f:
        reference = f.get_tensor(embed._TENSOR)
    mapped = embed.token_table(path)
    assert mapped.shape == reference.shape == (32000, embed.DIM)
    assert np.array_equal(np.asarray(mapped), reference)
    bad = tmp_path / "bad.safetensors"
    header = json.dumps({embed._TENSOR: {"dtype": "F32", "shape": [2, embed.DIM],
                                         "data_offsets": [0, 2 * embed.DIM * 4]}}).encode()
    bad.write_bytes(len(header).to_bytes(8, "little") + header + b"\0" * (2 * embed.DIM * 4))
    with pytest.raises(ValueError, match="not a float16 table"):
        embed.token_table(bad)


# --- the front-matter fast path's shortcut for aliases -------------------------------------------

def test_alias_in_front_matter_still_goes_to_the_reference_loader(workspace, monkeypatch):
    from test_suggest import block_file, rewrite

    from drafter.errors import LoadError

    path = block_file(workspace, "eu-oppose-backdoors")
    rewrite(path, 'title: "Oppose backdoors"', 'title: &t "Oppose backdoors"\nsource_title: *t')
    with pytest.raises(LoadError) as err:          # the schema knows no 'source_title'
        open_index(workspace)
    assert err.value.path == path and err.value.line == 4
    rewrite(path, 'title: &t "Oppose backdoors"\nsource_title: *t',
            'title: &t "Oppose backdoors"')
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('summary: "Oppose any', 'summary: *t\nx_: "Oppose any', 1),
                    encoding="utf-8")
    with pytest.raises(LoadError) as err:
        open_index(workspace)
    assert err.value.path == path
    path.write_text(text.replace('summary: "Oppose any requirement for backdoor access to '
                                 'encrypted data, which weakens encryption for everyone."',
                                 "summary: *t", 1), encoding="utf-8")
    import drafter.suggest.index as index_module

    slow = []
    reference = index_module.load_block
    monkeypatch.setattr(index_module, "load_block", lambda p: slow.append(p) or reference(p))
    index = open_index(workspace)
    assert slow == [path]                          # read by the loader with the alias budget
    row = index.conn.execute("SELECT title, summary FROM blocks WHERE id = 'eu-oppose-backdoors'"
                             ).fetchone()
    assert row == ("Oppose backdoors", "Oppose backdoors")      # the alias, expanded


def test_star_without_alias_takes_the_fast_path(workspace, monkeypatch):
    import drafter.suggest.index as index_module
    from test_suggest import block_file, rewrite

    path = block_file(workspace, "eu-oppose-backdoors")
    rewrite(path, 'title: "Oppose backdoors"', 'title: "Oppose backdoors (R*D)"')
    slow = []
    monkeypatch.setattr(index_module, "load_block", lambda p: slow.append(p) or 1 / 0)
    index = open_index(workspace)
    assert slow == []
    assert index.conn.execute("SELECT title FROM blocks WHERE id = 'eu-oppose-backdoors'"
                              ).fetchone() == ("Oppose backdoors (R*D)",)


# --- the search's table of answering blocks -----------------------------------------------------

def test_search_joins_answering_blocks_and_follows_a_refresh(workspace):
    from test_suggest import block_file, rewrite

    index = open_index(workspace)
    ids = dict(index.conn.execute("SELECT rowid, id FROM blocks"))
    found = [ids[r] for r, _ in index.search(['"backdoors"'], (3.0, 2.0, 1.0, 1.0, 1.0), 60)]
    assert "eu-oppose-backdoors" in found
    roles = dict(index.conn.execute("SELECT id, role || ' ' || status FROM blocks"))
    assert all(roles[b].split()[0] in ("recommendation", "argument", "concern")
               and roles[b].split()[1] != "retired" for b in found)
    other = next(b for b in found if b != "eu-oppose-backdoors")
    rewrite(block_file(workspace, "eu-oppose-backdoors"), "status: approved", "status: retired")
    path = block_file(workspace, other)
    path.write_text(path.read_text(encoding="utf-8") + "\nMore on backdoors.\n",
                    encoding="utf-8")                             # edited: a new row
    before = index.stats.reparsed
    index._refresh(str((workspace / "positions").resolve()))      # the same index, refreshed
    assert index.stats.reparsed - before == 2
    ids = dict(index.conn.execute("SELECT rowid, id FROM blocks"))
    again = [ids[r] for r, _ in index.search(['"backdoors"'], (3.0, 2.0, 1.0, 1.0, 1.0), 60)]
    assert "eu-oppose-backdoors" not in again and other in again
    assert sorted(again) == sorted(b for b in found if b != "eu-oppose-backdoors")


# --- when the model starts loading ----------------------------------------------------------------

def test_model_preloads_after_the_scan_when_reused_before_a_rebuild(workspace, monkeypatch):
    import drafter.suggest.index as index_module

    events = []
    scan = index_module._scan
    monkeypatch.setattr(index_module, "_FORK_SCAN", False)     # this process scans
    monkeypatch.setattr(index_module, "_scan", lambda root: events.append("scan") or scan(root))
    monkeypatch.setattr(embed, "preload", lambda tokenizer=False: events.append(
        "preload with tokenizer" if tokenizer else "preload"))
    Index.open(workspace / ".drafter", workspace / "positions",
               workspace / "positions" / "topics.yaml", preload=True).close()
    # built from nothing: the model (and its tokenizer, every word is new) first
    assert events == ["preload with tokenizer", "scan"]
    events.clear()
    Index.open(workspace / ".drafter", workspace / "positions",
               workspace / "positions" / "topics.yaml", preload=True).close()
    assert events == ["scan", "preload"]          # reused: the scan first
    events.clear()
    Index.open(workspace / ".drafter", workspace / "positions",
               workspace / "positions" / "topics.yaml").close()
    assert events == ["scan"]


def test_preloading_for_a_build_from_nothing_builds_the_tokenizer_too(monkeypatch):
    monkeypatch.setattr(embed, "_LOADED", {})          # this test's own load
    embed._quiet_load()
    assert embed.loaded()._tokenizer is None            # a reused index may need no tokenizer
    monkeypatch.setattr(embed, "_LOADED", {})
    embed._quiet_load(tokenizer=True)
    model = embed.loaded()
    assert model._tokenizer is not None and embed.load() is model
    assert model.tokens(["reporting"]) == [model.tokenizer.encode(
        "reporting", add_special_tokens=False).ids]


def test_model_preloads_while_a_child_scans_when_reused(workspace, monkeypatch):
    import drafter.suggest.index as index_module

    if not index_module._FORK_SCAN:
        pytest.skip("this system does not fork")
    events = []
    start = index_module._ScanAside.start
    monkeypatch.setattr(index_module._ScanAside, "start",
                        lambda root: events.append("scan aside") or start(root))
    monkeypatch.setattr(embed, "preload", lambda tokenizer=False: events.append("preload"))
    Index.open(workspace / ".drafter", workspace / "positions",
               workspace / "positions" / "topics.yaml", preload=True).close()
    assert events == ["preload"]                  # built from nothing: no child
    events.clear()
    index = Index.open(workspace / ".drafter", workspace / "positions",
                       workspace / "positions" / "topics.yaml", preload=True)
    assert events == ["scan aside", "preload"]    # reused: the child scans, the model loads
    assert index.stats.mode == "cached" and index.stats.reparsed == 0
    assert index.stats.scanned == len(index) > 0
    index.close()
    events.clear()
    Index.open(workspace / ".drafter", workspace / "positions",
               workspace / "positions" / "topics.yaml").close()
    assert events == []                           # without preload, this process scans


def test_meaning_matrix_is_mapped_from_its_file_and_equals_the_rows(workspace):
    index = open_index(workspace)
    rowids, matrix = index.vectors()
    assert isinstance(matrix, np.memmap) and matrix.dtype == np.float32
    files = sorted((workspace / ".drafter").glob("index.matrix.*.npy"))
    assert len(files) == 1
    row = index.conn.execute("SELECT rowids, vecs FROM packed WHERE kind = 'meaning'").fetchone()
    assert row[1] == b""                          # the vectors are kept once, in the file
    rows = index.conn.execute("SELECT vec FROM vectors ORDER BY rowid").fetchall()
    halves = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float16)
    assert np.array_equal(np.asarray(matrix), halves.astype(np.float32).reshape(-1, embed.DIM))
    assert rowids.tolist() == np.frombuffer(row[0], dtype=np.int64).tolist()


def test_an_edit_writes_a_new_matrix_file_and_removes_the_old_one(workspace):
    from test_suggest import age_library, edit_planned_obsolescence

    age_library(workspace)
    open_index(workspace).close()
    before = sorted(p.name for p in (workspace / ".drafter").glob("index.matrix.*.npy"))
    edit_planned_obsolescence(workspace)
    index = open_index(workspace)
    rowids, matrix = index.vectors()              # waits for the file (written in a thread)
    after = sorted(p.name for p in (workspace / ".drafter").glob("index.matrix.*.npy"))
    assert len(before) == len(after) == 1 and before != after
    assert isinstance(matrix, np.memmap)
    edited = index.conn.execute("SELECT rowid FROM blocks WHERE id = 'planned-obsolescence'"
                                ).fetchone()[0]
    vec = index.conn.execute("SELECT vec FROM vectors WHERE rowid = ?", (edited,)).fetchone()[0]
    assert np.array_equal(np.asarray(matrix[rowids == edited]),
                          np.frombuffer(vec, dtype=np.float16).astype(np.float32)
                          .reshape(-1, embed.DIM))


def test_a_missing_or_damaged_matrix_file_falls_back_to_the_rows(workspace):
    index = open_index(workspace)
    expected = np.asarray(index.vectors()[1]).copy()
    index.close()
    (path,) = (workspace / ".drafter").glob("index.matrix.*.npy")
    for damage in (lambda: path.write_bytes(b"\x93NUMPY garbage"), path.unlink):
        damage()
        index = open_index(workspace)
        rowids, matrix = index.vectors()
        assert not isinstance(matrix, np.memmap)
        assert np.array_equal(matrix, expected)
        index.close()


def test_a_missing_or_damaged_matrix_file_is_written_again_for_the_next_run(workspace):
    """Until the library changed, every run read the vectors' rows when the matrix file had
    gone: the run that finds it missing or damaged now writes it again."""
    index = open_index(workspace)
    expected = np.asarray(index.vectors()[1]).copy()
    index.close()
    (path,) = (workspace / ".drafter").glob("index.matrix.*.npy")
    good = path.read_bytes()
    for damage in (lambda: path.write_bytes(b"\x93NUMPY garbage"), path.unlink):
        damage()
        index = open_index(workspace)
        assert not isinstance(index.vectors()[1], np.memmap)    # this run reads the rows
        index.close()                                            # and waits for the file
        assert path.read_bytes() == good
        index = open_index(workspace)
        rowids, matrix = index.vectors()
        assert isinstance(matrix, np.memmap) and np.array_equal(np.asarray(matrix), expected)
        index.close()
