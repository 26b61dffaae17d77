"""Find the workspace: the folder that holds ``positions/`` and ``templates/``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from drafter.errors import LoadError


STATE_DIR_ENV = "DRAFTER_STATE_DIR"


@dataclass(frozen=True)
class Workspace:
    root: Path
    positions: Path
    templates: Path

    @property
    def org_file(self) -> Path:
        return self.root / "org.yaml"

    @property
    def topics_file(self) -> Path:
        return self.positions / "topics.yaml"

    @property
    def seeds_index(self) -> Path:
        return self.root / "seeds" / "index.yaml"

    @property
    def settings_file(self) -> Path:
        return self.root / "drafter.yaml"

    @property
    def state_dir(self) -> Path:
        """Caches and registers kept by drafter (git-ignored): ``<root>/.drafter``, or the
        folder named by the environment variable ``DRAFTER_STATE_DIR`` (a test run or a CI job
        that must leave the workspace's register alone)."""
        override = os.environ.get(STATE_DIR_ENV, "").strip()
        return Path(override) if override else self.root / ".drafter"


def find_root(start: Path) -> Path | None:
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "positions").is_dir() and (folder / "templates").is_dir():
            return folder
    return None


def discover(library: Path | None = None, templates: Path | None = None,
             start: Path | None = None) -> Workspace:
    """The workspace around ``start`` (default: the current directory), with overrides."""
    root = find_root(start or Path.cwd())
    if library is not None:
        library = Path(library)
        if not library.is_dir():
            raise LoadError("position library folder not found", library)
        if root is None:
            root = library.resolve().parent
    if templates is not None:
        templates = Path(templates)
        if not templates.is_dir():
            raise LoadError("templates folder not found", templates)
    if root is None:
        raise LoadError("no drafter workspace here: no folder holding positions/ and templates/ "
                        "at or above the current directory (use --library and --templates)",
                        Path.cwd())
    return Workspace(root=root,
                     positions=(library or root / "positions").resolve(),
                     templates=(templates or root / "templates").resolve())


def load_settings(ws: Workspace):
    """The workspace's ``drafter.yaml``, or the defaults when there is none."""
    from drafter.load.models import WorkspaceSettings, validate
    from drafter.load.yamlsrc import load_yaml_file

    if not ws.settings_file.is_file():
        return WorkspaceSettings()
    data, smap = load_yaml_file(ws.settings_file)
    return validate(WorkspaceSettings, data if data is not None else {}, ws.settings_file, smap,
                    "workspace settings")
