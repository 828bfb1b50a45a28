"""``pmscore similar PATH...``: near-identical submissions (copy detection), with shared passages."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from pmscore.cli import EXIT_OK, EXIT_USAGE, app
from pmscore.inputs import DEFAULT_MAX_BYTES

FORMATS = ("text", "json", "csv")


@app.command()
def similar(
    paths: Annotated[Optional[list[str]], typer.Argument(
        help="Files, folders (searched recursively) and globs.", show_default=False)] = None,
    threshold: Annotated[float, typer.Option(
        "--threshold", "-t", min=0.0, max=1.0,
        help="Similarity (0-1) from which a pair is reported.")] = 0.8,
    reference: Annotated[Optional[list[str]], typer.Option(
        "--reference", "-r", help="Folder/files of published examples to compare against "
                                  "(pairs within the reference are not reported).")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="text, json or csv.")] = "text",
    output: Annotated[Optional[Path], typer.Option("--output", "-o",
                                                   help="Write to this file instead of stdout.")] = None,
    pattern: Annotated[Optional[str], typer.Option(
        "--pattern", help="File to take inside each submission folder (glob); the id is the "
                          "folder name.")] = None,
    from_list: Annotated[Optional[str], typer.Option(
        "--from-list", help="Read more paths from this file, one per line ('-': stdin).")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes",
                                           help="Skip inputs larger than this.")] = DEFAULT_MAX_BYTES,
) -> None:
    """Find pairs of near-identical submissions, with a similarity figure and shared passages.

    Exit codes: 0 done (pairs or not), 2 usage error or an unreadable input (on stderr).
    """
    from pmscore.cli._inputs import collect_or_exit
    from pmscore.collect import collect
    from pmscore.similar import find_similar, load_docs, render_text, to_json

    if format not in FORMATS:
        typer.echo(f"pmscore: error: unknown format {format!r} (choose from "
                   f"{', '.join(FORMATS)})", err=True)
        raise typer.Exit(EXIT_USAGE)
    items = collect_or_exit(paths, pattern, from_list, "compare")
    ref_items = collect(reference or ())
    docs, errors = load_docs(items, max_bytes)
    refs, ref_errors = load_docs(ref_items, max_bytes)
    for _, _, message in errors + ref_errors:
        typer.echo(f"pmscore: error: {message}", err=True)
    pairs = find_similar(docs, threshold=threshold, reference=refs)

    out = sys.stdout if output is None else output.open("w", encoding="utf-8", newline="")
    try:
        if format == "json":
            out.write(to_json(pairs, threshold) + "\n")
        elif format == "csv":
            from pmscore.render.csv import safe_cell

            w = csv.writer(out, lineterminator="\n")
            w.writerow(["a", "b", "similarity", "shared_words", "a_words", "b_words",
                        "b_is_reference", "passages", "longest_passage"])
            for p in pairs:
                longest = max(p.passages, key=lambda x: x.words).text if p.passages else ""
                w.writerow([safe_cell(p.a), safe_cell(p.b), f"{p.similarity:.3f}",
                            p.shared_words, p.a_words, p.b_words,
                            "yes" if p.b_is_reference else "no", len(p.passages),
                            safe_cell(longest)])
        else:
            render_text(pairs, out)
    finally:
        if output is not None:
            out.close()
    raise typer.Exit(EXIT_USAGE if errors or ref_errors else EXIT_OK)
