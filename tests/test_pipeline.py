"""Pipeline-level decisions: what counts as a postmortem at all."""

from __future__ import annotations

import pmscore
from pmscore.resources import data_path


def _assignment_only() -> str:
    lines = [l for l in data_path("rubric_text.txt").read_text(encoding="utf-8").splitlines()
             if l.strip() and not l.startswith("#")]
    return "# 0x19. Postmortem\n\n## Requirements\n\n" + "\n".join(f"- {l}" for l in lines) + "\n"


def test_assignment_text_alone_is_not_a_postmortem():
    r = pmscore.grade(_assignment_only(), models=None)
    assert r.is_postmortem is False
    assert "assignment" in (r.not_postmortem_reason or "")
    assert r.grade == 1 and r.labels["is_postmortem"] is False


def test_assignment_pasted_above_a_real_incident_is_still_a_postmortem():
    incident = (
        "\n## Issue Summary\nFrom 10:05 to 10:50 UTC the login API returned 500 for 30% of users.\n"
        "The root cause was an expired TLS certificate on the load balancer.\n\n"
        "## Timeline\n- 10:05 UTC alert fires\n- 10:40 UTC certificate renewed\n"
        "- 10:50 UTC errors stop\n")
    r = pmscore.grade(_assignment_only() + incident, models=None)
    assert r.is_postmortem is True
    assert r.labels["prompt_pasted"] is True


def test_seed_001_with_pasted_rubric_is_a_postmortem(seed_text):
    r = pmscore.grade(seed_text(1), models=None)
    assert r.is_postmortem and r.labels["prompt_pasted"]


def test_assignment_only_file_still_reports_prompt_pasted():
    r = pmscore.grade(_assignment_only(), models=None)
    assert r.labels["prompt_pasted"] is True
    assert r.labels["sections"]["summary"] is False and r.labels["action_items"] == []
