"""From a batch file to a list of jobs: defaults applied, the matrix expanded, names checked."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from drafter.batch.names import check_name
from drafter.errors import DrafterError
from drafter.load.yamlsrc import SourceMap, parse_yaml, read_text


@dataclass(frozen=True)
class JobSpec:
    """One job: a consultation drafted through one template into one or more formats."""

    index: int                      # 0-based position in the batch (the manifest's order)
    name: str                       # output stem, relative to the output folder
    consultation: Path              # absolute
    consultation_label: str         # as written in the batch file
    template: str | None            # a name, an absolute path, or None (the consultation's)
    formats: tuple[str, ...]
    variables: dict = field(default_factory=dict, hash=False, compare=False)
    reference_docx: Path | None = None
    line: int | None = None         # where the job (or its matrix entry) is in the batch file
    template_line: int | None = None
    error: str | None = None        # a problem found while planning (duplicate name)

    @property
    def label(self) -> str:
        return f"job {self.index + 1}"

    def outputs(self) -> list[str]:
        """Output paths relative to the output folder, one per format (its extension:
        ``name.docx``, ``name.composed.md``)."""
        from drafter.writers import extension

        return [f"{self.name}{extension(fmt)}" for fmt in self.formats]

    def settings(self) -> dict:
        """Everything of the job's own that decides its outputs (part of the inputs hash)."""
        return {
            "name": self.name,
            "template": self.template,
            "formats": list(self.formats),
            "variables": self.variables,
            "reference_docx": str(self.reference_docx) if self.reference_docx else None,
            "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", "").strip() or None,
        }


@dataclass
class Plan:
    path: Path                      # the batch file
    output_dir: Path                # absolute
    jobs: list[JobSpec]

    @property
    def formats(self) -> set[str]:
        return {fmt for job in self.jobs for fmt in job.formats}


def _template_spec(spec: str | None, base: Path) -> str | None:
    """Template names stay names; paths are taken relative to the batch file."""
    if spec is None:
        return None
    if spec.endswith(".jinja") or "/" in spec:
        return str((base / spec).resolve())
    return spec


def _stem(label: str) -> str:
    name = Path(label).name
    for suffix in (".yaml", ".yml", ".jinja"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


# -- validated batch files, remembered ---------------------------------------------------------
# Validating needs pydantic, whose import costs more than checking a whole unchanged batch;
# the validated content of a batch file and its line map are kept in the state folder, keyed by
# its text, so an unchanged batch file is neither parsed nor validated again.

def _encode(value):
    if isinstance(value, dt.datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    raise TypeError(type(value).__name__)


def _decode(obj: dict):
    if len(obj) == 1:
        if "__date__" in obj:
            return dt.date.fromisoformat(obj["__date__"])
        if "__datetime__" in obj:
            return dt.datetime.fromisoformat(obj["__datetime__"])
    return obj


def _cache_file(cache_dir: Path, path: Path) -> Path:
    key = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(cache_dir) / f"{key}.json"


def _lines_out(smap: SourceMap) -> list:
    return [[list(loc), line, col] for loc, (line, col) in smap.lines.items()]


def _lines_in(rows, path: Path) -> SourceMap:
    return SourceMap(path, {tuple(loc): (line, col) for loc, line, col in rows})


def _cached(cache_dir: Path | None, path: Path, key: str) -> tuple[dict, SourceMap] | None:
    if cache_dir is None:
        return None
    try:
        data = json.loads(_cache_file(cache_dir, path).read_bytes(), object_hook=_decode)
        if isinstance(data, dict) and data.get("key") == key \
                and isinstance(data.get("batch"), dict):
            return data["batch"], _lines_in(data["lines"], path)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _remember(cache_dir: Path | None, path: Path, key: str, batch: dict,
              smap: SourceMap) -> None:
    if cache_dir is None:
        return
    try:
        text = json.dumps({"key": key, "batch": batch, "lines": _lines_out(smap)},
                          default=_encode)
        back = json.loads(text, object_hook=_decode)
        if back["batch"] != batch or _lines_in(back["lines"], path).lines != smap.lines:
            return  # something JSON cannot carry exactly: validate every time
        from drafter.output import atomic_write
        atomic_write(_cache_file(cache_dir, path), text.encode("utf-8"))
    except (TypeError, ValueError, DrafterError):
        pass


def validated(path: Path, cache_dir: Path | None = None) -> tuple[dict, SourceMap]:
    """The batch file's content after validation (defaults filled in), and its line map."""
    from drafter import __version__

    text = read_text(path)
    key = hashlib.sha256(f"{__version__}\0{text}".encode("utf-8")).hexdigest()
    remembered = _cached(cache_dir, path, key)
    if remembered is not None:
        return remembered
    from drafter.batch.models import validate_batch

    data, smap = parse_yaml(text, path)
    batch = validate_batch(data, path, smap).model_dump()
    _remember(cache_dir, path, key, batch, smap)
    return batch, smap


def load_plan(path: Path, cache_dir: Path | None = None) -> Plan:
    """Read and validate a batch file; raises LoadError (file:line) for a malformed one."""
    path = Path(path)
    model, smap = validated(path, cache_dir)
    base = path.resolve().parent
    defaults = model["defaults"]
    jobs: list[JobSpec] = []

    def add(name, consultation, template, formats, variables, reference, line, template_line,
            error=None):
        ref = reference or defaults["reference_docx"]
        jobs.append(JobSpec(
            index=len(jobs), name=name, consultation=(base / consultation).resolve(),
            consultation_label=consultation,
            template=_template_spec(template or defaults["template"], base),
            formats=tuple(formats or defaults["formats"]),
            variables={**defaults["variables"], **variables},
            reference_docx=(base / ref).resolve() if ref else None,
            line=line, template_line=template_line, error=error))

    def default_template_line(line):
        return smap.locate(("defaults", "template"))[0] if defaults["template"] else line

    for i, job in enumerate(model["jobs"]):
        line = smap.locate(("jobs", i))[0]
        tline = (smap.locate(("jobs", i, "template"))[0] if job["template"]
                 else default_template_line(line))
        add(job["name"] or _stem(job["consultation"]), job["consultation"], job["template"],
            job["formats"], job["variables"], job["reference_docx"], line, tline)

    single = ("matrix", 0) not in smap.lines  # one matrix written as a mapping
    for m, matrix in enumerate(model["matrix"]):
        at = ("matrix",) if single else ("matrix", m)
        templates = matrix["templates"] or [None]
        for c, consultation in enumerate(matrix["consultations"]):
            line = smap.locate(at + ("consultations", c))[0]
            for t, template in enumerate(templates):
                tline = (smap.locate(at + ("templates", t))[0] if template
                         else default_template_line(line))
                tname = _stem(template) if template else "default"
                if matrix["name"]:
                    name = matrix["name"].format(consultation=_stem(consultation),
                                                 template=tname)
                elif len(templates) > 1:
                    name = f"{_stem(consultation)}-{tname}"
                else:
                    name = _stem(consultation)
                error = None
                try:
                    check_name(name)
                except ValueError as exc:
                    error = str(exc)
                add(name, consultation, template, matrix["formats"], matrix["variables"], None,
                    line, tline, error)

    seen: dict[str, JobSpec] = {}
    for i, job in enumerate(jobs):
        if job.error:
            continue
        key = job.name.lower()  # two names differing in case collide on some file systems
        first = seen.get(key)
        if first is None:
            seen[key] = job
            continue
        where = f" at line {first.line}" if first.line else ""
        jobs[i] = replace(job, error=f"duplicate job name '{job.name}' (also {first.label}{where})")

    return Plan(path=path, output_dir=(base / model["output_dir"]).resolve(), jobs=jobs)
