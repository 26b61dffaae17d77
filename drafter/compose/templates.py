"""Finding templates and reading their metadata.

A template may open with a Jinja comment holding YAML metadata::

    {#
    description: Comments to a US agency (NTIA shape)
    jurisdictions: [US, UK, other]
    kinds: [rfc, rfi, nprm, other]
    questions: false          # true: the default for consultations with questions
    priority: 10              # the higher wins when several templates fit
    options: {outline: roman} # settings passed to the writers
    #}

Files whose names start with ``_`` are partials (bases, macros) and are not listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from drafter.compose.environment import TEMPLATE_SUFFIX, read_template
from drafter.errors import LoadError, TemplateError
from drafter.load.library import suggest
from drafter.load.yamlsrc import parse_yaml

_META = re.compile(r"\A\s*\{#-?(.*?)-?#\}", re.S)


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    path: Path
    description: str = ""
    jurisdictions: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    questions: bool = False
    priority: int = 0
    options: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def loader_name(self) -> str:
        return self.path.name

    def fits(self, jurisdiction: str, kind: str, has_questions: bool) -> bool:
        return ((not self.jurisdictions or jurisdiction in self.jurisdictions)
                and (not self.kinds or kind in self.kinds)
                and self.questions == has_questions)


def read_info(path: Path) -> TemplateInfo:
    text = read_template(path)
    name = path.name[: -len(TEMPLATE_SUFFIX)] if path.name.endswith(TEMPLATE_SUFFIX) else path.stem
    match = _META.match(text)
    data: dict = {}
    if match:
        try:
            parsed, _ = parse_yaml(match.group(1), path)
        except LoadError:
            parsed = None
        if isinstance(parsed, dict):
            data = parsed
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise LoadError("template metadata 'options' must be a mapping", path, 1)
    priority = data.get("priority", 0) or 0
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise LoadError("template metadata 'priority' must be a whole number", path, 1)
    return TemplateInfo(
        name=name, path=path,
        description=str(data.get("description", "")),
        jurisdictions=tuple(str(j) for j in data.get("jurisdictions", []) or []),
        kinds=tuple(str(k) for k in data.get("kinds", []) or []),
        questions=bool(data.get("questions", False)),
        priority=priority,
        options=dict(options),
    )


def list_templates(folder: Path) -> list[TemplateInfo]:
    if not folder.is_dir():
        return []
    return [read_info(p) for p in sorted(folder.glob("*" + TEMPLATE_SUFFIX))
            if not p.name.startswith("_")]


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _unknown(spec: str, folder: Path, where, line) -> TemplateError:
    names = [t.name for t in list_templates(folder)]
    return TemplateError(f"unknown template '{spec}'{suggest(spec, names)}"
                         + ("" if names else f" (no templates in {folder})"),
                         where, line, code="unknown-template")


def resolve_name(spec: str, folder: Path, where=None, line=None) -> TemplateInfo:
    """A template by name only: ``NAME`` is ``folder/NAME.jinja``, never a path or a partial.

    This is how a consultation names its template.  Raises :class:`TemplateError` (code
    ``unknown-template``) at ``where:line`` for a name that is a path (``/``, ``\\``, ``..``,
    absolute), a partial (``_*.jinja``), a file that resolves outside ``folder`` (a symlink
    out of it) or no template at all.
    """
    spec = str(spec)
    if len(spec) > 200:
        raise TemplateError(f"template name of {len(spec):,} characters is too long", where,
                            line, code="unknown-template")
    if not _NAME.fullmatch(spec) or ".." in spec:
        if spec.startswith("_") and _NAME.fullmatch(spec[1:] or "-"):
            raise TemplateError(f"template '{spec}' is a partial, not a filing template", where,
                                line, code="unknown-template")
        raise TemplateError(f"template '{spec}' must be the name of a template in "
                            f"{folder.name}/ (letters, digits, '.', '-' and '_'), not a path",
                            where, line, code="unknown-template")
    if spec.endswith(TEMPLATE_SUFFIX):
        spec = spec[: -len(TEMPLATE_SUFFIX)]
    path = folder / (spec + TEMPLATE_SUFFIX)
    if not path.is_file():
        raise _unknown(spec, folder, where, line)
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except OSError:
        inside = False
    if not inside:
        raise TemplateError(f"template '{spec}' leads outside {folder.name}/ (a link to "
                            "another folder)", where, line, code="unknown-template")
    return read_info(path)


def resolve(spec: str, folder: Path, where=None, line=None) -> TemplateInfo:
    """A template by name (file stem in the template folder) or by path to a file.

    Paths are for the command line (``--template FILE``), which the user types; files such as
    consultations name templates with :func:`resolve_name`.
    """
    as_path = Path(spec)
    if as_path.suffix == TEMPLATE_SUFFIX or "/" in spec or as_path.is_file():
        if as_path.is_file():
            return read_info(as_path.resolve())
        if as_path.suffix == TEMPLATE_SUFFIX or "/" in spec:
            raise TemplateError(f"template file '{spec}' not found", where, line,
                                code="unknown-template")
    path = folder / (spec + TEMPLATE_SUFFIX)
    if path.is_file() and not spec.startswith("_"):
        return read_info(path)
    raise _unknown(spec, folder, where, line)


def default_for(folder: Path, jurisdiction: str, kind: str, has_questions: bool) -> TemplateInfo:
    """The best template for a consultation that names none: one that serves its jurisdiction
    and kind (answering questions one by one when it has questions), else one that serves its
    jurisdiction whatever the kind; never a template of another jurisdiction (TemplateError)."""
    infos = list_templates(folder)
    if not infos:
        raise TemplateError(f"no templates in {folder}", folder, code="unknown-template")
    orders = (True, False) if has_questions else (False,)
    for any_kind in (False, True):
        for want_questions in orders:
            fitting = [t for t in infos
                       if t.fits(jurisdiction, t.kinds[0] if any_kind and t.kinds else kind,
                                 want_questions)]
            if fitting:
                return max(fitting, key=lambda t: (t.priority, -infos.index(t)))
    raise TemplateError(
        f"no template in {folder} serves {jurisdiction} consultations (of "
        f"{', '.join(t.name for t in infos)}): name one with 'template:' and draft with --force",
        folder, code="template-jurisdiction")
