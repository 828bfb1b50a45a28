"""Comparing predicted labels with human labels, field by field (annotation-guide schema).

Used by ``pmscore evaluate`` and ``scripts/evaluate_dev.py``. Every metric here compares a
prediction with an independent label; nothing is computed on training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz
from sklearn.metrics import cohen_kappa_score, f1_score

from pmscore.types import SECTION_LABELS

SUMMARY_FIELDS = ("duration", "start_time", "end_time", "timezone", "impact_quantified",
                  "root_cause_stated")
TIMELINE_BOOLS = ("detection", "misleading_paths", "escalation", "resolution")
ENTITY_FIELDS = ("times", "timezones", "durations", "percentages", "services", "teams")
SPECIFICITY = ("specific", "partial", "vague", "missing")


def _f1(gold: Sequence[bool], pred: Sequence[bool]) -> float:
    """Binary F1; 0.0 for no items at all (nothing matched cannot score), 1.0 when the items
    exist and neither side has a positive (all correctly negative)."""
    if not gold:
        return 0.0
    if not any(gold) and not any(pred):
        return 1.0
    return float(f1_score(list(gold), list(pred), zero_division=0))


def _acc(gold: Sequence[Any], pred: Sequence[Any]) -> float:
    return sum(g == p for g, p in zip(gold, pred)) / max(1, len(gold))


def match_items(gold: list[str], pred: list[str], cutoff: float = 80.0) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of item texts (fuzzy ratio >= cutoff, or containment)."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            gn, pn = " ".join(g.lower().split()), " ".join(p.lower().split())
            if not gn or not pn:
                continue
            s = fuzz.ratio(gn, pn)
            if (gn in pn or pn in gn) and min(len(gn), len(pn)) >= 0.5 * max(len(gn), len(pn)):
                s = max(s, 90.0)
            if s >= cutoff:
                pairs.append((s, gi, pi))
    pairs.sort(reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return out


def _norm_set(xs: list[str]) -> set[str]:
    return {" ".join(x.lower().split()) for x in xs if x.strip()}


def compare(gold_docs: list[dict[str, Any]], pred_docs: list[dict[str, Any]]) -> dict[str, Any]:
    """All metrics of ``pmscore evaluate`` for aligned lists of gold and predicted labels."""
    assert len(gold_docs) == len(pred_docs)
    m: dict[str, Any] = {"n_documents": len(gold_docs)}
    m["is_postmortem_f1"] = _f1([g["is_postmortem"] for g in gold_docs],
                                [p["is_postmortem"] for p in pred_docs])
    sec = {k: _f1([g["sections"][k] for g in gold_docs], [p["sections"][k] for p in pred_docs])
           for k in SECTION_LABELS}
    m["section_f1"] = sec
    m["section_macro_f1"] = sum(sec.values()) / len(sec)
    summ = {k: _acc([g["summary"][k] for g in gold_docs], [p["summary"][k] for p in pred_docs])
            for k in SUMMARY_FIELDS}
    m["summary_accuracy"] = summ
    m["summary_mean_accuracy"] = sum(summ.values()) / len(summ)
    tl = {k: _acc([g["timeline"][k] for g in gold_docs], [p["timeline"][k] for p in pred_docs])
          for k in TIMELINE_BOOLS}
    tl["detection_method"] = _acc([g["timeline"]["detection_method"] for g in gold_docs],
                                  [p["timeline"]["detection_method"] for p in pred_docs])
    tl["entries_with_time_mae"] = sum(
        abs(int(g["timeline"]["entries_with_time"]) - int(p["timeline"]["entries_with_time"]))
        for g, p in zip(gold_docs, pred_docs)) / max(1, len(gold_docs))
    m["timeline"] = tl
    m["not_chronological_f1"] = _f1([not g["timeline"]["chronological"] for g in gold_docs],
                                    [not p["timeline"]["chronological"] for p in pred_docs])
    gs = [g["root_cause"]["specificity"] for g in gold_docs]
    ps = [p["root_cause"]["specificity"] for p in pred_docs]
    per = f1_score(gs, ps, labels=list(SPECIFICITY), average=None, zero_division=0)
    m["root_cause_f1"] = {k: float(v) for k, v in zip(SPECIFICITY, per)}
    m["root_cause_macro_f1"] = float(f1_score(gs, ps, labels=list(SPECIFICITY), average="macro",
                                              zero_division=0))
    m["root_cause_not_specific_f1"] = _f1([x != "specific" for x in gs],
                                          [x != "specific" for x in ps])
    tp = fp = fn = 0
    act_g: list[bool] = []
    act_p: list[bool] = []
    own_g: list[bool] = []
    own_p: list[bool] = []
    dl_g: list[bool] = []
    dl_p: list[bool] = []
    for g, p in zip(gold_docs, pred_docs):
        gi = g.get("action_items", [])
        pi = p.get("action_items", [])
        pairs = match_items([x["text"] for x in gi], [x["text"] for x in pi])
        tp += len(pairs)
        fp += len(pi) - len(pairs)
        fn += len(gi) - len(pairs)
        for a, b in pairs:
            act_g.append(bool(gi[a]["actionable"]))
            act_p.append(bool(pi[b]["actionable"]))
            own_g.append(bool(gi[a].get("owner")))
            own_p.append(bool(pi[b].get("owner")))
            dl_g.append(bool(gi[a].get("deadline")))
            dl_p.append(bool(pi[b].get("deadline")))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    m["action_items"] = {
        "gold": tp + fn, "predicted": tp + fp, "matched": tp,
        "detection_precision": prec, "detection_recall": rec,
        "detection_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
        "actionable_f1": _f1(act_g, act_p),
        "non_actionable_f1": _f1([not x for x in act_g], [not x for x in act_p]),
        "owner_f1": _f1(own_g, own_p),
        "deadline_f1": _f1(dl_g, dl_p),
    }
    ents = {}
    for k in ENTITY_FIELDS:
        etp = efp = efn = 0
        for g, p in zip(gold_docs, pred_docs):
            gset = _norm_set(g["entities"].get(k, []))
            pset = _norm_set(p["entities"].get(k, []))
            etp += len(gset & pset)
            efp += len(pset - gset)
            efn += len(gset - pset)
        pr = etp / (etp + efp) if etp + efp else 0.0
        rc = etp / (etp + efn) if etp + efn else 0.0
        ents[k] = {"precision": pr, "recall": rc, "f1": 2 * pr * rc / (pr + rc) if pr + rc else 0.0}
    m["entities"] = ents
    m["blame_f1"] = _f1([g["blame"] for g in gold_docs], [p["blame"] for p in pred_docs])
    m["prompt_pasted_f1"] = _f1([g["prompt_pasted"] for g in gold_docs],
                                [p["prompt_pasted"] for p in pred_docs])
    gg = [int(g["grade"]) for g in gold_docs]
    pg = [int(p["grade"]) for p in pred_docs]
    m["grade_qwk"] = float(cohen_kappa_score(gg, pg, weights="quadratic", labels=[1, 2, 3, 4, 5]))
    m["grade_exact"] = _acc(gg, pg)
    m["grade_within_one"] = sum(abs(a - b) <= 1 for a, b in zip(gg, pg)) / max(1, len(gg))
    return m


def headline(m: dict[str, Any]) -> dict[str, float]:
    """The numbers the issues set targets on, flat, for tables and notes."""
    return {
        "section_macro_f1": m["section_macro_f1"],
        "summary_mean_accuracy": m["summary_mean_accuracy"],
        "root_cause_macro_f1": m["root_cause_macro_f1"],
        "root_cause_not_specific_f1": m["root_cause_not_specific_f1"],
        "action_item_detection_f1": m["action_items"]["detection_f1"],
        "action_item_actionable_f1": m["action_items"]["actionable_f1"],
        "action_item_non_actionable_f1": m["action_items"]["non_actionable_f1"],
        "not_chronological_f1": m["not_chronological_f1"],
        "blame_f1": m["blame_f1"],
        "prompt_pasted_f1": m["prompt_pasted_f1"],
        "grade_qwk": m["grade_qwk"],
        "grade_exact": m["grade_exact"],
        "grade_within_one": m["grade_within_one"],
    }


def load_jsonl(path: str) -> list[dict[str, Any]]:
    """Read a labelled JSONL corpus (blank lines skipped)."""
    import json

    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def predict(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Grade every record's ``text`` and return the predicted labels, in order."""
    from pmscore.pipeline import grade

    return [grade(r["text"], path=str(r.get("id", ""))).labels for r in records]


def baseline_labels(model_dir: Any, texts: list[str], trust: bool = False) -> list[dict[str, Any]]:
    """The floor: grade from document length alone, every other field its training majority."""
    import copy
    from pathlib import Path

    from pmscore.ml import store
    from pmscore.ml.train import baseline_predict

    manifest = store.read_manifest(Path(model_dir))
    base = manifest.get("baseline_labels")
    grades = baseline_predict(model_dir, texts, trust=trust)
    out = []
    for g in grades:
        lab = copy.deepcopy(base)
        lab["grade"] = int(g)
        out.append(lab)
    return out
