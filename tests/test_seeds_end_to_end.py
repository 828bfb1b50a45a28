"""Issue 2's acceptance cases on the five seed postmortems, through the public API."""

from __future__ import annotations

import pmscore


def _rules(report):
    return {f.rule for f in report.findings}


def test_001_vague_root_cause_and_not_actionable(seed_text):
    r = pmscore.grade(seed_text(1))
    assert r.labels["root_cause"]["specificity"] == "vague"
    phrases = " | ".join(r.labels["root_cause"]["vague_phrases"]).lower()
    assert "framework problem" in phrases or "glitch" in phrases
    items = {a["text"].strip(): a for a in r.labels["action_items"]}
    cautious = [t for t in items if t.lower().startswith("be cautious when updating")]
    assert cautious, list(items)
    assert items[cautious[0]]["actionable"] is False
    # the vague phrase is pointed at by a finding whose span is the phrase itself
    texts = [f.text.lower() for f in r.findings if f.section == "root_cause"]
    assert any("framework problem" in t or "glitch" in t for t in texts), texts


def test_004_action_items_have_owner_and_deadline(seed_text):
    r = pmscore.grade(seed_text(4))
    owned = [a for a in r.labels["action_items"] if a["owner"] and a["deadline"]]
    texts = " ".join(a["text"] for a in owned).lower()
    for task in ("pre-deployment checks", "automated tests", "enhance monitoring"):
        assert task in texts, (task, r.labels["action_items"])


def test_003_backwards_timeline_is_an_inconsistency(seed_text):
    text = seed_text(3)
    r = pmscore.grade(text)
    assert r.labels["timeline"]["chronological"] is False
    spans = [f for f in r.findings if f.rule.startswith("PM5")]
    assert any("15:01" in f.text or "15:01" in f.message for f in spans), [
        (f.rule, f.text, f.message) for f in spans]


def test_000_summary_pm_against_timeline_am(seed_text):
    r = pmscore.grade(seed_text(0))
    assert r.labels["timeline"]["chronological"] is False
    msgs = " ".join(f.message + " " + f.text for f in r.findings if f.rule.startswith("PM5"))
    assert "8:00" in msgs


def test_002_summary_facts_found(seed_text):
    r = pmscore.grade(seed_text(2))
    s = r.labels["summary"]
    assert s["duration"] and s["timezone"] and s["impact_quantified"]
    assert "40%" in r.labels["entities"]["percentages"]
    assert "3 hours" in r.labels["entities"]["durations"]


def test_seed_findings_spans_are_document_slices(seed_text):
    for n in range(5):
        text = seed_text(n)
        r = pmscore.grade(text)
        assert 0 <= r.score <= 100 and 1 <= r.grade <= 5
        for f in r.findings:
            assert text[f.start:f.end] == f.text
            assert (f.line, f.col) == r.analysis.document.line_col(f.start)
        # every point lost traces to a finding
        assert abs((100 - r.score) - sum(f.points for f in r.findings)) < 0.6
