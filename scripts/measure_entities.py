"""Measure entity extraction against the labelled real-world postmortems.

For each document the set of predicted strings of a type is compared with the labelled set
(``entities`` of the annotation-guide schema), case-insensitively. Two scores per type:

* strict: a prediction counts when the same string is labelled;
* lenient: a prediction counts when it contains, or is contained in, a labelled string
  (so "the team" vs "team" or "Nginx web server" vs "Nginx" still count). Recall uses the same
  relation from the gold side.

Counts are summed over documents (micro average). With ``--timeline`` it also compares the
number of timeline entries carrying a time (``timeline.entries`` on ``sections.classify``) with
the labelled ``timeline.entries_with_time``. Usage::

    python scripts/measure_entities.py [../shared/realworld/dev.jsonl] [--show services] [--timeline]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from pmscore.entities import extract
from pmscore.reader import read

TYPE_OF_LABEL = {"TIME": "times", "TIMEZONE": "timezones", "DURATION": "durations",
                 "PERCENT": "percentages", "SERVICE": "services", "TEAM": "teams"}
DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "realworld" / "dev.jsonl"


def _prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> tuple[float, float, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _lenient(a: str, bs: set[str]) -> bool:
    return any(a in b or b in a for b in bs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--show", help="print false positives / negatives of this type")
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--timeline", action="store_true",
                    help="also score timeline entries_with_time (needs pmscore.sections)")
    args = ap.parse_args(argv)
    path = Path(args.path)
    if not path.exists():
        print(f"no labelled file at {path}", file=sys.stderr)
        return 2
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    shown_fp: list[str] = []
    shown_fn: list[str] = []
    n_docs = 0
    tl_diffs: list[int] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        gold_all = row.get("entities") or row.get("labels", {}).get("entities") or {}
        n_docs += 1
        pred_all: dict[str, set[str]] = defaultdict(set)
        doc = read(row["text"])
        ents = extract(doc)
        if args.timeline and row.get("is_postmortem", True):
            from pmscore.sections import classify
            from pmscore.timeline import entries

            got = sum(1 for e in entries(doc, classify(doc)[1], ents) if e.time is not None)
            want = int((row.get("timeline") or {}).get("entries_with_time", 0) or 0)
            tl_diffs.append(got - want)
        for ent in ents:
            kind = TYPE_OF_LABEL.get(ent.label)
            if kind:
                pred_all[kind].add(ent.text.lower())
        for kind in TYPE_OF_LABEL.values():
            gold = {g.lower() for g in gold_all.get(kind, [])}
            pred = pred_all.get(kind, set())
            c = counts[kind]
            c["n_pred"] += len(pred)
            c["n_gold"] += len(gold)
            c["tp_strict"] += len(pred & gold)
            c["tp_len_pred"] += sum(1 for p in pred if _lenient(p, gold))
            c["tp_len_gold"] += sum(1 for g in gold if _lenient(g, pred))
            if args.show == kind:
                shown_fp += [f"{row['id']}: {p}" for p in sorted(pred - gold)]
                shown_fn += [f"{row['id']}: {g}" for g in sorted(gold - pred)]
    print(f"{n_docs} documents ({path.name})")
    print(f"{'type':<12} {'gold':>5} {'pred':>5} | {'P':>5} {'R':>5} {'F1':>5} (strict)"
          f" | {'P':>5} {'R':>5} {'F1':>5} (lenient)")
    for kind in TYPE_OF_LABEL.values():
        c = counts[kind]
        sp, sr, sf = _prf(c["tp_strict"], c["n_pred"], c["tp_strict"], c["n_gold"])
        lp, lr, lf = _prf(c["tp_len_pred"], c["n_pred"], c["tp_len_gold"], c["n_gold"])
        print(f"{kind:<12} {c['n_gold']:>5} {c['n_pred']:>5} | {sp:5.3f} {sr:5.3f} {sf:5.3f}"
              f"          | {lp:5.3f} {lr:5.3f} {lf:5.3f}")
    if tl_diffs:
        n = len(tl_diffs)
        exact = sum(1 for d in tl_diffs if d == 0) / n
        within1 = sum(1 for d in tl_diffs if abs(d) <= 1) / n
        mae = sum(abs(d) for d in tl_diffs) / n
        print(f"timeline entries_with_time ({n} postmortems): exact {exact:.3f}, "
              f"within 1 {within1:.3f}, MAE {mae:.2f}, mean signed {sum(tl_diffs) / n:+.2f}")
    if args.show:
        print("\nfalse positives:", *shown_fp[: args.limit], sep="\n  ")
        print("\nfalse negatives:", *shown_fn[: args.limit], sep="\n  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
