"""The ``pmscore`` command line: a thin typer layer over the library.

Every module of this package registers its subcommands on :data:`app`. Exit codes:
0 graded, 1 a document scored under ``--fail-under``, 2 usage or input error.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

app = typer.Typer(
    name="pmscore",
    help="Grade incident postmortems: sections, entities, rubric checks, score and grade.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

EXIT_OK = 0
EXIT_FAIL_UNDER = 1
EXIT_USAGE = 2


def _version(value: bool) -> None:
    if value:
        from pmscore import __version__

        typer.echo(f"pmscore {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Grade incident postmortems."""


def _load_commands() -> None:
    import pmscore.cli as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"pmscore.cli.{mod.name}")


def main() -> None:
    """Console entry point: run the app; an unexpected error is one line and exit code 2."""
    from pmscore.errors import PmscoreError

    _load_commands()
    try:
        app(standalone_mode=True)
    except PmscoreError as exc:
        typer.echo(f"pmscore: error: {exc.message}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        typer.echo("pmscore: interrupted", err=True)
        sys.exit(130)
