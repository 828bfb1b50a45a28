#!/usr/bin/env python3
"""Measure the grader on a labelled JSONL corpus (default: ../shared/realworld/dev.jsonl).

Prints the headline metrics and writes the full metrics as JSON with --json FILE.
    python scripts/evaluate_dev.py [CORPUS.jsonl] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from pmscore.evaluate import compare, headline, load_jsonl, predict

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "realworld" / "dev.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT))
    ap.add_argument("--json", dest="json_out")
    args = ap.parse_args()
    if not Path(args.corpus).exists():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    gold = load_jsonl(args.corpus)
    t0 = time.perf_counter()
    pred = predict(gold)
    secs = time.perf_counter() - t0
    m = compare(gold, pred)
    for k, v in headline(m).items():
        print(f"{k:32s} {v:.3f}")
    print(f"{'documents':32s} {len(gold)}  ({secs:.1f} s)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(m, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
