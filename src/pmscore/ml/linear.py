"""Compiled linear models: the fitted parameters of our scikit-learn pipelines, as plain arrays.

Why: every model pmscore ships is linear (TF-IDF / dict features -> logistic or ridge
regression), so using one needs only its vocabularies, weights and a dot product. Running the
fitted scikit-learn pipeline instead costs, per call, more in input validation than in
arithmetic (about 40% of grading time), imports scikit-learn and SciPy into every process (a
second of cold start and tens of MB per worker) and means unpickling, i.e. running code from
the model file. A compiled model is an ``.npz`` of numeric and string arrays read with
``allow_pickle=False``: loading it cannot run code.

:mod:`pmscore.ml.export` writes them at training time (from the fitted pipelines, which are
still written as joblib artifacts for inspection and retraining); ``tests/test_compiled.py``
checks that a compiled model's ``predict_proba`` equals the pipeline's on real inputs.

Supported structure (what :mod:`pmscore.ml.estimators` builds)::

    FeatureUnion of blocks   ->   LogisticRegression        ("logistic")
      tfidf block: input function -> TfidfVectorizer (word or char_wb analyzer)
      dict block:  input function -> DictVectorizer [-> MaxAbsScaler]
    RuleBlendGrade: dict block -> Ridge, clipped, blended with the rules' grade ("blend")
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Sequence
from typing import Any

import numpy as np

from pmscore.errors import ModelError
from pmscore.ml.featurefns import FEATURE_FUNCTIONS

FORMAT = "pmscore.linear/1"
_WHITE_SPACES = re.compile(r"\s\s+")


def spread(v: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Put each value's mass on its two nearest classes so the expected value is the value."""
    v = np.clip(v, classes[0], classes[-1])
    lo = classes[0]
    out = np.zeros((len(v), len(classes)))
    for r, x in enumerate(v):
        i = min(int(np.floor(x)) - lo, len(classes) - 1)
        frac = x - (i + lo)
        out[r, i] = 1.0 - frac
        if frac > 0:
            out[r, i + 1] = frac
    return out


# ----------------------------------------------------------------------------- analyzers
# These follow scikit-learn's TfidfVectorizer analyzers (lowercase, no accent stripping, no stop
# words), which is what estimators.py configures; export refuses any other configuration.

def _word_terms(text: str, token_re: re.Pattern[str], lo: int, hi: int) -> list[str]:
    tokens = token_re.findall(text.lower())
    if hi == 1:
        return tokens
    terms = list(tokens) if lo == 1 else []
    n_tok = len(tokens)
    for n in range(max(lo, 2), min(hi + 1, n_tok + 1)):
        for i in range(n_tok - n + 1):
            terms.append(" ".join(tokens[i:i + n]))
    return terms


def _char_wb_terms(text: str, lo: int, hi: int) -> list[str]:
    terms: list[str] = []
    for w in _WHITE_SPACES.sub(" ", text.lower()).split():
        w = " " + w + " "
        w_len = len(w)
        for n in range(lo, hi + 1):
            offset = 0
            terms.append(w[offset:offset + n])
            while offset + n < w_len:
                offset += 1
                terms.append(w[offset:offset + n])
            if offset == 0:  # a word shorter than n is counted once
                break
    return terms


class _TfidfBlock:
    def __init__(self, meta: dict[str, Any], vocab: np.ndarray, idf: np.ndarray) -> None:
        self.func = FEATURE_FUNCTIONS[meta["input"]]
        self.analyzer = meta["analyzer"]
        self.lo, self.hi = (int(v) for v in meta["ngram_range"])
        self.token_re = re.compile(meta.get("token_pattern") or r"(?u)\b\w\w+\b")
        self.sublinear = bool(meta["sublinear_tf"])
        self.index = {t: i for i, t in enumerate(unpack_terms(vocab))}
        self.idf = idf
        self.size = len(self.index)

    def rows(self, X: Sequence[Any]) -> list[dict[int, float]]:
        out = []
        for text in self.func(X):
            if self.analyzer == "word":
                terms = _word_terms(text, self.token_re, self.lo, self.hi)
            else:
                terms = _char_wb_terms(text, self.lo, self.hi)
            counts: dict[int, int] = {}
            index = self.index
            for t in terms:
                j = index.get(t)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            row = {j: ((math.log(c) + 1.0) if self.sublinear else float(c)) * float(self.idf[j])
                   for j, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in row.values()))
            if norm > 0:
                row = {j: v / norm for j, v in row.items()}
            out.append(row)
        return out


class _DictBlock:
    def __init__(self, meta: dict[str, Any], names: np.ndarray, scale: np.ndarray) -> None:
        self.func = FEATURE_FUNCTIONS[meta["input"]]
        self.index = {t: i for i, t in enumerate(unpack_terms(names))}
        self.separator = str(meta.get("separator", "="))
        self.scale = scale
        self.size = len(self.index)

    def rows(self, X: Sequence[Any]) -> list[dict[int, float]]:
        out = []
        for d in self.func(X):
            row: dict[int, float] = {}
            for k, v in d.items():
                if isinstance(v, str):
                    k, v = f"{k}{self.separator}{v}", 1.0
                j = self.index.get(k)
                if j is not None and v:
                    row[j] = row.get(j, 0.0) + float(v)
            out.append({j: v / float(self.scale[j]) for j, v in row.items()})
        return out


class LinearModel:
    """A compiled model with the scikit-learn classifier interface pmscore uses:
    ``classes_``, ``predict_proba(X)`` (and ``expected(X)`` for the grade blend)."""

    def __init__(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.kind = meta["kind"]
        self.blocks: list[_TfidfBlock | _DictBlock] = []
        for i, b in enumerate(meta["blocks"]):
            if b["type"] == "tfidf":
                self.blocks.append(_TfidfBlock(b, arrays[f"b{i}_terms"], arrays[f"b{i}_idf"]))
            else:
                self.blocks.append(_DictBlock(b, arrays[f"b{i}_terms"], arrays[f"b{i}_scale"]))
        self.coef = np.asarray(arrays["coef"], dtype=np.float64)
        self.intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        raw = arrays["classes"]
        self.classes_ = raw.astype(int) if meta.get("classes_type") == "int" else raw.astype(str)
        if meta.get("classes_type") == "bool":
            self.classes_ = np.array([c == "True" for c in raw.tolist()])
        self.rule_weight = float(meta.get("rule_weight", 0.0))
        # one row of weights per feature, one column per class (a column for a regression)
        self.coef_t = np.ascontiguousarray(np.atleast_2d(self.coef).T)
        width = sum(b.size for b in self.blocks)
        if self.coef.shape[-1] != width:
            raise ModelError(f"compiled model: {width} features but {self.coef.shape[-1]} "
                             "weights", "bad-model")

    def _rows(self, X: Sequence[Any]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each sample's non-zero features as (column indices, values): the sparse row."""
        per_block = [b.rows(X) for b in self.blocks]
        out = []
        for r in range(len(X)):
            idx: list[int] = []
            vals: list[float] = []
            offset = 0
            for b, rows in zip(self.blocks, per_block):
                for j, v in rows[r].items():
                    idx.append(offset + j)
                    vals.append(v)
                offset += b.size
            out.append((np.array(idx, dtype=np.intp), np.array(vals, dtype=np.float64)))
        return out

    def _linear(self, X: Sequence[Any]) -> np.ndarray:
        """X @ coef.T + intercept, computed row by row on the non-zero features only."""
        w = self.coef_t
        out = np.empty((len(X), w.shape[1]))
        for r, (idx, vals) in enumerate(self._rows(X)):
            out[r] = vals @ w[idx] if len(idx) else 0.0
        return out + self.intercept

    def decision_function(self, X: Sequence[Any]) -> np.ndarray:
        return self._linear(X)

    def expected(self, X: Sequence[dict[str, float]]) -> np.ndarray:
        """The grade blend: rules' grade and the clipped ridge regression, weighted."""
        feats = [{k: v for k, v in x.items() if k != "rule_grade"} for x in X]
        rule = np.array([float(x.get("rule_grade", np.nan)) for x in X])
        learned = np.clip(self._linear(feats)[:, 0],
                          self.classes_[0], self.classes_[-1])
        rule = np.where(np.isnan(rule), learned, rule)
        return self.rule_weight * rule + (1.0 - self.rule_weight) * learned

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        if self.kind == "blend":
            return spread(self.expected(X), self.classes_)
        d = self.decision_function(X)
        if d.shape[1] == 1:  # binary: logistic of the one decision value
            p = 1.0 / (1.0 + np.exp(-d[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        d = d - d.max(axis=1, keepdims=True)
        e = np.exp(d)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: Sequence[Any]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def pack_terms(terms: Sequence[str]) -> np.ndarray:
    """A list of strings as one uint8 array (UTF-8 JSON): compact, and loads without pickle."""
    return np.frombuffer(json.dumps(list(terms), ensure_ascii=False).encode("utf-8"),
                         dtype=np.uint8)


def unpack_terms(packed: np.ndarray) -> list[str]:
    terms = json.loads(packed.tobytes().decode("utf-8"))
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise ValueError("terms must be a list of strings")
    return terms


def save(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> bytes:
    """Serialise a compiled model to ``.npz`` bytes (deterministic: zip entries are undated)."""
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps({"format": FORMAT, **meta}, sort_keys=True)),
             **arrays)
    return buf.getvalue()


def load(data: bytes, name: str = "model") -> LinearModel:
    """Read a compiled model from verified bytes; arrays only, never pickle."""
    if not data.startswith(b"PK"):  # an .npz is a zip archive; anything else is refused
        raise ModelError(f"{name}: not a compiled pmscore model (not an .npz archive)",
                         "bad-model")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{name}: not a compiled pmscore model ({exc})", "bad-model") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelError(f"{name}: not a {FORMAT} model", "bad-model")
    try:
        return LinearModel(meta, arrays)
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{name}: malformed compiled model ({exc})", "bad-model") from None
