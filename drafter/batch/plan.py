"""From a batch file to a list of jobs: defaults applied, the matrix expanded, names checked."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from drafter.batch.models import BatchFile, check_name, validate_batch
from drafter.load.yamlsrc import load_yaml_file


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
        """Output paths relative to the output folder, one per format."""
        return [f"{self.name}.{fmt}" for fmt in self.formats]

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
    model: BatchFile

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
    for suffix in (".yaml", ".yml"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


def load_plan(path: Path) -> Plan:
    """Read and validate a batch file; raises LoadError (file:line) for a malformed one."""
    path = Path(path)
    data, smap = load_yaml_file(path)
    model = validate_batch(data, path, smap)
    base = path.resolve().parent
    defaults = model.defaults
    jobs: list[JobSpec] = []

    def add(name, consultation, template, formats, variables, reference, line, template_line,
            error=None):
        ref = reference or defaults.reference_docx
        jobs.append(JobSpec(
            index=len(jobs), name=name, consultation=(base / consultation).resolve(),
            consultation_label=consultation,
            template=_template_spec(template or defaults.template, base),
            formats=tuple(formats or defaults.formats),
            variables={**defaults.variables, **variables},
            reference_docx=(base / ref).resolve() if ref else None,
            line=line, template_line=template_line, error=error))

    for i, job in enumerate(model.jobs):
        line = smap.locate(("jobs", i))[0]
        tline = (smap.locate(("jobs", i, "template"))[0] if job.template
                 else smap.locate(("defaults", "template"))[0] if defaults.template else line)
        add(job.name or _stem(job.consultation), job.consultation, job.template, job.formats,
            job.variables, job.reference_docx, line, tline)

    for m, matrix in enumerate(model.matrix):
        templates = matrix.templates or [None]
        for c, consultation in enumerate(matrix.consultations):
            line = smap.locate(("matrix", m, "consultations", c))[0]
            for t, template in enumerate(templates):
                tline = (smap.locate(("matrix", m, "templates", t))[0] if template
                         else smap.locate(("defaults", "template"))[0] if defaults.template
                         else line)
                tname = _stem(template) if template else "default"
                if tname.endswith(".jinja"):
                    tname = tname[: -len(".jinja")]
                if matrix.name:
                    name = matrix.name.format(consultation=_stem(consultation), template=tname)
                elif len(templates) > 1:
                    name = f"{_stem(consultation)}-{tname}"
                else:
                    name = _stem(consultation)
                error = None
                try:
                    check_name(name)
                except ValueError as exc:
                    error = str(exc)
                add(name, consultation, template, matrix.formats, matrix.variables, None,
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

    return Plan(path=path, output_dir=(base / model.output_dir).resolve(), jobs=jobs, model=model)
