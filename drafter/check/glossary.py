"""The workspace's glossary (``glossary.yaml``): preferred terms and broad terms.

Format (the model is :class:`drafter.load.models.Glossary`; ``drafter schema glossary``)::

    prefer:
      - use: incident reporting
        instead_of: [information sharing]
        why: narrow, defined reporting of incidents, not broad sharing of customer data
        except_in: [incident-reporting-not-information-sharing]   # blocks about the term
    broad_terms:
      - term: government
        unless_after: [federal, state, local]   # "federal government" is specific enough
        hint: name the agency or department
"""

from __future__ import annotations

import os
from pathlib import Path

from drafter.load.models import Glossary, validate
from drafter.load.yamlsrc import load_yaml_file


def glossary_path(workspace, settings) -> Path | None:
    """Where the glossary is, from ``check.glossary`` in drafter.yaml (None: no glossary)."""
    name = settings.glossary
    if not name:
        return None
    path = Path(name)
    return path if path.is_absolute() else workspace.root / path


def load_glossary_with_lines(path: Path):
    """(Glossary, SourceMap): the glossary and where each of its values stands."""
    data, smap = load_yaml_file(path)
    return validate(Glossary, data if data is not None else {}, path, smap, "glossary"), smap


def load_glossary(path: Path) -> Glossary:
    return load_glossary_with_lines(path)[0]


def load_for(workspace, settings) -> tuple[Glossary | None, Path | None]:
    """The glossary for drafting: none when unset or missing (``drafter check`` reports it)."""
    path = glossary_path(workspace, settings)
    if path is None or not os.path.isfile(path):   # never raises (a name too long)
        return None, path
    return load_glossary(path), path
