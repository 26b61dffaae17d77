"""``drafter new``: a consultation file from a notice, a question list, flags or prompts."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import click

KINDS = ("rfc", "rfi", "nprm", "noi", "anprm", "fnprm", "public-notice", "call-for-evidence",
         "public-consultation", "other")
JURISDICTIONS = ("US", "EU", "UK", "other")


def _kind(ctx, param, value):
    """Any case and the usual names ("NPRM", "notice of inquiry") for --kind."""
    if value is None:
        return None
    from drafter.load.models import normal_kind
    kind = normal_kind(value)
    if kind not in KINDS:
        from drafter.load.models import did_you_mean
        raise click.BadParameter(f"'{value}' is not one of {', '.join(KINDS)}"
                                 f"{did_you_mean(value, KINDS)}")
    return kind


def _jurisdiction(ctx, param, value):
    if value is None:
        return None
    from drafter.load.models import normal_jurisdiction
    found = normal_jurisdiction(value)
    if found not in JURISDICTIONS:
        raise click.BadParameter(f"'{value}' is not one of {', '.join(JURISDICTIONS)}")
    return found


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (write YYYY-MM-DD)") from None


def default_output(fields: dict, folder: Path | None = None) -> Path:
    """A file name from the agency and the title, ``ntia-promoting-stakeholder-action.yaml``,
    in ``folder`` (the workspace's ``consultations/``; none: the current folder)."""
    agency = (fields.get("agency") or {}).get("short_name") or ""
    words = re.findall(r"[a-z0-9]+", (fields.get("title") or "consultation").lower())
    skip = {"a", "an", "the", "of", "on", "for", "and", "to", "in", "request", "comments",
            "comment", "information", "notice", "its", "their", "our", "your", "this", "that",
            "these", "those", "with", "by", "from", "at", "as", "or", "is", "are", "be",
            "into", "about", "under", "via"}
    kept = [w for w in words if w not in skip][:5] or ["consultation"]
    stem = "-".join(re.findall(r"[a-z0-9]+", agency.lower()) + kept)
    return (folder or Path()) / (stem + ".yaml")


def questions_from_text(text: str, source: str = "<input>") -> list[dict]:
    """Questions (``{"id", "text"}``) from pasted text: a numbered list as ``--questions``
    reads it, else one question per non-empty line, numbered from 1."""
    from drafter.importers import parse_questions

    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    try:
        return [{"id": q.id, "text": q.text} for q in parse_questions("\n".join(lines),
                                                                     Path(source))]
    except Exception:  # noqa: BLE001 - not numbered: one question per line
        return [{"id": str(i), "text": " ".join(line.split())} for i, line in
                enumerate(lines, start=1)]


def _interactive_questions() -> list[dict]:
    click.echo("Questions: paste a numbered list, or type one question per line; "
               "an empty line ends the list.", err=True)
    lines = []
    while True:
        line = click.prompt("", default="", show_default=False, prompt_suffix="> ", err=True)
        if not line.strip():
            break
        lines.append(line)
    return questions_from_text("\n".join(lines))


def merge_fields(imported=None, questions=None, *, title=None, agency=None, agency_short=None,
                 kind=None, jurisdiction=None, docket=None, deadline=None,
                 agency_ref=None) -> dict:
    """Consultation fields: an importer's (``Imported`` or None), then ``questions`` (list of
    ``{"id", "text"}``), then the given values over them (None leaves a field as it is).
    ``agency_ref`` is ``agency.ref``, how the filing names the agency after its first mention
    ("the Department", "Ofcom")."""
    fields: dict = dict(imported.fields) if imported is not None else {}
    if questions:
        fields["questions"] = list(questions)
    overrides = {"title": title, "kind": kind, "jurisdiction": jurisdiction, "docket": docket,
                 "deadline": deadline}
    fields.update({k: v for k, v in overrides.items() if v is not None})
    if agency or agency_short or agency_ref:
        current = dict(fields.get("agency") or {})
        if agency:
            from drafter.importers.common import short_name
            current["name"] = agency
            current.setdefault("short_name", agency_short or short_name(agency))
        if agency_short:
            current["short_name"] = agency_short
        if agency_ref:
            current["ref"] = " ".join(agency_ref.split())
        fields["agency"] = current
    return fields


def missing_fields(fields: dict) -> list[str]:
    """The required keys still empty, of ``title``, ``agency``, ``kind``, ``jurisdiction``."""
    return [name for name, present in (
        ("title", fields.get("title")),
        ("agency", (fields.get("agency") or {}).get("name")),
        ("kind", fields.get("kind")),
        ("jurisdiction", fields.get("jurisdiction"))) if not present]


def file_text(fields: dict, header: list[str], notes: list[str], output: Path) -> str:
    """The consultation file's text for ``output``, validated like any consultation file
    (LoadError naming ``output`` otherwise)."""
    from drafter.importers import consultation_yaml, validate_text

    from drafter.errors import display_path

    header = list(header) or ["Written by drafter new."]
    header.append("Next: drafter suggest " + Path(display_path(output)).as_posix()
                  + " (which positions answer what), then drafter draft.")
    text = consultation_yaml(fields, header, notes)
    validate_text(text, output)
    return text


def _prompt_missing(fields: dict, ask_questions: bool) -> None:
    if not fields.get("title"):
        fields["title"] = click.prompt("Title of the consultation", err=True).strip()
    agency = fields.setdefault("agency", {})
    if not agency.get("name"):
        agency["name"] = click.prompt("Agency (full name)", err=True).strip()
    if not agency.get("short_name"):
        from drafter.importers.common import short_name
        agency["short_name"] = click.prompt("Agency short name", default=short_name(
            agency["name"]), err=True).strip()
    if not fields.get("kind"):
        fields["kind"] = click.prompt("Kind", type=click.Choice(KINDS), default="rfc", err=True)
    if not fields.get("jurisdiction"):
        fields["jurisdiction"] = click.prompt("Jurisdiction", type=click.Choice(JURISDICTIONS),
                                              default="US", err=True)
    if "docket" not in fields:
        docket = click.prompt("Docket (optional)", default="", show_default=False, err=True)
        if docket.strip():
            fields["docket"] = docket.strip()
    if "deadline" not in fields:
        while True:
            value = click.prompt("Comment deadline YYYY-MM-DD (optional)", default="",
                                 show_default=False, err=True).strip()
            if not value:
                break
            try:
                fields["deadline"] = dt.date.fromisoformat(value)
                break
            except ValueError:
                click.echo(f"'{value}' is not a date (write YYYY-MM-DD)", err=True)
    if ask_questions and not fields.get("questions"):
        questions = _interactive_questions()
        if questions:
            fields["questions"] = questions


def _consultations_folder(opts) -> Path | None:
    """``consultations/`` of the workspace around the current folder, or None outside one."""
    from drafter.errors import LoadError
    try:
        return opts.workspace.root / "consultations"
    except LoadError:
        return None


@click.command()
@click.option("--from-federal-register", "federal_register", metavar="DOC.json",
              type=click.Path(path_type=Path, dir_okay=False),
              help="A Federal Register API document (api/v1/documents/NUMBER.json).")
@click.option("--from-regulations-gov", "regulations_gov", metavar="DOC.json",
              type=click.Path(path_type=Path, dir_okay=False),
              help="A regulations.gov v4 document record (v4/documents/ID).")
@click.option("--federal-register", "fr_number", metavar="NUMBER",
              help="Fetch a Federal Register document by its number (2022-19551) from the "
                   "public API ($DRAFTER_FEDERAL_REGISTER_URL sets another address).")
@click.option("--questions", "questions_file", metavar="FILE.txt",
              type=click.Path(path_type=Path, dir_okay=False),
              help="The consultation's questions, pasted as a numbered list.")
@click.option("--title", help="Title of the consultation.")
@click.option("--agency", help="The agency's full name.")
@click.option("--agency-short", help="The agency's short name (NTIA, Commission, ...).")
@click.option("--agency-ref", metavar="TEXT",
              help="How the filing names the agency after its first mention, as written "
                   "mid-sentence ('the Department', 'Ofcom'): agency.ref. Default: 'the "
                   "Commission' for a name ending in Commission, the short name when it is an "
                   "acronym (NTIA), else 'the <short name>'.")
@click.option("--kind", callback=_kind, metavar="KIND",
              help="One of " + ", ".join(KINDS) + " (any case; 'NPRM', 'notice of inquiry'...).")
@click.option("--jurisdiction", callback=_jurisdiction, metavar="US|EU|UK|other",
              help="Where the consultation is held (any case).")
@click.option("--docket", help="Docket or reference number.")
@click.option("--deadline", callback=_date, metavar="YYYY-MM-DD", help="Comment deadline.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="The file to write (default: consultations/NAME.yaml in the workspace, "
                   "NAME from the agency and title; the current folder outside a workspace).")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.option("-i", "--interactive", is_flag=True,
              help="Ask for whatever the sources and flags leave out (default when the "
                   "input is a terminal).")
@click.pass_obj
def new(opts, federal_register, regulations_gov, fr_number, questions_file, title, agency,
        agency_short, agency_ref, kind, jurisdiction, docket, deadline, output, force, interactive):
    """Write a new consultation file (YAML).

    From a Federal Register or regulations.gov JSON document (or one fetched by its Federal
    Register number), a pasted question list, flags, or prompts; flags override what the
    documents say.
    """
    from drafter.errors import LoadError, OutputError, display_path
    from drafter.importers import from_federal_register, from_regulations_gov, read_questions
    from drafter.output import atomic_write, check_inputs

    if sum(1 for given in (federal_register, regulations_gov, fr_number) if given) > 1:
        raise click.UsageError("give one notice, not both: --from-federal-register, "
                               "--from-regulations-gov or --federal-register")
    if output is not None and output.exists() and not force:
        raise OutputError("already exists (use --force to overwrite)", output)

    header = []
    notes: list[str] = []
    imported = None
    source = federal_register or regulations_gov
    if federal_register:
        imported = from_federal_register(federal_register)
    elif regulations_gov:
        imported = from_regulations_gov(regulations_gov)
    elif fr_number:
        from drafter.importers.fetch import document_url, import_federal_register
        imported = import_federal_register(fr_number)
        source = document_url(fr_number)
    if imported is not None:
        header.append(f"Imported from the {imported.source} by drafter new.")
        notes.extend(imported.notes)
        for warning in imported.warnings:
            click.echo(f"{source}: warning: {warning}", err=True)
    questions = None
    if questions_file:
        parsed = read_questions(questions_file)
        from drafter.importers.questions import sequence_warnings
        for line, message in sequence_warnings(parsed):
            click.echo(f"{questions_file}:{line}: warning: {message}", err=True)
        questions = [{"id": q.id, "text": q.text} for q in parsed]
        header.append(f"Questions from {questions_file.name}: check them against the notice.")

    fields = merge_fields(imported, questions, title=title, agency=agency,
                          agency_short=agency_short, kind=kind, jurisdiction=jurisdiction,
                          docket=docket, deadline=deadline, agency_ref=agency_ref)
    published, closes = fields.get("published"), fields.get("deadline")
    if published and closes and closes < published:
        click.echo(f"{source or 'drafter new'}: warning: the comment deadline "
                   f"{closes.isoformat()} is before the publication date "
                   f"{published.isoformat()}: check 'deadline' against the notice", err=True)
    missing = ["--" + name for name in missing_fields(fields)]
    if interactive or (missing and sys.stdin.isatty()):
        _prompt_missing(fields, ask_questions=not questions_file)
    elif missing:
        # A notice that lacks them is at fault; a question list never has them.
        raise LoadError("missing " + ", ".join(missing) + (
            " in the notice" if source else "") + " (give them as options, or run "
            "drafter new -i to be asked)", source)

    output = output or default_output(fields, _consultations_folder(opts))
    check_inputs(output, [(federal_register, "the Federal Register document"),
                          (regulations_gov, "the regulations.gov document"),
                          (questions_file, "the question list")])
    if output.exists() and not force:
        raise OutputError("already exists (use --force to overwrite)", output)
    text = file_text(fields, header, notes, output)
    atomic_write(output, text.encode("utf-8"))
    count = len(fields.get("questions") or [])
    click.echo(f"wrote {display_path(output)} ({fields.get('kind')}, "
               f"{fields.get('jurisdiction')}, "
               f"{count} question{'s' if count != 1 else ''})", err=True)
