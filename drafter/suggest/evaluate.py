"""Measuring suggestions against a labelled set of questions (tests/data/suggest/labels.yaml).

Each labelled question names the blocks a policy expert would pick to answer it (none for a
question nothing in the library answers). Measures, averaged over the questions that have
relevant blocks unless said otherwise:

- ``precision@3``: relevant blocks among the top 3 suggestions, over 3 (the textbook
  definition: a question with one right answer scores at most 1/3);
- ``hit@3``: the share of questions with a relevant block among the top 3;
- ``recall@5``: relevant blocks among the top 5, over all relevant blocks;
- ``mrr@10``: the mean of 1 / the rank of the first relevant block in the top 10 (0 if none);
- ``confident_precision``: the share of confident suggestions (those drafts use) that are
  relevant, over all questions; ``confident_hit``: the share of answerable questions with a
  relevant confident suggestion;
- ``no_fit_confident``: confident suggestions given to questions that nothing answers, and
  ``no_fit_share``: the share of those questions that got any.

:func:`tune` chooses the ranker's weights and confidence thresholds on the dev half.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, replace
from pathlib import Path

from drafter.load.consultation import load_consultation
from drafter.load.yamlsrc import load_yaml_file


@dataclass(frozen=True)
class Labelled:
    id: str
    split: str
    text: str
    jurisdiction: str
    relevant: frozenset


def split_of(question_id: str) -> str:
    """The fixed split of a labelled question: ``dev`` when the SHA-256 of its id, as a number,
    is even, else ``test`` (held out)."""
    return "dev" if int(hashlib.sha256(question_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 \
        else "test"


def load_labels(path: Path, examples: Path) -> list[Labelled]:
    data, _ = load_yaml_file(path)
    out, models = [], {}
    for item in data["questions"]:
        if "example" in item:
            name = item["example"]
            if name not in models:
                models[name] = load_consultation(examples / f"{name}.yaml").model
            model = models[name]
            question = next(q for q in model.questions if q.id == str(item["question"]))
            text, jurisdiction = question.text, model.jurisdiction
        else:
            text, jurisdiction = item["text"], item["jurisdiction"]
        out.append(Labelled(str(item["id"]), item["split"], " ".join(text.split()),
                            jurisdiction, frozenset(item["relevant"])))
    return out


def score(rankings: list[tuple[Labelled, list[str], list[str]]]) -> dict:
    """The measures of the module docstring from (item, ranked ids, confident ids) triples."""
    p3 = hit3 = r5 = mrr = 0.0
    labelled = confident = confident_good = confident_hit = 0
    no_fit = no_fit_confident = no_fit_any = 0
    for item, ids, picks in rankings:
        if not item.relevant:
            no_fit += 1
            no_fit_confident += len(picks)
            no_fit_any += bool(picks)
            confident += len(picks)
            continue
        labelled += 1
        hits = len(set(ids[:3]) & item.relevant)
        p3 += hits / 3
        hit3 += hits > 0
        r5 += len(set(ids[:5]) & item.relevant) / len(item.relevant)
        mrr += next((1 / n for n, pid in enumerate(ids[:10], 1) if pid in item.relevant), 0.0)
        confident += len(picks)
        good = len(set(picks) & item.relevant)
        confident_good += good
        confident_hit += good > 0

    def mean(total):
        return round(total / labelled, 3) if labelled else None

    return {
        "questions": len(rankings), "labelled": labelled,
        "precision@3": mean(p3), "hit@3": mean(hit3), "recall@5": mean(r5), "mrr@10": mean(mrr),
        "confident": confident,
        "confident_precision": round(confident_good / confident, 3) if confident else None,
        "confident_hit": mean(confident_hit),
        "no_fit_questions": no_fit, "no_fit_confident": no_fit_confident,
        "no_fit_share": round(no_fit_any / no_fit, 3) if no_fit else None,
    }


def measure(suggester, items: list[Labelled]) -> dict:
    """The measures of the module docstring for ``suggester`` over ``items``."""
    rankings = []
    for item in items:
        ranked = suggester.question(item.text, item.jurisdiction, item.id, limit=10, explain=0)
        rankings.append((item, [s.position for s in ranked.suggestions],
                         [s.position for s in ranked.confident]))
    return score(rankings)


def _decide(weights, candidates, jurisdiction) -> tuple[list[str], list[str]]:
    from drafter.suggest.rank import confident_by

    scored, meaning_used = candidates
    picks = [row.id for n, (_, row, _, _, _) in enumerate(scored[:10])
             if confident_by(weights, scored, n, jurisdiction, meaning_used)]
    return [row.id for _, row, _, _, _ in scored[:10]], picks


def tune(ranker, items: list[Labelled], step: float = 0.1, floors=(0.2, 0.25, 0.3),
         max_no_fit_share: float = 0.05, min_precision: float = 0.9, meaning: bool = True):
    """The best weights for ``ranker`` on ``items`` (pass the dev half only), and their
    measures (the confident picks' by out-of-fold probabilities, as the threshold was chosen).

    1. Ranking weights (a grid over the simplex words + meaning + topic = 1, ``step`` apart,
       and the candidate floors) maximise MRR@10 plus hit@3.
    2. The confidence model is a logistic regression (scikit-learn, L2, C = 1) of "the block
       fits" on :func:`drafter.suggest.rank.confidence_features` of the first
       ``MAX_CONFIDENT`` candidates of every question; coefficients rounded to 3 decimals.
    3. Its threshold (0.20 to 0.95, by 0.01) maximises the answerable questions given a
       relevant confident pick, among those that keep confident precision at
       ``min_precision`` or more and give a confident pick to at most ``max_no_fit_share`` of
       the questions nothing answers (among equals, the strictest). The threshold is chosen
       on out-of-fold probabilities (:func:`out_of_fold`: each question's candidates scored
       by a model fitted without that question), not on the model's own fit, which would
       flatter it; the model shipped is then fitted on all of ``items``.

    ``meaning=False`` tunes words and topics alone (the baseline). Raises ImportError without
    scikit-learn (the ``test`` extra installs it).
    """
    original = ranker.weights
    steps = round(1 / step)
    best = None
    # what the weights do not change (the words' searches, the meanings), computed once
    ranker.prepare(item.text for item in items)
    ranker.measure(item.text for item in items)
    try:
        for i, j in itertools.product(range(steps + 1), repeat=2):
            if i + j > steps or (j > 0 and not meaning):
                continue
            for floor in floors if j > 0 else floors[:1]:
                w = replace(original, words=round(i * step, 3), meaning=round(j * step, 3),
                            topic=round((steps - i - j) * step, 3),
                            meaning_floor=floor if j > 0 else original.meaning_floor)
                ranker.weights = w
                rows = [(item, *_decide(w, ranker._score_only(item), item.jurisdiction))
                        for item in items]
                m = score(rows)
                key = (m["mrr@10"] + m["hit@3"], m["precision@3"], -abs(w.meaning - w.words))
                if best is None or key > best[0]:
                    best = (key, w)
        w = best[1]
        ranker.weights = w
        cached = [(item, ranker._score_only(item)) for item in items]
        w = replace(w, confidence=fit_confidence(cached))
        unseen = out_of_fold(cached)
        chosen = None
        for t in range(20, 96):
            cw = replace(w, confident_at=t / 100)
            m = score([(item, *_decide_by(cw, c, item.jurisdiction, unseen[item.id]))
                       for item, c in cached])
            ok = ((m["confident_precision"] or 0) >= min_precision
                  and (m["no_fit_share"] or 0) <= max_no_fit_share)
            key = (ok, m["confident_hit"] if ok else 0, t)
            if chosen is None or key > chosen[0]:
                chosen = (key, cw, m)
        return chosen[1], chosen[2]
    finally:
        ranker.weights = original
        ranker.searched.clear()
        ranker.meant.clear()


def _decide_by(weights, candidates, jurisdiction, chances) -> tuple[list[str], list[str]]:
    """Like :func:`_decide`, with the first candidates' probabilities of fitting given
    (``chances``) instead of computed by ``weights.confidence``."""
    from drafter.suggest.rank import may_answer

    scored, meaning_used = candidates
    picks = [scored[n][1].id for n, chance in enumerate(chances)
             if chance >= weights.confident_at
             and may_answer(scored, n, jurisdiction, meaning_used)]
    return [row.id for _, row, _, _, _ in scored[:10]], picks


def out_of_fold(cached, folds: int = 4, seed: int = 0) -> dict[str, list[float]]:
    """For each question (by id), the probabilities that its first ``MAX_CONFIDENT``
    candidates fit, each from a model (:func:`fit_confidence`'s) fitted on the other
    ``folds - 1`` folds of the questions (shuffled with ``seed``)."""
    import random

    from drafter.suggest.rank import MAX_CONFIDENT

    order = [item.id for item, _ in cached]
    random.Random(seed).shuffle(order)
    fold_of = {qid: k % folds for k, qid in enumerate(order)}
    out: dict[str, list[float]] = {}
    for k in range(folds):
        train = [pair for pair in cached if fold_of[pair[0].id] != k]
        model = _fitted(train)
        for item, (scored, _) in cached:
            if fold_of[item.id] == k:
                out[item.id] = [_chance(model, scored, n)
                                for n in range(min(MAX_CONFIDENT, len(scored)))]
    return out


def _chance(model, scored, n: int) -> float:
    from drafter.suggest.rank import confidence_features

    if model is None:
        return 0.0
    return float(model.predict_proba([confidence_features(scored, n)])[0][1])


def _fitted(cached):
    """The fitted scikit-learn model of :func:`fit_confidence`, or None when the candidates
    are all fitting or all not."""
    from sklearn.linear_model import LogisticRegression

    from drafter.suggest.rank import MAX_CONFIDENT, confidence_features

    features, fits = [], []
    for item, (scored, _) in cached:
        for n, (_, row, _, _, _) in enumerate(scored[:MAX_CONFIDENT]):
            features.append(confidence_features(scored, n))
            fits.append(row.id in item.relevant)
    if len(set(fits)) < 2:
        return None
    return LogisticRegression(C=1.0, max_iter=1000).fit(features, fits)


def fit_confidence(cached) -> tuple[float, ...]:
    """The logistic model of a fitting suggestion, fitted on (item, (scored candidates,
    meaning used)) pairs: (intercept, one coefficient per feature), rounded to 3 decimals."""
    model = _fitted(cached)
    if model is None:
        return ()
    return tuple(round(float(c), 3) for c in (model.intercept_[0], *model.coef_[0]))


def cross_validate(ranker, items: list[Labelled], folds: int = 4, repeats: int = 5,
                   **tuning) -> dict:
    """What tuning on ``items`` can be expected to give on questions it has not seen:
    ``repeats`` times, ``items`` shuffled (seeded 0, 1, ...) and cut into ``folds``; each fold
    is measured with the weights :func:`tune` chooses on the other folds. Returns the
    measures of every fold's questions pooled (each question counted ``repeats`` times)."""
    import random

    original = ranker.weights
    rows = []
    try:
        for repeat in range(repeats):
            order = list(items)
            random.Random(repeat).shuffle(order)
            for k in range(folds):
                held = order[k::folds]
                held_ids = {item.id for item in held}
                chosen, _ = tune(ranker, [i for i in order if i.id not in held_ids], **tuning)
                ranker.weights = chosen
                rows += [(item, *_decide(chosen, ranker._score_only(item), item.jurisdiction))
                         for item in held]
                ranker.weights = original
    finally:
        ranker.weights = original
    return score(rows)
