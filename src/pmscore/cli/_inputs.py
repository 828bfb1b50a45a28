"""Shared input handling of the commands that take files, folders, globs and lists."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from pmscore.cli import EXIT_USAGE


def collect_or_exit(paths: Sequence[str] | None, pattern: str | None, from_list: str | None,
                    verb: str) -> list:
    """``collect`` the inputs, or print a one-line usage error and exit 2."""
    from pmscore.collect import collect

    if not paths and from_list is None:
        typer.echo(f"pmscore: error: give files, folders or globs to {verb} (or --from-list)",
                   err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        return collect(paths or (), pattern=pattern, from_list=from_list)
    except OSError as exc:
        typer.echo(f"pmscore: error: cannot read --from-list {from_list}: "
                   f"{exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
