"""Features of a graded document for the grade model: rule findings, facts, entities, length.

Plain dicts (DictVectorizer turns them into columns), computed only from the report, so the
grade model sees what a reviewer of the report sees.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from pmscore.types import SECTION_LABELS, Report


def wordcount_features(text: str) -> dict[str, float]:
    """The baseline's only input: document length."""
    n = len(text.split())
    return {"log_words": math.log1p(n)}


def report_features(report: Report) -> dict[str, float]:
    """Everything the rules found, as numbers."""
    lab: dict[str, Any] = report.labels
    # rule_grade: the rubric's threshold grade (the grade model blends it with its own)
    f: dict[str, float] = {"rule_score": report.score / 100.0,
                           "rule_grade": float(report.grade),
                           "is_postmortem": float(report.is_postmortem)}
    for k in SECTION_LABELS:
        f[f"sec_{k}"] = float(lab["sections"][k])
    for k, v in lab["summary"].items():
        f[f"sum_{k}"] = float(bool(v))
    tl = lab["timeline"]
    f["tl_entries"] = math.log1p(int(tl["entries_with_time"]))
    for k in ("detection", "misleading_paths", "escalation", "resolution", "chronological"):
        f[f"tl_{k}"] = float(bool(tl[k]))
    f[f"tl_method_{tl['detection_method']}"] = 1.0
    f[f"rc_{lab['root_cause']['specificity']}"] = 1.0
    items = lab["action_items"]
    f["ai_n"] = math.log1p(len(items))
    f["ai_frac_actionable"] = (sum(a["actionable"] for a in items) / len(items)) if items else 0.0
    f["ai_n_actionable"] = math.log1p(sum(a["actionable"] for a in items))
    f["ai_frac_owner"] = (sum(a["owner"] for a in items) / len(items)) if items else 0.0
    for k, v in lab["entities"].items():
        f[f"ent_{k}"] = math.log1p(len(v))
    f["blame"] = float(lab["blame"])
    f["prompt_pasted"] = float(lab["prompt_pasted"])
    sev = Counter(x.severity for x in report.findings)
    for s in ("error", "warning", "info"):
        f[f"n_{s}"] = math.log1p(sev.get(s, 0))
    for label, sc in report.section_scores.items():
        f[f"secscore_{label}"] = sc / 100.0
    text = report.analysis.document.text if report.analysis else ""
    f.update(wordcount_features(text))
    return f
