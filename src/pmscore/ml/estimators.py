"""The scikit-learn pipelines. Each is one estimator, so one artifact holds the whole model.

Feature functions are module-level (picklable by reference) and stateless; learned state is
only in the fitted vectorizers and classifiers. Every random_state is fixed so that training
on the same corpus gives the same artifacts, byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler

from pmscore.ml.featurefns import _ai_dicts, _block_dicts, _rc_dicts, _texts
from pmscore.ml.linear import spread

SEED = 0


def _tfidf(**kw: Any) -> TfidfVectorizer:
    return TfidfVectorizer(lowercase=True, sublinear_tf=True, dtype=np.float64, **kw)


def section_classifier() -> Pipeline:
    """Label of an unheaded block (summary, impact, timeline, ..., other).

    Word unigrams and bigrams plus shape features. A character 3-5-gram block used to be part
    of it: it made the artifact 2.9 MB and every worker larger, and changed no prediction on the
    real dev set (with or without it, the section figures are identical; the model only speaks
    at confidence 0.9, data/ml.json), so it was dropped.
    """
    return Pipeline([
        ("features", FeatureUnion([
            ("words", Pipeline([("text", FunctionTransformer(_texts)),
                                ("tfidf", _tfidf(ngram_range=(1, 2), min_df=2))])),
            ("shape", Pipeline([("dicts", FunctionTransformer(_block_dicts)),
                                ("vec", DictVectorizer()), ("scale", MaxAbsScaler())])),
        ])),
        ("clf", LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced",
                                   random_state=SEED)),
    ])


def rootcause_classifier() -> Pipeline:
    """Specificity of a root-cause statement (specific / partial / vague), given it exists.

    Single words (in at least 3 statements) plus the cue features of
    :func:`pmscore.features.rootcause_features` (specifics and vague phrases in the statement
    and in the whole document), strongly regularised (C=0.1). Word bigrams and weaker
    regularisation reach ~0.97 CV on the templated corpus but memorise the templates' wording
    and did worse on real postmortems (scripts/tune_ml.py; README Accuracy).
    """
    return Pipeline([
        ("features", FeatureUnion([
            ("words", Pipeline([("text", FunctionTransformer(_texts)),
                                ("tfidf", _tfidf(ngram_range=(1, 1), min_df=3))])),
            ("cues", Pipeline([("dicts", FunctionTransformer(_rc_dicts)),
                               ("vec", DictVectorizer()), ("scale", MaxAbsScaler())])),
        ])),
        ("clf", LogisticRegression(C=0.1, max_iter=3000, class_weight="balanced",
                                   random_state=SEED)),
    ])


def action_classifier() -> Pipeline:
    """Whether an action item is actionable (binary).

    Single words (in at least 3 items) plus the cue features, strongly regularised (C=0.1):
    with bigrams or weaker regularisation the model fits the corpus templates and its
    probabilities are overconfident on real text, which hurt the vote with the rules.
    """
    return Pipeline([
        ("features", FeatureUnion([
            ("words", Pipeline([("text", FunctionTransformer(_texts)),
                                ("tfidf", _tfidf(ngram_range=(1, 1), min_df=3))])),
            ("cues", Pipeline([("dicts", FunctionTransformer(_ai_dicts)),
                               ("vec", DictVectorizer()), ("scale", MaxAbsScaler())])),
        ])),
        ("clf", LogisticRegression(C=0.1, max_iter=3000, class_weight="balanced",
                                   random_state=SEED)),
    ])


class OrdinalRidge(ClassifierMixin, BaseEstimator):
    """Ordinal grade as a ridge regression, exposed as a classifier over the grade range.

    The grade is ordered (a 2 is closer to a 3 than to a 5), which multinomial logistic
    regression ignores; a regression on the grade number respects it and did better on real
    postmortems. ``predict_proba`` spreads the clipped regression value over its two nearest
    grades, so that the expected value of the distribution *is* the regression value and callers
    that take the expected grade (``runtime.predict_grade``) get the regression + rounding.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: Any, y: Sequence[int]) -> OrdinalRidge:
        yy = np.asarray(y, dtype=float)
        self.reg_ = Ridge(alpha=self.alpha).fit(X, yy)
        self.classes_ = np.arange(int(yy.min()), int(yy.max()) + 1)
        return self

    def expected(self, X: Any) -> np.ndarray:
        """The regression value, clipped to the grade range seen in training."""
        return np.clip(self.reg_.predict(X), self.classes_[0], self.classes_[-1])

    def predict_proba(self, X: Any) -> np.ndarray:
        return spread(self.expected(X), self.classes_)

    def predict(self, X: Any) -> np.ndarray:
        return np.floor(self.expected(X) + 0.5).astype(int)


class RuleBlendGrade(ClassifierMixin, BaseEstimator):
    """The rules' threshold grade averaged with a learned ordinal grade, as a classifier.

    Input: report-feature dicts (:func:`pmscore.ml.gradefeatures.report_features`), which carry
    the rules' grade as ``rule_grade``. The learned part (:class:`OrdinalRidge` on every other
    feature) and the rule grade are averaged with weight ``rule_weight`` on the rule. At 0.5,
    after rounding, the model moves the rules' grade only when it disagrees by a whole grade or
    more: on real postmortems the learned grade alone was no better than the rules' grade
    (QWK within +-0.01, one half of dev better, the other worse), so it only gets a say when it
    clearly disagrees. ``predict_proba`` / ``classes_`` follow :class:`OrdinalRidge`, so the
    expected value of the distribution is the blended grade.
    """

    def __init__(self, alpha: float = 1.0, rule_weight: float = 0.5) -> None:
        self.alpha = alpha
        self.rule_weight = rule_weight

    @staticmethod
    def _split(X: Sequence[dict[str, float]]) -> tuple[list[dict[str, float]], np.ndarray]:
        feats = [{k: v for k, v in x.items() if k != "rule_grade"} for x in X]
        rule = np.array([float(x.get("rule_grade", np.nan)) for x in X])
        return feats, rule

    def fit(self, X: Sequence[dict[str, float]], y: Sequence[int]) -> RuleBlendGrade:
        feats, _ = self._split(X)
        self.model_ = Pipeline([("vec", DictVectorizer()), ("scale", MaxAbsScaler()),
                                ("clf", OrdinalRidge(alpha=self.alpha))]).fit(feats, y)
        self.classes_ = self.model_.classes_
        return self

    def expected(self, X: Sequence[dict[str, float]]) -> np.ndarray:
        feats, rule = self._split(X)
        learned = self.model_.steps[-1][1].expected(self.model_[:-1].transform(feats))
        # a report without the rule grade (older feature sets): the learned grade alone
        rule = np.where(np.isnan(rule), learned, rule)
        return self.rule_weight * rule + (1.0 - self.rule_weight) * learned

    def predict_proba(self, X: Sequence[dict[str, float]]) -> np.ndarray:
        return spread(self.expected(X), self.classes_)

    def predict(self, X: Sequence[dict[str, float]]) -> np.ndarray:
        return np.floor(self.expected(X) + 0.5).astype(int)


def grade_model() -> RuleBlendGrade:
    """Grade 1-5 from report features (rule findings, facts, entity counts, length).

    :class:`RuleBlendGrade`: the rules' grade and a ridge regression on the grade, averaged
    with the weight of ``grade.rule_weight`` in data/ml.json (read at construction, so the
    fitted artifact carries it).
    """
    from pmscore.resources import read_json

    conf = read_json("ml.json").get("grade", {})
    return RuleBlendGrade(alpha=float(conf.get("alpha", 1.0)),
                          rule_weight=float(conf.get("rule_weight", 0.5)))


def wordcount_baseline() -> Pipeline:
    """The floor: grade from document length alone."""
    return Pipeline([
        ("vec", DictVectorizer()),
        ("clf", LogisticRegression(C=1.0, max_iter=5000, random_state=SEED)),
    ])
