"""``drafter batch``: many filings from one batch file, in parallel and incrementally."""

from __future__ import annotations

import sys
from pathlib import Path

import click

STATUS_WIDTH = 12


class ConsoleReporter:
    """A progress bar on a terminal, plain lines otherwise; problems always as lines. A
    warning an earlier job already gave (the same block, template or consultation line, in
    another job of a matrix) is not printed again unless ``verbose``: the count of those
    comes at the end."""

    def __init__(self, verbose: bool = False, tty: bool | None = None):
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.verbose = verbose
        self.bar = None
        self.deferred: list[str] = []
        self.warned: set[str] = set()
        self.repeated = 0

    def _line(self, text: str) -> None:
        if self.bar is not None:
            self.deferred.append(text)
        else:
            click.echo(text, err=True)

    def start(self, total: int, to_build: int, workers: int) -> None:
        skipped = total - to_build
        click.echo(f"batch: {total} job(s), {to_build} to build with {workers} worker(s)"
                   + (f", {skipped} up to date or kept" if skipped else ""), err=True)
        if self.tty and to_build > 1:
            self.bar = click.progressbar(length=to_build, label="drafting", file=sys.stderr,
                                         show_pos=True, show_eta=True)
            self.bar.__enter__()

    def job(self, entry: dict, ran: bool = False) -> None:
        status, name = entry["status"], entry["name"]
        if ran and self.bar is not None:
            self.bar.update(1)
        if status == "failed":
            self._line(f"{'failed':<{STATUS_WIDTH}} {name}: {entry.get('error')}")
        elif status == "kept-edited":
            self._line(f"{'kept-edited':<{STATUS_WIDTH}} {name}: edited since drafter wrote "
                       "it; kept (--force overwrites)")
        elif status == "to build":
            click.echo(f"{'build':<{STATUS_WIDTH}} {name}")
        elif status == "skipped":
            if self.verbose:
                self._line(f"{'skipped':<{STATUS_WIDTH}} {name}")
        elif not self.tty or self.verbose:
            from drafter.writers import format_of_output

            formats = ", ".join(format_of_output(o["path"]) for o in entry.get("outputs", []))
            self._line(f"{status:<{STATUS_WIDTH}} {name} ({formats}; "
                       f"{entry.get('seconds', 0):.2f} s)")
        for warning in entry.get("warnings") or []:
            if status == "skipped" and not self.verbose:
                continue
            if warning in self.warned and not self.verbose:
                self.repeated += 1
                continue
            self.warned.add(warning)
            self._line(f"{'warning':<{STATUS_WIDTH}} {name}: {warning}")

    def warning(self, message: str) -> None:
        self._line(message)

    def finish(self, summary) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        for line in self.deferred:
            click.echo(line, err=True)
        self.deferred.clear()
        if self.repeated:
            click.echo(f"{self.repeated} warning(s) that earlier jobs gave too, not repeated "
                       "(-v lists each job's)", err=True)
            self.repeated = 0


def summary_table(summary) -> str:
    columns = ["built", "skipped", "kept-edited", "failed"]
    columns += [c for c in summary.counts if c not in columns]
    head = "  ".join(f"{c:>{max(len(c), 5)}}" for c in columns) + "  seconds"
    row = "  ".join(f"{summary.counts.get(c, 0):>{max(len(c), 5)}}" for c in columns)
    row += f"  {summary.seconds:>7.2f}"
    return head + "\n" + row


@click.command()
@click.argument("batch_file", metavar="BATCH.yaml",
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("-j", "--jobs", "workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per core).")
@click.option("--force", is_flag=True,
              help="Rebuild every job, and overwrite outputs that were edited.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed job.")
@click.option("-n", "--dry-run", is_flag=True,
              help="Show which jobs would be built; write nothing.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also list skipped jobs, their warnings, and warnings an earlier job gave "
                   "too.")
@click.pass_obj
def batch(opts, batch_file, workers, force, fail_fast, dry_run, verbose):
    """Draft every job of BATCH.yaml into its output folder.

    Jobs whose inputs and outputs are unchanged since the last run are skipped; an output
    edited since drafter wrote it is kept (the job is reported kept-edited) unless --force.
    Results are listed in manifest.json in the output folder.  Exit code 1 when a job failed.
    """
    from drafter.batch.plan import load_plan
    from drafter.batch.runner import Runner
    from drafter.errors import display_path

    workspace = opts.near(batch_file).workspace
    plan = load_plan(batch_file, cache_dir=workspace.state_dir / "batch" / "plans")
    reporter = ConsoleReporter(verbose=verbose)
    runner = Runner(plan, opts.workspace, workers=workers, force=force, fail_fast=fail_fast,
                    reporter=reporter)
    try:
        summary = runner.run(dry_run=dry_run)
    finally:
        reporter.finish(None)
    click.echo(summary_table(summary))
    if dry_run:
        return 0
    if summary.manifest_error:
        click.echo(summary.manifest_error, err=True)
    else:
        click.echo(f"manifest: {display_path(summary.manifest)}")
    return 1 if summary.failed or summary.manifest_error else 0
