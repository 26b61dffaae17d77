"""Render a consultation through its template into one Markdown text."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from drafter.compose import templates as tpl
from drafter.compose.citation import (agency_mentions, docket_label, fed_reg, joined_dockets,
                                      notice_citation)
from drafter.compose.environment import (BLOCK_PREFIX, WorkspaceLoader, make_environment,
                                         to_drafter_error)
from drafter.compose.functions import (data_markdown, indent, make_globals, md_escape,
                                       placeholder, possessive)
from drafter.compose.values import tag
from drafter.compose.wording import Choice, choose
from drafter.errors import Diagnostics, LoadError, TemplateError
from drafter.load.consultation import ConsultationFile, check_references
from drafter.load.library import Block, Library
from drafter.load.models import OrgFacts

# A fenced div's opening line: what stands before it (indentation, list markers, quote marks),
# the colons, the attributes.
_DIV_OPEN = re.compile(r"^((?:[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]+|[ \t]*>[ \t]?)*[ \t]*)"
                       r"(:{3,})[ \t]*(\{.*\}|\S.*)?[ \t]*$")
_SEAL_ATTR = re.compile(r' seal="[0-9a-f]+"')
# Consultation fields that are one line of text wherever a template puts them.
_ONE_LINE = ("title", "docket", "rin", "citation", "url", "template", "reference_docx")


def one_line(value):
    """Strings in ``value`` (a str, or lists and mappings of them) with line breaks as spaces."""
    if isinstance(value, str):
        return re.sub(r"\s*[\r\n\u2028\u2029\x0b\x0c\x85]\s*", " ", value)
    if isinstance(value, dict):
        return {k: one_line(v) for k, v in value.items()}
    if isinstance(value, list):
        return [one_line(v) for v in value]
    return value


def seal_blocks(markdown: str, seal: str) -> str:
    """Keep the block provenance the composer made, and only that.

    The composer marks each block's fenced div with ``seal="SEAL"``, a secret of this
    composition.  Here that mark is removed; any other div that claims to be a block
    (``.block`` or ``block=``: text from a consultation, a variable or an import posing as
    a reviewed block) is escaped into literal text, so it never carries provenance.
    """
    from drafter.model.parse import parse_div_info

    out = []
    for line in markdown.split("\n"):
        match = _DIV_OPEN.match(line)
        if match and match.group(3):
            classes, attrs = parse_div_info(match.group(3))
            if "block" in classes or "block" in attrs or "hash" in attrs:
                if attrs.get("seal") == seal and line.count(f'seal="{seal}"') == 1:
                    line = _SEAL_ATTR.sub("", line, count=1)
                else:
                    line = match.group(1) + "\\" + line[len(match.group(1)):]
        out.append(line)
    return "\n".join(out)


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
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        except (OverflowError, ValueError, OSError):
            raise LoadError(f"SOURCE_DATE_EPOCH={epoch.strip()} is not a time drafter can use "
                            "(seconds since 1970, before the year 10000)") from None
    return None


NOTICE_REF = "[^notice]"


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

    @property
    def wordings(self) -> list[tuple[str, str]]:
        """(block id, short hash of the wording the filing used: the as-filed text or a
        variant) for each block used, in order of use: what the register records."""
        return [(b.id, self.choices[b.id].wording.hash if b.id in self.choices else b.hash)
                for b in self.used]


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
        self.seal = secrets.token_hex(8)   # marks the block divs this composer makes
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
        data["docket"] = c.docket_text  # one line; "dockets" lists them
        data["dockets"] = c.dockets
        data["docket_labels"] = [docket_label(d) for d in c.dockets]
        data["proceedings"] = [{"title": title or c.title, "docket": docket_label(d)}
                               for d, title in c.proceedings] \
            if any(title for _, title in c.proceedings) else []
        data["citation_text"] = fed_reg(c.citation, c.published)
        first, later = agency_mentions(c.agency.name, c.agency.short_name, c.agency.ref)
        data["agency"]["first_mention"] = first
        data["agency"]["ref"] = later
        for key in (*_ONE_LINE, "dockets", "docket_labels", "proceedings", "citation_text"):
            data[key] = one_line(data.get(key))
        for key in ("name", "short_name", "first_mention", "ref"):  # address, addressee: lines kept
            data["agency"][key] = one_line(data["agency"][key])
        date = filing_date(c)
        filer = (c.filer or self.org.signatory)
        url = data.get("url")  # an address goes into <autolinks>, where escapes would show
        data = tag(data)  # data, escaped as Markdown where {{ }} inserts it (compose.values)
        data["url"] = url
        return {
            "org": tag(self.org.model_dump(mode="python")),
            "consultation": data,
            "agency": data["agency"],
            "variables": tag(one_line(dict(c.variables))),
            "date": date,
            "date_text": long_date(date, "US" if c.jurisdiction == "US" else "EU")
            if date else placeholder("date of filing"),
            "filer": tag(one_line(filer.model_dump(mode="python"))) if filer else None,
            "template": {"name": self.template.name, "options": dict(self.template.options)},
            # The footnote mark of the notice's citation, for the sentence that names the
            # notice; the composer adds the footnote itself (see _notice_footnote).
            "notice_ref": NOTICE_REF if c.citation else "",
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
        parts = [f'::: {{.block block="{block.id}"{variant} hash="{choice.wording.hash}" '
                 f'seal="{self.seal}"}}']
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
            "text": data_markdown(ans.text) if ans.text else ans.text,
            "skip": ans.skip,
        }

    # -- the whole filing ----------------------------------------------------------------

    def _notice_footnote(self, markdown: str) -> str:
        """The footnote citing the notice, added once when the filing used its mark (an
        opening sentence that names the notice) and the template did not define it."""
        c = self.consultation.model
        if not c.citation or NOTICE_REF not in markdown \
                or f"\n{NOTICE_REF}:" in "\n" + markdown:
            return markdown
        note = notice_citation(c, [docket_label(d) for d in c.dockets])
        return markdown.rstrip("\n") + f"\n\n{NOTICE_REF}: {note}\n"

    def render(self) -> Composition:
        self.env.start_render()
        try:
            template = self.env.get_template(self.template.loader_name)
            markdown = template.render(self.context)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a positioned error
            raise to_drafter_error(exc, self.loader) from None
        markdown = seal_blocks(markdown, self.seal)
        c = self.consultation.model
        markdown = self._notice_footnote(markdown)
        # What the recipient sees in the document's properties: the topics' labels (not the
        # library's ids), primary topics first; Word keeps 255 characters.
        labels: list[str] = []
        for rank in (0, 1):
            for block in self.used.values():
                for t in (block.meta.topics[:1] if rank == 0 else block.meta.topics[1:]):
                    topic = self.library.topics.get(t)
                    label = topic.label if topic is not None else None
                    if label and label not in labels:
                        labels.append(label)
        keywords = ""
        for label in labels:
            candidate = f"{keywords}; {label}" if keywords else label
            if len(candidate) > 255:
                break
            keywords = candidate
        dockets = [docket_label(d) for d in c.dockets]
        meta = {
            "title": c.title,
            # what the filing is, in its own words: template option "subject" ("Response of
            # the" for a UK response), else US practice's "Comments of the"
            "subject": f"{self.template.options.get('subject') or 'Comments of the'} "
                       f"{self.org.name}"
                       + (f", {joined_dockets(dockets)}" if dockets else ""),
            "author": self.org.name,
            "keywords": keywords,
            "date": filing_date(c),
            "docket": joined_dockets(dockets) if dockets else None,
            "identifier": c.docket_text,  # as written: harvest matches it to the file
            "agency": c.agency.name,
            "short_title": self.consultation.model.variables.get("short_title")
                           or running_title(c, self.org),
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


_RUNNING_TITLE_MAX = 70


def running_title(consultation, org) -> str:
    """The running header's title: the consultation's title when it has at most 70
    characters, else the filer and what the filing is, to the agency as the filing names it
    after its first mention (:meth:`drafter.load.models.Agency.reference`: an acronym without
    "the"): "i2Coalition Comments to NTIA" (US), "i2Coalition Contribution to the Commission"
    (EU), "i2Coalition Response to HO" (UK and other). The docket goes beside it."""
    title = " ".join(consultation.title.split())
    if len(title) <= _RUNNING_TITLE_MAX:
        return title
    what = {"US": "Comments", "EU": "Contribution"}.get(consultation.jurisdiction, "Response")
    return f"{org.short_name} {what} to {consultation.agency.reference()}"


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
        info = tpl.resolve_name(c.template, template_dir, where, line)
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
    composition = composer.render()
    c = consultation.model
    if info.jurisdictions and c.jurisdiction not in info.jurisdictions:  # forced
        composition.diagnostics.warn(
            f"template '{info.name}' serves {', '.join(info.jurisdictions)}, not "
            f"{c.jurisdiction} ({c.agency.name}): drafted because of --force; check the "
            "caption, the voice and the closing", consultation.path,
            consultation.line_of("jurisdiction"), code="template-jurisdiction")
    return composition
