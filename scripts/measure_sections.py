"""Section-presence F1 of reader + sections on a labelled corpus (default ../shared/realworld/dev.jsonl).

Usage: python scripts/measure_sections.py [path.jsonl] [-v]
For each section label: F1 of "the document has a section with this label" (predicted: any
Section with the label; gold: labels["sections"][label]), over is_postmortem docs and over all.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from pmscore.reader import read
from pmscore.sections import classify
from pmscore.types import SECTION_LABELS


def f1(tp: int, fp: int, fn: int) -> float:
    if tp == 0:
        return 1.0 if fp == 0 and fn == 0 else 0.0
    p, r = tp / (tp + fp), tp / (tp + fn)
    return 2 * p * r / (p + r)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    path = Path(args[0]) if args else Path(__file__).resolve().parents[1].parent / "shared" / "realworld" / "dev.jsonl"
    rows = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    keys = ("pm", "all", "all_gated")
    counts = {k: {lab: [0, 0, 0] for lab in SECTION_LABELS} for k in keys}
    t0 = time.perf_counter()
    for r in rows:
        doc = read(r["text"])
        _, secs = classify(doc)
        pred = {s.label for s in secs}
        gold = {k for k, v in (r.get("sections") or {}).items() if v}
        for key in keys:
            if key == "pm" and not r.get("is_postmortem"):
                continue
            if key == "all_gated" and doc.not_postmortem_reason:
                pred = set()  # what a pipeline that trusts the reader's verdict would output
            for lab in SECTION_LABELS:
                c = counts[key][lab]
                if lab in pred and lab in gold:
                    c[0] += 1
                elif lab in pred:
                    c[1] += 1
                    if verbose and key == "pm":
                        print(f"FP {lab:20} {r['id']}")
                elif lab in gold:
                    c[2] += 1
                    if verbose and key == "pm":
                        print(f"FN {lab:20} {r['id']}")
    dt = time.perf_counter() - t0
    for key, name in (("pm", "is_postmortem docs"), ("all", "all docs"),
                      ("all_gated", "all docs, no sections when the reader says not a postmortem")):
        print(f"== {name}")
        f1s = []
        for lab in SECTION_LABELS:
            tp, fp, fn = counts[key][lab]
            f = f1(tp, fp, fn)
            f1s.append(f)
            print(f"  {lab:20} F1={f:.3f}  tp={tp} fp={fp} fn={fn}")
        print(f"  macro-F1 = {sum(f1s) / len(f1s):.3f}")
    print(f"{len(rows)} docs in {dt:.2f}s")


if __name__ == "__main__":
    main()
