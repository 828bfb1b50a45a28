"""``pmscore corpus validate FILE``: schema errors of a labelled JSONL file, with line numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pmscore.cli import EXIT_USAGE, app

corpus_app = typer.Typer(help="Work with labelled corpora (annotation-guide JSONL).",
                         no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


@corpus_app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Labelled JSONL files to check.")],
) -> None:
    """Check each record against the annotation-guide schema; exit 1 when any error is found."""
    from pmscore.corpus_schema import validate_file

    bad = 0
    for path in files:
        if not path.is_file():
            typer.echo(f"pmscore: error: {path}: no such file", err=True)
            raise typer.Exit(EXIT_USAGE)
        try:
            errors = validate_file(path)
        except (OSError, UnicodeDecodeError) as exc:
            typer.echo(f"pmscore: error: {path}: cannot read ({exc})", err=True)
            raise typer.Exit(EXIT_USAGE)
        for e in errors:
            typer.echo(f"{path}:{e.line}: {e.field}: {e.message}")
        bad += len(errors)
        if not errors:
            typer.echo(f"{path}: ok")
    raise typer.Exit(1 if bad else 0)
