"""Static analysis of templates and block bodies, without rendering them.

Every template and every block body is compiled in the same sandboxed environment the
composer uses (so syntax errors, unknown filters and sandbox refusals come out exactly as in a
draft), then its syntax tree is read for:

- names used but defined neither in the template nor in the drafting context
  (``jinja2.meta.find_undeclared_variables``);
- attribute chains on the context's known shapes (``org.shortname``,
  ``consultation.agency.nmae``), checked against the pydantic models;
- literal arguments that name positions, topics or roles (``position("id")``,
  ``positions(topic="x")``, ``m.or_default("profile", ["id", ...])``), classified by the
  called function's or macro's parameter names.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import meta, nodes
from pydantic import BaseModel

from drafter.errors import TemplateError

_JINJA_SPECIAL = {"loop", "caller", "varargs", "kwargs", "self", "super"}
_DICT_METHODS = {"get", "items", "keys", "values"}
_NO_FILTER = re.compile(r"No (filter|test) named '([^']+)'")


@dataclass
class Unit:
    """One template file or block body, parsed."""

    path: Path
    name: str
    source: str
    line_offset: int
    kind: str  # "template" | "block"
    tree: nodes.Template | None = None
    error: TemplateError | None = None
    undeclared: set = field(default_factory=set)
    assigned: set = field(default_factory=set)

    def position(self, lineno: int | None, needle: str | None = None) -> tuple[int | None, int | None]:
        """File line (and column of ``needle`` on it, if found) for a line of the source."""
        if not lineno:
            return None, None
        col = None
        if needle:
            lines = self.source.split("\n")
            if 0 < lineno <= len(lines):
                found = lines[lineno - 1].find(needle)
                col = found + 1 if found >= 0 else None
        return lineno + self.line_offset, col


@dataclass(frozen=True)
class Ref:
    kind: str  # "id" | "topic" | "role"
    value: str
    unit: Unit
    line: int | None
    col: int | None


def probe_composer(library, org, templates_dir: Path):
    """A composer for a stand-in consultation: the environment and context every draft gets."""
    from drafter.compose.composer import Composer
    from drafter.compose.templates import TemplateInfo
    from drafter.load.consultation import ConsultationFile
    from drafter.load.models import Agency, Consultation, OrgFacts
    from drafter.load.yamlsrc import SourceMap

    model = Consultation(title="check", agency=Agency(name="Agency", short_name="A"),
                         kind="other", jurisdiction="US")
    cf = ConsultationFile(model=model, path=templates_dir / "check.yaml", smap=SourceMap(None))
    org = org or OrgFacts(name="Organisation", short_name="Org", founded=2000)
    info = TemplateInfo(name="check", path=templates_dir / "check.jinja")
    return Composer(cf, library, org, info, [templates_dir])


def _root_models() -> dict[str, type[BaseModel]]:
    from drafter.load.models import Agency, Consultation, OrgFacts, Person
    return {"org": OrgFacts, "consultation": Consultation, "agency": Agency, "filer": Person}


def _model_of(annotation) -> type[BaseModel] | None:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found = [m for m in map(_model_of, typing.get_args(annotation)) if m is not None]
        return found[0] if len(found) == 1 else None
    return None


@dataclass(frozen=True)
class Shape:
    """What attributes a context value has: its keys, and the model for going deeper."""

    keys: frozenset
    model: type[BaseModel] | None = None

    def step(self, attr: str):
        """(known, shape of the attribute's value or None when it cannot be followed)."""
        if attr in _DICT_METHODS:
            return True, None
        if attr not in self.keys:
            return False, None
        if self.model is not None and attr in self.model.model_fields:
            sub = _model_of(self.model.model_fields[attr].annotation)
            if sub is not None:
                return True, Shape(frozenset(sub.model_fields), sub)
        return True, None


class Analysis:
    def __init__(self, ctx):
        composer = probe_composer(ctx.library, ctx.org, ctx.ws.templates)
        self.env = composer.env
        self.env.bytecode_cache = ctx.template_cache  # compiled once, reused by the trials
        self.context_names = set(composer.context)
        self.known = self.context_names | set(self.env.globals) | _JINJA_SPECIAL
        models = _root_models()
        self.shapes: dict[str, Shape] = {}
        for name, value in composer.context.items():
            if isinstance(value, dict) and name != "variables":
                model = models.get(name)
                keys = set(value) | (set(model.model_fields) if model else set())
                self.shapes[name] = Shape(frozenset(keys), model)
        self.units: list[Unit] = []
        for t in ctx.templates:
            self.units.append(self._parse(Unit(t.path, t.path.name, t.text, 0, "template")))
        full = not ctx.targets.paths
        for b in ctx.blocks:
            if not (full or ctx.selected(b.path)):
                continue  # files were named: only theirs are analysed (templates always are)
            self.units.append(self._parse(Unit(b.path, "position:" + b.id, b.body,
                                               b.body_line - 1, "block")))
        self.signatures = self._signatures()

    # -- parsing --------------------------------------------------------------------------

    def _parse(self, unit: Unit) -> Unit:
        from jinja2 import TemplateSyntaxError

        from drafter.compose.sandbox import SandboxViolation
        from drafter.load.library import suggest

        try:
            # Loading compiles (finding unknown filters and tests) into the shared cache; the
            # compiler folds constants in its tree, so the tree kept for analysis is parsed
            # on its own.
            if self.env.loader is not None and unit.source == self._loader_source(unit):
                self.env.get_template(unit.name)
            else:
                self.env.compile(unit.source, unit.name, str(unit.path))
            unit.tree = self.env.parse(unit.source, unit.name, str(unit.path))
        except SandboxViolation as exc:
            unit.error = TemplateError(f"refused by the sandbox: {exc.message}", unit.path,
                                       unit.position(exc.lineno)[0], code="sandbox")
        except TemplateSyntaxError as exc:
            message = exc.message or "invalid template"
            match = _NO_FILTER.search(message)
            if match:
                table = self.env.filters if match.group(1) == "filter" else self.env.tests
                message = message.rstrip(".") + suggest(match.group(2), table)
            unit.error = TemplateError(f"template syntax error: {message}", unit.path,
                                       unit.position(exc.lineno)[0], code="jinja-syntax")
        if unit.tree is not None:
            # Jinja counts a name set inside an if-branch as undeclared even where the same
            # branch sets it: any name the template assigns anywhere counts as its own.
            unit.assigned = _assigned(unit.tree)
            unit.undeclared = meta.find_undeclared_variables(unit.tree) - unit.assigned
        return unit

    def _loader_source(self, unit: Unit) -> str | None:
        """What the drafting loader reads under the unit's name (None if something else)."""
        try:
            source, filename, _ = self.env.loader.get_source(self.env, unit.name)
        except Exception:  # noqa: BLE001 - not loadable by name: compiled directly
            return None
        return source if filename == str(unit.path) else None

    def _signatures(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in self.env.globals.items():
            if callable(value) and not inspect.isclass(value):
                try:
                    out[name] = list(inspect.signature(value).parameters)
                except (TypeError, ValueError):
                    continue
        for unit in self.units:
            if unit.kind == "template" and unit.tree is not None:
                for macro in unit.tree.find_all(nodes.Macro):
                    out.setdefault(macro.name, [a.name for a in macro.args])
        return out

    # -- findings -------------------------------------------------------------------------

    def _top_level_names(self, unit: Unit) -> set[str]:
        names: set[str] = set()
        for node in unit.tree.body if unit.tree is not None else ():
            if isinstance(node, nodes.Import):
                names.add(node.target)
            elif isinstance(node, nodes.FromImport):
                names.update(n[1] if isinstance(n, tuple) else n for n in node.names)
            elif isinstance(node, nodes.Macro):
                names.add(node.name)
            elif isinstance(node, nodes.Assign):
                names.update(n.name for n in node.target.find_all(nodes.Name))
                if isinstance(node.target, nodes.Name):
                    names.add(node.target.name)
        return names

    def inherited(self, unit: Unit, seen=None) -> set[str]:
        """Names a template's blocks see from its own top level and the templates it extends."""
        if unit.kind != "template" or unit.tree is None:
            return set()
        seen = seen or set()
        if unit.name in seen:
            return set()
        seen.add(unit.name)
        names = self._top_level_names(unit)
        for ext in unit.tree.find_all(nodes.Extends):
            if isinstance(ext.template, nodes.Const):
                parent = next((u for u in self.units if u.kind == "template"
                               and u.name in (ext.template.value, f"{ext.template.value}.jinja")),
                              None)
                if parent is not None:
                    names |= self.inherited(parent, seen)
        return names

    def undefined_names(self, unit: Unit):
        """(name, line, col) for names the drafting context does not define."""
        if unit.tree is None:
            return []
        out = []
        for name in sorted(unit.undeclared - self.known - self.inherited(unit)):
            node = next((n for n in unit.tree.find_all(nodes.Name)
                         if n.name == name and n.ctx == "load"), None)
            line, col = unit.position(node.lineno if node else None, name)
            out.append((name, line, col))
        return out

    def bad_attributes(self, unit: Unit):
        """(root, chain so far, attribute, shape, line, col) for unknown attributes."""
        if unit.tree is None:
            return []
        out = []
        for node in unit.tree.find_all(nodes.Getattr):
            chain = []
            base = node
            while isinstance(base, nodes.Getattr):
                chain.append(base.attr)
                base = base.node
            if not isinstance(base, nodes.Name) or base.name not in self.shapes \
                    or base.name not in unit.undeclared:
                continue
            chain.reverse()
            shape = self.shapes[base.name]
            for i, attr in enumerate(chain):
                ok, next_shape = shape.step(attr)
                if not ok:
                    if i == len(chain) - 1:
                        line, col = unit.position(node.lineno, "." + attr)
                        out.append((".".join([base.name, *chain[:i]]), attr, shape,
                                    line, col + 1 if col else None))
                    break
                if next_shape is None:
                    break
                shape = next_shape
        return out

    def refs(self, unit: Unit) -> list[Ref]:
        """Literal position ids, topics and roles passed to functions and macros."""
        if unit.tree is None:
            return []
        out: list[Ref] = []
        for call in unit.tree.find_all(nodes.Call):
            func = call.node
            name = func.name if isinstance(func, nodes.Name) else \
                func.attr if isinstance(func, nodes.Getattr) else None
            params = self.signatures.get(name or "")
            if not params:
                continue
            pairs = list(zip(params, call.args)) + [(kw.key, kw.value) for kw in call.kwargs]
            for param, value in pairs:
                kind = _param_kind(param)
                if kind is None:
                    continue
                for text in _literal_strings(value):
                    line, col = unit.position(call.lineno, f'"{text}"')
                    if col is None:
                        line, col = unit.position(call.lineno, f"'{text}'")
                    out.append(Ref(kind, text, unit, line, col))
        return out


def _assigned(tree: nodes.Template) -> set[str]:
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    names.update(m.name for m in tree.find_all(nodes.Macro))
    names.update(i.target for i in tree.find_all(nodes.Import))
    for node in tree.find_all(nodes.FromImport):
        names.update(n[1] if isinstance(n, tuple) else n for n in node.names)
    return names


def _param_kind(param: str) -> str | None:
    if param in ("id", "ids", "block_id") or param.endswith("_id") or param.endswith("_ids"):
        return "id"
    if param in ("topic", "topics"):
        return "topic"
    if param in ("role", "roles"):
        return "role"
    return None


def _literal_strings(node) -> list[str]:
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, nodes.Const) and isinstance(node.value, (list, tuple)):
        return [v for v in node.value if isinstance(v, str)]
    if isinstance(node, (nodes.List, nodes.Tuple)):
        return [item.value for item in node.items
                if isinstance(item, nodes.Const) and isinstance(item.value, str)]
    return []
