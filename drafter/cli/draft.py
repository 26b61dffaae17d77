"""``drafter draft``: one consultation file to a filing."""

from __future__ import annotations

from pathlib import Path

import click

from drafter.cli import warn_all

FORMAT_CHOICES = ("docx", "md", "html", "txt", "pdf")


def output_plan(consultation: Path, output: Path | None, fmt: str | None) -> tuple[Path, str]:
    """The output path and format from ``-o`` and ``--format`` (the extension may imply it)."""
    from drafter.errors import OutputError
    from drafter.writers import format_for_path

    if output is not None and fmt is None:
        fmt = format_for_path(output)
        if fmt is None:
            raise OutputError(f"cannot tell the format from the extension '{output.suffix}': "
                              "use --format", output)
    fmt = fmt or "docx"
    if output is None:
        output = Path(consultation.stem + "." + fmt)
    return output, fmt


def record_draft(workspace, consultation: Path, output: Path, fmt: str, data: bytes,
                 result) -> None:
    """Add the filing to the workspace's register; a problem there is only a warning."""
    import hashlib

    from drafter.register import record_safely

    model = result.consultation.model
    record_safely(workspace, lambda message: click.echo(message, err=True),
                  command="draft", consultation=str(Path(consultation).resolve()),
                  title=model.title, docket=model.docket,
                  template=result.composition.template.name,
                  outputs=[(str(Path(output).resolve()), fmt, hashlib.sha256(data).hexdigest())],
                  blocks=[(b.id, b.hash) for b in result.composition.used])


@click.command()
@click.argument("consultation", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Output file (default: named after the consultation, in this folder).")
@click.option("-t", "--template", metavar="NAME|PATH",
              help="Template name (file stem in templates/) or path to a template file.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMAT_CHOICES),
              help="Output format (default: from the -o extension, else docx).")
@click.option("--reference-docx", type=click.Path(path_type=Path, dir_okay=False),
              help="House-style .docx whose styles, page setup and letterhead are used.")
@click.option("--annotate", is_flag=True, help="Add a Word comment on each position block.")
@click.option("--update-fields", is_flag=True,
              help="Fill the table of contents and page fields through LibreOffice.")
@click.option("--force", is_flag=True,
              help="Draft even with a template that does not serve the consultation's "
                   "jurisdiction.")
@click.pass_obj
def draft(opts, consultation, output, template, fmt, reference_docx, annotate, update_fields,
          force):
    """Draft a filing from CONSULTATION (a YAML file)."""
    from drafter.output import atomic_write

    output, fmt = output_plan(consultation, output, fmt)
    session = opts.session()
    result = session.draft(consultation, template=template, force=force)
    data = session.render(result, fmt, reference_docx=reference_docx, annotate=annotate,
                          update_fields=update_fields)
    atomic_write(output, data)
    record_draft(opts.workspace, consultation, output, fmt, data, result)
    warn_all(result.diagnostics)
    from drafter.check import draft_diagnostics
    warn_all(draft_diagnostics(result, opts.workspace))  # placeholders, deadline, terms...
    click.echo(f"wrote {output} ({fmt}, template {result.composition.template.name}, "
               f"{len(result.composition.used)} positions)", err=True)
