#!/usr/bin/env python
"""Measure the root-cause and action-item rules against a labelled JSONL file.

Usage::

    .venv/bin/python scripts/measure_rules.py ../shared/realworld/dev.jsonl [--errors rc|ai]

Reports root-cause specificity macro-F1 (4 classes) and F1 of "not specific"
(partial+vague+missing vs specific) on postmortems; action-item detection F1 (a predicted item
matches a gold item when rapidfuzz ``ratio`` >= 80 on normalised text or one contains the
other), and actionable / non-actionable F1 and owner / deadline accuracy on matched items.

Uses ``pmscore.reader.read`` and ``pmscore.sections.classify`` / ``pmscore.entities.extract``
when they exist; until then a small local stand-in labels sections from heading keywords, so
the numbers measure these two stages, not the others.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from sklearn.metrics import confusion_matrix, f1_score

from pmscore import actions, reader, rootcause
from pmscore.types import Document, Section

SPEC = ["specific", "partial", "vague", "missing"]

# Stand-in section keywords (used only when pmscore.sections is not importable).
_FALLBACK = [
    ("root_cause", r"root|\bcause|\brca\b|what went wrong|why"),
    ("corrective_actions", r"correct|prevent|action|to-?do|task|measure|next step|follow|"
                           r"remediat|improvement|recommend"),
    ("timeline", r"timeline|chronolog"),
    ("resolution", r"resol|recover|\bfix"),
    ("lessons_learned", r"lesson|went well|learn"),
    ("impact", r"impact"),
    ("summary", r"summary|overview|ssue"),
]


def _fallback_sections(doc: Document) -> tuple[Section, ...]:
    out: list[Section] = []
    cur: str | None = None
    start, idx, head = 0, [], None
    for b in doc.blocks:
        lab = None
        if b.kind in ("heading", "label") and b.heading:
            lab = next((l for l, rx in _FALLBACK if re.search(rx, b.heading, re.I)), None)
            if lab is None and b.kind == "heading":
                lab = "other"
        if lab is not None:
            if idx:
                out.append(Section(cur or "other", start, doc.blocks[idx[-1]].end, tuple(idx),
                                   heading=head))
            cur, start, idx, head = lab, b.start, [], b.heading
        idx.append(b.index)
    if idx:
        out.append(Section(cur or "other", start, doc.blocks[idx[-1]].end, tuple(idx),
                           heading=head))
    return tuple(out)


def analyse(text: str) -> tuple[Any, Any]:
    doc = reader.read(text)
    try:
        from pmscore import sections as sec_mod  # type: ignore[attr-defined]
        _, secs = sec_mod.classify(doc)
    except Exception:  # noqa: BLE001 - stage not landed yet: use the stand-in
        secs = _fallback_sections(doc)
    try:
        from pmscore import entities as ent_mod  # type: ignore[attr-defined]
        ents = ent_mod.extract(doc)
    except Exception:  # noqa: BLE001
        ents = ()
    return rootcause.assess(doc, secs, ents), actions.extract(doc, secs, ents)


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^\w%]+", " ", s.lower()).split())


def _match(pred: list[str], gold: list[str]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of predicted to gold item texts."""
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            np_, ng = _norm(p), _norm(g)
            if not np_ or not ng:
                continue
            r = fuzz.ratio(np_, ng)
            if r >= 80 or (len(np_) > 10 and np_ in ng) or (len(ng) > 10 and ng in np_):
                pairs.append((r, i, j))
    pairs.sort(reverse=True)
    used_p, used_g, out = set(), set(), []
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j))
    return out


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("jsonl", type=Path)
    ap.add_argument("--errors", choices=["rc", "ai", "det"], default=None,
                    help="print mismatches (to the terminal only)")
    ap.add_argument("--json", type=Path, default=None, help="write the metrics as JSON")
    args = ap.parse_args(argv)

    rows = [json.loads(l) for l in args.jsonl.read_text(encoding="utf-8").splitlines()
            if l.strip()]
    y_true, y_pred = [], []
    tp = fp = fn = 0
    a_true, a_pred, own, due = [], [], [], []
    for r in rows:
        if not r.get("is_postmortem"):
            continue
        rc, items = analyse(r["text"])
        g = r["root_cause"]["specificity"]
        y_true.append(g)
        y_pred.append(rc.specificity)
        if args.errors == "rc" and g != rc.specificity:
            print(f"[{r['id']}] gold={g} pred={rc.specificity} :: {rc.reason}\n"
                  f"   PRED: {rc.text[:200]!r}\n   GOLD: {r['root_cause']['text'][:200]!r}")
        gold_items = r.get("action_items", [])
        ptexts = [it.text for it in items]
        gtexts = [it["text"] for it in gold_items]
        m = _match(ptexts, gtexts)
        tp += len(m)
        fp += len(ptexts) - len(m)
        fn += len(gtexts) - len(m)
        if args.errors == "det":
            mp = {i for i, _ in m}
            mg = {j for _, j in m}
            for i, t in enumerate(ptexts):
                if i not in mp:
                    print(f"[{r['id']}] FP: {t[:150]!r}")
            for j, t in enumerate(gtexts):
                if j not in mg:
                    print(f"[{r['id']}] FN: {t[:150]!r}")
        for i, j in m:
            a_true.append(bool(gold_items[j]["actionable"]))
            a_pred.append(items[i].actionable)
            own.append(bool(gold_items[j]["owner"]) == items[i].owner)
            due.append(bool(gold_items[j]["deadline"]) == items[i].deadline)
            if args.errors == "ai" and a_true[-1] != a_pred[-1]:
                print(f"[{r['id']}] gold={int(a_true[-1])} pred={int(a_pred[-1])} "
                      f"{items[i].reason} :: {items[i].text[:140]!r}")
    bt = [t != "specific" for t in y_true]
    bp = [p != "specific" for p in y_pred]
    res = {
        "documents": len(y_true),
        "rc_macro_f1": f1_score(y_true, y_pred, labels=SPEC, average="macro", zero_division=0),
        "rc_per_class_f1": dict(zip(SPEC, f1_score(y_true, y_pred, labels=SPEC, average=None,
                                                   zero_division=0).round(3).tolist())),
        "rc_not_specific_f1": f1_score(bt, bp, zero_division=0),
        "rc_accuracy": sum(a == b for a, b in zip(y_true, y_pred)) / max(1, len(y_true)),
        "ai_detection_precision": tp / max(1, tp + fp),
        "ai_detection_recall": tp / max(1, tp + fn),
        "ai_detection_f1": _f1(tp, fp, fn),
        "ai_matched": len(a_true),
        "ai_actionable_f1": f1_score(a_true, a_pred, zero_division=0),
        "ai_non_actionable_f1": f1_score([not x for x in a_true], [not x for x in a_pred],
                                         zero_division=0),
        "ai_owner_accuracy": sum(own) / max(1, len(own)),
        "ai_deadline_accuracy": sum(due) / max(1, len(due)),
    }
    print("root cause confusion (rows gold, cols pred):", SPEC)
    print(confusion_matrix(y_true, y_pred, labels=SPEC))
    for k, v in res.items():
        print(f"{k:26s} {v:.3f}" if isinstance(v, float) else f"{k:26s} {v}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
