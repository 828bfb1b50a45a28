"""Scoring arithmetic: capped groups, effective points that add up, grade thresholds."""

from __future__ import annotations

from pmscore.score import grade_for, score
from pmscore.types import Finding


def _f(section, points, rule="PM999"):
    return Finding(rule=rule, name="x", severity="warning", message="m", start=0, end=0,
                   line=1, col=1, text="", section=section, points=points)


def test_no_findings_is_full_marks():
    s = score([])
    assert s.score == 100 and s.grade == 5


def test_points_add_up_and_are_capped():
    # summary is capped at its group weight; 3 findings of 10 points each cannot lose 30
    fs = [_f("summary", 10), _f("summary", 10), _f("summary", 10), _f("timeline", 4)]
    s = score(fs)
    assert s.section_scores["summary"] == 0.0
    assert s.section_scores["timeline"] < 100
    assert abs((100 - s.score) - sum(f.points for f in s.findings)) < 0.05
    assert max(f.points for f in s.findings[:3]) < 10


def test_grade_monotonic_in_score():
    grades = [grade_for(x) for x in range(0, 101, 5)]
    assert grades == sorted(grades)
    assert grade_for(0) == 1 and grade_for(100) == 5


def test_not_a_postmortem_scores_zero():
    s = score([_f(None, 5)], is_postmortem=False)
    assert s.score == 0 and s.grade == 1
