"""``drafter check``: lint the workspace, or the files and folders given."""

from __future__ import annotations

import json
from pathlib import Path

import click


def diagnostic_json(d) -> dict:
    from drafter.errors import display_path
    return {"path": display_path(d.path), "line": d.line, "col": d.col,
            "severity": d.severity, "message": d.message, "code": d.code}


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Compiler-style lines, or one JSON document.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--ignore", multiple=True, metavar="CODE",
              help="Skip a rule (repeatable); see --list-rules.")
@click.option("--list-rules", is_flag=True, help="List the rules and exit.")
@click.pass_context
def check(ctx, paths, fmt, strict, ignore, list_rules):
    """Check positions, templates and consultations (default: the whole workspace).

    Prints `path:line:col: error|warning: message [code]` per finding and a summary.
    Exit 0 when clean (warnings alone too, unless --strict), 1 on errors, 2 on usage errors.
    """
    from drafter.check import check_workspace, list_rules as rules

    if list_rules:
        width = max(len(r.code) for r in rules())
        for r in rules():
            click.echo(f"{r.code:<{width}}  {r.severity:<7}  {r.summary}")
        return
    workspace = ctx.obj.near(paths[0]).workspace if paths else ctx.obj.workspace
    result = check_workspace(workspace, paths, ignore=ignore)
    if fmt == "json":
        click.echo(json.dumps({
            "diagnostics": [diagnostic_json(d) for d in result.diagnostics],
            "summary": {"errors": len(result.errors), "warnings": len(result.warnings),
                        "files": result.files},
        }, indent=2, ensure_ascii=False))
    else:
        for d in result.diagnostics:
            click.echo(d.format())
        click.echo(result.summary())
        if strict and result.warnings and not result.errors:
            click.echo("--strict: warnings fail the check (exit 1); each line above is one to "
                       "resolve before filing")
    if result.errors or (strict and result.warnings):
        ctx.exit(1)
