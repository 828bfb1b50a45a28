"""The scorer's prediction in exactly the annotation-guide schema (labels schema v1).

Predictions and human labels then compare field by field (``pmscore evaluate``). For a
document that is not a postmortem every field keeps its empty default and ``grade`` is 1, as
the guide says, except ``prompt_pasted``, which still says whether the assignment is pasted.
"""

from __future__ import annotations

from typing import Any

from pmscore.types import SECTION_LABELS, Analysis


def empty_labels(doc_id: str | None = None) -> dict[str, Any]:
    """The guide's empty defaults (used for non-postmortems and as the schema skeleton)."""
    return {
        "id": doc_id,
        "is_postmortem": False,
        "sections": {k: False for k in SECTION_LABELS},
        "summary": {k: False for k in ("duration", "start_time", "end_time", "timezone",
                                       "impact_quantified", "root_cause_stated")},
        "timeline": {"entries_with_time": 0, "detection": False, "detection_method": "none",
                     "misleading_paths": False, "escalation": False, "resolution": False,
                     "chronological": True},
        "root_cause": {"text": "", "specificity": "missing", "vague_phrases": []},
        "action_items": [],
        "entities": {k: [] for k in ("times", "timezones", "durations", "percentages",
                                     "services", "teams")},
        "blame": False,
        "prompt_pasted": False,
        "consistency_issues": [],
        "grade": 1,
    }


def build(analysis: Analysis | None, facts: Any, review: Any, grade: int,
          is_postmortem: bool, doc_id: str | None = None) -> dict[str, Any]:
    """Assemble the prediction from the analysis, the facts and the review results."""
    labels = empty_labels(doc_id)
    if review is not None:
        # Kept even for a non-postmortem: a file that is only the pasted assignment is the
        # common case, and the labelled data (dev.jsonl) marks those prompt_pasted too.
        labels["prompt_pasted"] = bool(review.prompt_pasted)
    if not is_postmortem or analysis is None:
        return labels
    labels["is_postmortem"] = True
    labels["sections"] = {k: analysis.has_section(k) for k in SECTION_LABELS}
    if facts is not None:
        fl = facts.to_labels()
        labels["summary"].update(fl.get("summary", {}))
        labels["timeline"].update(fl.get("timeline", {}))
        labels["entities"].update(fl.get("entities", {}))
    rc = analysis.root_cause
    labels["root_cause"] = {"text": rc.text, "specificity": rc.specificity,
                            "vague_phrases": list(rc.vague_phrases)}
    labels["action_items"] = [
        {"text": a.text, "actionable": a.actionable, "owner": a.owner, "deadline": a.deadline}
        for a in analysis.action_items
    ]
    if review is not None:
        labels["timeline"]["chronological"] = bool(review.chronological)
        labels["blame"] = bool(review.blame)
        labels["prompt_pasted"] = bool(review.prompt_pasted)
        labels["consistency_issues"] = [i.note for i in review.consistency_issues]
    labels["grade"] = int(grade)
    return labels
