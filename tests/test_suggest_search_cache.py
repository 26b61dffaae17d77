"""Searching the words of questions: each phrase's BM25 is kept once searched, and a search
sums the phrases' figures. The sum must be, to the last bit and in the same order, what one
FTS5 query of all the phrases gives; what is kept must be dropped when the library changes;
and words are stemmed once, then read from the index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import ROOT
from drafter.load.consultation import load_consultation
from drafter.suggest import Index, Suggester
from drafter.suggest.evaluate import load_labels
from drafter.suggest.rank import CANDIDATES, FIELD_WEIGHTS
from drafter.suggest.text import fts_phrases, query_terms

ONE_QUERY = ("SELECT fts.rowid, -bm25(fts, ?, ?, ?, ?, ?) AS score FROM fts "
             "JOIN temp.answering AS a ON a.rowid = fts.rowid WHERE fts MATCH ? "
             "ORDER BY score DESC, fts.rowid LIMIT ?")


def open_index(ws: Path) -> Index:
    return Index.open(ws / ".drafter", ws / "positions", ws / "positions" / "topics.yaml")


def one_query(index: Index, phrases: list[str], weights=FIELD_WEIGHTS, limit=CANDIDATES):
    index._answering_table()
    return index.conn.execute(ONE_QUERY, (*weights, " OR ".join(phrases), limit)).fetchall()


def searched_and_kept(ws: Path, phrases: list[str]):
    """Search ``phrases`` in the workspace's index and keep what was found; the results."""
    index = open_index(ws)
    found = index.search(phrases, FIELD_WEIGHTS, CANDIDATES)
    index.keep_searches()
    index.close()
    return found


def labelled_phrases() -> list[list[str]]:
    items = load_labels(ROOT / "tests" / "data" / "suggest" / "labels.yaml", ROOT / "examples")
    return [p for p in (fts_phrases(query_terms(i.text)) for i in items) if p]


def test_search_equals_one_fts5_query_to_the_last_bit(workspace):
    index = open_index(workspace)
    asked = labelled_phrases()
    assert len(asked) > 250
    for weights in (FIELD_WEIGHTS, (1.0, 1.0, 1.0, 1.0, 1.0)):
        for phrases in asked:
            assert index.search(phrases, weights, CANDIDATES) == one_query(
                index, phrases, weights), phrases
    # every match, not only the first 60, and the same again from what was kept in memory
    for phrases in asked[:40]:
        assert index.search(phrases, FIELD_WEIGHTS, 10_000) == one_query(
            index, phrases, limit=10_000)
    assert index.search([], FIELD_WEIGHTS, CANDIDATES) == []


def test_searched_phrases_are_kept_in_the_index_and_read_back(workspace):
    consultation = load_consultation(workspace / "examples" / "cisa-circia-rfi.yaml").model
    first = [r.as_json() for r in Suggester(open_index(workspace)).questions(consultation)]
    conn = sqlite3.connect(workspace / ".drafter" / "index.sqlite")
    kept = conn.execute("SELECT count(*) FROM postings").fetchone()[0]
    listing, key = conn.execute(
        "SELECT (SELECT value FROM meta WHERE key = 'listing'),"
        " (SELECT value FROM meta WHERE key = 'postings')").fetchone()
    conn.close()
    assert kept > 10 and key.split("\n")[0] == listing
    suggester = Suggester(open_index(workspace))
    assert suggester.index.stats.mode == "cached"
    second = [r.as_json() for r in suggester.questions(consultation)]
    assert second == first
    assert not suggester.index._fresh_postings        # nothing searched: all read back


def test_kept_searches_are_dropped_when_a_block_changes(workspace):
    from test_suggest import block_file

    phrases = ['"backdoors"', '"encryption"']
    before = searched_and_kept(workspace, phrases)
    path = block_file(workspace, "eu-oppose-backdoors")
    path.write_text(path.read_text(encoding="utf-8").replace("status: approved",
                                                             "status: retired"),
                    encoding="utf-8")
    index = open_index(workspace)
    assert index.stats.reparsed == 1
    after = index.search(phrases, FIELD_WEIGHTS, CANDIDATES)
    assert after == one_query(index, phrases) and after != before
    ids = dict(index.conn.execute("SELECT rowid, id FROM blocks"))
    assert "eu-oppose-backdoors" not in {ids[r] for r, _ in after}


def test_damaged_kept_postings_are_searched_again(workspace):
    phrases = ['"backdoors"', '"lawful access"']
    expected = searched_and_kept(workspace, phrases)
    conn = sqlite3.connect(workspace / ".drafter" / "index.sqlite")
    with conn:
        changed = conn.execute("UPDATE postings SET scores = x'0102' WHERE phrase = ?",
                               ('"backdoors"',)).rowcount
    conn.close()
    assert changed == 1
    index = open_index(workspace)
    assert index.search(phrases, FIELD_WEIGHTS, CANDIDATES) == expected
    assert [p for _, p in index._fresh_postings] == ['"backdoors"']


def test_other_field_weights_do_not_read_what_was_kept_for_others(workspace):
    phrases = ['"multi stakeholder"', '"governance"']
    searched_and_kept(workspace, phrases)
    index = open_index(workspace)
    other = (1.0, 1.0, 5.0, 1.0, 1.0)
    assert index.search(phrases, other, CANDIDATES) == one_query(index, phrases, other)
    assert len(index._fresh_postings) == 2


def test_words_are_stemmed_once_then_read_from_the_index(workspace):
    index = open_index(workspace)
    stems = index.stems(["reporting", "encryption", "providers", "---"])
    assert stems == {"reporting": "report", "encryption": "encrypt", "providers": "provid",
                     "---": ""}
    index.keep_searches()
    index.close()
    index = open_index(workspace)
    assert index.stems(["reporting", "---"]) == {"reporting": "report", "---": ""}
    assert index._stemmer is None                 # no scratch table: read from the index
    assert index.stems(["safeguards"]) == {"safeguards": "safeguard"}
    assert index._stemmer is not None


@pytest.mark.parametrize("question", [
    "How should incident reporting rules treat covered entities?",
    "Would a back door in end-to-end encryption help law enforcement?",
])
def test_document_frequencies_are_the_vocabularys(workspace, question):
    index = open_index(workspace)
    words = [w for term in query_terms(question) for w in term]
    got = index.document_frequencies(words)
    index.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, 'fts', 'row')")
    stems = index.stems(words)
    vocab = dict(index.conn.execute("SELECT term, doc FROM temp.v"))
    assert got == {w: vocab.get(stems[w], 0) for w in words}
    assert any(got.values())
