"""The four stages joined: load -> compose -> document model -> writers.

:class:`Session` loads a workspace's library and organisation facts once and drafts any
number of consultations from them; the CLI's ``draft`` and batch generation both use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from drafter.compose import Composition, compose
from drafter.errors import Diagnostics, RenderError
from drafter.load.consultation import ConsultationFile, load_consultation
from drafter.load.library import Library, load_library
from drafter.load.models import OrgFacts
from drafter.load.org import load_org
from drafter.load.workspace import Workspace
from drafter.model import Document, parse_markdown
from drafter.writers import WriteContext, get_writer


HOUSE_STYLE = "house-style.docx"  # the workspace's default house style, in templates/


def _settings_line(path: Path) -> int | None:
    from drafter.load.yamlsrc import load_yaml_file

    _, smap = load_yaml_file(path)
    return smap.locate(("reference_docx",))[0] if smap else None


@dataclass
class Draft:
    consultation: ConsultationFile
    composition: Composition
    document: Document
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


class Session:
    def __init__(self, workspace: Workspace, bytecode_cache=None):
        self.workspace = workspace
        # a jinja2.BytecodeCache (drafter.bccache.TemplateCache): templates compiled once
        self.bytecode_cache = bytecode_cache
        self._library: Library | None = None
        self._org: OrgFacts | None = None
        self._settings = None

    @property
    def library(self) -> Library:
        if self._library is None:
            ws = self.workspace
            self._library = load_library(ws.positions, ws.topics_file, ws.seeds_index)
        return self._library

    @property
    def org(self) -> OrgFacts:
        if self._org is None:
            self._org = load_org(self.workspace.org_file)
        return self._org

    def draft(self, consultation: Path | ConsultationFile, template: str | None = None,
              options: dict | None = None, variables: dict | None = None,
              force: bool = False) -> Draft:
        """Compose and parse one filing; ``variables`` override the consultation's own.

        ``force`` drafts with a template that does not serve the consultation's jurisdiction.
        """
        cf = consultation if isinstance(consultation, ConsultationFile) \
            else load_consultation(Path(consultation))
        if variables:
            merged = {**cf.model.variables, **variables}
            cf = replace(cf, model=cf.model.model_copy(update={"variables": merged}))
        composition = compose(cf, self.library, self.org, self.workspace.templates, template,
                              bytecode_cache=self.bytecode_cache, force=force)
        doc_options = dict(composition.options)
        doc_options.update(options or {})
        document = parse_markdown(composition.markdown, composition.meta, doc_options)
        return Draft(cf, composition, document, composition.diagnostics)

    @property
    def settings(self):
        """The workspace's ``drafter.yaml`` (defaults when there is none), read once."""
        if self._settings is None:
            from drafter.load.workspace import load_settings
            self._settings = load_settings(self.workspace)
        return self._settings

    def reference_docx(self, draft: Draft, override: Path | None = None) -> Path | None:
        """The house-style document: the command line's, else the consultation's, else the
        workspace setting's (``reference_docx`` in drafter.yaml), else the workspace's
        ``templates/house-style.docx``; none means drafter's built-in default design."""
        if override is not None:
            return Path(override)
        ref = draft.consultation.model.reference_docx
        if ref:
            path = (draft.consultation.path.parent / ref)
            if not path.is_file():
                raise RenderError("reference document not found", draft.consultation.path,
                                  draft.consultation.line_of("reference_docx"))
            return path
        ws = self.workspace
        if self.settings.reference_docx:
            path = ws.root / self.settings.reference_docx
            if not path.is_file():
                raise RenderError(f"reference document not found: {path}",
                                  ws.settings_file, _settings_line(ws.settings_file))
            return path
        shipped = ws.templates / HOUSE_STYLE
        return shipped if shipped.is_file() else None

    def seed_titles(self) -> dict[str, str]:
        """Seed id -> title from seeds/index.yaml (for comments naming a block's source)."""
        from drafter.load.yamlsrc import load_yaml_file

        path = self.workspace.seeds_index
        if not path.is_file():
            return {}
        data, _ = load_yaml_file(path)
        seeds = data.get("seeds", []) if isinstance(data, dict) else []
        return {str(s["id"]): str(s.get("title", s["id"])) for s in seeds
                if isinstance(s, dict) and "id" in s}

    def render(self, draft: Draft, fmt: str, reference_docx: Path | None = None,
               annotate: bool = False, update_fields: bool = False,
               comments: bool = True) -> bytes:
        """The filing in ``fmt``; ``comments=False`` leaves the Word comments of review notes
        out of a DOCX (as the PDF writer does)."""
        writer = get_writer(fmt)
        ctx = WriteContext(
            source_markdown=draft.composition.markdown,
            reference_docx=self.reference_docx(draft, reference_docx),
            annotate=annotate,
            update_fields=update_fields,
            comments=comments,
            blocks={b.id: b for b in draft.composition.used},
            sources=self.seed_titles() if annotate else {},
            diagnostics=draft.diagnostics,
        )
        return writer.write(draft.document, ctx)
