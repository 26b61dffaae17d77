"""The schemas of everything drafter reads, as pydantic v2 models.

The same models produce the JSON Schema that editors use (``drafter schema``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from enum import Enum
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from drafter.errors import LoadError

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$"
_id_re = re.compile(ID_PATTERN)

Jurisdiction = Literal["US", "EU", "UK", "other"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


# --- topics -------------------------------------------------------------------------------

class Topic(Strict):
    label: str
    description: str = ""
    keywords: list[str] = Field(
        default_factory=list,
        description="words and phrases that signal the topic in a consultation's questions "
                    "(used by drafter suggest)")


class TopicVocabulary(Strict):
    topics: dict[str, Topic]

    @field_validator("topics")
    @classmethod
    def _ids(cls, value: dict[str, Topic]) -> dict[str, Topic]:
        for key in value:
            if not _id_re.match(str(key)):
                raise ValueError(f"topic id {key!r} must be lower-case kebab-case")
        return value


# --- position blocks ------------------------------------------------------------------------

class Stance(str, Enum):
    support = "support"
    oppose = "oppose"
    conditional = "conditional"
    neutral = "neutral"


class Role(str, Enum):
    introduction = "introduction"
    profile = "profile"
    framing = "framing"
    section_intro = "section-intro"
    recommendation = "recommendation"
    argument = "argument"
    concern = "concern"
    closing = "closing"


class Status(str, Enum):
    draft = "draft"
    approved = "approved"
    retired = "retired"


class SourceRef(Strict):
    """Where a block's wording comes from: a seed document and a place in it."""

    seed: str
    section: str
    item: Optional[str] = None
    paragraph: Optional[int] = Field(default=None, ge=1)

    @field_validator("item", mode="before")
    @classmethod
    def _item_text(cls, value):
        return None if value is None else str(value)

    @model_validator(mode="after")
    def _place(self):
        if self.item is None and self.paragraph is None:
            raise ValueError("give the place in the section: 'item' or 'paragraph'")
        return self

    def describe(self) -> str:
        place = f"item {self.item}" if self.item is not None else f"paragraph {self.paragraph}"
        return f"{self.seed}, {self.section}, {place}"


# Roles of blocks that answer consultation questions; the others are placed by templates.
ANSWERING_ROLES = ("recommendation", "argument", "concern")
MAX_ANSWERS = 40
MAX_ANSWER_CHARS = 400


# The short hash (drafter.load.library.text_hash) of a wording's body as a reviewer approved
# it: written by `drafter positions approve`, compared by `drafter check` (edited-since-approval).
APPROVED_HASH_PATTERN = r"^[0-9a-f]{10}$"
APPROVED_HASH_HELP = ("the wording's short hash when it was approved (drafter positions "
                      "approve writes it): a wording edited since reads as not approved")


class PositionMeta(Strict):
    """The front matter of a position block."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    topics: list[str] = Field(min_length=1)
    stance: Stance
    role: Role
    jurisdictions: list[Literal["US", "EU", "UK", "other", "any"]] = Field(min_length=1)
    source: SourceRef
    status: Status
    last_reviewed: dt.date
    note: Optional[str] = None
    approved_by: Optional[str] = None
    approved_on: Optional[dt.date] = None
    approved_hash: Optional[str] = Field(default=None, pattern=APPROVED_HASH_PATTERN,
                                         description=APPROVED_HASH_HELP)
    answers: list[str] = Field(
        default_factory=list, max_length=MAX_ANSWERS,
        description="questions this position answers, in the words consultations use (one "
                    "line each): suggestions match new questions against them")

    @field_validator("summary")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("summary must be one line")
        return value

    @field_validator("answers")
    @classmethod
    def _questions(cls, value: list[str], info) -> list[str]:
        role = info.data.get("role")
        if value and role is not None and role.value not in ANSWERING_ROLES:
            raise ValueError(f"a {role.value} block answers no question; only "
                             f"{', '.join(ANSWERING_ROLES)} blocks list the questions they "
                             "answer")
        cleaned = [" ".join(q.split()) for q in value]
        if (all(cleaned) and max(map(len, value), default=0) <= MAX_ANSWER_CHARS
                and not any("\n" in q for q in value)):
            return cleaned                  # the usual case, checked at once: no loop below
        for n, question in enumerate(value, start=1):
            if not question.strip():
                raise ValueError(f"question {n} is empty")
            if "\n" in question.strip():
                raise ValueError(f"question {n} must be one line")
            if len(question) > MAX_ANSWER_CHARS:
                raise ValueError(f"question {n} is longer than {MAX_ANSWER_CHARS} characters")
        return cleaned

    def applies_to(self, jurisdiction: str) -> bool:
        return "any" in self.jurisdictions or jurisdiction in self.jurisdictions


VARIANTS = ("us", "eu", "general")
AS_FILED = "as-filed"


class DerivedFrom(Strict):
    """Where a variant's wording was derived from: another wording of the same position."""

    variant: str = Field(default=AS_FILED, description="'as-filed' or a variant name")
    seed: Optional[str] = Field(default=None, description="the seed of that wording")


class VariantMeta(Strict):
    """The front matter of a reusable wording, ``positions/<folder>/<id>.<variant>.md``."""

    id: str = Field(pattern=ID_PATTERN, description="the position's id")
    variant: Literal["us", "eu", "general"]
    audience: list[Literal["US", "EU", "UK", "other", "any"]] = Field(
        min_length=1, description="the jurisdictions this wording speaks to")
    status: Status = Field(description="project-written text is draft until a reviewer "
                                       "approves it (drafter positions approve)")
    derived_from: Optional[DerivedFrom] = None
    approved_by: Optional[str] = None
    approved_on: Optional[dt.date] = None
    approved_hash: Optional[str] = Field(default=None, pattern=APPROVED_HASH_PATTERN,
                                         description=APPROVED_HASH_HELP)
    last_reviewed: Optional[dt.date] = None
    note: Optional[str] = None

    def speaks_to(self, jurisdiction: str) -> bool:
        return "any" in self.audience or jurisdiction in self.audience


# --- organisation facts ---------------------------------------------------------------------

class Event(Strict):
    year: int
    event: str


class Person(Strict):
    name: str
    title: str = ""
    organization: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None


class OrgFacts(Strict):
    name: str
    short_name: str
    founded: int
    first_convened: Optional[Event] = None
    founding_members: Optional[int] = None
    member_count: Optional[str] = None
    description: str = ""
    web: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    address: Optional[str] = Field(
        default=None, description="mailing address under the signature of US filings, one "
                                  "line per line; unknown: filings show a placeholder")
    transparency_register: Optional[str] = Field(
        default=None, description="EU Transparency Register number, shown on EU papers; "
                                  "unknown: EU consultation responses show a placeholder")
    signatory: Optional[Person] = None

    @field_validator("member_count", mode="before")
    @classmethod
    def _count_text(cls, value):
        return None if value is None else str(value)


# --- consultations --------------------------------------------------------------------------

class Agency(Strict):
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    address: Optional[str] = None
    addressee: Optional[str] = None
    ref: Optional[str] = Field(
        default=None,
        description="how the filing refers to the agency after its first mention ('the "
                    "Commission', 'NTIA'); default: 'the Commission' for a name ending in "
                    "Commission, the short name when it is an acronym, else 'the <short name>'")

    def reference(self) -> str:
        """``ref``, else derived from the name and short name (see ``ref``)."""
        from drafter.compose.citation import agency_mentions
        return agency_mentions(self.name, self.short_name, self.ref)[1]


class Kind(str, Enum):
    rfc = "rfc"
    rfi = "rfi"
    nprm = "nprm"
    noi = "noi"
    anprm = "anprm"
    fnprm = "fnprm"
    public_notice = "public-notice"
    call_for_evidence = "call-for-evidence"
    public_consultation = "public-consultation"
    other = "other"


# Other spellings of a kind, compared in lower case with spaces and underscores as hyphens.
KIND_ALIASES = {
    "request-for-comment": "rfc", "request-for-comments": "rfc",
    "request-for-information": "rfi",
    "notice-of-proposed-rulemaking": "nprm",
    "notice-of-inquiry": "noi", "notice-of-enquiry": "noi",
    "advance-notice-of-proposed-rulemaking": "anprm", "anpr": "anprm",
    "further-notice-of-proposed-rulemaking": "fnprm", "fnpr": "fnprm",
    "proposed-rule": "nprm", "npr": "nprm",
    "pn": "public-notice",
    "cfe": "call-for-evidence",
    "consultation": "public-consultation",
}
# Other spellings of a jurisdiction, compared in lower case.
JURISDICTION_ALIASES = {
    "us": "US", "usa": "US", "u.s.": "US", "united states": "US",
    "eu": "EU", "european union": "EU", "europe": "EU",
    "uk": "UK", "gb": "UK", "united kingdom": "UK",
    "other": "other",
}


def normal_kind(value):
    """A kind as written by a person ("NPRM", "Notice of Inquiry") as its canonical value;
    anything unknown is returned unchanged for the validator to refuse."""
    if not isinstance(value, str):
        return value
    key = re.sub(r"[\s_]+", "-", value.strip().lower())
    if key in {k.value for k in Kind}:
        return key
    return KIND_ALIASES.get(key, value)


def normal_jurisdiction(value):
    """"us", "Usa", "European Union"... as US / EU / UK / other; unknown values unchanged."""
    if not isinstance(value, str):
        return value
    return JURISDICTION_ALIASES.get(" ".join(value.strip().lower().split()), value)


class DocketEntry(Strict):
    """One proceeding of a filing made in several: its docket and, for the caption, its title."""

    docket: str = Field(min_length=1)
    proceeding: Optional[str] = Field(
        default=None, description="the proceeding's title, shown beside its docket in the "
                                  "caption (default: the consultation's title)")

    @field_validator("docket", mode="before")
    @classmethod
    def _docket_text(cls, value):
        return None if value is None else str(value)


class Question(Strict):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value):
        return None if value is None else str(value)


class Answer(Strict):
    positions: list[str] = Field(default_factory=list)
    text: Optional[str] = None
    skip: Optional[str] = Field(default=None, description="why the question is deliberately left unanswered")
    suggested: list[str] = Field(
        default_factory=list,
        description="positions picked automatically (drafter suggest --write), to be reviewed: "
                    "move them to 'positions' to accept them")
    rejected: list[str] = Field(
        default_factory=list,
        description="positions a reviewer rejected as the answer to this question: never "
                    "suggested or picked automatically for it again (drafting ignores ids no "
                    "longer in the library; drafter check reports them)")


class Consultation(Strict):
    title: str = Field(min_length=1)
    agency: Agency
    kind: Kind = Field(description="rfc | rfi | nprm | noi | anprm | fnprm | public-notice | "
                                   "call-for-evidence | public-consultation | other (any case; "
                                   "'Notice of Inquiry', 'ANPRM'... are accepted)")
    jurisdiction: Jurisdiction
    docket: Optional[Union[str, list[Union[str, DocketEntry]]]] = Field(
        default=None,
        description="the docket or reference number, or a list of them when the filing is made "
                    "in several proceedings (each shown on its own line in the caption); an "
                    "item may be {docket: ..., proceeding: TITLE} to caption each proceeding "
                    "beside its docket")
    rin: Optional[str] = None
    citation: Optional[str] = Field(
        default=None, description="the notice's Federal Register citation ('88 FR 58211'); "
                                  "filings cite it as '88 Fed. Reg. 58,211 (Aug. 25, 2023)'")
    document_type: Optional[str] = Field(
        default=None, description="the notice's document type as the agency names it "
                                  "('Notice of Proposed Rulemaking'), cited after its title")
    agency_number: Optional[str] = Field(
        default=None, description="the agency's own number for the notice ('FCC 23-65')")
    published: Optional[dt.date] = None
    deadline: Optional[dt.date] = None
    date: Optional[dt.date] = Field(default=None, description="the filing's date")
    url: Optional[str] = None
    abstract: Optional[str] = None
    questions: list[Question] = Field(default_factory=list)
    template: Optional[str] = None
    reference_docx: Optional[str] = None
    proceeding: Optional[str] = Field(
        default=None,
        description="the seed (seeds/index.yaml) that was filed in this very proceeding: its "
                    "as-filed wording is used as filed here")
    variant: Optional[Literal["us", "eu", "general", "as-filed"]] = Field(
        default=None,
        description="the wording to use for every block that has it (else each block's "
                    "wording is chosen for the jurisdiction)")
    variants: dict[str, Literal["us", "eu", "general", "as-filed"]] = Field(
        default_factory=dict, description="position id -> the wording to use for that block")
    positions: list[str] = Field(default_factory=list)
    suggested: list[str] = Field(
        default_factory=list,
        description="positions picked automatically for a consultation without questions "
                    "(drafter suggest --write), not in the filing until moved to 'positions'")
    answers: dict[str, Answer] = Field(default_factory=dict)
    variables: dict[str, object] = Field(default_factory=dict)
    filer: Optional[Person] = None
    target: Optional[Literal["regulations.gov", "attachment"]] = Field(
        default=None,
        description="where the filing's text goes: 'regulations.gov' (pasted into the comment "
                    "box: at most 5,000 characters and 5,000 bytes, no emoji; drafter check "
                    "enforces it) or 'attachment' (an uploaded file: no text limits)")

    @field_validator("rin", "citation", "agency_number", mode="before")
    @classmethod
    def _text(cls, value):
        return None if value is None else str(value)

    @field_validator("docket", mode="before")
    @classmethod
    def _dockets(cls, value):
        if isinstance(value, (list, tuple)):
            items = [v if isinstance(v, dict) else str(v).strip() for v in value
                     if v is not None and (isinstance(v, dict) or str(v).strip())]
            if not items:
                return None
            return items[0] if len(items) == 1 and isinstance(items[0], str) else items
        return None if value is None else str(value)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value):
        return normal_kind(value)

    @field_validator("jurisdiction", mode="before")
    @classmethod
    def _jurisdiction(cls, value):
        return normal_jurisdiction(value)

    @property
    def dockets(self) -> list[str]:
        """Every docket, in the file's order (none: an empty list)."""
        return [docket for docket, _ in self.proceedings]

    @property
    def proceedings(self) -> list[tuple[str, str | None]]:
        """(docket, proceeding title or None) for every docket, in the file's order."""
        if self.docket is None:
            return []
        items = self.docket if isinstance(self.docket, list) else [self.docket]
        return [(item, None) if isinstance(item, str) else (item.docket, item.proceeding)
                for item in items]

    @property
    def docket_text(self) -> str | None:
        """The dockets as one line ("A; B"), for registers and metadata; None when none."""
        return "; ".join(self.dockets) or None
    @field_validator("answers", mode="before")
    @classmethod
    def _answer_keys(cls, value):
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value


# --- validation with positions -------------------------------------------------------------

def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model that holds the last key of ``loc`` (for "did you mean" on unknown keys)."""
    current = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            # a dict's key (answers: {"3": ...}): the value's model follows
            return None if part != loc[-1] else current
        current = _inner_model(field.annotation)
    return current


def _inner_model(annotation) -> type[BaseModel] | None:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def did_you_mean(word, choices) -> str:
    """" (did you mean 'x'?)" when ``word`` is close to one of ``choices``, else ""."""
    choices = [str(c) for c in choices]
    swapped = [c for c in choices if sorted(c.lower()) == sorted(str(word).lower())]
    if swapped:  # two letters swapped ("rcf") beat any other near miss
        return f" (did you mean '{swapped[0]}'?)"
    match = difflib.get_close_matches(str(word).lower(), [c.lower() for c in choices], n=1,
                                      cutoff=0.6)
    if not match:
        return ""
    original = next(c for c in choices if c.lower() == match[0])
    return f" (did you mean '{original}'?)"


def _message(model: type[BaseModel], err: dict, loc: tuple) -> str:
    kind = err["type"]
    if kind == "missing":
        parent, name = loc[:-1], loc[-1]
        where = f"{_field_path(parent)}: " if parent else ""
        return f"{where}missing required key '{name}'"
    if kind == "extra_forbidden":
        holder = _model_at(model, loc[:-1]) if len(loc) > 1 else model
        hint = did_you_mean(loc[-1], holder.model_fields) if holder is not None else ""
        return f"unknown key '{_field_path(loc)}'{hint}"
    msg = err["msg"].removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        expected = (err.get("ctx") or {}).get("expected", "")
        options = re.findall(r"'([^']*)'", expected)
        hint = did_you_mean(err.get("input"), options) if options else ""
        msg = (f"{err.get('input')!r} is not one of " + ", ".join(f"'{o}'" for o in options)
               + hint) if options else msg
    if kind.startswith(("date_", "datetime_")) and kind != "date_from_datetime_inexact":
        msg = f"{err.get('input')!r} is not a date: write YYYY-MM-DD (e.g. 2024-02-29)"
    return f"{_field_path(loc)}: {msg}" if loc else msg


def validate(model: type[BaseModel], data, path, smap, what: str):
    """Validate ``data`` against ``model``.

    Raises a LoadError at the line of the first problem; every other problem of the same file
    is attached to it as ``more`` (a list of LoadErrors, each at its own line), so one run
    reports them all.  Unknown keys and misspelt choices get "did you mean".
    """
    if not isinstance(data, dict):
        line = smap.locate(())[0] if smap else None
        raise LoadError(f"{what} must be a YAML mapping of keys to values", path, line)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: list[LoadError] = []
        seen: set = set()
        for err in exc.errors():
            loc = tuple(p for p in err["loc"]
                        if not (isinstance(p, str) and p.startswith("function-")))
            # A value that may be text or a list fails both ways: report it once.
            if loc in seen:
                continue
            seen.add(loc)
            line, col = smap.locate(loc) if smap else (None, None)
            problems.append(LoadError(f"invalid {what}: {_message(model, err, loc)}",
                                      path, line, col))
        problems.sort(key=lambda e: (e.line or 0, e.col or 0))
        first = problems[0]
        first.more = problems[1:]
        raise first from None


# --- workspace settings (drafter.yaml) --------------------------------------------------------

class CheckSettings(Strict):
    stale_after_days: int = Field(default=730, ge=1,
                                  description="a block not reviewed for this long is stale")
    deadline_warning_days: int = Field(default=7, ge=0)
    glossary: Optional[str] = Field(default="glossary.yaml",
                                    description="preferred terminology, relative to the workspace")
    should_per_1000_words: float = Field(
        default=5.0, ge=0, description="warn when a draft uses bare 'should' more often than this")
    should_min_uses: int = Field(
        default=3, ge=1, description="...and at least this many times")
    broad_term_min_uses: int = Field(
        default=4, ge=1,
        description="warn when a broad term of the glossary is used bare this many times in a "
                    "draft without being defined there")
    bound_phrases: list[Union[str, BoundPhrase]] = Field(
        default_factory=lambda: [p if isinstance(p, str) else BoundPhrase(**p)
                                 for p in BOUND_PHRASES],
        description="phrases that refer to the proceeding a block was first filed in; drafter "
                    "check flags them in any other filing (case-insensitive, whole words)")


class BoundPhrase(Strict):
    """A phrase that refers to another proceeding, unless the filing is for ``allowed_in``."""

    phrase: str = Field(min_length=1)
    allowed_in: list[Literal["US", "EU", "UK", "other"]] = Field(
        default_factory=list, description="jurisdictions where the phrase is at home")


BOUND_PHRASES = (
    "this draft", "the draft report", "this very report", "this report", "the report",
    "Section III", "Goals & Actions", "Goals and Actions", "this Manifesto",
    "the proposed EU CSA regulation", "botnet recommendations",
    {"phrase": "EU policymakers", "allowed_in": ["EU"]},
    {"phrase": "benefit the EU", "allowed_in": ["EU"]},
)


class WorkspaceSettings(Strict):
    """``drafter.yaml`` at the workspace root; every key is optional."""

    reference_docx: Optional[str] = Field(
        default=None, description="house-style .docx, relative to the workspace")
    check: CheckSettings = Field(default_factory=CheckSettings)


# --- glossary (glossary.yaml) ---------------------------------------------------------------

class PreferredTerm(Strict):
    """A term the coalition uses, and the terms it avoids in its place."""

    use: str = Field(min_length=1, description="the preferred term")
    instead_of: list[str] = Field(min_length=1, description="terms to replace by it")
    why: str = ""
    except_in: list[str] = Field(
        default_factory=list,
        description="position ids where the avoided term is the subject (e.g. the block that "
                    "argues against it)")
    case_sensitive: bool = False


class BroadTerm(Strict):
    """A term too broad to act on unless the filing says who or what it means."""

    term: str = Field(min_length=1)
    unless_after: list[str] = Field(
        default_factory=list,
        description="words that make a use specific when they come just before the term "
                    "('federal government')")
    hint: str = Field(default="", description="what to write instead")


class Glossary(Strict):
    """``glossary.yaml``: the workspace's preferred terminology, checked in every draft."""

    prefer: list[PreferredTerm] = Field(default_factory=list)
    broad_terms: list[BroadTerm] = Field(default_factory=list)
