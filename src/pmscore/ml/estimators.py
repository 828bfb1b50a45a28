"""The scikit-learn pipelines. Each is one estimator, so one artifact holds the whole model.

Feature functions are module-level (picklable by reference) and stateless; learned state is
only in the fitted vectorizers and classifiers. Every random_state is fixed so that training
on the same corpus gives the same artifacts, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler

SEED = 0


def _texts(X: Sequence[Any]) -> list[str]:
    return [x["text"] if isinstance(x, dict) else str(x) for x in X]


def _rc_dicts(X: Sequence[Any]) -> list[dict[str, float]]:
    from pmscore.features import rootcause_features

    out = []
    for x in X:
        if isinstance(x, dict):
            out.append(rootcause_features(x["text"], x.get("context", ""),
                                          tuple(x.get("services", ()))))
        else:
            out.append(rootcause_features(str(x)))
    return out


def _ai_dicts(X: Sequence[Any]) -> list[dict[str, float]]:
    from pmscore.features import action_features

    return [action_features(t) for t in _texts(X)]


def _block_dicts(X: Sequence[Any]) -> list[dict[str, float]]:
    """Shape features of a block: where a timestamp is, list item or not, length."""
    import re

    out = []
    for x in X:
        t = x["text"] if isinstance(x, dict) else str(x)
        out.append({
            "starts_with_time": float(bool(re.match(r"\s*(\d{1,2}[:.h]\d{2}|\d{1,2}\s*[ap]\.?m)",
                                                    t, re.I))),
            "has_time": float(bool(re.search(r"\b\d{1,2}:\d{2}\b", t))),
            "log_words": math.log1p(len(t.split())),
            "list_item": float(bool(x.get("list_item")) if isinstance(x, dict) else 0.0),
            "position": float(x.get("position", 0.0)) if isinstance(x, dict) else 0.0,
        })
    return out


def _tfidf(**kw: Any) -> TfidfVectorizer:
    return TfidfVectorizer(lowercase=True, sublinear_tf=True, dtype="float64", **kw)


def section_classifier() -> Pipeline:
    """Label of an unheaded block (summary, impact, timeline, ..., other)."""
    return Pipeline([
        ("features", FeatureUnion([
            ("words", Pipeline([("text", FunctionTransformer(_texts)),
                                ("tfidf", _tfidf(ngram_range=(1, 2), min_df=2))])),
            ("chars", Pipeline([("text", FunctionTransformer(_texts)),
                                ("tfidf", _tfidf(analyzer="char_wb", ngram_range=(3, 5),
                                                 min_df=3, max_features=30000))])),
            ("shape", Pipeline([("dicts", FunctionTransformer(_block_dicts)),
                                ("vec", DictVectorizer()), ("scale", MaxAbsScaler())])),
        ])),
        ("clf", LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced",
                                   random_state=SEED)),
    ])


def rootcause_classifier() -> Pipeline:
    """Specificity of a root-cause statement (specific / partial / vague), given it exists."""
    return Pipeline([
        ("features", FeatureUnion([
            ("words", Pipeline([("text", FunctionTransformer(_texts)),
                                ("tfidf", _tfidf(ngram_range=(1, 2), min_df=2))])),
            ("cues", Pipeline([("dicts", FunctionTransformer(_rc_dicts)),
                               ("vec", DictVectorizer()), ("scale", MaxAbsScaler())])),
        ])),
        ("clf", LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced",
                                   random_state=SEED)),
    ])


def action_classifier() -> Pipeline:
    """Whether an action item is actionable (binary)."""
    return Pipeline([
        ("features", FeatureUnion([
            ("words", Pipeline([("text", FunctionTransformer(_texts)),
                                ("tfidf", _tfidf(ngram_range=(1, 2), min_df=2))])),
            ("cues", Pipeline([("dicts", FunctionTransformer(_ai_dicts)),
                               ("vec", DictVectorizer()), ("scale", MaxAbsScaler())])),
        ])),
        ("clf", LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced",
                                   random_state=SEED)),
    ])


def grade_model() -> Pipeline:
    """Grade 1-5 from report features (rule findings, facts, entity counts, length)."""
    return Pipeline([
        ("vec", DictVectorizer()),
        ("scale", MaxAbsScaler()),
        ("clf", LogisticRegression(C=1.0, max_iter=5000, random_state=SEED)),
    ])


def wordcount_baseline() -> Pipeline:
    """The floor: grade from document length alone."""
    return Pipeline([
        ("vec", DictVectorizer()),
        ("clf", LogisticRegression(C=1.0, max_iter=5000, random_state=SEED)),
    ])
