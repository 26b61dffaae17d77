"""``drafter preview``: an HTML preview of a consultation, re-rendered on every change."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("consultation", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="HTML file to write (default: out/preview/NAME.html in the workspace).")
@click.option("--watch", is_flag=True,
              help="Keep running: re-render when the consultation, a template, a block, the "
                   "org facts, the settings or the glossary change (Ctrl-C to stop).")
@click.option("--interval", type=click.FloatRange(min=0.05), default=0.5, show_default=True,
              help="Seconds between checks for changes.")
@click.option("--force", is_flag=True,
              help="Replace an output file drafter did not write, or one edited since.")
@click.option("--max-cycles", type=click.IntRange(min=1), hidden=True,
              help="Stop after this many checks (for tests).")
@click.pass_obj
def preview(opts, consultation, output, watch, interval, force, max_cycles):
    """Write an HTML preview of CONSULTATION; with --watch, keep it up to date.

    While watching, the page reloads itself every few seconds in the browser, errors are
    printed and the last good preview is kept.
    """
    from drafter import preview as pv
    from drafter.errors import DrafterError, display_path

    ws = opts.near(consultation).workspace
    if output is None:  # drafter's own preview folder: replaced freely
        output, force = ws.root / "out" / "preview" / (consultation.stem + ".html"), True
    url = Path(output).resolve().as_uri()

    def echo(line: str) -> None:
        click.echo(line, err=True)

    if not watch:
        for line in pv.build(opts.session, ws, consultation, output, force=force):
            echo(line)
        if Path(output).is_file():
            echo(f"open {url}")
        return
    if not consultation.is_file():
        raise DrafterError("no such file", consultation)
    echo(f"watching {consultation} and the workspace; preview in {display_path(output)} "
         "(Ctrl-C to stop)")
    echo(f"open {url}")
    try:
        pv.watch(opts.session, ws, consultation, output, interval=interval,
                 max_cycles=max_cycles, echo=echo, force=force)
    except KeyboardInterrupt:
        echo("stopped")

