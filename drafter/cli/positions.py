"""``drafter positions``: browse the position library."""

from __future__ import annotations

import json

import click


def block_json(block, body: bool = True) -> dict:
    m = block.meta
    out = {
        "id": m.id, "title": m.title, "summary": m.summary, "topics": list(m.topics),
        "stance": m.stance.value, "role": m.role.value, "jurisdictions": list(m.jurisdictions),
        "status": m.status.value, "last_reviewed": m.last_reviewed.isoformat(),
        "source": m.source.model_dump(exclude_none=True), "hash": block.hash,
        "path": str(block.path),
        "variants": {name: {"audience": list(v.meta.audience), "status": v.meta.status.value,
                            "hash": v.hash, "path": str(v.path)}
                     for name, v in block.variants.items()},
    }
    if body:
        out["body"] = block.body
    return out


@click.group()
def positions():
    """Browse the position library."""


@positions.command("list")
@click.option("--topic", help="Only blocks with this topic.")
@click.option("--role", help="Only blocks with this role.")
@click.option("--status", type=click.Choice(["draft", "approved", "retired", "all"]),
              default="all", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def list_(opts, topic, role, status, fmt):
    """List position blocks."""
    from drafter.errors import LoadError

    library = opts.session().library
    statuses = () if status == "all" else (status,)
    if topic is not None and topic not in library.topics:
        from drafter.load.library import suggest
        raise LoadError(f"unknown topic '{topic}'{suggest(topic, library.topics)}; the topics "
                        f"are: {', '.join(sorted(library.topics))}", opts.workspace.topics_file)
    blocks = library.query(topic=topic, role=role, status=statuses)
    if fmt == "json":
        click.echo(json.dumps([block_json(b, body=False) for b in blocks], indent=2))
        return
    width = max((len(b.id) for b in blocks), default=2)
    for b in blocks:
        click.echo(f"{b.id:<{width}}  {b.meta.status.value:<8}  {b.meta.stance.value:<11}  "
                   f"{b.meta.title}")
    click.echo(f"{len(blocks)} position(s)", err=True)


@positions.command("show")
@click.argument("block_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def show(opts, block_id, fmt):
    """Show one position block."""
    block = opts.session().library.get(block_id)
    if fmt == "json":
        click.echo(json.dumps(block_json(block), indent=2, ensure_ascii=False))
        return
    m = block.meta
    click.echo(f"{m.id}: {m.title}")
    click.echo(f"  summary:       {m.summary}")
    click.echo(f"  topics:        {', '.join(m.topics)}")
    click.echo(f"  stance:        {m.stance.value}    role: {m.role.value}")
    click.echo(f"  jurisdictions: {', '.join(m.jurisdictions)}")
    click.echo(f"  source:        {m.source.describe()}")
    click.echo(f"  status:        {m.status.value} (last reviewed {m.last_reviewed})")
    click.echo(f"  file:          {block.path}")
    for name, v in block.variants.items():
        click.echo(f"  {'variant ' + name + ':':<15}{' ' if len(name) > 5 else ''}{v.meta.status.value}, for "
                   f"{', '.join(v.meta.audience)} ({v.path.name})")
    click.echo("")
    click.echo(block.body.rstrip())


@positions.command("used-in")
@click.argument("block_id")
@click.option("--all", "history", is_flag=True,
              help="Every recorded filing, not only the latest one of each output file.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def used_in(opts, block_id, history, fmt):
    """List the filings that used a block, and whether they have its current text."""
    from drafter.cli.register import filing_rows, print_table
    from drafter.register import open_register

    library = opts.session().library
    block = library.blocks.get(block_id)
    register = open_register(opts.workspace)
    try:
        filings = register.used_in(block_id, latest=not history) if register else []
    finally:
        if register is not None:
            register.close()
    if block is None and not filings:
        library.get(block_id)  # unknown id: the usual error, with a suggestion
    # a filing used the as-filed text or one of the variants: current when it is one of them
    current_texts = set() if block is None else {
        block.hash, *(v.hash for v in block.variants.values())}
    rows = []
    for f in filings:
        used = dict(f.blocks).get(block_id)
        text = "removed" if block is None else "current" if used in current_texts else "outdated"
        rows.append((f, used, text))
    if fmt == "json":
        click.echo(json.dumps([{**f.to_json(), "block_hash": used, "text": text}
                               for f, used, text in rows], indent=2, ensure_ascii=False))
        return
    print_table(filing_rows([f for f, _, _ in rows], extra=("text", [t for _, _, t in rows])))
    current = sum(1 for _, _, t in rows if t == "current")
    click.echo(f"{len(rows)} filing(s) used {block_id}"
               + (f": {current} with its current text, {len(rows) - current} with another"
                  if block is not None and rows else ""), err=True)


@positions.command("approve")
@click.argument("block_id")
@click.option("--variant", metavar="V",
              help="The wording to approve: us, eu, general (default: the as-filed text).")
@click.option("--by", "by", metavar="NAME",
              help="Who approves (default: the signatory in org.yaml).")
@click.option("--on", "on", metavar="YYYY-MM-DD",
              help="The date of the approval (default: today).")
@click.pass_obj
def approve(opts, block_id, variant, by, on):
    """Approve one wording of a position: status, approved_by and approved_on are set in its
    file's front matter; the rest of the file is kept byte for byte."""
    import datetime as dt

    from drafter.errors import DrafterError
    from drafter.review import approve as approve_wording

    session = opts.session()
    if not by:
        signatory = session.org.signatory
        by = signatory.name if signatory is not None else ""
    when = None
    if on:
        try:
            when = dt.date.fromisoformat(on)
        except ValueError:
            raise DrafterError(f"--on: not a date (YYYY-MM-DD): '{on}'", code="usage") from None
    path = approve_wording(session.library, block_id, variant, by=by, on=when)
    click.echo(f"approved {block_id} ({variant or 'as-filed'}) by {by}: {path}", err=True)
