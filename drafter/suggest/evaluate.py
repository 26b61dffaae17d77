"""Measuring suggestions against a labelled set of questions (tests/data/suggest/labels.yaml).

Each labelled question names the blocks a policy expert would pick to answer it.  Measures:

- precision@3: relevant blocks among the top 3 suggestions, over min(3, number of relevant
  blocks), so that a question with one right answer can score 1; ``precision@3_strict`` divides
  by 3 as in the textbook definition;
- recall@5: relevant blocks among the top 5, over all relevant blocks;
- confident precision: the share of confident suggestions (those drafts use) that are relevant;
- no-fit: confident suggestions given to questions that nothing in the library answers.

Precision and recall are averaged over the questions that have relevant blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def measure(suggester, items: list[Labelled]) -> dict:
    """The measures of the module docstring over ``items``."""
    p3 = p3_strict = r5 = 0.0
    labelled = confident = confident_good = no_fit = no_fit_confident = 0
    for item in items:
        ranked = suggester.question(item.text, item.jurisdiction, item.id, limit=5)
        ids = [s.position for s in ranked.suggestions]
        picks = [s.position for s in ranked.confident]
        if not item.relevant:
            no_fit += 1
            no_fit_confident += len(picks)
            continue
        labelled += 1
        hits = len(set(ids[:3]) & item.relevant)
        p3 += hits / min(3, len(item.relevant))
        p3_strict += hits / 3
        r5 += len(set(ids[:5]) & item.relevant) / len(item.relevant)
        confident += len(picks)
        confident_good += len(set(picks) & item.relevant)
    return {
        "questions": len(items), "labelled": labelled,
        "precision@3": round(p3 / labelled, 3) if labelled else None,
        "precision@3_strict": round(p3_strict / labelled, 3) if labelled else None,
        "recall@5": round(r5 / labelled, 3) if labelled else None,
        "confident": confident,
        "confident_precision": round(confident_good / confident, 3) if confident else None,
        "no_fit_questions": no_fit, "no_fit_confident": no_fit_confident,
    }
