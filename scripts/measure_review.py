"""Measure review.detect against the labelled realworld dev set.

Reports F1 of ``chronological == false``, of ``blame`` and of ``prompt_pasted`` on
``../shared/realworld/dev.jsonl`` (gold labels from the annotation guide schema), and lists the
disagreements so rules can be tuned on patterns, not on single files.

    .venv/bin/python scripts/measure_review.py [--errors] [--stages auto|reader] [--unlabelled]

``--unlabelled`` also runs the detector on ``../shared/realworld/docs/*.md`` not in the dev set
and lists every ``prompt_pasted`` positive with what matched, for a by-eye false-alarm check
(those documents have no labels, so nothing is scored).

``--stages auto`` uses the full analysis pipeline when every stage imports, else only the
reader (review.detect then falls back to its own time reading and structure).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pmscore import reader, review
from pmscore.types import Analysis, RootCause

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def build(text: str, stages: str) -> Analysis:
    """The Analysis for one text: full pipeline if available, else reader-only."""
    if stages == "auto":
        try:
            from pmscore import pipeline

            return pipeline.analyse(text)
        except ImportError:
            pass
    doc = reader.read(text)
    secs: tuple = ()
    labels = tuple("other" for _ in doc.blocks)
    ents: tuple = ()
    if stages == "auto":
        try:  # the stages that exist already; review.detect copes without the others
            from pmscore import sections

            labels, secs = sections.classify(doc)
        except ImportError:
            pass
        try:
            from pmscore import entities

            ents = tuple(entities.extract(doc))
        except ImportError:
            pass
    return Analysis(document=doc, sections=tuple(secs), block_labels=tuple(labels), entities=ents,
                    root_cause=RootCause("", 0, 0, "missing"), action_items=())


def _is_postmortem(analysis: Analysis) -> bool:
    try:
        from pmscore import pipeline
    except ImportError:
        return True
    return pipeline.is_postmortem(analysis)[0]


def f1(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float, int, int, int]:
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if p and not g)
    fn = sum(1 for g, p in pairs if g and not p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f, tp, fp, fn


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", action="store_true", help="list disagreements")
    ap.add_argument("--stages", default="auto", choices=["auto", "reader"])
    ap.add_argument("--raw", action="store_true",
                    help="score review.detect alone; by default a document the pipeline judges "
                         "not a postmortem gets the guide's empty labels, as labels.build does")
    ap.add_argument("--unlabelled", action="store_true",
                    help="list prompt_pasted positives among the realworld docs not in dev")
    args = ap.parse_args()
    path = SHARED / "realworld" / "dev.jsonl"
    if not path.exists():
        print(f"no dev set at {path}", file=sys.stderr)
        return 2
    rows = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    res: dict[str, list[tuple[bool, bool]]] = {"chronological_false": [], "blame": [],
                                               "prompt_pasted": []}
    errors: list[str] = []
    for r in rows:
        analysis = build(r["text"], args.stages)
        rev = review.detect(analysis)
        if args.stages == "auto" and not args.raw and not _is_postmortem(analysis):
            rev = review.Review()  # the empty defaults of the annotation guide
        gold_cf = r.get("timeline", {}).get("chronological") is False
        got = {"chronological_false": (gold_cf, not rev.chronological),
               "blame": (bool(r.get("blame")), rev.blame),
               "prompt_pasted": (bool(r.get("prompt_pasted")), rev.prompt_pasted)}
        for k, v in got.items():
            res[k].append(v)
            if v[0] != v[1]:
                why = ""
                if k == "chronological_false":
                    why = " | ".join(i.note for i in rev.consistency_issues) or \
                        " | ".join(r.get("consistency_issues", []))[:200]
                elif k == "blame":
                    why = " | ".join(h.text for h in rev.blame_spans)
                else:
                    why = " | ".join(f"{h.kind}:{h.matched[:30]}" for h in rev.pasted_spans)
                errors.append(f"{'FN' if v[0] else 'FP'} {k:20s} {r['id']}: {why}")
    print(f"documents: {len(rows)}")
    for k, pairs in res.items():
        p, rc, f, tp, fp, fn = f1(pairs)
        print(f"{k:20s} P={p:.2f} R={rc:.2f} F1={f:.2f}  (tp={tp} fp={fp} fn={fn})")
    if args.errors:
        print("\n".join(sorted(errors)))
    if args.unlabelled:
        unlabelled(args.stages, args.raw, {r["id"] for r in rows})
    return 0


def unlabelled(stages: str, raw: bool, dev_ids: set[str]) -> None:
    """Print the prompt_pasted positives among the unlabelled realworld documents."""
    docs = sorted((SHARED / "realworld" / "docs").glob("*.md"))
    n = pos = 0
    for path in docs:
        if path.stem in dev_ids:
            continue
        n += 1
        analysis = build(path.read_text(encoding="utf-8", errors="replace"), stages)
        rev = review.detect(analysis)
        if not rev.prompt_pasted or (stages == "auto" and not raw and
                                     not _is_postmortem(analysis)):
            continue
        pos += 1
        kinds = sorted({h.kind for h in rev.pasted_spans})
        print(f"POS {path.stem} ({', '.join(kinds)})")
        for h in rev.pasted_spans:
            print(f"    {h.kind:11s} {h.matched[:70]!r}")
    print(f"unlabelled documents: {n}, prompt_pasted positives: {pos}")


if __name__ == "__main__":
    raise SystemExit(main())
