"""``drafter register``: the filings drafter has produced."""

from __future__ import annotations

import json

import click


def _when(created: str) -> str:
    return created.replace("T", " ").removesuffix("Z")[:16] + " UTC" if created else ""


def filing_rows(filings, extra: tuple[str, list] | None = None) -> list[list[str]]:
    """Table rows (header first) for filings, newest first."""
    from drafter.errors import display_path

    head = ["time", "command", "format", "template", "blocks", "output", "consultation"]
    if extra:
        head.insert(1, extra[0])
    rows = [head]
    for i, f in enumerate(filings):
        row = [_when(f.created), f.command, f.format,
               f.template or "", str(len(f.blocks)), display_path(f.output) or "",
               display_path(f.consultation) or ""]
        if extra:
            row.insert(1, extra[1][i])
        rows.append(row)
    return rows


def print_table(rows: list[list[str]]) -> None:
    if len(rows) <= 1:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


@click.group()
def register():
    """The register of filings produced by draft and batch (.drafter/register.sqlite)."""


@register.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many of the most recent filings.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def list_(opts, limit, fmt):
    """Show the most recent filings, newest first."""
    from drafter.register import open_register

    reg = open_register(opts.workspace)
    try:
        filings = reg.recent(limit) if reg else []
    finally:
        if reg is not None:
            reg.close()
    if fmt == "json":
        click.echo(json.dumps([f.to_json() for f in filings], indent=2, ensure_ascii=False))
        return
    print_table(filing_rows(filings))
    click.echo(f"{len(filings)} filing(s)" + ("" if reg else " (nothing recorded yet)"),
               err=True)
