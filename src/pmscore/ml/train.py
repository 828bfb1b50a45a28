"""Fitting all models from labelled JSONL and writing a verified model directory.

Inputs are annotation-guide documents (``{"text", ...labels}``) and optional sentence-level
sets: ``{"text", "specificity"}`` (root causes), ``{"text", "actionable"}`` (action items),
``{"text", "label"}`` (unheaded section blocks). Everything is seeded (``SEED``) and written so
that training twice on the same corpus gives byte-identical artifacts.

The grade model is trained on *out-of-fold* report features: the documents of each fold are
graded with component models fitted on the other folds, so the grade model learns from the
kind of (imperfect) component predictions it will see on new text.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score, f1_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

from pmscore.errors import PmscoreError
from pmscore.ml import estimators, export, store
from pmscore.ml.runtime import ARTIFACTS, COMPILED, Models

SEED = estimators.SEED
BASELINE = "baseline.joblib"
_BLOCK_KINDS = {"paragraph", "list_item", "label", "table_row", "html"}


@dataclass
class TrainingData:
    """The examples each model learns from, gathered from all input files."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    rc_sentences: list[tuple[str, str]] = field(default_factory=list)
    ai_sentences: list[tuple[str, bool]] = field(default_factory=list)
    block_sentences: list[tuple[str, str]] = field(default_factory=list)


def load(paths: list[str | Path]) -> tuple[TrainingData, str]:
    """Read the JSONL files (dispatching each line by its keys); return data and corpus hash."""
    data = TrainingData()
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise PmscoreError(f"{p}: cannot read ({exc.strerror or exc})", "input-error")
        h.update(p.name.encode() + b"\0" + raw)
        for n, line in enumerate(raw.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PmscoreError(f"{p}:{n}: not JSON ({exc.msg})", "input-error")
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise PmscoreError(f"{p}:{n}: expected an object with a 'text' string",
                                   "input-error")
            if "grade" in obj and "sections" in obj:
                data.documents.append(obj)
            elif "specificity" in obj:
                data.rc_sentences.append((obj["text"], str(obj["specificity"])))
            elif "actionable" in obj:
                data.ai_sentences.append((obj["text"], bool(obj["actionable"])))
            elif "label" in obj:
                data.block_sentences.append((obj["text"], str(obj["label"])))
            else:
                raise PmscoreError(f"{p}:{n}: unknown record kind (keys: {sorted(obj)})",
                                   "input-error")
    if not data.documents:
        raise PmscoreError("no labelled documents in the training files", "input-error")
    return data, h.hexdigest()


def section_examples(docs: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Blocks placed by a heading or inline label, labelled by it (self-supervised)."""
    from pmscore import reader, sections

    X: list[str] = []
    y: list[str] = []
    for d in docs:
        if not d.get("is_postmortem", True):
            continue
        doc = reader.read(d["text"])
        _, secs = sections.classify(doc)
        for s in secs:
            if s.source not in ("heading", "label"):
                continue
            for i in s.block_indices:
                b = doc.blocks[i]
                if b.kind in _BLOCK_KINDS and len(b.text.split()) >= 3:
                    X.append(b.text)
                    y.append(s.label)
    return X, y


def rc_examples(docs: list[dict[str, Any]], extra: list[tuple[str, str]]
                ) -> tuple[list[dict[str, Any]], list[str]]:
    X: list[dict[str, Any]] = []
    y: list[str] = []
    for d in docs:
        rc = d.get("root_cause") or {}
        if d.get("is_postmortem") and rc.get("text", "").strip() and rc.get("specificity") != "missing":
            X.append({"text": rc["text"], "context": d["text"],
                      "services": list(d.get("entities", {}).get("services", []))})
            y.append(rc["specificity"])
    for text, spec in extra:
        if spec != "missing" and text.strip():
            X.append({"text": text, "context": "", "services": []})
            y.append(spec)
    return X, y


def ai_examples(docs: list[dict[str, Any]], extra: list[tuple[str, bool]]
                ) -> tuple[list[str], list[bool]]:
    X = [a["text"] for d in docs for a in d.get("action_items", []) if a.get("text")]
    y = [bool(a["actionable"]) for d in docs for a in d.get("action_items", []) if a.get("text")]
    X += [t for t, _ in extra]
    y += [a for _, a in extra]
    return X, y


def _strip_unpicklable_noise(model: Any) -> Any:
    """Drop what varies between runs from TfidfVectorizer: ``stop_words_`` (a set: its pickle
    order varies) and ``_stop_words_id`` (the ``id()`` of an object, i.e. a memory address;
    scikit-learn reads it with a default, only to skip a repeated consistency warning)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    def walk(obj: Any) -> None:
        if isinstance(obj, TfidfVectorizer):
            for attr in ("stop_words_", "_stop_words_id"):
                if hasattr(obj, attr):
                    delattr(obj, attr)
        for attr in ("steps", "transformer_list"):
            for _, sub in getattr(obj, attr, []) or []:
                walk(sub)

    walk(model)
    return model


def fit_components(data: TrainingData, docs: list[dict[str, Any]]) -> Models:
    """Fit the section, root-cause and action-item models on these documents (+ sentences)."""
    sx, sy = section_examples(docs)
    sx += [t for t, _ in data.block_sentences]
    sy += [lab for _, lab in data.block_sentences]
    rx, ry = rc_examples(docs, data.rc_sentences)
    ax, ay = ai_examples(docs, data.ai_sentences)
    sec = estimators.section_classifier().fit(sx, sy) if len(set(sy)) > 1 else None
    rc = estimators.rootcause_classifier().fit(rx, ry) if len(set(ry)) > 1 else None
    ai = estimators.action_classifier().fit(ax, ay) if len(set(ay)) > 1 else None
    return Models(section=sec, rootcause=rc, actions=ai)


def oof_grade_features(data: TrainingData, folds: int = 5) -> tuple[list[dict[str, float]],
                                                                    list[int]]:
    """Report features of every document, graded by component models from the other folds."""
    from pmscore.ml.gradefeatures import report_features
    from pmscore.pipeline import grade

    docs = data.documents
    feats: list[dict[str, float]] = [{} for _ in docs]
    kf = KFold(n_splits=min(folds, len(docs)), shuffle=True, random_state=SEED)
    fold_data = TrainingData(rc_sentences=data.rc_sentences, ai_sentences=data.ai_sentences,
                             block_sentences=data.block_sentences)
    for train_idx, test_idx in kf.split(docs):
        models = fit_components(fold_data, [docs[i] for i in train_idx])
        for i in test_idx:
            feats[i] = report_features(grade(docs[i]["text"], models=models))
    return feats, [int(d["grade"]) for d in docs]


def _cv_f1(make: Any, X: list[Any], y: list[Any]) -> float | None:
    counts = Counter(y)
    if len(counts) < 2 or min(counts.values()) < 2:
        return None
    cv = StratifiedKFold(n_splits=min(5, min(counts.values())), shuffle=True, random_state=SEED)
    pred = cross_val_predict(make(), X, y, cv=cv)
    return float(f1_score(y, pred, average="macro"))


def train(paths: list[str | Path], out_dir: str | Path, folds: int = 5) -> dict[str, Any]:
    """Fit every model, write artifacts + manifest.json + MODEL_CARD.md; return the manifest."""
    from pmscore.ml.gradefeatures import wordcount_features

    data, corpus_hash = load(paths)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs = data.documents

    final = fit_components(data, docs)
    gx, gy = oof_grade_features(data, folds)
    grade_model = estimators.grade_model().fit(gx, gy)
    bx = [wordcount_features(d["text"]) for d in docs]
    baseline = estimators.wordcount_baseline().fit(bx, gy)

    sx, sy = section_examples(docs)
    sx += [t for t, _ in data.block_sentences]
    sy += [lab for _, lab in data.block_sentences]
    rx, ry = rc_examples(docs, data.rc_sentences)
    ax, ay = ai_examples(docs, data.ai_sentences)
    gcv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    g_pred = cross_val_predict(estimators.grade_model(), gx, gy, cv=gcv)
    b_pred = cross_val_predict(estimators.wordcount_baseline(), bx, gy, cv=gcv)
    cv = {
        "section_macro_f1": _cv_f1(estimators.section_classifier, sx, sy),
        "rootcause_macro_f1": _cv_f1(estimators.rootcause_classifier, rx, ry),
        "actionable_macro_f1": _cv_f1(estimators.action_classifier, ax, [str(v) for v in ay]),
        "grade_qwk": float(cohen_kappa_score(gy, g_pred, weights="quadratic")),
        "baseline_grade_qwk": float(cohen_kappa_score(gy, b_pred, weights="quadratic")),
    }
    artifacts: dict[str, dict[str, Any]] = {}
    for key, name in ARTIFACTS.items():
        model = grade_model if key == "grade" else getattr(final, key)
        if model is not None:
            artifacts[name] = store.dump_artifact(_strip_unpicklable_noise(model), out / name)
            try:
                compiled = export.compile_model(model)
            except export.Uncompilable:
                continue  # pmscore loads the (verified) pickle instead
            artifacts[COMPILED[key]] = store.write_bytes(compiled, out / COMPILED[key])
    artifacts[BASELINE] = store.dump_artifact(baseline, out / BASELINE)
    sizes = {"documents": len(docs), "section_blocks": len(sx), "root_causes": len(rx),
             "action_items": len(ax), "grade_distribution": {str(k): v for k, v in
                                                           sorted(Counter(gy).items())}}
    extra = {"baseline_labels": majority_labels(docs), "corpus_sha256": corpus_hash, "corpus_files": sorted(Path(p).name for p in paths),
             "training_size": sizes, "cv_metrics": cv, "seed": SEED}
    store.write_manifest(out, artifacts, extra)
    manifest = store.read_manifest(out)
    (out / "MODEL_CARD.md").write_text(model_card(manifest), encoding="utf-8")
    return manifest


def majority_labels(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The floor for every non-grade field: its most frequent value in the training corpus."""
    from pmscore.labels import empty_labels

    lab = empty_labels()

    def major(values: list[Any]) -> Any:
        return Counter(values).most_common(1)[0][0]

    lab["is_postmortem"] = major([bool(d["is_postmortem"]) for d in docs])
    for part in ("sections", "summary", "timeline"):
        for k in lab[part]:
            lab[part][k] = major([d[part][k] for d in docs])
    lab["root_cause"]["specificity"] = major([d["root_cause"]["specificity"] for d in docs])
    lab["blame"] = major([bool(d["blame"]) for d in docs])
    lab["prompt_pasted"] = major([bool(d["prompt_pasted"]) for d in docs])
    return lab


def model_card(manifest: dict[str, Any]) -> str:
    """A short model card: what was trained on what, and cross-validated figures."""
    cv = manifest["cv_metrics"]
    size = manifest["training_size"]

    def fmt(v: Any) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    lines = [
        "# pmscore models", "",
        "Trained by `pmscore train` (see `scripts/train`). Load only after the SHA-256 of each",
        "artifact matches `manifest.json`; pmscore refuses anything else.", "",
        "Each `NAME.joblib` (the fitted scikit-learn pipeline, a pickle) has a compiled twin",
        "`NAME.npz` (its vocabularies and weights as plain arrays, read without pickle), which",
        "is what `pmscore grade` loads; `tests/test_compiled.py` checks both give the same",
        "probabilities.", "",
        "## Training data", "",
        f"- corpus files: {', '.join(manifest['corpus_files'])}",
        f"- corpus SHA-256: `{manifest['corpus_sha256']}`",
        f"- documents: {size['documents']}; grade distribution: {size['grade_distribution']}",
        f"- section blocks: {size['section_blocks']}; root-cause statements: "
        f"{size['root_causes']}; action items: {size['action_items']}", "",
        "## Models", "",
        "| artifact | what | estimator |", "|---|---|---|",
        "| section.joblib | label of an unheaded block | TF-IDF word 1-2-grams + shape features -> LogisticRegression |",
        "| rootcause.joblib | specific / partial / vague | word unigrams + cue features -> LogisticRegression (C=0.1); votes with the rules, and only between partial and vague (data/ml.json) |",
        "| actions.joblib | actionable or not | word unigrams + cue features -> LogisticRegression (C=0.1); weighted vote with the rules' confidence (data/ml.json) |",
        "| grade.joblib | grade 1-5 | report features (out-of-fold) -> ridge regression, averaged with the rules' threshold grade (data/ml.json grade.rule_weight) |",
        "| baseline.joblib | grade from length only | log word count -> LogisticRegression |", "",
        "## Cross-validated on the training corpus (5 folds, seed 0)", "",
        "These are *not* accuracy on real text: see the README's Accuracy section for figures",
        "measured on independently labelled real postmortems.", "",
        f"- section macro-F1: {fmt(cv['section_macro_f1'])}",
        f"- root-cause macro-F1: {fmt(cv['rootcause_macro_f1'])}",
        f"- actionable macro-F1: {fmt(cv['actionable_macro_f1'])}",
        f"- grade QWK: {fmt(cv['grade_qwk'])} (word-count baseline {fmt(cv['baseline_grade_qwk'])})",
        "", "## Versions", "",
    ]
    lines += [f"- {k}: {v}" for k, v in sorted(manifest["versions"].items())]
    lines.append("")
    return "\n".join(lines)


def baseline_predict(model_dir: str | Path, texts: list[str], trust: bool = False) -> list[int]:
    """Grades from the verified word-count baseline of a model directory."""
    from pmscore.ml.gradefeatures import wordcount_features

    d = Path(model_dir)
    manifest = store.read_manifest(d)
    model = store.load_artifact(d, BASELINE, manifest, trust=trust)
    return [int(v) for v in np.asarray(model.predict([wordcount_features(t) for t in texts]))]
