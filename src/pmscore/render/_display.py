"""Display names shared by the human-facing renderers (text, html, markdown)."""

from __future__ import annotations

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
"""Severities from most to least serious; a highlight covering several uses the first."""

SECTION_NAMES: dict[str, str] = {
    "summary": "Summary",
    "impact": "Impact",
    "timeline": "Timeline",
    "root_cause": "Root cause",
    "resolution": "Resolution",
    "corrective_actions": "Corrective actions",
    "lessons_learned": "Lessons learned",
    "other": "Other / whole document",
}

GRADE_WORDS: dict[int, str] = {1: "unusable", 2: "poor", 3: "adequate", 4: "good", 5: "excellent"}
