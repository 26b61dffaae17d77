"""The quality of suggestions on the labelled questions (tests/data/suggest/labels.yaml).

The floors below sit under the measured figures (bench/RESULTS.md) so that a change that makes
the ranking worse fails here; they are not the targets.
"""

from __future__ import annotations

import pytest

from conftest import DATA, EXAMPLES, ROOT
from drafter.load.library import load_library
from drafter.suggest import Suggester
from drafter.suggest.evaluate import load_labels, measure

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


def test_labelled_set_is_sound(items, library):
    assert len(items) >= 30
    assert len({i.id for i in items}) == len(items)
    assert {i.split for i in items} == {"dev", "test"}
    assert sum(1 for i in items if i.relevant) >= 30
    assert sum(1 for i in items if not i.relevant) >= 2          # nothing fits: abstain
    for item in items:
        assert item.relevant <= set(library.blocks), item.id
        for pid in item.relevant:
            assert library.get(pid).meta.status.value != "retired"
    examples = {i.id.split("-")[0] for i in items}
    assert {"circia", "privacy", "access", "intl"} <= examples


def test_precision_and_recall_floors(suggester, items):
    overall = measure(suggester, items)
    assert overall["precision@3"] >= 0.78
    assert overall["recall@5"] >= 0.85
    assert overall["confident_precision"] >= 0.80
    dev = measure(suggester, [i for i in items if i.split == "dev"])
    assert dev["precision@3"] >= 0.80
    held_out = measure(suggester, [i for i in items if i.split == "test"])
    assert held_out["precision@3"] >= 0.76


def test_questions_nothing_answers_get_few_confident_picks(suggester, items):
    result = measure(suggester, items)
    assert result["no_fit_confident"] <= 2 * result["no_fit_questions"]
