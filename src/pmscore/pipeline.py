"""Orchestration: text -> Analysis -> facts, review, findings -> score -> Report.

This is the only module that knows the order of the stages; each stage is its own module with
one public function (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from pmscore import actions, checks, entities, facts as facts_mod, labels, reader, review
from pmscore import rootcause, score as score_mod, sections, timeline
from pmscore.types import Analysis, Report


def analyse(text: str, path: str | None = None) -> Analysis:
    """Run the analysis stages (read, sections, entities, timeline, root cause, actions)."""
    doc = reader.read(text, path=path)
    block_labels, secs = sections.classify(doc)
    ents = entities.extract(doc)
    tl = timeline.entries(doc, secs, ents)
    rc = rootcause.assess(doc, secs, ents)
    items = actions.extract(doc, secs, ents)
    return Analysis(document=doc, sections=secs, block_labels=block_labels, entities=ents,
                    root_cause=rc, action_items=items, timeline=tl)


def is_postmortem(analysis: Analysis) -> tuple[bool, str | None]:
    """Whether the text holds an incident at all, and why not.

    The reader's verdict (link-only, image-only, near-empty) wins; otherwise a document with no
    recognised incident section and no time, duration or root cause is not a postmortem.
    """
    doc = analysis.document
    if doc.not_postmortem_reason:
        return False, doc.not_postmortem_reason
    core = {"summary", "impact", "timeline", "root_cause", "resolution"}
    found = {s.label for s in analysis.sections} & core
    has_times = any(e.label in {"TIME", "DURATION"} for e in analysis.entities)
    if not found and not has_times and analysis.root_cause.specificity == "missing":
        return False, "no incident sections, times or root cause found"
    return True, None


def grade(text: str, path: str | None = None) -> Report:
    """Grade one postmortem text. Never raises on any ``str`` input."""
    analysis = analyse(text, path=path)
    pm, why_not = is_postmortem(analysis)
    facts = facts_mod.compute(analysis)
    rev = review.detect(analysis)
    if pm:
        findings = checks.run(analysis, facts, rev)
    else:
        findings = checks.run(analysis, facts, rev, select=("PM8",))
    scored = score_mod.score(findings, is_postmortem=pm)
    doc_id = None
    if path:
        from pathlib import PurePath

        doc_id = PurePath(path).stem
    lab = labels.build(analysis, facts, rev, scored.grade, pm, doc_id=doc_id)
    return Report(path=path, is_postmortem=pm, score=scored.score, grade=scored.grade,
                  section_scores=scored.section_scores, findings=scored.findings, labels=lab,
                  analysis=analysis, not_postmortem_reason=why_not)
