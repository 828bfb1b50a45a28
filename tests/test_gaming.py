"""Gaming: documents written to collect points without describing an incident.

Students learn what the grader rewards. Each adversarial document in ``tests/adversarial/``
(written for this project) targets one thing the rules look for; each must score at most
35/100, or, for the single-defect ones, lose at least the points that defect costs compared
to the intact postmortem ``good.md``. The packaged models are used when present, since a
model voting "specific" on keyword soup is exactly the kind of gaming this guards against.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from pmscore.checks import rule_metadata
from pmscore.pipeline import grade

ADV = Path(__file__).resolve().parent / "adversarial"
CEILING = 35.0


@lru_cache(maxsize=None)
def _report(name: str):
    return grade((ADV / name).read_text(encoding="utf-8"), path=name)


def _rules(name: str) -> set[str]:
    return {f.rule for f in _report(name).findings}


def test_the_intact_postmortem_scores_high():
    """The reference: a complete postmortem (times with timezone, impact in numbers, a
    specific root cause, owned and dated tasks) gets grade 5; otherwise the comparisons
    below would measure nothing."""
    r = _report("good.md")
    assert r.is_postmortem and r.score >= 85 and r.grade == 5, (r.score, _rules("good.md"))


def test_keyword_stuffing():
    """"Root cause timeline 40% UTC detected monitoring escalated resolved": every rubric word
    is present, so section and keyword checks are satisfied, but nothing is said. There are
    no sentences (PM852) and no summary times, root cause or tasks behind the words."""
    r = _report("keyword_stuffing.md")
    assert r.score <= CEILING, (r.score, _rules("keyword_stuffing.md"))
    assert "PM852" in _rules("keyword_stuffing.md")


def test_timestamps_without_events():
    """A timeline of bare times: times are what the timeline rules count, but no event
    happens at any of them. Nothing to grade."""
    r = _report("timestamps_only.md")
    assert r.score <= CEILING, r.score


def test_same_paragraph_ten_times():
    """One good summary paragraph pasted ten times: it satisfies the summary checks and
    makes the document long, but there is no timeline, resolution or corrective action,
    and the padding itself is flagged (PM853)."""
    r = _report("repeated_paragraph.md")
    assert r.score <= CEILING, r.score
    assert "PM853" in _rules("repeated_paragraph.md")


def test_assignment_text_pasted_in():
    """The school's requirements pasted under the right headings: every section 'exists'
    and is full of the rubric's words, but it describes no incident. Either the document is
    not a postmortem at all, or each pasted section loses its group (PM851)."""
    r = _report("assignment_pasted.md")
    assert r.score <= CEILING, (r.score, _rules("assignment_pasted.md"))
    assert not r.is_postmortem or "PM851" in _rules("assignment_pasted.md")


def test_random_technical_words():
    """Kubernetes, Redis, etcd quorum, mutex deadlock...: technical nouns look like a
    specific root cause to a word-based check, but there is no sentence (PM852), no time,
    no impact and no task."""
    r = _report("technical_word_salad.md")
    assert r.score <= CEILING, (r.score, _rules("technical_word_salad.md"))
    assert "PM852" in _rules("technical_word_salad.md")


def test_root_cause_replaced_by_a_glitch():
    """good.md with its root cause replaced by "a glitch" (the annotation guide's example of
    a vague cause). Only the root cause changed, so the document must lose at least what a
    root cause that is not specific costs (the cheaper of PM302 vague / PM303 partial; the
    timeline still hints at the pool size) and drop a grade; the other sections keep
    their scores."""
    good, bad = _report("good.md"), _report("glitch_root_cause.md")
    meta = rule_metadata()
    cost = min(meta["PM302"].points, meta["PM303"].points)
    assert good.score - bad.score >= cost, (good.score, bad.score)
    assert bad.grade < good.grade
    assert {"PM302", "PM303"} & _rules("glitch_root_cause.md")
    rc = [f for f in bad.findings if f.rule in {"PM302", "PM303"}]
    assert any("glitch" in f.text for f in rc), [f.text for f in rc]
    for label in ("timeline", "corrective_actions"):
        assert bad.section_scores[label] == good.section_scores[label]


@pytest.mark.parametrize("name", sorted(p.name for p in ADV.glob("*.md") if p.name != "good.md"))
def test_no_adversarial_document_beats_the_good_one(name):
    """Whatever the trick, it never scores as well as the honest postmortem."""
    assert _report(name).score < _report("good.md").score
