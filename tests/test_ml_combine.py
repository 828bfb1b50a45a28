"""The ordinal grade estimator and the rule/model vote (runtime.combine_*), with stub models.

The stubs return fixed probabilities, so each test states by hand what the documented
combination rule must give and fails if the code joins the votes differently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pmscore.ml import runtime
from pmscore.ml.estimators import OrdinalRidge, RuleBlendGrade, grade_model
from pmscore.types import ActionItem, RootCause


class _Stub:
    def __init__(self, classes: list[Any], proba: list[list[float]]) -> None:
        self.classes_ = np.array(classes)
        self._proba = np.array(proba)

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._proba[: len(X)]


def _conf(rc: dict[str, float], ai: dict[str, float]) -> dict[str, Any]:
    return {"section": {"min_confidence": 0.8}, "rootcause": rc, "actions": ai}


def _rc(spec: str) -> RootCause:
    return RootCause(text="the cache was too small", start=0, end=23,
                     specificity=spec)  # type: ignore[arg-type]


def test_ordinal_ridge_expected_value_is_the_clipped_regression() -> None:
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    y = [1, 2, 3, 4, 5]
    m = OrdinalRidge(alpha=1e-9).fit(X, y)
    # y = x + 1 exactly; far outside the range it is clipped to 1..5
    Xq = np.array([[1.25], [2.6], [-10.0], [10.0]])
    P = m.predict_proba(Xq)
    assert np.allclose(P.sum(axis=1), 1.0)
    assert np.allclose(P @ m.classes_, [2.25, 3.6, 1.0, 5.0], atol=1e-6)
    # mass only on the two neighbouring grades
    assert np.allclose(P[0], [0, 0.75, 0.25, 0, 0], atol=1e-6)
    assert list(m.predict(Xq)) == [2, 4, 1, 5]


def test_grade_model_orders_grades_and_predict_grade_uses_it() -> None:
    X = [{"rule_score": s / 10} for s in range(10) for _ in range(3)]
    y = [1 + s // 2 for s in range(10) for _ in range(3)]
    m = grade_model().fit(X, y)
    low = runtime.predict_grade(runtime.Models(grade=m), {"rule_score": 0.0})
    high = runtime.predict_grade(runtime.Models(grade=m), {"rule_score": 0.9})
    assert low is not None and high is not None
    assert low <= 2 and high >= 4


def test_grade_blend_moves_the_rule_grade_only_on_a_whole_grade_disagreement() -> None:
    X = [{"rule_score": s / 10, "rule_grade": 3.0} for s in range(10) for _ in range(3)]
    y = [1 + s // 2 for s in range(10) for _ in range(3)]
    m = RuleBlendGrade(alpha=1e-6, rule_weight=0.5).fit(X, y)
    # the learned part ignores rule_grade (constant here) and maps rule_score 0.0 -> ~1
    learned_low = float(m.expected([{"rule_score": 0.0, "rule_grade": 1.0}])[0])
    assert learned_low == pytest.approx(1.0, abs=0.3)
    # rule says 2, model ~1: the half-way value rounds back to 2 only if within half a grade
    assert m.predict([{"rule_score": 0.0, "rule_grade": 5.0}])[0] == 3
    only_rule = RuleBlendGrade(alpha=1.0, rule_weight=1.0).fit(X, y)
    assert list(only_rule.predict([{"rule_score": 0.0, "rule_grade": 4.0}])) == [4]
    P = m.predict_proba([{"rule_score": 0.9, "rule_grade": 2.0}])
    assert P.sum() == pytest.approx(1.0)


def test_rootcause_model_needs_the_margin_to_override(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _Stub(["partial", "specific", "vague"], [[0.2, 0.7, 0.1]])
    models = runtime.Models(rootcause=model)
    # w=0.2: partial vote 0.2 + 0.8*0.2 = 0.36, specific 0.8*0.7 = 0.56: ahead by 0.20
    monkeypatch.setattr(runtime, "_combine",
                        lambda: _conf({"rule_weight": 0.2, "min_margin": 0.25}, {}))
    assert runtime.combine_rootcause(_rc("partial"), models, "", ()).specificity == "partial"
    monkeypatch.setattr(runtime, "_combine",
                        lambda: _conf({"rule_weight": 0.2, "min_margin": 0.15}, {}))
    out = runtime.combine_rootcause(_rc("partial"), models, "", ())
    assert out.specificity == "specific"
    assert "model vote" in out.reason


def test_model_kept_off_the_specific_line_when_configured(
        monkeypatch: pytest.MonkeyPatch) -> None:
    models = runtime.Models(rootcause=_Stub(["partial", "specific", "vague"], [[0.0, 1.0, 0.0]]))
    monkeypatch.setattr(runtime, "_combine", lambda: _conf(
        {"rule_weight": 0.0, "min_margin": 0.0, "model_decides_specific": False}, {}))
    assert runtime.combine_rootcause(_rc("partial"), models, "", ()).specificity == "partial"
    vague = runtime.Models(rootcause=_Stub(["partial", "specific", "vague"], [[0.1, 0.0, 0.9]]))
    assert runtime.combine_rootcause(_rc("partial"), vague, "", ()).specificity == "vague"
    assert runtime.combine_rootcause(_rc("specific"), vague, "", ()).specificity == "specific"


def test_missing_root_cause_is_never_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _Stub(["partial", "specific", "vague"], [[0.0, 1.0, 0.0]])
    monkeypatch.setattr(runtime, "_combine",
                        lambda: _conf({"rule_weight": 0.0, "min_margin": 0.0}, {}))
    rc = RootCause(text="", start=0, end=0, specificity="missing")
    assert runtime.combine_rootcause(rc, runtime.Models(rootcause=model), "", ()).specificity \
        == "missing"


def test_actions_threshold_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _Stub([False, True], [[0.6, 0.4]])
    item = ActionItem(text="Review the logs", start=0, end=15, actionable=False, confidence=0.5)
    # rule p(actionable) = 0.5, model 0.4; w=0.6 -> 0.6*0.5 + 0.4*0.4 = 0.46
    monkeypatch.setattr(runtime, "_combine",
                        lambda: _conf({}, {"rule_weight": 0.6, "threshold": 0.45}))
    (out,) = runtime.combine_actions((item,), runtime.Models(actions=model))
    assert out.actionable is True
    assert out.confidence == pytest.approx(0.46, abs=1e-3)
    monkeypatch.setattr(runtime, "_combine",
                        lambda: _conf({}, {"rule_weight": 0.6, "threshold": 0.5}))
    (out,) = runtime.combine_actions((item,), runtime.Models(actions=model))
    assert out.actionable is False
    assert out.confidence == pytest.approx(0.54, abs=1e-3)
