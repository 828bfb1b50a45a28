"""Compile fitted scikit-learn pipelines into :mod:`pmscore.ml.linear` models (training time).

Only the structures :mod:`pmscore.ml.estimators` builds are accepted; anything else (another
analyzer, stop words, a non-linear classifier, a custom input function) raises
:class:`Uncompilable`, and :func:`pmscore.ml.train.train` then ships the joblib artifact alone,
which pmscore still loads (verified) the slower way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler

from pmscore.ml import linear
from pmscore.ml.estimators import RuleBlendGrade
from pmscore.ml.featurefns import function_name


class Uncompilable(ValueError):
    """The estimator has a structure the compiled form cannot reproduce exactly."""


def _input_name(step: Any) -> str:
    if not isinstance(step, FunctionTransformer) or step.kw_args or step.inverse_func:
        raise Uncompilable("a block must start with a FunctionTransformer of ours")
    name = function_name(step.func)
    if name is None:
        raise Uncompilable(f"unknown input function {step.func!r}")
    return name


def _tfidf_block(name: str, vec: TfidfVectorizer, i: int, arrays: dict[str, np.ndarray]
                 ) -> dict[str, Any]:
    ok = (vec.analyzer in ("word", "char_wb") and vec.lowercase and vec.strip_accents is None
          and vec.preprocessor is None and vec.tokenizer is None and vec.stop_words is None
          and vec.norm == "l2" and vec.use_idf and vec.binary is False
          and (vec.analyzer != "word" or vec.token_pattern == r"(?u)\b\w\w+\b"))
    if not ok:
        raise Uncompilable(f"TfidfVectorizer configuration not supported: {vec!r}")
    terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    arrays[f"b{i}_terms"] = linear.pack_terms(terms)
    arrays[f"b{i}_idf"] = np.asarray(vec.idf_, dtype=np.float64)
    return {"type": "tfidf", "input": name, "analyzer": vec.analyzer,
            "ngram_range": list(vec.ngram_range), "token_pattern": vec.token_pattern,
            "sublinear_tf": bool(vec.sublinear_tf)}


def _dict_block(name: str, steps: list[Any], i: int, arrays: dict[str, np.ndarray]
                ) -> dict[str, Any]:
    vec = steps[0]
    if not isinstance(vec, DictVectorizer) or len(steps) > 2:
        raise Uncompilable("a dict block is DictVectorizer [-> MaxAbsScaler]")
    names = vec.get_feature_names_out()
    scale = np.ones(len(names))
    if len(steps) == 2:
        if not isinstance(steps[1], MaxAbsScaler):
            raise Uncompilable("only MaxAbsScaler may follow a DictVectorizer")
        scale = np.asarray(steps[1].scale_, dtype=np.float64)
    arrays[f"b{i}_terms"] = linear.pack_terms([str(n) for n in names])
    arrays[f"b{i}_scale"] = scale
    return {"type": "dict", "input": name, "separator": vec.separator}


def _block(step: Any, i: int, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    if not isinstance(step, Pipeline):
        raise Uncompilable("a feature block must be a Pipeline")
    steps = [s for _, s in step.steps]
    name = _input_name(steps[0])
    if len(steps) == 2 and isinstance(steps[1], TfidfVectorizer):
        return _tfidf_block(name, steps[1], i, arrays)
    return _dict_block(name, steps[1:], i, arrays)


def _classes(classes: np.ndarray) -> tuple[np.ndarray, str]:
    values = classes.tolist()
    if all(isinstance(c, bool) for c in values):
        return np.array([str(c) for c in values]), "bool"
    if all(isinstance(c, int) for c in values):
        return np.array([str(c) for c in values]), "int"
    return np.array([str(c) for c in values]), "str"


def compile_model(model: Any) -> bytes:
    """The ``.npz`` bytes of the compiled form of ``model`` (raises :class:`Uncompilable`)."""
    arrays: dict[str, np.ndarray] = {}
    if isinstance(model, RuleBlendGrade):
        steps = [s for _, s in model.model_.steps]
        if len(steps) != 3 or not isinstance(steps[1], MaxAbsScaler):
            raise Uncompilable("grade model: DictVectorizer -> MaxAbsScaler -> OrdinalRidge")
        block = _dict_block("texts", steps[:2], 0, arrays)
        block["input"] = "identity"
        reg = steps[2].reg_
        arrays["coef"] = np.asarray(reg.coef_, dtype=np.float64)
        arrays["intercept"] = np.asarray(reg.intercept_, dtype=np.float64)
        arrays["classes"], ctype = _classes(np.asarray(steps[2].classes_))
        meta = {"kind": "blend", "blocks": [block], "classes_type": ctype,
                "rule_weight": float(model.rule_weight)}
        return linear.save(meta, arrays)
    if not isinstance(model, Pipeline) or len(model.steps) != 2:
        raise Uncompilable("expected Pipeline([features, LogisticRegression])")
    feats, clf = model.steps[0][1], model.steps[1][1]
    if not isinstance(clf, LogisticRegression):
        raise Uncompilable("the classifier must be a LogisticRegression")
    parts = ([s for _, s in feats.transformer_list] if isinstance(feats, FeatureUnion)
             else [feats])
    if isinstance(feats, FeatureUnion) and feats.transformer_weights:
        raise Uncompilable("weighted FeatureUnion not supported")
    blocks = [_block(p, i, arrays) for i, p in enumerate(parts)]
    arrays["coef"] = np.asarray(clf.coef_, dtype=np.float64)
    arrays["intercept"] = np.asarray(clf.intercept_, dtype=np.float64)
    arrays["classes"], ctype = _classes(np.asarray(clf.classes_))
    return linear.save({"kind": "logistic", "blocks": blocks, "classes_type": ctype}, arrays)
