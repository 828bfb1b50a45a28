"""``pmscore grade PATH...``: grade postmortems (files, folders, globs, lists), one row per input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from pmscore.cli import EXIT_FAIL_UNDER, EXIT_OK, EXIT_USAGE, app
from pmscore.inputs import DEFAULT_MAX_BYTES
from pmscore.limits import DEFAULT_TIME_BUDGET

EXIT_INTERRUPTED = 130


@app.command()
def grade(
    paths: Annotated[Optional[list[str]], typer.Argument(
        help="Files, folders (searched recursively for *.md, *.markdown, *.txt) and globs.",
        show_default=False)] = None,
    format: Annotated[str, typer.Option(
        "--format", "-f",
        help="text, json, jsonl, csv (gradebook), sarif, github (and other installed formats).")
    ] = "text",
    output: Annotated[Optional[Path], typer.Option("--output", "-o",
                                                   help="Write to this file instead of stdout.")] = None,
    fail_under: Annotated[Optional[float], typer.Option(
        "--fail-under", help="Exit 1 when a document scores under this (0-100).")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes",
                                           help="Refuse inputs larger than this.")] = DEFAULT_MAX_BYTES,
    time_budget: Annotated[float, typer.Option(
        "--time-budget", help="Seconds one document may take to grade; over it, the document "
                              "gets a 'time-budget' error row (0: no limit).")
    ] = DEFAULT_TIME_BUDGET,
    jobs: Annotated[Optional[int], typer.Option(
        "--jobs", "-j", min=1,
        help="Worker processes (default: the usable cores, fewer for small batches, where "
             "starting workers costs more than it saves).",
        show_default=False)] = None,
    pattern: Annotated[Optional[str], typer.Option(
        "--pattern", help="In each submission folder under a given folder, grade the file "
                          "matching this glob (e.g. '0x19-postmortem/README.md'); the "
                          "submission id is the folder name.")] = None,
    from_list: Annotated[Optional[str], typer.Option(
        "--from-list", help="Read more paths from this file, one per line ('-': stdin).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="No progress bar and no per-error messages.")] = False,
    similar: Annotated[bool, typer.Option(
        "--similar", help="Also look for near-identical submissions: adds a similar_to "
                          "column/field and prints the pairs to stderr.")] = False,
    similar_threshold: Annotated[float, typer.Option(
        "--similar-threshold", min=0.0, max=1.0,
        help="Similarity (0-1) from which two submissions are reported.")] = 0.8,
    output_dir: Annotated[Optional[Path], typer.Option(
        "--output-dir", help="html: write index.html and one page per document here.")] = None,
    models: Annotated[Optional[Path], typer.Option(
        "--models", help="Model directory (default: the packaged models/).")] = None,
    no_models: Annotated[bool, typer.Option("--no-models", help="Rules only.")] = False,
    trust_models: Annotated[bool, typer.Option(
        "--trust-models", help="Load models built with another scikit-learn version (the "
                               "SHA-256 check still applies).")] = False,
) -> None:
    """Grade postmortems: score 0-100, grade 1-5, sections, findings and suggestions.

    Exit codes: 0 graded, 1 under --fail-under, 2 an unreadable input, 130 interrupted.
    """
    from pmscore.batch import MIN_DOCS_PER_WORKER, default_jobs, iter_results
    from pmscore.cli._inputs import collect_or_exit
    from pmscore.render import available, get_renderer

    try:
        renderer_cls = get_renderer(format)
    except KeyError:
        typer.echo(f"pmscore: error: unknown format {format!r} (choose from "
                   f"{', '.join(available())})", err=True)
        raise typer.Exit(EXIT_USAGE)
    items = collect_or_exit(paths, pattern, from_list, "grade")

    similar_of: dict[str, tuple[tuple[str, float], ...]] = {}
    pairs = []
    if similar:
        from pmscore.similar import by_document, find_similar_items

        pairs = find_similar_items(items, threshold=similar_threshold, max_bytes=max_bytes)
        similar_of = by_document(pairs)

    from pmscore.errors import PmscoreError
    from pmscore.grader import Grader

    grader = Grader(str(models) if models else None, use_models=not no_models, trust=trust_models)
    try:
        grader.check()  # verify the models once (no unpickling), before any worker starts
    except PmscoreError as exc:
        typer.echo(f"pmscore: error: {exc.message}", err=True)
        raise typer.Exit(EXIT_USAGE)
    if output_dir is not None and format != "html":
        typer.echo("pmscore: error: --output-dir goes with --format html", err=True)
        raise typer.Exit(EXIT_USAGE)

    keep_text = bool(getattr(renderer_cls, "needs_text", False)) or format == "html"
    n_jobs = jobs or default_jobs()
    out = sys.stdout if output is None else output.open("w", encoding="utf-8", newline="")
    any_error = False
    below = False
    done = 0
    interrupted = False
    show_errors = not quiet and (format != "text" or output is not None)
    progress = None
    if not quiet and sys.stderr.isatty() and len(items) > 1:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeRemainingColumn)

        progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), console=Console(stderr=True), transient=True)

    def note(msg: str) -> None:
        if progress is not None:
            progress.console.print(msg, markup=False, highlight=False)
        else:
            typer.echo(msg, err=True)

    rows = iter_results(items, max_bytes=max_bytes, keep_text=keep_text, jobs=n_jobs,
                        time_budget=time_budget,
                        grade_fn=grader if (models or no_models or trust_models) else None,
                        min_per_worker=0 if jobs else MIN_DOCS_PER_WORKER)
    try:
        renderer = (renderer_cls(out, output_dir=output_dir) if output_dir is not None
                    else renderer_cls(out))
        renderer.start()
        task = None
        if progress is not None:
            progress.start()
            task = progress.add_task("grading", total=len(items))
        try:
            for row in rows:
                if similar_of:
                    from dataclasses import replace

                    row = replace(row, similar=similar_of.get(row.id, ()))
                renderer.row(row)
                done += 1
                if progress is not None and task is not None:
                    progress.advance(task)
                if row.report is None:
                    any_error = True
                    if show_errors:
                        note(f"pmscore: error: {row.error_message}")
                elif fail_under is not None and row.report.score < fail_under:
                    below = True
        except KeyboardInterrupt:
            interrupted = True
            rows.close()  # stops and reaps the workers
        finally:
            if progress is not None:
                progress.stop()
        renderer.finish()
        out.flush()
    finally:
        if output is not None:
            out.close()
    if similar and not quiet:
        from pmscore.similar import render_text

        render_text(pairs, sys.stderr)
    if interrupted:
        typer.echo(f"pmscore: interrupted: {done} of {len(items)} rows written", err=True)
        raise typer.Exit(EXIT_INTERRUPTED)
    if any_error:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FAIL_UNDER if below else EXIT_OK)
