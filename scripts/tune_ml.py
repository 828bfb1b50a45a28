#!/usr/bin/env python
"""Fast iteration on the learned models: fit on the corpus once, combine with cached rules on dev.

Why: a full ``pmscore train`` + ``pmscore evaluate`` takes ~10 minutes on a loaded machine, so
comparing estimator designs or combination weights that way is too slow. This script

1. caches (``cache``) the rules-only analyses of the dev documents (root-cause statement, its
   rule specificity, action items with rule actionable + confidence, report features and the
   rules' threshold grade) and the rules-only report features of the corpus documents;
2. fits candidate root-cause / action-item / grade estimators on the *corpus only*
   (``train.load`` + ``train.rc_examples`` / ``ai_examples``), never on dev;
3. scores the combination (``runtime.combine_*`` logic with the weights given) against the dev
   gold labels, with the same metric code as ``pmscore evaluate`` (``evaluate.match_items``,
   sklearn F1 / QWK), and a 2-fold cross-validation on dev of any tuned weight (tune on one
   half, measure on the other) to show how optimistic the tuned figure is.

Usage::

    .venv/bin/python scripts/tune_ml.py cache --corpus /tmp/tune --dev ../shared/realworld/dev.jsonl
    .venv/bin/python scripts/tune_ml.py run --corpus /tmp/tune
    # action items only, on the repo corpus, own cache file, threshold fixed at 0.5:
    .venv/bin/python scripts/tune_ml.py ai --corpus corpus --cache /tmp/i3/cache.pkl \
        --only current --ai-thresholds 0.5

``--ai-weights`` / ``--ai-thresholds`` narrow the action-item grid: every free value is one
more thing each CV fold tunes on half of dev, so a fixed threshold gives a less optimistic CV.

Dev is only measured on and used to pick a few general weights; nothing here trains on it.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score, f1_score
from sklearn.model_selection import KFold

from pmscore.evaluate import SPECIFICITY, match_items
from pmscore.ml import estimators
from pmscore.ml.train import ai_examples, load, rc_examples

CACHE = Path("/tmp/tune/cache.pkl")


def _corpus_files(root: Path) -> list[Path]:
    return sorted(root.glob("*.jsonl")) + sorted((root / "sentences").glob("*.jsonl"))


# ----------------------------------------------------------------------------- cache

def build_cache(corpus: Path, dev: Path) -> None:
    """Rules-only analyses of dev and rules-only report features of the corpus documents."""
    from pmscore.ml.gradefeatures import report_features
    from pmscore.pipeline import grade

    gold = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    dev_rows = []
    for g in gold:
        rep = grade(g["text"], models=None)
        a = rep.analysis
        services = tuple(dict.fromkeys(e.text for e in a.entities if e.label == "SERVICE"))
        dev_rows.append({
            "gold": g,
            "rc": {"text": a.root_cause.text, "specificity": a.root_cause.specificity,
                   "context": a.document.clean, "services": services},
            "items": [{"text": x.text, "actionable": x.actionable, "confidence": x.confidence}
                      for x in a.action_items],
            "pred_labels": rep.labels,
            "features": report_features(rep),
            "rule_grade": rep.grade,
            "is_postmortem": rep.is_postmortem,
        })
        print(".", end="", flush=True, file=sys.stderr)
    data, _ = load([str(p) for p in _corpus_files(corpus)])
    corpus_feats = []
    for d in data.documents:
        rep = grade(d["text"], models=None)
        corpus_feats.append((report_features(rep), int(d["grade"]), rep.grade))
        print(",", end="", flush=True, file=sys.stderr)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(pickle.dumps({"dev": dev_rows, "corpus_grade": corpus_feats}))
    print(f"\ncached {len(dev_rows)} dev docs, {len(corpus_feats)} corpus docs", file=sys.stderr)


# ----------------------------------------------------------------------------- metrics

def rc_metrics(gold: list[str], pred: list[str]) -> tuple[float, float]:
    """(macro-F1 over the four labels, not-specific F1), as ``evaluate.compare`` computes them."""
    macro = float(f1_score(gold, pred, labels=list(SPECIFICITY), average="macro",
                           zero_division=0))
    ns = float(f1_score([g != "specific" for g in gold], [p != "specific" for p in pred],
                        zero_division=0))
    return macro, ns


def matched_items(rows: list[dict[str, Any]]) -> list[tuple[int, int, bool]]:
    """(doc index, predicted item index, gold actionable) for every matched action item."""
    out = []
    for di, r in enumerate(rows):
        gi = r["gold"].get("action_items", [])
        pairs = match_items([x["text"] for x in gi], [x["text"] for x in r["items"]])
        out += [(di, b, bool(gi[a]["actionable"])) for a, b in pairs]
    return out


def ai_metrics(gold: list[bool], pred: list[bool]) -> tuple[float, float]:
    act = float(f1_score(gold, pred, zero_division=0))
    non = float(f1_score([not g for g in gold], [not p for p in pred], zero_division=0))
    return act, non


# ----------------------------------------------------------------------------- combination

CROSS = True  # model_decides_specific; main() sets it from data/ml.json


def combine_rc(rule: str, proba: dict[str, float], w: float, margin: float) -> str:
    """Same rule as runtime.combine_rootcause: one-hot rule vote of weight w vs the model.

    ``margin``: the model overrides only when its winning vote beats the rule's by this much;
    without ``CROSS`` it may not move a statement across the specific / not-specific line.
    """
    if rule == "missing":
        return rule
    votes = {c: (1 - w) * p for c, p in proba.items()}
    votes[rule] = votes.get(rule, 0.0) + w
    best = max(votes, key=lambda c: votes[c])
    if best != rule and votes[best] - votes[rule] < margin:
        return rule
    if not CROSS and (best == "specific") != (rule == "specific"):
        return rule
    return best


def combine_ai(rule_actionable: bool, conf: float, p: float, w: float, thr: float) -> bool:
    rule_p = conf if rule_actionable else 1.0 - conf
    return w * rule_p + (1 - w) * p >= thr


# ----------------------------------------------------------------------------- candidates

def _linear_candidate(words: tuple[int, int] | None, C: float, cue_fn: Callable[[Any], Any] | None,
                      min_df: int = 2) -> Callable[[], Any]:
    """A factory of word TF-IDF + cue features -> balanced LogisticRegression (the shape of
    estimators.rootcause_classifier / action_classifier), with the knobs tuned here."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler

    def f() -> Any:
        parts = []
        if words:
            parts.append(("words", Pipeline([
                ("text", FunctionTransformer(estimators._texts)),
                ("tfidf", estimators._tfidf(ngram_range=words, min_df=min_df))])))
        if cue_fn is not None:
            parts.append(("cues", Pipeline([("dicts", FunctionTransformer(cue_fn)),
                                            ("vec", DictVectorizer()),
                                            ("scale", MaxAbsScaler())])))
        return Pipeline([("features", FeatureUnion(parts)),
                         ("clf", LogisticRegression(C=C, max_iter=3000, class_weight="balanced",
                                                    random_state=0))])
    return f


def rc_candidates() -> dict[str, Callable[[], Any]]:
    def make(words: tuple[int, int] | None, C: float, cues: bool = True, min_df: int = 2,
             ctx: bool = True) -> Callable[[], Any]:
        fn = (estimators._rc_dicts if ctx else _rc_dicts_noctx) if cues else None
        return _linear_candidate(words, C, fn, min_df)

    out: dict[str, Callable[[], Any]] = {"current": estimators.rootcause_classifier}
    for C in (0.1, 0.3, 1.0):
        out[f"w12_C{C}"] = make((1, 2), C)
        out[f"w11_C{C}"] = make((1, 1), C, min_df=3)
        out[f"cues_C{C}"] = make(None, C)
        out[f"cuesnoctx_C{C}"] = make(None, C, ctx=False)
        out[f"w11noctx_C{C}"] = make((1, 1), C, min_df=3, ctx=False)
    return out


def _rc_dicts_noctx(X: Any) -> list[dict[str, float]]:
    from pmscore.features import rootcause_features

    return [rootcause_features(x["text"] if isinstance(x, dict) else str(x)) for x in X]


def ai_candidates() -> dict[str, Callable[[], Any]]:
    def make(words: tuple[int, int] | None, C: float, min_df: int = 2) -> Callable[[], Any]:
        return _linear_candidate(words, C, estimators._ai_dicts, min_df)

    out: dict[str, Callable[[], Any]] = {"current": estimators.action_classifier}
    for C in (0.1, 0.3, 1.0):
        out[f"w12_C{C}"] = make((1, 2), C)
        out[f"w11_C{C}"] = make((1, 1), C, min_df=3)
        out[f"cues_C{C}"] = make(None, C)
    return out


# ----------------------------------------------------------------------------- runs

RC_GRID = [(w, m) for w in (0.0, 0.2, 0.3, 0.4, 0.5) for m in (0.0, 0.1, 0.2, 0.3, 0.4)]
AI_GRID = [(w, t) for w in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
           for t in (0.4, 0.45, 0.5, 0.55, 0.6)]
SEEDS = (0, 1, 2)


def _tune(grid: list[tuple[float, float]], score: Callable[[tuple[float, float], np.ndarray],
                                                           tuple[float, float]],
          idx: np.ndarray) -> tuple[float, float]:
    """The grid point with the best sum of the two target metrics on the items in idx."""
    return max(grid, key=lambda g: sum(score(g, idx)))


def _cv2(n_docs: int, doc_of: np.ndarray, grid: list[tuple[float, float]],
         score: Callable[[tuple[float, float], np.ndarray], tuple[float, float]],
         predict: Callable[[tuple[float, float], int], Any], gold: list[Any],
         metric: Callable[[list[Any], list[Any]], tuple[float, float]]) -> tuple[float, float]:
    """2-fold CV on dev by document: tune on one half, predict the other; mean over 3 seeds."""
    res = []
    for seed in SEEDS:
        held: list[Any] = [None] * len(gold)
        for a, b in KFold(n_splits=2, shuffle=True, random_state=seed).split(np.arange(n_docs)):
            ia = np.where(np.isin(doc_of, a))[0]
            ib = np.where(np.isin(doc_of, b))[0]
            g = _tune(grid, score, ia)
            for i in ib:
                held[i] = predict(g, i)
        res.append(metric(gold, held))
    m = np.mean(res, axis=0)
    return float(m[0]), float(m[1])


def run_rc(cache: dict[str, Any], data: Any, names: list[str] | None) -> None:
    from pmscore.resources import read_json

    conf = read_json("ml.json")["rootcause"]
    cw, cm = float(conf["rule_weight"]), float(conf.get("min_margin", 0.0))
    rows = cache["dev"]
    gold = [r["gold"]["root_cause"]["specificity"] for r in rows]
    rule = [r["rc"]["specificity"] for r in rows]
    ma, ns = rc_metrics(gold, rule)
    print(f"RC rules only: macro {ma:.3f} not-specific {ns:.3f}")
    X, y = rc_examples(data.documents, data.rc_sentences)
    xs = [{"text": r["rc"]["text"], "context": r["rc"]["context"],
           "services": list(r["rc"]["services"])} for r in rows]
    for name, make in rc_candidates().items():
        if names and name not in names:
            continue
        m = make().fit(X, y)
        classes = [str(c) for c in m.classes_]
        probas = [dict(zip(classes, map(float, p))) for p in m.predict_proba(xs)]

        def predict(g: tuple[float, float], i: int) -> str:
            return combine_rc(rule[i], probas[i], *g)

        def score(g: tuple[float, float], idx: np.ndarray) -> tuple[float, float]:
            return rc_metrics([gold[i] for i in idx], [predict(g, i) for i in idx])

        allx = np.arange(len(rows))
        alone = rc_metrics(gold, [predict((0.0, 0.0), i) if rule[i] != "missing" else "missing"
                                  for i in allx])
        fixed = score((cw, cm), allx)
        best = _tune(RC_GRID, score, allx)
        cv = _cv2(len(rows), allx, RC_GRID, score, predict, gold, rc_metrics)
        print(f"RC {name:16s} model alone {alone[0]:.3f}/{alone[1]:.3f}  ml.json w={cw} m={cm}: "
              f"{fixed[0]:.3f}/{fixed[1]:.3f}  tuned {best}: {score(best, allx)[0]:.3f}/"
              f"{score(best, allx)[1]:.3f}  cv2 {cv[0]:.3f}/{cv[1]:.3f}", flush=True)


def run_ai(cache: dict[str, Any], data: Any, names: list[str] | None) -> None:
    from pmscore.resources import read_json

    conf = read_json("ml.json")["actions"]
    cw, ct = float(conf["rule_weight"]), float(conf.get("threshold", 0.5))
    rows = cache["dev"]
    pairs = matched_items(rows)
    gold = [g for _, _, g in pairs]
    rule = [(rows[d]["items"][b]["actionable"], rows[d]["items"][b]["confidence"])
            for d, b, _ in pairs]
    texts = [rows[d]["items"][b]["text"] for d, b, _ in pairs]
    doc_of = np.array([d for d, _, _ in pairs])
    act, non = ai_metrics(gold, [r[0] for r in rule])
    print(f"AI rules only ({len(pairs)} matched): actionable {act:.3f} non-actionable {non:.3f}")
    X, y = ai_examples(data.documents, data.ai_sentences)
    allx = np.arange(len(pairs))
    for name, make in ai_candidates().items():
        if names and name not in names:
            continue
        m = make().fit(X, y)
        pos = [bool(c) if not isinstance(c, str) else c == "True" for c in m.classes_].index(True)
        p = m.predict_proba(texts)[:, pos]

        def predict(g: tuple[float, float], i: int) -> bool:
            return combine_ai(rule[i][0], rule[i][1], float(p[i]), *g)

        def score(g: tuple[float, float], idx: np.ndarray) -> tuple[float, float]:
            return ai_metrics([gold[i] for i in idx], [predict(g, i) for i in idx])

        alone = score((0.0, 0.5), allx)
        fixed = score((cw, ct), allx)
        best = _tune(AI_GRID, score, allx)
        cv = _cv2(len(rows), doc_of, AI_GRID, score, predict, gold, ai_metrics)
        print(f"AI {name:10s} model alone {alone[0]:.3f}/{alone[1]:.3f}  ml.json w={cw} t={ct}: "
              f"{fixed[0]:.3f}/{fixed[1]:.3f}  tuned {best}: {score(best, allx)[0]:.3f}/"
              f"{score(best, allx)[1]:.3f}  cv2 {cv[0]:.3f}/{cv[1]:.3f}", flush=True)


def run_grade(cache: dict[str, Any]) -> None:
    from sklearn.ensemble import HistGradientBoostingRegressor  # noqa: F401
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler

    rows = cache["dev"]
    gold = [int(r["gold"]["grade"]) for r in rows]
    rule = [int(r["rule_grade"]) if r["is_postmortem"] else 1 for r in rows]

    def qwk(p: list[int]) -> float:
        return float(cohen_kappa_score(gold, p, weights="quadratic", labels=[1, 2, 3, 4, 5]))

    print(f"GRADE rules threshold: QWK {qwk(rule):.3f}")
    cx = [dict(f, rule_grade=float(rg)) for f, _, rg in cache["corpus_grade"]]
    cy = [g for _, g, _ in cache["corpus_grade"]]
    print(f"GRADE rules on corpus: QWK "
          f"{cohen_kappa_score(cy, [r for _, _, r in cache['corpus_grade']], weights='quadratic'):.3f}")
    dx = [dict(r["features"], rule_grade=float(r["rule_grade"])) for r in rows]
    cands: dict[str, Any] = {"current": estimators.grade_model()}
    for a in (0.0, 0.25, 0.5, 0.75, 1.0):
        cands[f"blend_rule{a}"] = estimators.RuleBlendGrade(alpha=1.0, rule_weight=a)
    for C in (0.03, 0.1, 0.3, 1.0):
        cands[f"logreg_C{C}"] = Pipeline([("vec", DictVectorizer()), ("scale", MaxAbsScaler()),
                                          ("clf", LogisticRegression(C=C, max_iter=5000,
                                                                     random_state=0))])
    for a in (1.0, 3.0, 10.0, 30.0):
        cands[f"ridge_a{a}"] = Pipeline([("vec", DictVectorizer()), ("scale", MaxAbsScaler()),
                                         ("clf", Ridge(alpha=a))])
    for name, m in cands.items():
        m.fit(cx, cy)
        clf = m.steps[-1][1] if hasattr(m, "steps") else m
        if hasattr(clf, "predict_proba"):
            P = m.predict_proba(dx)
            ev = P @ np.array([int(c) for c in m.classes_], dtype=float)
        else:
            ev = m.predict(dx)
        pred = [int(min(5, max(1, round(v)))) for v in ev]
        pm = [p if r["is_postmortem"] else 1 for p, r in zip(pred, rows)]
        blend = [int(min(5, max(1, round((v + g) / 2)))) for v, g in zip(ev, rule)]
        print(f"GRADE {name:14s} QWK {qwk(pm):.3f}  blend-with-rules {qwk(blend):.3f}")


def main() -> None:
    global CACHE, CROSS  # noqa: PLW0603 (set once from the command line / data/ml.json)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["cache", "run", "rc", "ai", "grade", "section"])
    ap.add_argument("--floors", nargs="*", type=float, default=[0.8, 0.9])
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/tune"))
    ap.add_argument("--dev", type=Path, default=Path("../shared/realworld/dev.jsonl"))
    ap.add_argument("--only", nargs="*", help="candidate names to run")
    ap.add_argument("--cache", type=Path, default=CACHE,
                    help="where the rules-only analyses are kept (default /tmp/tune/cache.pkl)")
    ap.add_argument("--ai-weights", nargs="*", type=float, default=None,
                    help="action rule weights the grid (and each CV fold) may choose from")
    ap.add_argument("--ai-thresholds", nargs="*", type=float, default=None,
                    help="action thresholds the grid may choose from; one value (0.5) fixes "
                         "it, so the CV measures tuning the rule weight alone")
    ap.add_argument("--cross", choices=["yes", "no"], default=None,
                    help="override rootcause.model_decides_specific of data/ml.json")
    args = ap.parse_args()
    CACHE = args.cache
    if args.ai_weights or args.ai_thresholds:
        ws = args.ai_weights or sorted({w for w, _ in AI_GRID})
        ts = args.ai_thresholds or sorted({t for _, t in AI_GRID})
        AI_GRID[:] = [(w, t) for w in ws for t in ts]
    if args.what == "cache":
        build_cache(args.corpus, args.dev)
        return
    from pmscore.resources import read_json

    CROSS = bool(read_json("ml.json")["rootcause"].get("model_decides_specific", True))
    if args.cross is not None:
        CROSS = args.cross == "yes"
    cache = pickle.loads(CACHE.read_bytes())
    for r in cache["dev"]:
        # labels.build reports no root cause / no items for a non-postmortem: so does evaluate
        if r["pred_labels"]["root_cause"]["specificity"] == "missing":
            r["rc"]["specificity"] = "missing"
        if not r["pred_labels"]["action_items"]:
            r["items"] = []
    data, _ = load([str(p) for p in _corpus_files(args.corpus)])
    if args.what in ("run", "rc"):
        run_rc(cache, data, args.only)
    if args.what in ("run", "ai"):
        run_ai(cache, data, args.only)
    if args.what in ("run", "grade"):
        run_grade(cache)
    if args.what == "section":
        run_section(cache, data, args.floors)


def run_section(cache: dict[str, Any], data: Any, floors: list[float]) -> None:
    """Section macro-F1 and action-item detection F1 on dev with the section model at floors."""
    from pmscore.evaluate import compare
    from pmscore.ml import runtime
    from pmscore.ml.train import fit_components
    from pmscore.pipeline import grade

    rows = cache["dev"]
    gold = [r["gold"] for r in rows]
    m = compare(gold, [r["pred_labels"] for r in rows])
    print(f"SECTION rules only: section {m['section_macro_f1']:.3f} detection "
          f"{m['action_items']['detection_f1']:.3f}", flush=True)
    sec = fit_components(data, data.documents).section
    base = runtime.read_json("ml.json")
    for floor in floors:
        conf = dict(base, section={"min_confidence": floor})
        runtime._combine = lambda conf=conf: conf  # type: ignore[assignment]
        models = runtime.Models(section=sec)
        pred = [grade(g["text"], models=models).labels for g in gold]
        m = compare(gold, pred)
        print(f"SECTION floor {floor}: section {m['section_macro_f1']:.3f} detection "
              f"{m['action_items']['detection_f1']:.3f} summary {m['summary_mean_accuracy']:.3f}",
              flush=True)


if __name__ == "__main__":
    main()
