"""Positions list the questions they answer (front matter ``answers``): validated at the line,
indexed as meanings and words, quoted in the reason of a suggestion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import run_cli
from drafter.load.library import load_library
from drafter.suggest import Index, Suggester, embed


def open_index(ws: Path) -> Index:
    return Index.open(ws / ".drafter", ws / "positions", ws / "positions" / "topics.yaml")


def block_file(ws: Path, block_id: str) -> Path:
    return next((ws / "positions").rglob(f"{block_id}.md"))


def set_answers(path: Path, lines: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text[4:].partition("\n---\n")
    head = "\n".join(l for l in head.split("\n")
                     if not l.startswith("answers:") and not l.startswith("  - "))
    path.write_text("---\n" + head + "\n" + "\n".join(lines) + sep + body, encoding="utf-8")


def test_shipped_answering_blocks_list_the_questions_they_answer():
    library = load_library(Path(__file__).resolve().parent.parent / "positions")
    answering = [b for b in library
                 if b.meta.role.value in ("recommendation", "argument", "concern")]
    assert len(answering) == 23
    for block in answering:
        assert 16 <= len(block.meta.answers) <= 24, block.meta.id     # two experts' lists
        assert all(q.endswith("?") for q in block.meta.answers), block.meta.id
    others = [b for b in library if b not in answering]
    assert others and all(not b.meta.answers for b in others)


def test_answers_on_a_framing_block_are_an_error_at_the_file(workspace):
    path = block_file(workspace, "coalition-history")
    set_answers(path, ["answers:", '  - "What is the history of the coalition?"'])
    line_no = path.read_text(encoding="utf-8").split("\n").index("answers:") + 1
    result = run_cli("draft", workspace / "examples" / "cisa-circia-rfi.yaml",
                     "-o", workspace / "out.docx")
    assert result.code == 2 and not (workspace / "out.docx").exists()
    line = result.err.strip().splitlines()[-1]
    assert f"coalition-history.md:{line_no}:" in line
    assert "a profile block answers no question" in line


def test_an_empty_or_multi_line_question_is_an_error_at_its_line(workspace):
    path = block_file(workspace, "due-process-data-access")
    set_answers(path, ["answers:", '  - "Should a court review it?"', '  - ""'])
    result = run_cli("draft", workspace / "examples" / "cisa-circia-rfi.yaml",
                     "-o", workspace / "out.docx")
    assert result.code == 2
    assert "due-process-data-access.md:" in result.err and "question 2 is empty" in result.err


def test_each_question_is_a_meaning_of_its_own_and_the_closest_counts(workspace):
    index = open_index(workspace)
    rowids, matrix = index.vectors()
    block = load_library(workspace / "positions").get("due-process-data-access")
    rowid = next(r for r, row in index.rows(set(rowids.tolist())).items()
                 if row.id == "due-process-data-access")
    own = matrix[rowids == rowid]
    assert own.shape == (1 + len(block.meta.answers), embed.DIM)
    expected = embed.load().embed(list(block.meta.answers))
    assert np.abs(own[1:] - expected).max() < 2e-3                 # stored as float16
    assert index.answers([rowid])[rowid] == list(block.meta.answers)


def test_the_reason_quotes_the_question_it_resembles(workspace):
    path = block_file(workspace, "due-process-data-access")
    set_answers(path, ["answers:",
                       '  - "Should investigators need a warrant signed by a judge to read '
                       'stored customer records?"'])
    suggester = Suggester(open_index(workspace))
    ranked = suggester.question("Should investigators need a warrant signed by a judge before "
                                "they read customer records stored with a cloud provider?", "US")
    first = ranked.suggestions[0]
    assert first.position == "due-process-data-access"
    assert "like a question it answers" in first.why
    assert "warrant signed by a judge" in first.why


def test_a_loose_resemblance_is_not_quoted(workspace):
    """Below "very close", the reason says how close the meaning is and quotes nothing."""
    from drafter.suggest.rank import QUOTE_FROM

    suggester = Suggester(open_index(workspace))
    ranked = suggester.question("How long should a review of a notice take before the "
                                "authority decides on it?", "UK", limit=5)
    loose = [s for s in ranked.suggestions[:3] if s.similarity is not None
             and round(s.similarity, 2) < QUOTE_FROM]
    assert loose
    for s in loose:
        assert "like a question it answers" not in s.why and s.why.startswith("meaning: ")


def test_editing_answers_refreshes_the_block_only(workspace):
    open_index(workspace).close()
    path = block_file(workspace, "planned-obsolescence")
    set_answers(path, ["answers:", '  - "What should happen to routers that no longer get '
                                   'security updates?"'])
    index = open_index(workspace)
    assert (index.stats.mode, index.stats.reparsed) == ("cached", 1)
    rowid = next(r for r, row in index.rows(range(1, 200)).items()
                 if row.id == "planned-obsolescence")
    assert index.answers([rowid])[rowid] == [
        "What should happen to routers that no longer get security updates?"]
    rowids, _ = index.vectors()
    assert int((rowids == rowid).sum()) == 2


def test_questions_compared_in_one_go_rank_as_one_at_a_time():
    from drafter.load.consultation import load_consultation

    root = Path(__file__).resolve().parent.parent
    model = load_consultation(root / "examples" / "cisa-circia-rfi.yaml").model
    library = load_library(root / "positions")
    together = Suggester.for_library(library).questions(model, limit=5)
    alone = Suggester.for_library(library)
    for ranked in together:
        one = alone.question(ranked.text, model.jurisdiction, ranked.id, limit=5)
        assert [(s.position, s.score, s.confident, s.why) for s in ranked.suggestions] == \
            [(s.position, s.score, s.confident, s.why) for s in one.suggestions]


@pytest.mark.parametrize("sim,words,figure", [
    (0.5962, "very close to the question", "0.60"), (0.6049, "very close to the question", "0.60"),
    (0.5949, "close to the question", "0.59"), (0.4461, "close to the question", "0.45"),
    (0.4449, "somewhat related to the question", "0.44")])
def test_how_close_a_reason_says_agrees_with_the_figure_it_shows(workspace, sim, words, figure):
    """A similarity shown as 0.60 read "very close" next to one question and "close" next to
    another: the words came from the unrounded figure."""
    from drafter.suggest.index import BlockRow

    ranker = Suggester(open_index(workspace)).ranker
    row = BlockRow(1, "x", "x.md", "X", "", ("privacy",), ("US",), "approved", "argument",
                   "support")
    for asked in (None, "Should a court review each request?"):
        why = ranker._why(row, [], [], "US", sim, asked)
        assert why.startswith(f"meaning: {words}") and f"(similarity {figure})" in why
        quoted = asked is not None and float(figure) >= 0.6
        assert ("like a question it answers" in why) == quoted
