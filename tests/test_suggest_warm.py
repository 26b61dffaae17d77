"""The warm path of ``drafter suggest``: the scan of the library (through an open folder where
the system allows it, and in a forked child process while this one loads the embedding model),
which must find exactly the files the library loader finds and tell the same changes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import drafter.suggest.index as index_module
from conftest import run_cli
from drafter.errors import LoadError
from drafter.load.library import block_files, variant_files
from drafter.suggest import Index, embed
from drafter.suggest.index import _listing, _scan, _ScanAside

CAN_FORK = index_module._FORK_SCAN
forking = pytest.mark.skipif(not CAN_FORK, reason="this system does not fork")


def make_tree(root: Path) -> None:
    """Block and variant files in nested folders, with what the scan must leave out."""
    for rel in ("a.md", "b.plain.md", "sub/c.md", "sub/c.short.md", "sub/deep/d.md",
                ".hidden.md", "sub/.e.md", "notes.txt", "sub/deep/readme", "x.md/f.md",
                ".folder/g.md", "sub/deep/h.md"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{rel}\n" * (len(rel) % 5 + 1), encoding="utf-8")
    os.symlink(root / "a.md", root / "sub" / "linked.md")


def expected(root: Path) -> tuple[dict, dict]:
    def signature(paths):
        return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
                for p in paths}

    return signature(block_files(root)), signature(variant_files(root))


def wait_for_other_threads() -> None:
    """Let the threads earlier runs left (model loads, child reapers) end."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(30)


@pytest.mark.parametrize("by_descriptor", [True, False])
def test_scan_finds_the_library_loaders_files(tmp_path, monkeypatch, by_descriptor):
    if by_descriptor and not index_module._SCAN_BY_DESCRIPTOR:
        pytest.skip("os.scandir takes no open folder here")
    monkeypatch.setattr(index_module, "_SCAN_BY_DESCRIPTOR", by_descriptor)
    make_tree(tmp_path)
    found, variants = _scan(str(tmp_path))
    assert (found, variants) == expected(tmp_path)
    assert sorted(found) == [".folder/g.md", "a.md", "sub/c.md", "sub/deep/d.md",
                             "sub/deep/h.md", "sub/linked.md", "x.md/f.md"]
    assert sorted(variants) == ["b.plain.md", "sub/c.short.md"]
    assert found["sub/linked.md"] == found["a.md"]          # a link: its target's signature


@pytest.mark.parametrize("by_descriptor", [True, False])
def test_scan_of_a_missing_folder_is_an_error_naming_it(tmp_path, monkeypatch, by_descriptor):
    monkeypatch.setattr(index_module, "_SCAN_BY_DESCRIPTOR",
                        by_descriptor and index_module._SCAN_BY_DESCRIPTOR)
    with pytest.raises(LoadError) as caught:
        _scan(str(tmp_path / "gone"))
    assert caught.value.message.startswith("cannot read the position library: ")
    assert str(caught.value.path) == str(tmp_path / "gone")


def test_scan_by_descriptor_leaves_no_folder_open(tmp_path):
    make_tree(tmp_path)
    before = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").is_dir() else None
    for _ in range(20):
        _scan(str(tmp_path))
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) == before


@forking
def test_child_scan_gives_this_processes_listing_and_files(tmp_path):
    make_tree(tmp_path)
    wait_for_other_threads()
    aside = _ScanAside.start(str(tmp_path))
    assert aside is not None
    listing, count = aside.result()
    found, variants = _scan(str(tmp_path))
    assert listing == _listing(found.items()) + _listing(variants.items())
    assert count == len(found) == 7
    assert aside.maps() == (found, variants)
    assert aside.pipe.closed


@forking
def test_child_scan_left_unread_exits_and_is_waited_for(tmp_path):
    make_tree(tmp_path)
    wait_for_other_threads()
    aside = _ScanAside.start(str(tmp_path))
    assert aside.result()[1] == 7
    aside.close()                                 # the maps are not needed
    aside.close()                                 # closing twice does nothing
    wait_for_other_threads()
    with pytest.raises(ChildProcessError):        # reaped: no child left behind
        os.waitpid(aside.pid, os.WNOHANG)


@forking
def test_child_scan_that_fails_leaves_the_error_to_this_process(tmp_path):
    wait_for_other_threads()
    aside = _ScanAside.start(str(tmp_path / "gone"))
    assert aside is not None
    assert aside.result() is None                 # the caller scans again, for the error
    assert aside.pipe.closed
    with pytest.raises(LoadError):
        _scan(str(tmp_path / "gone"))


@forking
def test_no_child_is_forked_while_threads_run(tmp_path):
    wait_for_other_threads()
    release = threading.Event()
    other = threading.Thread(target=release.wait, daemon=True)
    other.start()
    try:
        assert _ScanAside.start(str(tmp_path)) is None
    finally:
        release.set()
        other.join()


def suggest_json(workspace: Path, monkeypatch, fork: bool) -> tuple[str, list]:
    """``drafter suggest --format json`` of the NTIA example (a warm run), with or without the
    child scan; the children started."""
    started = []
    start = _ScanAside.start

    def spy(root):
        aside = start(root)
        started.append(aside is not None)
        return aside

    monkeypatch.setattr(index_module, "_FORK_SCAN", fork and CAN_FORK)
    monkeypatch.setattr(_ScanAside, "start", spy)
    wait_for_other_threads()
    result = run_cli("suggest", "examples/ntia-consumer-privacy-rfc.yaml", "-f", "json",
                     cwd=workspace)
    assert result.code == 0, result.err
    return result.out, started


@forking
def test_warm_suggestions_same_bytes_with_and_without_the_child_scan(workspace, monkeypatch):
    cold, _ = suggest_json(workspace, monkeypatch, fork=False)
    with_child, started = suggest_json(workspace, monkeypatch, fork=True)
    assert started == [True]
    without, started = suggest_json(workspace, monkeypatch, fork=False)
    assert started == [False]
    assert with_child == without == cold and '"suggestions"' in with_child
    # A block edited: the child's files tell the change, and the edit is ranked.
    block = next(p for p in sorted((workspace / "positions").rglob("*.md"))
                 if "." not in p.name[:-3] and p.name != "topics.yaml")
    text = block.read_text(encoding="utf-8")
    block.write_text(text.replace("\ntitle: ", "\ntitle: Quuxified ", 1), encoding="utf-8")
    assert "title: Quuxified" in block.read_text(encoding="utf-8")
    edited, started = suggest_json(workspace, monkeypatch, fork=True)
    assert started == [True]
    index = Index.open(workspace / ".drafter", workspace / "positions",
                       workspace / "positions" / "topics.yaml")
    assert index.stats.reparsed == 0              # the run with the child indexed the edit
    title = index.conn.execute("SELECT title FROM blocks WHERE path = ?",
                               (block.relative_to(workspace / "positions").as_posix(),)
                               ).fetchone()[0]
    index.close()
    assert title.startswith("Quuxified ")
    again, _ = suggest_json(workspace, monkeypatch, fork=False)
    assert edited == again


def test_model_is_not_loaded_by_a_scan_without_preload(workspace, monkeypatch):
    calls = []
    monkeypatch.setattr(embed, "preload", lambda: calls.append("preload"))
    Index.open(workspace / ".drafter", workspace / "positions",
               workspace / "positions" / "topics.yaml").close()
    Index.open(workspace / ".drafter", workspace / "positions",
               workspace / "positions" / "topics.yaml").close()
    assert calls == []


def rankings(workspace: Path, monkeypatch, parallel: bool, name: str,
             recalled: bool = False) -> list:
    """Every suggestion (score, reason, similarity, chance) for the questions of ``name``, in a
    fresh Suggester, ranked by one thread or by two; ``recalled``: with every question's
    meaning results taken from the index (one thread, then)."""
    import drafter.suggest as suggest_module
    from drafter.load.consultation import load_consultation
    from drafter.suggest import Suggester

    monkeypatch.setattr(suggest_module, "PARALLEL_FROM", 0 if parallel else 10**9)
    model = load_consultation(workspace / "examples" / name).model
    suggester = Suggester(Index.open(workspace / ".drafter", workspace / "positions",
                                     workspace / "positions" / "topics.yaml", preload=True))
    ranked = suggester.questions(model, limit=8, explain=8)
    assert (suggester._second is not None) == (parallel and not recalled)
    if parallel and not recalled:                 # the second connection's ranker shares it
        assert suggester._second.matcher is suggester.ranker.matcher
    suggester.index.close()
    return [(r.id, r.text, r.suggestions, [h.topic for h in r.topics]) for r in ranked]


@pytest.mark.skipif(embed.model_folder() is None, reason="wordllama not installed")
@pytest.mark.parametrize("name", ["cisa-circia-rfi.yaml", "ntia-consumer-privacy-rfc.yaml"])
def test_search_beside_measure_ranks_like_one_thread(workspace, monkeypatch, name):
    one = rankings(workspace, monkeypatch, False, name)
    # questions never asked: nothing kept of their words, stems, searches or tokens
    monkeypatch.setattr(embed, "_LOADED", {"model": embed.Embedder(embed.model_folder())})
    import sqlite3

    conn = sqlite3.connect(workspace / ".drafter" / "index.sqlite")
    with conn:
        for table in ("words", "stems", "postings", "terms", "meant"):
            conn.execute(f"DELETE FROM {table}")
    conn.close()
    two = rankings(workspace, monkeypatch, True, name)
    assert two == one
    assert sum(len(s) for _, _, s, _ in one) > 20
    assert all(s.why for _, _, suggestions, _ in one for s in suggestions)
    assert two == rankings(workspace, monkeypatch, True, name, recalled=True)   # and when warm


def highlighted_alone(index: Index, rowids: list[int], query: str) -> dict[int, list[str]]:
    """What Index.matched_words gives, from a scratch table of these blocks alone."""
    import sqlite3

    scratch = sqlite3.connect(":memory:")
    scratch.execute(index_module._SCRATCH_TABLE)
    texts = index.conn.execute(
        f"SELECT rowid, title, summary, body FROM fts WHERE rowid IN "
        f"({','.join('?' * len(rowids))})", rowids).fetchall()
    scratch.executemany("INSERT INTO s(rowid, title, summary, body) VALUES (?, ?, ?, ?)", texts)
    marked = scratch.execute(
        "SELECT rowid, highlight(s, 0, char(1), char(2)), highlight(s, 1, char(1), char(2)), "
        "highlight(s, 2, char(1), char(2)) FROM s WHERE s MATCH ?", (query,)).fetchall()
    scratch.close()
    return {rowid: index_module._marked(columns) for rowid, *columns in marked}


def test_matched_words_from_a_growing_scratch_table_equal_each_block_alone(workspace,
                                                                           monkeypatch):
    from drafter.load.consultation import load_consultation
    from drafter.suggest import Suggester

    monkeypatch.setattr(index_module, "_SCRATCH_ROWS", 7)     # emptied every few calls
    suggester = Suggester(Index.open(workspace / ".drafter", workspace / "positions",
                                     workspace / "positions" / "topics.yaml"))
    index = suggester.index
    asked = 0
    for name in ("cisa-circia-rfi.yaml", "ntia-consumer-privacy-rfc.yaml"):
        for question in load_consultation(workspace / "examples" / name).model.questions:
            scored, _, _, query = suggester.ranker.candidates(question.text, "US")
            for rowids in ([row.rowid for _, row, _, _, _ in scored[:3]],
                           [row.rowid for _, row, _, _, _ in scored[1:6]]):
                got = index.matched_words(rowids, query)
                assert got == highlighted_alone(index, rowids, query)
                assert index._scratch_rows <= 7
                asked += bool(got)
    assert asked > 10
    assert index.matched_words([], '"privacy"') == {}
    index.close()


def test_first_max_in_segments_is_argmax_of_each_segment():
    import numpy as np

    from drafter.suggest.rank import _first_max_in_segments

    rng = np.random.default_rng(5)
    for trial in range(200):
        values = rng.integers(-3, 4, size=int(rng.integers(1, 60))).astype(np.float32)
        if trial % 3 == 0:
            values = rng.standard_normal(len(values)).astype(np.float32)
        if trial % 17 == 0:
            values[int(rng.integers(len(values)))] = np.nan
        cuts = np.flatnonzero(rng.random(len(values)) < 0.3)
        bounds = np.unique(np.concatenate(([0], cuts, [len(values)])))
        segments = list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
        picked = rng.permutation(len(segments))[:int(rng.integers(1, len(segments) + 1))]
        firsts = np.array([segments[i][0] for i in picked], dtype=np.int64)
        lengths = np.array([segments[i][1] - segments[i][0] for i in picked], dtype=np.int64)
        expected = [int(values[f:f + n].argmax()) for f, n in zip(firsts, lengths)]
        assert _first_max_in_segments(values, firsts, lengths).tolist() == expected
    ties = np.array([1, 5, 5, 0, 2, 2, 2, -1], dtype=np.float32)   # the first of equal ones
    assert _first_max_in_segments(ties, np.array([0, 3, 7]), np.array([3, 4, 1])).tolist() \
        == [1, 1, 0]


def test_index_connections_read_the_file_through_a_memory_map(workspace):
    index = Index.open(workspace / ".drafter", workspace / "positions",
                       workspace / "positions" / "topics.yaml")          # built
    again = Index.open(workspace / ".drafter", workspace / "positions",
                       workspace / "positions" / "topics.yaml")         # reused
    reader = again.reader()
    for conn in (index.conn, again.conn, reader.conn):
        assert conn.execute("PRAGMA mmap_size").fetchone()[0] == index_module._MAPPED_BYTES
    assert index.ids() == again.ids() == reader.ids() and len(index.ids()) > 10
    for each in (reader, again, index):
        each.close()


def test_best_items_are_heapqs_smallest_by_score_then_rowid():
    import heapq
    import random

    from drafter.suggest.index import _best, _best_first

    rng = random.Random(11)
    for trial in range(300):
        size = rng.randint(0, 150)
        values = [rng.choice([0.5, 1.25, 2.0, 3.75]) if trial % 2 else rng.uniform(-1, 9)
                  for _ in range(size)]
        scores = dict(zip(rng.sample(range(10_000), size), values))
        for limit in (0, 1, 5, 60, size, size + 3):
            assert _best(scores, limit) == heapq.nsmallest(limit, scores.items(),
                                                           key=_best_first), (trial, limit)
    assert _best({7: 1.0, 3: 1.0, 5: 2.0}, 2) == [(5, 2.0), (3, 1.0)]


def test_block_rows_are_the_blocks_table(workspace):
    from drafter.suggest.index import BlockRow

    index = Index.open(workspace / ".drafter", workspace / "positions",
                       workspace / "positions" / "topics.yaml")
    table = index.conn.execute("SELECT rowid, id, path, title, summary, topics, jurisdictions, "
                               "status, role, stance FROM blocks ORDER BY rowid").fetchall()
    rows = index.rows([r[0] for r in table] + [10**9])          # an unknown row id: left out
    assert list(rows) == [r[0] for r in table] and len(rows) > 10
    for r in table:
        row = rows[r[0]]
        assert (row.rowid, row.id, row.path, row.title, row.summary, row.status, row.role,
                row.stance) == (r[0], r[1], r[2], r[3], r[4], r[7], r[8], r[9])
        assert row.topics == tuple(r[5].split(",")) and row.jurisdictions == tuple(
            r[6].split(","))
        assert row.applies_to(row.jurisdictions[0]) and isinstance(row, BlockRow)
        assert row.applies_to("XX") == ("any" in row.jurisdictions)
        assert repr(row).startswith(f"BlockRow(rowid={r[0]}, id={r[1]!r}, ")
    assert rows == index.rows(rows) and len({rows[r[0]] for r in table}) == len(table)
    index.close()
