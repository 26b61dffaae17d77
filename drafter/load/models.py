"""The schemas of everything drafter reads, as pydantic v2 models.

The same models produce the JSON Schema that editors use (``drafter schema``).
"""

from __future__ import annotations

import datetime as dt
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

    @field_validator("summary")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("summary must be one line")
        return value

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
    address: Optional[str] = None
    transparency_register: Optional[str] = None
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
        if self.ref:
            return self.ref
        if self.name.rstrip().endswith("Commission"):
            return "the Commission"
        short = self.short_name
        if re.fullmatch(r"[A-Z][A-Z0-9&]+", short):
            return short
        return f"the {short}"


class Kind(str, Enum):
    rfc = "rfc"
    rfi = "rfi"
    nprm = "nprm"
    call_for_evidence = "call-for-evidence"
    public_consultation = "public-consultation"
    other = "other"


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


class Consultation(Strict):
    title: str = Field(min_length=1)
    agency: Agency
    kind: Kind
    jurisdiction: Jurisdiction
    docket: Optional[str] = None
    rin: Optional[str] = None
    citation: Optional[str] = None
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

    @field_validator("docket", "rin", "citation", mode="before")
    @classmethod
    def _text(cls, value):
        return None if value is None else str(value)

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


def validate(model: type[BaseModel], data, path, smap, what: str):
    """Validate ``data`` against ``model``; the first problem becomes a LoadError at its line."""
    if not isinstance(data, dict):
        line = smap.locate(())[0] if smap else None
        raise LoadError(f"{what} must be a YAML mapping of keys to values", path, line)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        line, col = smap.locate(loc) if smap else (None, None)
        kind = err["type"]
        if kind == "missing":
            parent, name = loc[:-1], loc[-1]
            where = f"{_field_path(parent)}: " if parent else ""
            message = f"{where}missing required key '{name}'"
        elif kind == "extra_forbidden":
            message = f"unknown key '{_field_path(loc)}'"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            message = f"{_field_path(loc)}: {msg}" if loc else msg
        raise LoadError(f"invalid {what}: {message}", path, line, col) from None


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
