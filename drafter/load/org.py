"""Organisation facts: one file (``org.yaml``) that every filing takes them from."""

from __future__ import annotations

from pathlib import Path

from drafter.errors import LoadError
from drafter.load.models import OrgFacts, validate
from drafter.load.yamlsrc import load_yaml_file


def load_org(path: Path) -> OrgFacts:
    if not Path(path).is_file():
        raise LoadError("organisation facts not found (org.yaml at the workspace root)", path)
    data, smap = load_yaml_file(path)
    return validate(OrgFacts, data, path, smap, "organisation facts")
