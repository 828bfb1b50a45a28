"""Compiled models (pmscore.ml.linear) give the fitted pipelines' probabilities, load without
pickle, and grading with them does not import scikit-learn.

Every comparison here is against scikit-learn's own ``predict_proba`` on the fitted pipeline,
an independent implementation of the same arithmetic.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler

from pmscore.errors import ModelError
from pmscore.ml import estimators, export, linear
from pmscore.ml.featurefns import _block_dicts, _texts

REPO = Path(__file__).resolve().parents[1]

_TASKS = [
    ("Add an alert on p99 latency above 800 ms for the checkout API", True),
    ("Improve monitoring", False),
    ("Rotate the TLS certificate for api.example.com with certbot renew", True),
    ("Be more careful when deploying", False),
    ("Run nginx -t in CI before every reload of /etc/nginx", True),
    ("Enhance our processes", False),
    ("Alerting on disk usage above 85% on db-01", True),
    ("Communicate better", False),
    ("Write a runbook for the payments failover, owner: Ana, due 2024-05-01", True),
    ("Look into the issue", False),
]
_BLOCKS = [
    ("At 10:02 UTC the alert fired and paged the on-call engineer.", "timeline"),
    ("14:30 - rollback finished, error rate back under 1%.", "timeline"),
    ("About 30% of users could not log in for 45 minutes.", "impact"),
    ("Checkout was unavailable for 12,000 customers.", "impact"),
    ("The root cause was an expired certificate on the load balancer.", "root_cause"),
    ("A migration dropped the index on the orders table, so queries timed out.", "root_cause"),
    ("We rolled back the release and restarted the workers.", "resolution"),
    ("Traffic recovered after the config was reverted.", "resolution"),
]
_PROBES = ["", "   ", "Add", "improve MONITORING now!!", "Ünïcödé ßtraße naïve café",
           "a  b\tc\n\nd", "x" * 300, "10:00 UTC 10:05 UTC alert", "- [ ] Add alert on 5xx > 2%"]


def _word_pipe(ngrams: tuple[int, int] = (1, 2), analyzer: str = "word") -> Pipeline:
    return Pipeline([
        ("features", FeatureUnion([
            ("words", Pipeline([("text", FunctionTransformer(_texts)),
                                ("tfidf", TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams,
                                                          sublinear_tf=True))])),
            ("shape", Pipeline([("dicts", FunctionTransformer(_block_dicts)),
                                ("vec", DictVectorizer()), ("scale", MaxAbsScaler())])),
        ])),
        ("clf", LogisticRegression(C=4.0, max_iter=2000, random_state=0)),
    ])


def _same(pipe, compiled, xs) -> None:
    a = pipe.predict_proba(xs)
    b = compiled.predict_proba(xs)
    assert a.shape == b.shape
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-9)
    assert list(compiled.classes_) == list(pipe.classes_)


@pytest.mark.parametrize("analyzer,ngrams", [("word", (1, 1)), ("word", (1, 2)),
                                             ("char_wb", (3, 5)), ("char_wb", (2, 3))])
def test_multiclass_text_model_matches_sklearn(analyzer, ngrams) -> None:
    xs, ys = zip(*_BLOCKS)
    pipe = _word_pipe(ngrams, analyzer).fit(list(xs), list(ys))
    compiled = linear.load(export.compile_model(pipe))
    _same(pipe, compiled, list(xs) + _PROBES)


def test_binary_action_model_matches_sklearn() -> None:
    xs, ys = zip(*_TASKS)
    pipe = estimators.action_classifier()
    pipe.set_params(features__words__tfidf__min_df=1)
    pipe.fit(list(xs), list(ys))
    compiled = linear.load(export.compile_model(pipe))
    assert compiled.classes_.dtype == bool
    _same(pipe, compiled, list(xs) + _PROBES)


def test_grade_blend_matches_sklearn() -> None:
    rng = np.random.default_rng(0)
    X = [{"a": float(rng.random()), "b": float(rng.integers(0, 5)), "rule_grade": float(g)}
         for g in rng.integers(1, 6, size=40)]
    y = [int(min(5, max(1, round(x["b"] + x["a"])))) for x in X]
    model = estimators.RuleBlendGrade(alpha=1.0, rule_weight=0.5).fit(X, y)
    compiled = linear.load(export.compile_model(model))
    probe = X + [{"a": 9.0, "b": -3.0}, {"unseen": 1.0, "rule_grade": 3.0}]
    np.testing.assert_allclose(compiled.expected(probe), model.expected(probe), atol=1e-9)
    _same(model, compiled, probe)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=4))
def test_any_text_gives_the_same_probabilities(texts) -> None:
    pipe = _FITTED["pipe"]
    _same(pipe, _FITTED["compiled"], texts)


def _fit_once() -> dict:
    xs, ys = zip(*_BLOCKS)
    pipe = _word_pipe((1, 2)).fit(list(xs), list(ys))
    return {"pipe": pipe, "compiled": linear.load(export.compile_model(pipe))}


_FITTED = _fit_once()


def test_unsupported_structures_are_refused() -> None:
    xs, ys = zip(*_TASKS)
    stop = Pipeline([("features", FeatureUnion([
        ("words", Pipeline([("text", FunctionTransformer(_texts)),
                            ("tfidf", TfidfVectorizer(stop_words="english"))]))])),
        ("clf", LogisticRegression())]).fit(list(xs), list(ys))
    with pytest.raises(export.Uncompilable):
        export.compile_model(stop)
    custom = Pipeline([("features", FeatureUnion([
        ("words", Pipeline([("text", FunctionTransformer(lambda X: [str(x) for x in X])),
                            ("tfidf", TfidfVectorizer())]))])),
        ("clf", LogisticRegression())]).fit(list(xs), list(ys))
    with pytest.raises(export.Uncompilable):
        export.compile_model(custom)


def test_load_never_unpickles() -> None:
    """An .npz holding a pickled object array is refused, not executed."""
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps({"format": linear.FORMAT, "kind": "logistic",
                                            "blocks": []})),
             coef=np.array([object()], dtype=object))
    with pytest.raises(ModelError):
        linear.load(buf.getvalue(), "evil.npz")
    for junk in (b"", b"PK\x03\x04garbage", b"\x80\x04K\x01."):
        with pytest.raises(ModelError):
            linear.load(junk, "junk.npz")


def test_wrong_width_is_refused() -> None:
    xs, ys = zip(*_TASKS)
    data = export.compile_model(estimators.action_classifier().set_params(
        features__words__tfidf__min_df=1).fit(list(xs), list(ys)))
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["coef"] = arrays["coef"][:, :-1]
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    with pytest.raises(ModelError, match="features"):
        linear.load(buf.getvalue(), "cut.npz")


def _shipped() -> Path:
    d = REPO / "models"
    m = json.loads((d / "manifest.json").read_text()) if (d / "manifest.json").is_file() else {}
    if not any(n.endswith(".npz") for n in m.get("artifacts", {})):
        pytest.skip("the shipped models have no compiled artifacts")
    return d


def test_shipped_compiled_models_match_their_pipelines() -> None:
    """The npz and joblib twins in models/ agree on the project's own corpus sentences."""
    from pmscore.ml import store

    d = _shipped()
    manifest = store.read_manifest(d)
    rows = [json.loads(line) for p in sorted((REPO / "corpus" / "sentences").glob("*.jsonl"))
            for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    inputs = {
        "actions": [r["text"] for r in rows if "actionable" in r][:300],
        "rootcause": [r["text"] for r in rows if "specificity" in r][:300],
        "section": [r["text"] for r in rows if "label" in r][:300],
    }
    for key, xs in inputs.items():
        pipe = store.load_artifact(d, f"{key}.joblib", manifest)
        compiled = linear.load(store.verify_artifact(d, f"{key}.npz", manifest))
        assert xs, key
        _same(pipe, compiled, xs + _PROBES)


def test_grading_with_shipped_models_imports_no_sklearn(tmp_path) -> None:
    """Cold start and worker memory: the compiled path needs numpy only."""
    _shipped()
    doc = tmp_path / "pm.md"
    doc.write_text("# Summary\nThe API failed.\n# Corrective actions\n- Add an alert on 5xx\n")
    code = ("import sys; from pmscore.pipeline import grade; from pmscore.ml.runtime import "
            "default_models; m = default_models(); assert m is not None and m.actions is not None;"
            f" grade(open({str(doc)!r}).read()); "
            "print(sorted(k for k in sys.modules if k.split('.')[0] in ('sklearn', 'scipy', "
            "'joblib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert out.stdout.strip() == "[]", out.stdout
