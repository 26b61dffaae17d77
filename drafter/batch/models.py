"""The batch file's schema (pydantic v2).

A batch file is YAML::

    output_dir: out/deadline          # relative to the batch file
    defaults:                         # for every job; each key optional
      template: us-agency-comments
      formats: [docx]
      variables: {member: ""}
      reference_docx: house.docx      # relative to the batch file
    jobs:
      - consultation: ../examples/ntia-botnets-comments.yaml
        name: ntia-botnets            # output stem (default: the consultation's)
        formats: [docx, pdf]
        variables: {member: Acme Hosting}
    matrix:                           # consultations x templates, each in every format
      consultations: [../examples/eu-manifesto-2024.yaml]
      templates: [eu-position-paper, us-agency-comments]
      formats: [docx, html]
      name: "{consultation}-{template}"
"""

from __future__ import annotations

import string
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from drafter.batch.names import check_name
from drafter.errors import LoadError

Format = Literal["docx", "md", "html", "txt", "pdf", "composed"]
FORMATS = ("docx", "md", "html", "txt", "pdf", "composed")

_NAME_FIELDS = {"consultation", "template"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _unique(formats: list[str] | None) -> list[str] | None:
    if formats is None:
        return None
    return list(dict.fromkeys(formats))


class Defaults(Strict):
    template: Optional[str] = Field(default=None, description="template name or path")
    formats: list[Format] = Field(default_factory=lambda: ["docx"], min_length=1)
    variables: dict[str, Any] = Field(default_factory=dict)
    reference_docx: Optional[str] = Field(
        default=None, description="house-style .docx, relative to the batch file")

    @field_validator("formats")
    @classmethod
    def _dedupe(cls, value):
        return _unique(value)


class JobModel(Strict):
    consultation: str = Field(min_length=1, description="consultation file, relative to the "
                                                         "batch file")
    name: Optional[str] = Field(default=None, description="output file stem (default: the "
                                                           "consultation file's)")
    template: Optional[str] = None
    formats: Optional[list[Format]] = Field(default=None, min_length=1)
    variables: dict[str, Any] = Field(default_factory=dict)
    reference_docx: Optional[str] = None

    @field_validator("formats")
    @classmethod
    def _dedupe(cls, value):
        return _unique(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        return None if value is None else check_name(value)


class Matrix(Strict):
    consultations: list[str] = Field(min_length=1)
    templates: list[str] = Field(default_factory=list, description="empty: each consultation's "
                                                                   "own template")
    formats: Optional[list[Format]] = Field(default=None, min_length=1)
    variables: dict[str, Any] = Field(default_factory=dict)
    name: Optional[str] = Field(default=None, description="output stem pattern with "
                                                           "{consultation} and {template}")

    @field_validator("formats")
    @classmethod
    def _dedupe(cls, value):
        return _unique(value)

    @field_validator("name")
    @classmethod
    def _pattern(cls, value):
        if value is None:
            return None
        try:
            parts = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(value)
                     if f is not None]
        except ValueError as exc:
            raise ValueError(f"name pattern {value!r}: {exc}") from None
        for field_name, spec, conv in parts:
            if spec or conv:
                raise ValueError(f"name pattern {value!r}: {{{field_name}}} takes no format "
                                 "spec or conversion (write {consultation} or {template})")
        fields = {f for f, _, _ in parts}
        unknown = fields - _NAME_FIELDS
        if unknown:
            raise ValueError(f"name pattern {value!r}: unknown field {{{sorted(unknown)[0]}}} "
                             "(use {consultation} and {template})")
        return value


class BatchFile(Strict):
    output_dir: str = Field(default="out", min_length=1,
                            description="where outputs go, relative to the batch file")
    defaults: Defaults = Field(default_factory=Defaults)
    jobs: list[JobModel] = Field(default_factory=list)
    matrix: list[Matrix] = Field(default_factory=list)

    @field_validator("matrix", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _something(self):
        if not self.jobs and not self.matrix:
            raise ValueError("a batch file needs 'jobs' or 'matrix'")
        return self


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def validate_batch(data, path, smap) -> BatchFile:
    """The batch file as a model; the first problem is a LoadError at its line, naming the job."""
    if not isinstance(data, dict):
        raise LoadError("a batch file must be a YAML mapping of keys to values", path,
                        smap.locate(())[0] if smap else None)
    try:
        return BatchFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
    loc = tuple(p for p in err["loc"]
                if not (isinstance(p, str) and (p.startswith("function-") or "[" in p)))
    at = loc
    if len(loc) >= 2 and loc[0] == "matrix" and isinstance(data.get("matrix"), dict):
        at = ("matrix",) + loc[2:]  # one matrix written as a mapping, not a list
    line, col = smap.locate(at) if smap else (None, None)
    who = ""
    if len(loc) >= 2 and loc[0] == "jobs" and isinstance(loc[1], int):
        job = data.get("jobs", [])[loc[1]] if isinstance(data.get("jobs"), list) else None
        label = None
        if isinstance(job, dict):
            label = job.get("name") or job.get("consultation")
        who = f"job {loc[1] + 1}" + (f" ({label})" if label else "") + ": "
        loc = loc[2:]
    elif len(loc) >= 1 and loc[0] == "matrix":
        rest = loc[1:]
        if rest and isinstance(rest[0], int):
            who = f"matrix {rest[0] + 1}: "
            rest = rest[1:]
        else:
            who = "matrix: "
        loc = rest
    kind = err["type"]
    if kind == "missing":
        where = f"{_field_path(loc[:-1])}: " if loc[:-1] else ""
        message = f"{where}missing required key '{loc[-1]}'"
    elif kind == "extra_forbidden":
        message = f"unknown key '{_field_path(loc)}'"
    else:
        msg = err["msg"].removeprefix("Value error, ")
        message = f"{_field_path(loc)}: {msg}" if loc else msg
    raise LoadError(f"invalid batch file: {who}{message}", path, line, col)
