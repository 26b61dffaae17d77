"""Questions asked before: the index keeps what comparing each question's meaning with the
library's gave (``meant``), so that asking again needs neither numpy nor the embedding model,
and ranks exactly as comparing again would."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from drafter.load.consultation import load_consultation
from drafter.suggest import Index, Suggester, embed
from drafter.suggest.rank import Recalled

pytestmark = pytest.mark.skipif(embed.model_folder() is None, reason="wordllama not installed")

CONSULTATIONS = sorted(p.name for p in (ROOT / "examples").glob("*.yaml")
                       if load_consultation(p).model.questions)


def open_index(ws: Path, **kwargs) -> Index:
    return Index.open(ws / ".drafter", ws / "positions", ws / "positions" / "topics.yaml",
                      **kwargs)


def same_ranking(one: list, other: list) -> bool:
    """Whether two rankings of :func:`ranked` agree in all a reader sees: the positions in
    order, scores and chances as shown, reasons, confidence, and similarities to 1e-6. (A
    question compared alone and among others may differ in the last bits of its
    similarities: see :class:`Recalled`.)"""
    def shown(ranking):
        return [(qid, text, topics, [(s.position, s.score, s.why, s.confident,
                                      s.chance is None, s.similarity is None)
                                     for s in suggestions])
                for qid, text, suggestions, topics in ranking]

    figures = [(getattr(s, f) or 0.0, getattr(t, f) or 0.0) for a, b in zip(one, other)
               for s, t in zip(a[2], b[2]) for f in ("similarity", "chance")]
    return shown(one) == shown(other) and all(abs(x - y) <= 1e-6 for x, y in figures)


def ranked(ws: Path, name: str, measured: list | None = None) -> list:
    """Every suggestion of every question of example ``name`` (all fields, every reason), in
    a fresh suggester; ``measured``: the texts compared with the matrix are appended to it."""
    model = load_consultation(ws / "examples" / name).model
    suggester = Suggester(open_index(ws))
    if measured is not None:
        measure = suggester.ranker._measure

        def spy(texts):
            measured.extend(texts)
            return measure(texts)

        suggester.ranker._measure = spy
    try:
        return [(r.id, r.text, r.suggestions, [h.topic for h in r.topics])
                for r in suggester.questions(model, limit=8, explain=8)]
    finally:
        suggester.index.close()


def kept(ws: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(ws / ".drafter" / "index.sqlite")
    try:
        return {row[0]: row[1:] for row in conn.execute(
            "SELECT text, k, rowids, sims, owns, nears, tops FROM meant")}
    finally:
        conn.close()


def test_recalled_meanings_rank_every_example_exactly_as_measured(workspace):
    assert len(CONSULTATIONS) >= 5
    for name in CONSULTATIONS:
        measured: list[str] = []
        first = ranked(workspace, name, measured)
        texts = [q.text for q in load_consultation(workspace / "examples" / name).model.questions]
        assert set(measured) == set(texts)             # compared with the matrix, then kept
        assert set(texts) <= set(kept(workspace))
        again: list[str] = []
        second = ranked(workspace, name, again)
        assert again == []                            # every question recalled
        assert second == first, name                  # the same scores, reasons, chances
        assert any(s.similarity is not None for _, _, sug, _ in second for s in sug)


def test_a_recalled_entry_reads_back_what_was_kept(workspace):
    name = "cisa-circia-rfi.yaml"
    ranked(workspace, name)
    entries = kept(workspace)
    text, entry = sorted(entries.items())[0]
    recalled = Recalled.from_kept(entry)
    assert recalled is not None
    answering = open_index(workspace).vectors()[0]
    assert len(recalled.top) == min(60, len(set(answering.tolist()))) > 10
    assert [s for _, s in recalled.top] == sorted((s for _, s in recalled.top), reverse=True)
    assert all(rowid in recalled.sims for rowid, _ in recalled.top)
    assert set(recalled.nears) == set(recalled.sims)
    # damaged or for another number of candidates: not used
    assert Recalled.from_kept((59,) + entry[1:]) is None
    assert Recalled.from_kept(entry[:2] + (entry[2][:-3],) + entry[3:]) is None
    assert Recalled.from_kept(entry[:1] + (None,) + entry[2:]) is None


def test_a_damaged_kept_meaning_is_measured_again(workspace):
    name = "ntia-consumer-privacy-rfc.yaml"
    first = ranked(workspace, name)
    conn = sqlite3.connect(workspace / ".drafter" / "index.sqlite")
    victim = sorted(kept(workspace))[2]
    with conn:
        conn.execute("UPDATE meant SET sims = x'0102' WHERE text = ?", (victim,))
    conn.close()
    measured: list[str] = []
    assert same_ranking(ranked(workspace, name, measured), first)
    assert measured == [victim]


def test_words_matching_a_block_the_entry_does_not_hold_measure_again(workspace):
    name = "ntia-consumer-privacy-rfc.yaml"
    first = ranked(workspace, name)
    # one question's entry loses a block its words match (as if it had not been among the
    # closest, nor matched when the entry was kept)
    from array import array

    text, entry = sorted(kept(workspace).items())[0]
    index = open_index(workspace)
    matched = sorted(Suggester(index).ranker._words(text)[1])
    index.close()
    assert matched
    gone = matched[0]
    k, rowids, sims, owns, nears, tops = entry
    ids, values, near = array("q", rowids), array("d", sims), array("i", nears)
    own = array("d", owns) if owns is not None else None
    keep = [i for i, r in enumerate(ids) if r != gone]
    assert len(keep) == len(ids) - 1
    conn = sqlite3.connect(workspace / ".drafter" / "index.sqlite")
    with conn:
        conn.execute("UPDATE meant SET rowids = ?, sims = ?, owns = ?, nears = ?, tops = ? "
                     "WHERE text = ?",
                     (array("q", [ids[i] for i in keep]).tobytes(),
                      array("d", [values[i] for i in keep]).tobytes(),
                      None if own is None else array("d", [own[i] for i in keep]).tobytes(),
                      array("i", [near[i] for i in keep]).tobytes(),
                      array("q", [r for r in array("q", tops) if r != gone]).tobytes(), text))
    conn.close()
    assert Recalled.from_kept(kept(workspace)[text]) is not None
    measured: list[str] = []
    assert same_ranking(ranked(workspace, name, measured), first)
    assert measured == [text]


def test_an_edited_block_makes_every_question_measured_again(workspace):
    name = "cisa-circia-rfi.yaml"
    ranked(workspace, name)
    block = next((workspace / "positions").rglob("incident-reporting-not-information-sharing.md"))
    text = block.read_text(encoding="utf-8")
    block.write_text(text.rstrip("\n") + " Reports go to one agency, once.\n", encoding="utf-8")
    measured: list[str] = []
    after = ranked(workspace, name, measured)
    questions = load_consultation(workspace / "examples" / name).model.questions
    assert sorted(measured) == sorted(q.text for q in questions)
    again: list[str] = []
    assert ranked(workspace, name, again) == after and again == []


def test_the_model_loads_only_for_questions_not_asked_before(workspace, monkeypatch):
    model = load_consultation(workspace / "examples" / "cisa-circia-rfi.yaml").model
    texts = [q.text for q in model.questions]
    open_index(workspace, preload=True, asked=texts).close()
    calls: list[str] = []
    monkeypatch.setattr(embed, "preload", lambda: calls.append("preload"))
    index = open_index(workspace, preload=True, asked=texts)
    assert calls == ["preload"]                   # never asked: the model is needed
    assert not index.knows_meanings(texts)
    Suggester(index).questions(model)
    index.close()
    index = open_index(workspace, preload=True, asked=texts)
    assert calls == ["preload"]                   # asked before: it is not
    assert index.knows_meanings(texts)
    assert not index.knows_meanings(texts + ["A question nobody asked?"])
    assert not index.knows_meanings([])
    index.close()


@pytest.mark.parametrize("name", ["cisa-circia-rfi.yaml", "ec-lawful-access-questionnaire.yaml"])
def test_suggest_asked_again_imports_neither_numpy_nor_the_model(workspace, name):
    if not (workspace / "examples" / name).is_file():
        pytest.skip(f"no example {name}")
    first = run_cli("suggest", f"examples/{name}", "-f", "json", cwd=workspace)
    assert first.code == 0, first.err
    probe = (
        "import sys, json\n"
        "from drafter.cli import main\n"
        "try:\n"
        f"    main(['suggest', 'examples/{name}', '-f', 'json'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "finally:\n"
        "    print(json.dumps(sorted(m for m in ('numpy', 'tokenizers', 'wordllama')"
        " if m in sys.modules)), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=workspace, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []
    assert proc.stdout == first.out               # the same suggestions, byte for byte
