"""Turning findings into a 0-100 score, per-section scores and a 1-5 grade.

The score is explainable by construction: each rule declares the points a finding costs; the
points lost in one group (a section, or ``document`` for findings without a section) are capped
at the group's weight from ``data/rubric.json`` and scaled so that the findings' effective
points add up to exactly what the group lost. Hence ``100 - score == sum(f.points)``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from pmscore.resources import read_json
from pmscore.types import SECTION_LABELS, Finding


@dataclass(frozen=True)
class Scored:
    """The score, grade, per-section scores and the findings with their effective points."""

    score: float
    grade: int
    section_scores: dict[str, float]
    findings: tuple[Finding, ...]


def group_of(finding: Finding) -> str:
    """The rubric group a finding's points are counted in."""
    groups = read_json("rubric.json")["groups"]
    return finding.section if finding.section in groups else "document"


def grade_for(score: float) -> int:
    """Map a 0-100 score to the guide's 1-5 grade with the rubric's thresholds."""
    for threshold, grade in read_json("rubric.json")["grade_thresholds"]:
        if score >= threshold:
            return int(grade)
    return 1


def score(findings: list[Finding] | tuple[Finding, ...], is_postmortem: bool = True) -> Scored:
    """Score a document from its findings (see the module docstring for the arithmetic)."""
    rubric = read_json("rubric.json")
    weights: dict[str, float] = rubric["groups"]
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        by_group[group_of(f)].append(i)
    effective = [0.0] * len(findings)
    lost: dict[str, float] = {}
    for group, idx in by_group.items():
        raw = sum(max(0.0, findings[i].points) for i in idx)
        cap = float(weights.get(group, 0.0))
        group_lost = min(raw, cap)
        lost[group] = group_lost
        for i in idx:
            effective[i] = (max(0.0, findings[i].points) * group_lost / raw) if raw else 0.0
    out = tuple(replace(f, points=round(p, 2)) for f, p in zip(findings, effective))
    section_scores = {}
    for label in (*SECTION_LABELS, "document"):
        cap = float(weights.get(label, 0.0))
        if cap > 0:
            section_scores[label] = round(100.0 * (1.0 - lost.get(label, 0.0) / cap), 1)
    if not is_postmortem:
        total = float(rubric.get("not_postmortem_score", 0))
        return Scored(total, 1, {k: 0.0 for k in section_scores}, out)
    total = round(max(0.0, 100.0 - sum(p for p in effective)), 1)
    return Scored(total, grade_for(total), section_scores, out)
