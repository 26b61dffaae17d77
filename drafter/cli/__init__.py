"""The command line, one module per command (group), loaded only when used.

Errors from any stage are DrafterErrors; here, at the edge, they become one line on stderr
and exit code 2.  ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import sys
import traceback

import click

from drafter import __version__

# command name -> "module:attribute"; modules import their heavy dependencies lazily.
COMMANDS = {
    "draft": "drafter.cli.draft:draft",
    "positions": "drafter.cli.positions:positions",
    "templates": "drafter.cli.templates:templates",
    "new": "drafter.cli.new:new",
    "suggest": "drafter.cli.suggest:suggest",
    "coverage": "drafter.cli.coverage:coverage",
    "check": "drafter.cli.check:check",
    "preview": "drafter.cli.preview:preview",
    "harvest": "drafter.cli.harvest:harvest",
    "schema": "drafter.cli.schema:schema",
    "batch": "drafter.cli.batch:batch",
    "register": "drafter.cli.register:register",
    "serve": "drafter.cli.serve:serve",
    "users": "drafter.cli.users:users",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(name for name in COMMANDS if self._module_exists(name))

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None or not self._module_exists(name):
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    @staticmethod
    def _module_exists(name: str) -> bool:
        module_name = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module_name) is not None


class Options:
    """Global options, passed to every command through click's context."""

    def __init__(self, library=None, templates=None, debug=False):
        self.library = library
        self.templates = templates
        self.debug = debug
        self._workspace = None
        self._near = None

    def near(self, path) -> "Options":
        """Look for the workspace around ``path`` (a consultation, batch or filing file, or a
        folder) first, then around the current directory; call before the workspace is first
        used."""
        from pathlib import Path
        if self._workspace is None and path is not None:
            path = Path(path).resolve()
            self._near = path if path.is_dir() else path.parent
        return self

    @property
    def workspace(self):
        if self._workspace is None:
            from drafter.load.workspace import discover, find_root
            start = self._near if self._near is not None and find_root(self._near) else None
            self._workspace = discover(self.library, self.templates, start=start)
        return self._workspace

    def session(self):
        from drafter.bccache import workspace_cache
        from drafter.pipeline import Session
        return Session(self.workspace, bytecode_cache=workspace_cache(self.workspace))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--library", type=click.Path(file_okay=False, path_type=None),
              help="Position library folder (default: positions/ of the workspace).")
@click.option("--templates", type=click.Path(file_okay=False),
              help="Template folder (default: templates/ of the workspace).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, prog_name="drafter")
@click.pass_context
def cli(ctx, library, templates, debug):
    """Draft regulatory-comment filings from reviewed position blocks.

    The workspace is the folder that holds positions/ and templates/, at or above the
    consultation file's folder, else at or above the current directory.
    """
    from pathlib import Path
    ctx.obj = Options(Path(library) if library else None,
                      Path(templates) if templates else None, debug)


def warn_all(diagnostics) -> None:
    for diag in diagnostics:
        click.echo(diag.format(), err=True)


def main(argv=None) -> None:
    from drafter.errors import DrafterError, printable

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="drafter", standalone_mode=False)
    except DrafterError as exc:
        if debug:
            traceback.print_exc()
        for problem in (exc, *getattr(exc, "more", ())):  # a file's every validation error
            where = problem.where()
            click.echo(printable(f"{where}: error: {problem.message}" if where
                                 else f"drafter: error: {problem.message}"), err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except click.UsageError as exc:   # one line, as every other error: what and where
        command = exc.ctx.command_path if exc.ctx is not None else "drafter"
        click.echo(printable(f"{command}: error: {exc.format_message()} (see {command} "
                             "--help)"), err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place that catches everything
        if debug:
            traceback.print_exc()
        click.echo(printable(f"drafter: internal error: {type(exc).__name__}: {exc} "
                             "(run with --debug for the traceback)"), err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
