"""Everything ``drafter check`` looks at, loaded leniently.

The drafting pipeline stops at the first bad file; a linter must go on and report them all.
:class:`CheckContext` loads each file on its own, keeps what loads, and records every
:class:`~drafter.errors.DrafterError` as a load problem (the ``schema`` rule reports them).
The expensive parts (static analysis of every template and block, trial renders of every
template against every consultation) are computed once, on first use, and shared by the rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from drafter.errors import DrafterError, LoadError

CONSULTATION_FOLDERS = ("examples", "consultations")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class TemplateSource:
    path: Path
    text: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def partial(self) -> bool:
        return self.path.name.startswith("_")


@dataclass
class Targets:
    """The files and folders the user asked to check (none: the whole workspace)."""

    paths: list[Path] = field(default_factory=list)

    def covers(self, path) -> bool:
        if not self.paths:
            return True
        if path is None:
            return False
        p = Path(path).resolve()
        return any(p == t or t in p.parents for t in self.paths)


def is_batch_file(data) -> bool:
    return isinstance(data, dict) and "title" not in data and bool(
        {"jobs", "matrix"} & set(data))


class CheckContext:
    def __init__(self, workspace, targets: Targets | None = None, today: dt.date | None = None):
        self.ws = workspace
        self.targets = targets or Targets()
        if any(p == Path(workspace.root).resolve() for p in self.targets.paths):
            self.targets = Targets()  # the workspace's root: the whole workspace
        self.today = today or dt.date.today()
        self.load_problems: list[DrafterError] = []
        self.files: set[Path] = set()
        self._load()

    # -- loading --------------------------------------------------------------------------

    def _attempt(self, path: Path, func, *args):
        self.files.add(Path(path).resolve())
        try:
            return func(*args)
        except DrafterError as exc:
            if exc.path is None:
                exc.path = path
            self.load_problems.append(exc)
            return None

    def _load(self) -> None:
        from drafter.load.library import Library, attach_variants, block_files, load_block, \
            load_proceedings, load_seed_ids, load_topics, variant_files
        from drafter.load.models import CheckSettings
        from drafter.load.org import load_org
        from drafter.load.workspace import load_settings

        ws = self.ws
        settings = self._attempt(ws.settings_file, load_settings, ws) \
            if ws.settings_file.is_file() else None
        self.settings = settings.check if settings is not None else CheckSettings()
        self.topics = self._attempt(ws.topics_file, load_topics, ws.topics_file) \
            if ws.topics_file.is_file() else None
        if not ws.topics_file.is_file():
            self.load_problems.append(LoadError(
                "topic vocabulary not found (positions/topics.yaml)", ws.topics_file))
        self.seed_ids = self._attempt(ws.seeds_index, load_seed_ids, ws.seeds_index) \
            if ws.seeds_index.is_file() else None
        self.org = self._attempt(ws.org_file, load_org, ws.org_file)

        self.blocks = []
        self.broken_ids: set[str] = set()
        for path in block_files(ws.positions):
            block = self._attempt(path, load_block, path)
            if block is not None:
                self.blocks.append(block)
            else:
                raw = _raw_id(path)
                if raw:
                    self.broken_ids.add(raw)
        first: dict[str, object] = {}
        for block in self.blocks:
            first.setdefault(block.id, block)
        variant_problems: list = []
        for path in variant_files(ws.positions):
            self.files.add(path.resolve())
        self.blocks = attach_variants(self.blocks, ws.positions, variant_problems)
        first = {}
        for block in self.blocks:
            first.setdefault(block.id, block)
        # A variant of a block that failed to load is not an orphan: its block is reported.
        self.load_problems.extend(
            p for p in variant_problems
            if not (p.code == "orphan-variant" and p.path is not None
                    and Path(p.path).name.split(".", 1)[0] in self.broken_ids))
        proceedings = self._attempt(ws.seeds_index, load_proceedings, ws.seeds_index) \
            if ws.seeds_index.is_file() else None
        self.library = Library(list(first.values()), dict(self.topics or {}), ws.positions,
                               proceedings or {})

        self.templates = []
        if ws.templates.is_dir():
            for path in sorted(ws.templates.glob("*.jinja")):
                text = self._attempt(path, _read, path)
                if text is not None:
                    self.templates.append(TemplateSource(path, text))

        self.glossary_path, self.glossary = self._load_glossary()
        self.consultations = []
        self.batch_files: list[Path] = []
        for path in self._consultation_paths():
            self._load_consultation(path)

    def _load_glossary(self):
        from drafter.check.glossary import glossary_path, load_glossary_with_lines

        path = glossary_path(self.ws, self.settings)
        self.glossary_smap = None
        if path is None or not path.is_file():
            return path, None
        loaded = self._attempt(path, load_glossary_with_lines, path)
        if loaded is None:
            return path, None
        self.glossary_smap = loaded[1]
        return path, loaded[0]

    def _consultation_paths(self) -> list[Path]:
        special = {self.ws.settings_file.resolve(), self.ws.org_file.resolve(),
                   self.ws.topics_file.resolve(), self.ws.seeds_index.resolve()}
        if self.glossary_path is not None:
            special.add(self.glossary_path.resolve())
        found: list[Path] = []
        # The workspace's own consultations are always loaded (templates are trial-rendered
        # against them); the ones the user named come on top.
        roots = [self.ws.root / name for name in CONSULTATION_FOLDERS] + list(self.targets.paths)
        roots = [r for r in roots if r.resolve() != self.ws.root.resolve()]
        for root in roots:
            if root.is_file():
                candidates = [root] if root.suffix in YAML_SUFFIXES else []
            elif root.is_dir():
                if self.ws.positions.resolve() == root.resolve() or \
                        self.ws.positions.resolve() in root.resolve().parents:
                    continue
                candidates = sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES
                                    and not any(part.startswith(".") for part in p.parts))
            else:
                continue
            for path in candidates:
                r = path.resolve()
                if r in special or self.ws.positions.resolve() in r.parents \
                        or self.ws.state_dir.resolve() in r.parents \
                        or (self.ws.root / "seeds").resolve() in r.parents:
                    continue
                if r not in found:
                    found.append(r)
        return found

    def _load_consultation(self, path: Path) -> None:
        from drafter.load.consultation import ConsultationFile, load_consultation
        from drafter.load.yamlsrc import load_yaml_file

        data = self._attempt(path, load_yaml_file, path)
        if data is None:
            return
        if is_batch_file(data[0]):
            self.batch_files.append(path)
            self._attempt(path, _validate_batch, path, *data)
            return
        cf = self._attempt(path, load_consultation, path)
        if isinstance(cf, ConsultationFile):
            self.consultations.append(cf)

    # -- helpers for rules ----------------------------------------------------------------

    def selected(self, path) -> bool:
        return self.targets.covers(path)

    @property
    def selected_blocks(self):
        return [b for b in self.blocks if self.selected(b.path)]

    @property
    def selected_templates(self):
        return [t for t in self.templates if self.selected(t.path)]

    @property
    def selected_consultations(self):
        return [c for c in self.consultations if self.selected(c.path)]

    @cached_property
    def template_cache(self):
        """Compiled templates and blocks, shared by the static analysis and the trials."""
        try:
            from drafter.bccache import TemplateCache
        except ImportError:
            return None
        return TemplateCache()

    @cached_property
    def analysis(self):
        """Static analysis of every template and block body (see :mod:`.jinja_static`)."""
        from drafter.check.jinja_static import Analysis
        return Analysis(self)

    @cached_property
    def trials(self):
        """Trial renders of every template and block against every consultation."""
        from drafter.check.trial import run_trials
        return run_trials(self)


def _read(path: Path) -> str:
    from drafter.load.yamlsrc import read_text
    return read_text(path)


def _raw_id(path: Path) -> str | None:
    """The id a block that failed to load says it has, if its front matter is readable."""
    from drafter.load import frontmatter
    from drafter.load.yamlsrc import read_text
    try:
        data = frontmatter.parse(read_text(path), path)[0]
    except DrafterError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if value is not None else None


def _validate_batch(path: Path, data, smap) -> None:
    """A batch file found among the consultations: validated by the batch model if present."""
    import importlib

    try:
        module = importlib.import_module("drafter.batch.models")
    except ImportError:
        return
    if hasattr(module, "validate_batch"):
        module.validate_batch(data, path, smap)
    elif hasattr(module, "BatchFile"):
        from drafter.load.models import validate
        validate(module.BatchFile, data, path, smap, "batch file")
