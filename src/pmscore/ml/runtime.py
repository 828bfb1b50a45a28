"""Loading the trained models and joining their votes with the rules.

The models never replace the rules' explanations: a finding still names the span and the
reason, and the model only moves a judgement the rules were unsure of. ``Models`` is a plain
container of fitted estimators; :func:`load_models` verifies the directory first
(:mod:`pmscore.ml.store`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pmscore.ml import store
from pmscore.resources import read_json
from pmscore.types import ActionItem, RootCause

ARTIFACTS = {"section": "section.joblib", "rootcause": "rootcause.joblib",
             "actions": "actions.joblib", "grade": "grade.joblib"}
#: the compiled form of each artifact (arrays only; preferred when the manifest lists it)
COMPILED = {key: name.replace(".joblib", ".npz") for key, name in ARTIFACTS.items()}


def _chosen(manifest: dict[str, Any]) -> dict[str, str]:
    """Per model, the artifact to load: the compiled one when listed, else the pickle."""
    listed = manifest["artifacts"]
    out = {}
    for key, name in ARTIFACTS.items():
        if COMPILED[key] in listed:
            out[key] = COMPILED[key]
        elif name in listed:
            out[key] = name
    return out


@dataclass(frozen=True)
class Models:
    """Fitted estimators (any may be None when a directory holds only some of them)."""

    section: Any = None
    rootcause: Any = None
    actions: Any = None
    grade: Any = None
    directory: str = ""

    # -- section classifier: the hook pmscore.sections.classify expects
    def classify_blocks(self, texts: list[str]) -> list[tuple[str, float]]:
        if self.section is None or not texts:
            return [("other", 0.0)] * len(texts)
        proba = self.section.predict_proba(texts)
        classes = list(self.section.classes_)
        floor = float(_combine()["section"]["min_confidence"])
        out = []
        for row in proba:
            i = int(row.argmax())
            p = float(row[i])
            # abstain (confidence 0) when unsure, so the content rules decide
            out.append((str(classes[i]), p if p >= floor else 0.0))
        return out


def default_model_dir() -> Path | None:
    """``$PMSCORE_MODELS``, else the repository's ``models/`` next to ``src/``."""
    env = os.environ.get("PMSCORE_MODELS")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "models"
        if (cand / store.MANIFEST).is_file():
            return cand
        if (parent / "pyproject.toml").is_file():
            break
    return None


def load_models(model_dir: str | Path, trust: bool = False) -> Models:
    """Verify and load every model the manifest lists (raises ModelError on any doubt).

    A compiled model (``.npz``) is preferred: it loads without unpickling and without
    importing scikit-learn. A directory with pickles only (a custom estimator that could not
    be compiled) loads them, verified, through :func:`pmscore.ml.store.load_artifact`.
    """
    from pmscore.ml import linear

    d = Path(model_dir)
    manifest = store.read_manifest(d)
    _check_unused(d, manifest)
    loaded: dict[str, Any] = {}
    for key, name in _chosen(manifest).items():
        if store.is_pickle(name):
            loaded[key] = store.load_artifact(d, name, manifest, trust=trust)
        else:
            data = store.verify_artifact(d, name, manifest, trust=trust)
            loaded[key] = linear.load(data, str(d / name))
    return Models(directory=str(d), **loaded)


def verify_models(model_dir: str | Path, trust: bool = False) -> None:
    """Check a model directory as :func:`load_models` would, without unpickling anything."""
    d = Path(model_dir)
    manifest = store.read_manifest(d)
    _check_unused(d, manifest)
    for name in _chosen(manifest).values():
        store.verify_artifact(d, name, manifest, trust=trust)


def _check_unused(d: Path, manifest: dict[str, Any]) -> None:
    """Hash-check the listed artifacts grading does not load (the pickled twins of compiled
    models): a directory is accepted only when every file its manifest lists is intact."""
    chosen = set(_chosen(manifest).values())
    for name in sorted(manifest["artifacts"]):
        if name not in chosen:
            store.read_verified(d, name, manifest)


@lru_cache(maxsize=1)
def default_models() -> Models | None:
    """The packaged models, loaded once per process; None when there are none."""
    d = default_model_dir()
    if d is None:
        return None
    return load_models(d)


def _combine() -> dict[str, float]:
    return read_json("ml.json")


def combine_rootcause(rc: RootCause, models: Models, context: str,
                      services: tuple[str, ...]) -> RootCause:
    """Vote between the rule's specificity and the model's probabilities.

    ``missing`` (no statement) stays the rules' call. Otherwise the rule's label counts as a
    one-hot vote of weight ``rule_weight`` against the model's probabilities, and the model's
    label wins only when its vote beats the rule's by at least ``min_margin``: the model was
    trained on generated text and is about as good as the rules on real text, so it should
    only overturn them when it is clearly confident (data/ml.json). Unless
    ``model_decides_specific`` is true, the model may not move a statement across the
    specific / not-specific line (the rules' named-specifics test decides that; on real text the
    model's overrides there fixed as many statements as they broke); it only separates partial
    from vague.
    """
    if models.rootcause is None or rc.specificity == "missing" or not rc.text.strip():
        return rc
    conf = _combine()["rootcause"]
    w = float(conf["rule_weight"])
    margin = float(conf.get("min_margin", 0.0))
    cross = bool(conf.get("model_decides_specific", True))
    x = [{"text": rc.text, "context": context, "services": list(services)}]
    proba = models.rootcause.predict_proba(x)[0]
    classes = [str(c) for c in models.rootcause.classes_]
    votes = {c: (1 - w) * float(p) for c, p in zip(classes, proba)}
    votes[rc.specificity] = votes.get(rc.specificity, 0.0) + w
    best = max(votes, key=lambda c: votes[c])
    probs = {c: round(float(p), 3) for c, p in zip(classes, proba)}
    crosses = (best == "specific") != (rc.specificity == "specific")
    if (best == rc.specificity or votes[best] - votes[rc.specificity] < margin
            or (crosses and not cross)):
        return replace(rc, probability=probs)
    reason = f"{rc.reason}; model vote: {best} (p={probs.get(best, 0):.2f})".lstrip("; ")
    return replace(rc, specificity=best, probability=probs, reason=reason)  # type: ignore[arg-type]


def combine_actions(items: tuple[ActionItem, ...], models: Models) -> tuple[ActionItem, ...]:
    """Average the rule's confidence-weighted vote with the model's probability.

    ``rule_weight`` weighs the rule's vote; the item is actionable when the weighted average
    reaches ``threshold`` (data/ml.json). The confidence kept is the averaged probability of
    the side chosen.
    """
    if models.actions is None or not items:
        return items
    conf = _combine()["actions"]
    w = float(conf["rule_weight"])
    thr = float(conf.get("threshold", 0.5))
    classes = [bool(c) if not isinstance(c, str) else c == "True" for c in models.actions.classes_]
    pos = classes.index(True)
    proba = models.actions.predict_proba([a.text for a in items])[:, pos]
    out = []
    for a, p in zip(items, proba):
        rule_p = a.confidence if a.actionable else 1.0 - a.confidence
        combined = w * rule_p + (1 - w) * float(p)
        actionable = combined >= thr
        if actionable != a.actionable:
            a = replace(a, actionable=actionable,
                        reason=f"{a.reason}; model vote p(actionable)={float(p):.2f}".lstrip("; "))
        out.append(replace(a, confidence=round(combined if actionable else 1 - combined, 3)))
    return tuple(out)


def predict_grade(models: Models, features: dict[str, float]) -> int | None:
    """The grade model's grade (expected value of its class probabilities, rounded)."""
    if models.grade is None:
        return None
    proba = models.grade.predict_proba([features])[0]
    classes = [int(c) for c in models.grade.classes_]
    expected = sum(c * float(p) for c, p in zip(classes, proba))
    return int(min(5, max(1, round(expected))))
