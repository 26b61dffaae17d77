"""``drafter harvest``: what a reviewer changed in a Word file, block by block."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click


def _table(result) -> list[str]:
    from drafter.errors import display_path
    from drafter.harvest.compare import block_diff

    lines = []
    width = max((len(b.id) for b in result.blocks), default=5)
    added_after: dict = {}
    for a in result.added:
        added_after.setdefault(a.after, []).append(a)

    def show_added(after):
        for a in added_after.get(after, []):
            what = "added" if a.kind == "new" else "template"
            lines.append(f"{what:<9}  " + textwrap.shorten(a.text, 100, placeholder=" ..."))

    show_added(None)
    for b in result.blocks:
        flag = "  (outdated)" if b.outdated else ""
        where = f"  {display_path(b.path)}" if b.status != "unchanged" else ""
        lines.append(f"{b.status:<9}  {b.id:<{width}}{where}{flag}".rstrip())
        if b.status == "edited" and b.outdated:
            # the filing may be untouched: the library moved on since it was drafted
            lines.append(" " * 11 + "changed in the library since this file was drafted: "
                         "[-the library's text now-] {+this file's+}")
            for diff_line in block_diff(b.original, b.edited, context=8).split("\n"):
                lines.extend(textwrap.wrap(diff_line, 96, initial_indent=" " * 11,
                                           subsequent_indent=" " * 11,
                                           break_on_hyphens=False))
        show_added(b.id)
    lines.append(result.summary())
    return lines


@click.command()
@click.argument("edited", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-c", "--consultation", type=click.Path(path_type=Path, dir_okay=False),
              help="The filing's consultation file (default: found by the document's title).")
@click.option("-t", "--template", metavar="NAME|PATH",
              help="The template the filing was drafted with, if not the consultation's.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--apply", "apply_", is_flag=True,
              help="Write the edited wording back into the block files (shows the diff).")
@click.option("--patch", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              help="Write the changes to the block files as a unified diff ('-': stdout).")
@click.option("--force", is_flag=True,
              help="Let --patch replace a file drafter did not write, or one edited since.")
@click.pass_obj
def harvest(opts, edited, consultation, template, fmt, apply_, patch, force):
    """Compare EDITED.docx (a filing a reviewer changed) with the blocks it came from.

    Per block: unchanged, edited (word diff and new text) or deleted; plus the paragraphs
    the reviewer added, each after the block it follows.
    """
    import os
    import stat

    from drafter import harvest as hv
    from drafter.errors import OutputError
    from drafter.output import draft_inputs, replace_file, write_output

    if apply_ and patch:
        raise click.UsageError("--apply and --patch exclude each other")
    session = opts.near(consultation or edited).session()
    result = hv.harvest(session, edited, consultation, template)
    changes = hv.rewrites(session, result) if (apply_ or patch) else []
    report = result.to_json()
    if fmt == "json":
        if apply_:
            report["applied"] = [str(c.path) for c in changes if c.new != c.old]
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for line in _table(result):
            click.echo(line)
    for note in result.notes:
        click.echo(f"{edited}: note: {note}", err=True)
    for change in changes:
        for note in change.notes:
            click.echo(f"{change.path}: note: {note}", err=True)
    diffs = "".join(c.unified_diff(session.workspace.root) for c in changes if c.new != c.old)
    if patch:
        if str(patch) == "-":
            click.echo(diffs, nl=False)
        else:
            inputs = [(edited, "the edited filing"), (result.consultation, "the consultation")]
            if result.draft is not None:
                inputs.extend(draft_inputs(session, result.draft))
            inputs.extend((Path(b.path), "a position block") for b in result.blocks)
            inputs.extend((c.path, "a block file") for c in changes)
            write_output(patch, diffs.encode("utf-8"), workspace=session.workspace,
                         inputs=inputs, force=force, command="harvest")
            click.echo(f"wrote {patch}", err=True)
    elif apply_:
        if fmt == "table" and diffs:
            click.echo(diffs, nl=False)
        pending = [c for c in changes if c.new != c.old]
        for change in pending:  # every file must be writable before any is written
            if not os.access(change.path, os.W_OK) or \
                    not os.stat(change.path).st_mode & stat.S_IWUSR:
                raise OutputError("the block file is read-only: nothing applied (make it "
                                  "writable, or leave this block out)", change.path)
        written = 0
        for change in pending:
            replace_file(change.path, change.new.encode("utf-8"), change.expected)
            written += 1
        click.echo(f"updated {written} block file{'' if written == 1 else 's'}", err=True)
