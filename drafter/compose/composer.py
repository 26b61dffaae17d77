"""Render a consultation through its template into one Markdown text."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from drafter.compose import templates as tpl
from drafter.compose.environment import (BLOCK_PREFIX, WorkspaceLoader, make_environment,
                                         to_drafter_error)
from drafter.compose.functions import indent, make_globals, md_escape, placeholder, possessive
from drafter.compose.wording import Choice, choose
from drafter.errors import Diagnostics, TemplateError
from drafter.load.consultation import ConsultationFile, check_references
from drafter.load.library import Block, Library
from drafter.load.models import OrgFacts

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def long_date(value, style: str = "US") -> str:
    """'February 2, 2018' (US) or '2 February 2018' (EU and others)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    month = _MONTHS[value.month - 1]
    return f"{month} {value.day}, {value.year}" if style == "US" else f"{value.day} {month} {value.year}"


def filing_date(consultation) -> dt.date | None:
    """The filing's date: the consultation's ``date``, else SOURCE_DATE_EPOCH, else none."""
    if consultation.date:
        return consultation.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return None


@dataclass
class Composition:
    """The composed Markdown and what went into it."""

    markdown: str
    template: tpl.TemplateInfo
    used: list[Block]
    meta: dict
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    # block id -> the wording used and its fit problems (drafter.compose.wording.Choice)
    choices: dict = field(default_factory=dict)
    # question id -> how the draft answers it (drafter.coverage.QuestionStatus), Q&A shapes
    answers: dict = field(default_factory=dict)
    # block id -> question ids it was chosen for outside its role (a profile answering, say)
    role_mismatches: dict = field(default_factory=dict)

    @property
    def options(self) -> dict:
        return self.template.options


class Composer:
    def __init__(self, consultation: ConsultationFile, library: Library, org: OrgFacts,
                 template: tpl.TemplateInfo, template_dirs: list[Path]):
        self.consultation = consultation
        self.library = library
        self.org = org
        self.template = template
        self.loader = WorkspaceLoader([template.path.parent, *template_dirs], library)
        self.env = make_environment(self.loader)
        self.env.filters.update(md=md_escape, longdate=long_date, indent_md=indent,
                                possessive=possessive)
        self.env.globals.update(make_globals(self))
        self.used: dict[str, Block] = {}
        self.choices: dict[str, Choice] = {}
        self.role_mismatches: dict[str, list[str]] = {}
        self._bodies: dict[str, str] = {}
        self.selection = [library.get(pid) for pid in consultation.model.positions]
        self.context = self._context()

    def _context(self) -> dict:
        c = self.consultation.model
        data = c.model_dump(mode="python")
        data["kind"] = c.kind.value
        data["name"] = self.consultation.name
        date = filing_date(c)
        filer = (c.filer or self.org.signatory)
        data["agency"]["ref"] = c.agency.reference()
        return {
            "org": self.org.model_dump(mode="python"),
            "consultation": data,
            "agency": data["agency"],
            "variables": dict(c.variables),
            "date": date,
            "date_text": long_date(date, "US" if c.jurisdiction == "US" else "EU")
            if date else placeholder("date of filing"),
            "filer": filer.model_dump(mode="python") if filer else None,
            "template": {"name": self.template.name, "options": dict(self.template.options)},
        }

    # -- block rendering ------------------------------------------------------------------

    def choice(self, block: Block) -> Choice:
        """The wording this filing uses for ``block`` (chosen once per filing)."""
        found = self.choices.get(block.id)
        if found is None:
            found = choose(self.library, block, self.consultation.model,
                           self.template.options.get("variant"), self.consultation)
            self.choices[block.id] = found
        return found

    def _variant_context(self) -> dict:
        """What a variant's body may use: the names listed in the README, nothing else."""
        ctx = self.context
        return {
            "org": {"name": ctx["org"]["name"], "short_name": ctx["org"]["short_name"]},
            "agency": {k: ctx["agency"][k] for k in ("name", "short_name", "ref")},
            "consultation": {"title": ctx["consultation"]["title"]},
        }

    def body_text(self, block: Block) -> str:
        choice = self.choice(block)
        key = f"{block.id}@{choice.variant}"
        if key not in self._bodies:
            if choice.variant == "as-filed":
                template = self.env.get_template(BLOCK_PREFIX + block.id)
                text = template.render(self.context)
            else:
                template = self.env.get_template(BLOCK_PREFIX + key)
                text = template.render(self._variant_context())
            self._bodies[key] = text.strip("\n")
        return self._bodies[key]

    def render_block(self, block: Block, heading: int | None = None,
                     title: str | None = None) -> Markup:
        self.used.setdefault(block.id, block)
        choice = self.choice(block)
        variant = "" if choice.variant == "as-filed" else f' variant="{choice.variant}"'
        parts = [f'::: {{.block block="{block.id}"{variant} hash="{choice.wording.hash}"}}']
        if heading:
            parts.append("#" * int(heading) + " " + block.meta.title)
            parts.append("")
        elif title == "bold":
            parts.append(f"**{block.meta.title}**")
            parts.append("")
        parts.append(self.body_text(block))
        parts.append(":::")
        return Markup("\n".join(parts) + "\n")

    def answer(self, question_id: str):
        """What the consultation file says for one question: positions and custom text."""
        ans = self.consultation.model.answers.get(str(question_id))
        if ans is None:
            return None
        from drafter.compose.wording import answers_questions
        for pid in ans.positions:
            block = self.library.get(pid)
            if not answers_questions(block):
                self.role_mismatches.setdefault(pid, []).append(str(question_id))
        return {
            "positions": self.env.globals["positions"](ids=ans.positions),
            "text": ans.text,
            "skip": ans.skip,
        }

    # -- the whole filing ----------------------------------------------------------------

    def render(self) -> Composition:
        try:
            template = self.env.get_template(self.template.loader_name)
            markdown = template.render(self.context)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a positioned error
            raise to_drafter_error(exc, self.loader) from None
        c = self.consultation.model
        # Primary topics first (each block's first), then the rest; Word keeps 255 characters.
        topics: list[str] = []
        for rank in (0, 1):
            for block in self.used.values():
                for t in (block.meta.topics[:1] if rank == 0 else block.meta.topics[1:]):
                    if t not in topics:
                        topics.append(t)
        keywords = ""
        for t in topics:
            candidate = f"{keywords}, {t}" if keywords else t
            if len(candidate) > 255:
                break
            keywords = candidate
        meta = {
            "title": c.title,
            "subject": f"Comments of {self.org.name}" + (f" ({c.docket})" if c.docket else ""),
            "author": self.org.name,
            "keywords": keywords,
            "date": filing_date(c),
            "docket": c.docket,
            "agency": c.agency.name,
            "short_title": self.consultation.model.variables.get("short_title") or c.title,
            "jurisdiction": c.jurisdiction,
            "language": "en-US" if c.jurisdiction == "US" else "en-GB",
        }
        composition = Composition(markdown=markdown, template=self.template,
                                  used=list(self.used.values()), meta=meta,
                                  choices={b: self.choices[b] for b in self.used},
                                  role_mismatches=dict(self.role_mismatches))
        automatic = getattr(self, "suggestions", None)
        if automatic is not None:
            composition.answers = dict(automatic.shown)
        return composition


def choose_template(consultation: ConsultationFile, template_dir: Path,
                    override: str | None = None, force: bool = False) -> tpl.TemplateInfo:
    """The template to draft with: ``override``, else the consultation's, else the default.

    A template that declares ``jurisdictions`` refuses a consultation of another jurisdiction
    (:class:`TemplateError` naming both) unless ``force``.
    """
    c = consultation.model
    if override:
        info = tpl.resolve(override, template_dir)
        where, line = consultation.path, None
    elif c.template:
        where, line = consultation.path, consultation.line_of("template")
        info = tpl.resolve(c.template, template_dir, where, line)
    else:
        return tpl.default_for(template_dir, c.jurisdiction, c.kind.value, bool(c.questions))
    if not force and info.jurisdictions and c.jurisdiction not in info.jurisdictions:
        raise TemplateError(
            f"template '{info.name}' serves {', '.join(info.jurisdictions)}, not "
            f"{c.jurisdiction} ({c.agency.name}): choose another template, or --force to "
            "draft anyway", where,
            line or consultation.line_of("jurisdiction"), code="template-jurisdiction")
    return info


def compose(consultation: ConsultationFile, library: Library, org: OrgFacts,
            template_dir: Path, template: str | None = None,
            bytecode_cache: jinja2.BytecodeCache | None = None,
            force: bool = False) -> Composition:
    check_references(consultation, library)
    info = choose_template(consultation, template_dir, template, force)
    composer = Composer(consultation, library, org, info, [template_dir])
    composer.env.bytecode_cache = bytecode_cache  # compiled templates kept across drafts
    return composer.render()
