"""``pmscore train`` and ``pmscore evaluate``: fit the models, measure against labels."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from pmscore.cli import EXIT_USAGE, app


@app.command()
def train(
    corpus: Annotated[list[Path], typer.Argument(help="Labelled JSONL files (documents and "
                                                      "sentence-level sets).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model directory to write.")],
    folds: Annotated[int, typer.Option(help="Folds for out-of-fold grade features and CV.")] = 5,
) -> None:
    """Fit all models and write artifacts, manifest.json (SHA-256s) and MODEL_CARD.md."""
    from pmscore.errors import PmscoreError
    from pmscore.ml.train import train as fit

    try:
        manifest = fit([str(p) for p in corpus], out, folds=folds)
    except PmscoreError as exc:
        typer.echo(f"pmscore: error: {exc.message}", err=True)
        raise typer.Exit(EXIT_USAGE)
    cv = manifest["cv_metrics"]
    typer.echo(f"wrote {len(manifest['artifacts'])} artifacts to {out}")
    for k, v in cv.items():
        typer.echo(f"  cv {k}: {'n/a' if v is None else f'{v:.3f}'}")


def _row(name: str, a: float | None, b: float | None) -> tuple[str, str, str]:
    def f(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f}"

    return name, f(a), f(b)


@app.command()
def evaluate(
    corpus: Annotated[Path, typer.Argument(help="Labelled JSONL (annotation-guide schema).")],
    models: Annotated[Optional[Path], typer.Option("--models", help="Model directory "
                                                   "(default: the packaged models).")] = None,
    no_models: Annotated[bool, typer.Option("--no-models", help="Rules only.")] = False,
    trust_models: Annotated[bool, typer.Option("--trust-models", help="Load models built with "
                                               "another scikit-learn version.")] = False,
    json_out: Annotated[Optional[Path], typer.Option("--json", help="Write all metrics as JSON.")] = None,
) -> None:
    """Grade every labelled document and compare predictions with labels, field by field."""
    from rich.console import Console
    from rich.table import Table

    from pmscore.errors import PmscoreError
    from pmscore.evaluate import baseline_labels, compare, load_jsonl
    from pmscore.ml.runtime import default_model_dir, load_models
    from pmscore.pipeline import grade

    try:
        gold = load_jsonl(str(corpus))
    except (OSError, ValueError) as exc:
        typer.echo(f"pmscore: error: {corpus}: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    gold = [g for g in gold if "grade" in g and "sections" in g]
    if not gold:
        typer.echo(f"pmscore: error: {corpus}: no labelled documents", err=True)
        raise typer.Exit(EXIT_USAGE)
    model_dir = None if no_models else (models or default_model_dir())
    try:
        loaded = load_models(model_dir, trust=trust_models) if model_dir else None
        base = baseline_labels(model_dir, [g["text"] for g in gold], trust_models) if model_dir else None
    except PmscoreError as exc:
        typer.echo(f"pmscore: error: {exc.message}", err=True)
        raise typer.Exit(EXIT_USAGE)
    pred = [grade(g["text"], path=str(g.get("id", "")), models=loaded).labels for g in gold]
    m = compare(gold, pred)
    mb = compare(gold, base) if base is not None else None
    rows = [
        ("section macro-F1", "section_macro_f1"),
        ("summary-field mean accuracy", "summary_mean_accuracy"),
        ("timeline detection acc", ("timeline", "detection")),
        ("timeline detection_method acc", ("timeline", "detection_method")),
        ("timeline misleading_paths acc", ("timeline", "misleading_paths")),
        ("timeline escalation acc", ("timeline", "escalation")),
        ("timeline resolution acc", ("timeline", "resolution")),
        ("not-chronological F1", "not_chronological_f1"),
        ("root-cause macro-F1", "root_cause_macro_f1"),
        ("root-cause not-specific F1", "root_cause_not_specific_f1"),
        ("action-item detection F1", ("action_items", "detection_f1")),
        ("action-item actionable F1", ("action_items", "actionable_f1")),
        ("action-item non-actionable F1", ("action_items", "non_actionable_f1")),
        ("action-item owner F1", ("action_items", "owner_f1")),
        ("action-item deadline F1", ("action_items", "deadline_f1")),
        ("blame F1", "blame_f1"),
        ("prompt-pasted F1", "prompt_pasted_f1"),
        ("grade QWK", "grade_qwk"),
        ("grade exact", "grade_exact"),
        ("grade within one", "grade_within_one"),
    ]
    for k in ("times", "timezones", "durations", "percentages", "services", "teams"):
        rows.append((f"entity F1 {k}", ("entities", k, "f1")))

    def get(d: dict | None, key: object) -> float | None:
        if d is None:
            return None
        if isinstance(key, tuple):
            for part in key:
                d = d[part]
            return float(d)  # type: ignore[arg-type]
        return float(d[key])  # type: ignore[index]

    table = Table(title=f"{corpus} ({len(gold)} documents; models: {model_dir or 'none'})")
    table.add_column("metric")
    table.add_column("pmscore", justify="right")
    table.add_column("baseline", justify="right")
    for name, key in rows:
        table.add_row(*_row(name, get(m, key), get(mb, key)))
    Console().print(table)
    if json_out:
        json_out.write_text(json.dumps({"pmscore": m, "baseline": mb,
                                        "models": str(model_dir) if model_dir else None},
                                       indent=2), encoding="utf-8")
