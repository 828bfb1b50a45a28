"""Measure pmscore.facts against the labelled realworld dev set (summary and timeline facts).

Usage: ``.venv/bin/python scripts/measure_facts.py [../shared/realworld/dev.jsonl] [--errors FIELD]``

Prints, over the postmortem documents (``is_postmortem`` true in the label) and over all
documents: the accuracy of each summary field and their mean, the accuracy of each timeline
boolean and of ``detection_method`` (with its confusion counts), and the mean absolute error
of ``entries_with_time``. ``--errors FIELD`` lists the ids where that field is wrong, to read
the misses (never to copy their text into the project).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from pmscore import facts as facts_mod
from pmscore.types import Analysis, RootCause

SUMMARY = ("duration", "start_time", "end_time", "timezone", "impact_quantified",
           "root_cause_stated")
TIMELINE = ("detection", "misleading_paths", "escalation", "resolution")


def analyse(text: str) -> Analysis:
    """The pipeline's analysis; stages not yet available are replaced by empty results."""
    try:
        from pmscore.pipeline import analyse as full

        return full(text)
    except ImportError:
        pass
    from pmscore import entities, reader, sections

    doc = reader.read(text)
    block_labels, secs = sections.classify(doc)
    ents = entities.extract(doc)
    try:
        from pmscore import timeline

        tl = timeline.entries(doc, secs, ents)
    except ImportError:
        tl = ()
    try:
        from pmscore import rootcause

        rc = rootcause.assess(doc, secs, ents)
    except ImportError:
        rc = RootCause("", 0, 0, "missing")
    return Analysis(document=doc, sections=secs, block_labels=block_labels, entities=ents,
                    root_cause=rc, action_items=(), timeline=tl)


def measure(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-field accuracies (postmortems only and all documents) and the entries MAE."""
    preds = []
    for r in rows:
        f = facts_mod.compute(analyse(r["text"])).to_labels()
        if not r.get("is_postmortem", True):
            # the guide: a non-postmortem keeps every field at its empty default
            f["summary"] = {k: False for k in SUMMARY}
            f["timeline"] = {"entries_with_time": 0, "detection": False,
                             "detection_method": "none", "misleading_paths": False,
                             "escalation": False, "resolution": False}
        preds.append(f)
    out: dict[str, Any] = {}
    for scope in ("postmortems", "all"):
        idx = [i for i, r in enumerate(rows)
               if scope == "all" or r.get("is_postmortem", True)]
        acc = {}
        for k in SUMMARY:
            acc[k] = sum(rows[i]["summary"][k] == preds[i]["summary"][k] for i in idx) / len(idx)
        res: dict[str, Any] = {"n": len(idx), "summary": acc,
                               "summary_mean": sum(acc.values()) / len(acc)}
        tl = {}
        for k in (*TIMELINE, "detection_method"):
            tl[k] = sum(rows[i]["timeline"][k] == preds[i]["timeline"][k] for i in idx) / len(idx)
        res["timeline"] = tl
        res["entries_with_time_mae"] = sum(
            abs(rows[i]["timeline"]["entries_with_time"] - preds[i]["timeline"]["entries_with_time"])
            for i in idx) / len(idx)
        res["detection_method_confusion"] = {
            f"{g}->{p}": c for (g, p), c in sorted(Counter(
                (rows[i]["timeline"]["detection_method"], preds[i]["timeline"]["detection_method"])
                for i in idx).items())}
        out[scope] = res
    out["_preds"] = preds
    return out


def main(argv: list[str] | None = None) -> int:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "realworld" / "dev.jsonl"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(default))
    ap.add_argument("--errors", default=None, help="list ids where this field is wrong")
    args = ap.parse_args(argv)
    path = Path(args.path)
    if not path.exists():
        print(f"{path} not found", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    res = measure(rows)
    preds = res.pop("_preds")
    print(json.dumps(res, indent=2))
    if args.errors:
        group = "summary" if args.errors in SUMMARY else "timeline"
        for r, p in zip(rows, preds):
            if r.get("is_postmortem", True) and r[group][args.errors] != p[group][args.errors]:
                print(f"{r['id']}: gold={r[group][args.errors]} pred={p[group][args.errors]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
