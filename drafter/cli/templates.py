"""``drafter templates``: what templates the workspace has."""

from __future__ import annotations

import json

import click


@click.group()
def templates():
    """List the workspace's templates."""


@templates.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def list_(opts, fmt):
    """List templates with what each is for."""
    from drafter.compose.templates import list_templates

    infos = list_templates(opts.workspace.templates)
    if fmt == "json":
        click.echo(json.dumps([{
            "name": t.name, "description": t.description, "jurisdictions": list(t.jurisdictions),
            "kinds": list(t.kinds), "questions": t.questions, "path": str(t.path)}
            for t in infos], indent=2))
        return
    width = max((len(t.name) for t in infos), default=4)
    for t in infos:
        scope = "/".join(t.jurisdictions) or "any"
        click.echo(f"{t.name:<{width}}  {scope:<12} {t.description}")
