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


# Which module registers a command. Cold start: ``pmscore grade FILE`` imports only the grade
# command's module (not rich tables, model training, corpus tools). A name missing here, or a
# module that turns out not to register it, falls back to loading every module.
_COMMAND_MODULES = {"grade": "grade", "similar": "similar", "train": "models",
                    "evaluate": "models", "rules": "rules", "explain": "rules",
                    "corpus": "corpus"}


def _load_commands() -> None:
    import pmscore.cli as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"pmscore.cli.{mod.name}")


def _registered_names() -> set[str]:
    names = {g.name for g in app.registered_groups if g.name}
    for c in app.registered_commands:
        if c.name:
            names.add(c.name)
        elif c.callback is not None:
            names.add(c.callback.__name__.replace("_", "-"))
    return names


def _load_commands_for(argv: list[str]) -> None:
    """Import the module of the command named in ``argv`` only; all of them for anything else
    (``--help``, no command, an unknown name), so help and error messages list every command."""
    command = next((a for a in argv if not a.startswith("-")), None)
    module = _COMMAND_MODULES.get(command or "")
    if module is not None:
        importlib.import_module(f"pmscore.cli.{module}")
        if command in _registered_names():
            return
    _load_commands()


def main() -> None:
    """Console entry point: run the app; an unexpected error is one line and exit code 2."""
    from pmscore.errors import PmscoreError

    _load_commands_for(sys.argv[1:])
    try:
        app(standalone_mode=True)
    except PmscoreError as exc:
        typer.echo(f"pmscore: error: {exc.message}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        typer.echo("pmscore: interrupted", err=True)
        sys.exit(130)
