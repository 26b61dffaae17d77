"""The quality of suggestions on the labelled questions (tests/data/suggest/labels.yaml).

The floors below sit under the measured figures (bench/RESULTS.md) so that a change that makes
the ranking worse fails here; they are not the targets.
"""

from __future__ import annotations

import pytest

from conftest import DATA, EXAMPLES, ROOT
from drafter.load.library import load_library
from drafter.suggest import Suggester
from drafter.suggest.evaluate import load_labels, measure, split_of
from drafter.suggest.index import ANSWER_ROLES
from drafter.suggest.rank import WORDS_ONLY

LABELS = DATA / "suggest" / "labels.yaml"


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "positions")


@pytest.fixture(scope="module")
def items():
    return load_labels(LABELS, EXAMPLES)


@pytest.fixture(scope="module")
def suggester(library):
    return Suggester.for_library(library)


def half(items, split):
    return [i for i in items if i.split == split]


def test_labelled_set_is_sound(items, library):
    assert len(items) >= 460
    assert len({i.id for i in items}) == len(items)
    assert len({i.text.lower() for i in items}) == len(items)      # no question asked twice
    assert sum(1 for i in items if not i.relevant) >= 200          # nothing fits: abstain
    assert sum(1 for i in items if i.relevant) >= 250
    for item in items:
        assert item.split == split_of(item.id), item.id              # the split is fixed
        assert item.jurisdiction in ("US", "EU", "UK"), item.id
        for pid in item.relevant:
            block = library.get(pid)
            assert block.meta.status.value != "retired", item.id
            assert block.meta.role.value in ANSWER_ROLES, (item.id, pid)
            assert set(block.meta.jurisdictions) & {"any", item.jurisdiction}, (item.id, pid)
    for split in ("dev", "test"):
        assert len(half(items, split)) >= 220
        assert sum(1 for i in half(items, split) if not i.relevant) >= 85
    examples = {i.id.split("-")[0] for i in items}
    assert {"circia", "privacy", "access", "intl", "ec", "uk", "fcc", "ntia"} <= examples


def test_split_rule():
    assert split_of("circia-1") == "test" and split_of("circia-2") == "dev"


def test_held_out_floors(suggester, items):
    held_out = measure(suggester, half(items, "test"))
    assert held_out["hit@3"] >= 0.95
    assert held_out["precision@3"] >= 0.42
    assert held_out["recall@5"] >= 0.92
    assert held_out["mrr@10"] >= 0.9
    # the targets (measured 0.914 with 35 picks, and 2 of 89: bench/RESULTS.md)
    assert held_out["confident_precision"] >= 0.9
    assert held_out["no_fit_share"] <= 0.05


def test_dev_floors(suggester, items):
    dev = measure(suggester, half(items, "dev"))
    assert dev["hit@3"] >= 0.94
    assert dev["mrr@10"] >= 0.9
    assert dev["confident_precision"] >= 0.9
    assert dev["no_fit_share"] <= 0.05


def test_meaning_earns_its_place_on_the_held_out_half(suggester, library, items):
    from drafter.suggest.index import Index

    words_only = Suggester(Index.from_library(library), WORDS_ONLY)
    hybrid = measure(suggester, half(items, "test"))
    baseline = measure(words_only, half(items, "test"))
    assert hybrid["hit@3"] > baseline["hit@3"]
    assert hybrid["mrr@10"] > baseline["mrr@10"]
    assert hybrid["recall@5"] > baseline["recall@5"]
    # more questions get a fitting confident pick (what drafts fill in automatically):
    # measured 24.2% of the answerable held-out questions, against 9.1% for words alone
    assert hybrid["confident_hit"] > 2 * baseline["confident_hit"]


def test_measures_are_the_textbook_ones():
    from drafter.suggest.evaluate import Labelled, score

    def item(qid, relevant):
        return Labelled(qid, "dev", "q", "US", frozenset(relevant))

    result = score([
        (item("a", {"x"}), ["y", "x", "z", "w"], ["x"]),              # hit at rank 2
        (item("b", {"x", "y"}), ["z", "w", "v", "u", "x"], ["z"]),    # found at 5 only
        (item("c", set()), ["x", "y"], ["x", "y"]),                   # nothing fits
        (item("d", set()), ["x"], []),
    ])
    assert result["precision@3"] == round((1 / 3 + 0) / 2, 3)
    assert result["hit@3"] == 0.5
    assert result["recall@5"] == round((1 + 0.5) / 2, 3)
    assert result["mrr@10"] == round((1 / 2 + 1 / 5) / 2, 3)
    assert result["confident"] == 4 and result["confident_precision"] == 0.25
    assert result["confident_hit"] == 0.5
    assert (result["no_fit_confident"], result["no_fit_share"]) == (2, 0.5)


@pytest.mark.slow
def test_shipped_weights_are_what_tuning_on_dev_chooses(library, items):
    from drafter.suggest.evaluate import tune
    from drafter.suggest.index import Index
    from drafter.suggest.rank import HYBRID

    suggester = Suggester(Index.from_library(library), HYBRID)
    chosen, measured = tune(suggester.ranker, half(items, "dev"))
    assert chosen == HYBRID
    assert measured["confident_precision"] >= 0.9 and measured["no_fit_share"] <= 0.05
    words_only = Suggester(Index.from_library(library), WORDS_ONLY)
    assert tune(words_only.ranker, half(items, "dev"), meaning=False)[0] == WORDS_ONLY


def test_the_threshold_is_chosen_on_probabilities_of_unseen_questions(library, items):
    """Each question's out-of-fold probabilities come from a model fitted without it: its own
    label does not move them (it moves the model fitted on every question)."""
    from dataclasses import replace

    from drafter.suggest.evaluate import _fitted, _chance, out_of_fold
    from drafter.suggest.index import Index
    from drafter.suggest.rank import HYBRID

    ranker = Suggester(Index.from_library(library), HYBRID).ranker
    dev = half(items, "dev")[:60]
    cached = [(item, ranker._score_only(item)) for item in dev]
    target = next(k for k, (item, (scored, _)) in enumerate(cached)
                  if item.relevant and scored and scored[0][1].id in item.relevant)
    item, candidates = cached[target]
    flipped = list(cached)
    flipped[target] = (replace(item, relevant=frozenset()), candidates)
    assert out_of_fold(cached)[item.id] == out_of_fold(flipped)[item.id]
    assert len(out_of_fold(cached)[item.id]) == min(3, len(candidates[0]))
    assert (_chance(_fitted(cached), candidates[0], 0)
            != _chance(_fitted(flipped), candidates[0], 0))
