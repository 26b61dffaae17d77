"""Writing a new consultation file: ordered keys, comments on where values came from, and the
same validation as every consultation file before anything is written."""

from __future__ import annotations

import io
import os
import tempfile
import textwrap
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from drafter.errors import DrafterError
from drafter.load.consultation import load_consultation

ORDER = ("title", "agency", "kind", "jurisdiction", "docket", "rin", "citation", "published",
         "deadline", "url", "abstract", "questions")


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 96
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    return yaml


def consultation_yaml(fields: dict, header: list[str], notes: list[str] | None = None) -> str:
    """The text of a consultation file for ``fields`` (consultation keys), with ``header``
    comment lines on top and ``notes`` as comments before the questions."""
    doc = CommentedMap()
    for key in ORDER:
        value = fields.get(key)
        if value is None or value == [] or value == {}:
            continue
        if key == "agency":
            agency = CommentedMap()
            for sub in ("name", "short_name", "ref", "address", "addressee"):
                if value.get(sub):
                    agency[sub] = value[sub]
            doc[key] = agency
        elif key == "questions":
            seq = CommentedSeq()
            for q in value:
                item = CommentedMap()
                item["id"] = str(q["id"])
                item["text"] = q["text"]
                seq.append(item)
            doc[key] = seq
        else:
            doc[key] = value
    doc.yaml_set_start_comment("\n".join(header))
    if notes:
        anchor = "questions" if "questions" in doc else None
        text = "\n".join(line for note in notes
                         for line in textwrap.wrap(note, 94, subsequent_indent="  "))
        if anchor:
            doc.yaml_set_comment_before_after_key(anchor, before=text)
        else:
            doc.yaml_set_comment_before_after_key(list(doc)[-1], after=text)
    out = io.StringIO()
    _yaml().dump(doc, out)
    # ruamel leaves a space where it folds a long plain scalar; YAML drops it on reading.
    text = "\n".join(line.rstrip(" \t") for line in out.getvalue().split("\n"))
    if "questions" not in doc:
        text += ("# No questions yet: add them here (questions: [{id: \"1\", text: ...}]) or with\n"
                 "# drafter new --questions FILE.txt; then run drafter suggest on this file.\n")
    return text


def validate_text(text: str, path: Path) -> None:
    """Check ``text`` as the consultation file ``path`` would be checked once written (schema,
    duplicate question ids), without writing it there; errors name ``path``."""
    fd, tmp = tempfile.mkstemp(suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        load_consultation(Path(tmp))
    except DrafterError as exc:
        exc.path = path
        raise
    finally:
        os.unlink(tmp)
