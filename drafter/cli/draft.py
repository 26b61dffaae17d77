"""``drafter draft``: one consultation file to a filing."""

from __future__ import annotations

from pathlib import Path

import click

from drafter.cli import warn_all

FORMAT_CHOICES = ("docx", "md", "html", "txt", "pdf", "composed")


def output_plan(consultation: Path, output: Path | None, fmt: str | None,
                opts=None) -> tuple[Path, str]:
    """The output path and format from ``-o`` and ``--format`` (the extension may imply it).

    Without ``-o`` the filing goes to the workspace's ``out/`` folder (``opts`` gives the
    workspace), named after the consultation.
    """
    from drafter.errors import OutputError
    from drafter.writers import extension, format_for_path

    if output is not None and fmt is None:
        fmt = format_for_path(output)
        if fmt is None:
            raise OutputError(f"cannot tell the format from the extension '{output.suffix}': "
                              f"use --format ({', '.join(FORMAT_CHOICES)})", output)
    fmt = fmt or "docx"
    if output is None:
        folder = opts.workspace.root / "out" if opts is not None else Path()
        output = folder / (consultation.stem + extension(fmt))
    return output, fmt


def record_draft(workspace, consultation: Path, output: Path, fmt: str, data: bytes,
                 result) -> None:
    """Add the filing to the workspace's register; a problem there is only a warning."""
    import hashlib

    from drafter.register import record_safely

    model = result.consultation.model
    record_safely(workspace, lambda message: click.echo(message, err=True),
                  command="draft", consultation=str(Path(consultation).resolve()),
                  title=model.title, docket=model.docket_text,
                  template=result.composition.template.name,
                  outputs=[(str(Path(output).resolve()), fmt, hashlib.sha256(data).hexdigest())],
                  blocks=result.composition.wordings)


@click.command()
@click.argument("consultation", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Output file (default: out/NAME.FORMAT in the workspace, NAME the "
                   "consultation's).")
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
              help="Replace an output file drafter did not write, or one edited since; draft "
                   "with a template that does not serve the consultation's jurisdiction.")
@click.pass_obj
def draft(opts, consultation, output, template, fmt, reference_docx, annotate, update_fields,
          force):
    """Draft a filing from CONSULTATION (a YAML file).

    An existing output is replaced only when it holds what drafter last wrote there (the
    register knows); --force replaces it anyway.  No output ever replaces an input.
    """
    from drafter.output import atomic_write, check_inputs, check_overwrite, draft_inputs

    opts.near(consultation)
    output, fmt = output_plan(consultation, output, fmt, opts)
    check_inputs(output, [(consultation, "the consultation")])
    session = opts.session()
    result = session.draft(consultation, template=template, force=force)
    reference = session.reference_docx(result, reference_docx)
    data = session.render(result, fmt, reference_docx=reference, annotate=annotate,
                          update_fields=update_fields)
    check_inputs(output, draft_inputs(session, result, reference))
    check_overwrite(output, opts.workspace, force)
    atomic_write(output, data)
    record_draft(opts.workspace, consultation, output, fmt, data, result)
    warn_all(result.diagnostics)
    from drafter.check import draft_diagnostics, filing_warnings
    warn_all(filing_warnings(draft_diagnostics(result, opts.workspace), opts.workspace))
    from drafter.errors import display_path
    click.echo(f"wrote {display_path(output)} ({fmt}, "
               f"template {result.composition.template.name}, "
               f"{len(result.composition.used)} positions)", err=True)
