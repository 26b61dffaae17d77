"""``drafter users``: accounts for ``drafter serve`` on a non-local address."""

from __future__ import annotations

import sys

import click


@click.group()
def users():
    """Accounts for drafter serve (users.yaml in the workspace)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(("staff", "reviewer")), required=True,
              help="staff: consultations; reviewer: also the library and approvals.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
@click.pass_obj
def add(opts, name, role, password_stdin):
    """Add NAME (or replace its role and password); the password is stored as an argon2id
    hash, never in clear."""
    from drafter.web.auth import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True,
                                err=True)
    path = opts.workspace.root / "users.yaml"
    replaced = add_user(path, name, role, password)
    click.echo(f"{'updated' if replaced else 'added'} {name} ({role}) in {path.name}",
               err=True)


@users.command("list")
@click.pass_obj
def list_(opts):
    """List the accounts and their roles."""
    from drafter.web.auth import load_users

    for user in load_users(opts.workspace.root / "users.yaml").values():
        click.echo(f"{user.name}  {user.role}")
