"""``pmscore grade FILE...``: grade postmortems and print a report per input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from pmscore.cli import EXIT_FAIL_UNDER, EXIT_OK, EXIT_USAGE, app
from pmscore.inputs import DEFAULT_MAX_BYTES


@app.command()
def grade(
    paths: Annotated[list[str], typer.Argument(help="Postmortem files to grade.",
                                               show_default=False)],
    format: Annotated[str, typer.Option("--format", "-f",
                                        help="text, json, jsonl (and other installed formats).")] = "text",
    output: Annotated[Optional[Path], typer.Option("--output", "-o",
                                                   help="Write to this file instead of stdout.")] = None,
    fail_under: Annotated[Optional[float], typer.Option(
        "--fail-under", help="Exit 1 when a document scores under this (0-100).")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes",
                                           help="Refuse inputs larger than this.")] = DEFAULT_MAX_BYTES,
) -> None:
    """Grade postmortems: score 0-100, grade 1-5, sections, findings and suggestions."""
    from pmscore.batch import iter_results
    from pmscore.render import available, get_renderer

    try:
        renderer_cls = get_renderer(format)
    except KeyError:
        typer.echo(f"pmscore: error: unknown format {format!r} (choose from "
                   f"{', '.join(available())})", err=True)
        raise typer.Exit(EXIT_USAGE)
    out = sys.stdout if output is None else output.open("w", encoding="utf-8")
    any_error = False
    below = False
    try:
        renderer = renderer_cls(out)
        renderer.start()
        for result in iter_results(paths, max_bytes=max_bytes, keep_text=True):
            renderer.row(result)
            if result.report is None:
                any_error = True
                if format != "text" or output is not None:
                    typer.echo(f"pmscore: error: {result.error_message}", err=True)
            elif fail_under is not None and result.report.score < fail_under:
                below = True
        renderer.finish()
    finally:
        if output is not None:
            out.close()
    if any_error:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FAIL_UNDER if below else EXIT_OK)
