"""Consultation files: what is being answered, and how."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drafter.errors import LoadError
from drafter.load.library import Library
from drafter.load.models import Consultation, validate
from drafter.load.yamlsrc import SourceMap, load_yaml_file


@dataclass(frozen=True)
class ConsultationFile:
    model: Consultation
    path: Path
    smap: SourceMap

    @property
    def name(self) -> str:
        return self.path.stem

    def line_of(self, *key) -> int | None:
        return self.smap.locate(tuple(key))[0]


def load_consultation(path: Path) -> ConsultationFile:
    path = Path(path)
    data, smap = load_yaml_file(path)
    model = validate(Consultation, data, path, smap, "consultation")
    seen: dict[str, int] = {}
    for i, q in enumerate(model.questions):
        if q.id in seen:
            raise LoadError(f"duplicate question id '{q.id}' (also question {seen[q.id] + 1})",
                            path, smap.locate(("questions", i, "id"))[0], code="duplicate-question")
        seen[q.id] = i
    for qid in model.answers:
        if qid not in seen:
            raise LoadError(f"answer for unknown question '{qid}'", path,
                            smap.locate(("answers", qid))[0], code="unknown-question")
    return ConsultationFile(model=model, path=path, smap=smap)


def check_references(cf: ConsultationFile, library: Library) -> None:
    """Every position the consultation names must exist in the library."""
    for i, pid in enumerate(cf.model.positions):
        library.get(pid, cf.path, cf.line_of("positions", i))
    for qid, answer in cf.model.answers.items():
        for i, pid in enumerate(answer.positions):
            library.get(pid, cf.path, cf.line_of("answers", qid, "positions", i))
