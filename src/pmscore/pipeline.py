"""Orchestration: text -> Analysis -> facts, review, findings -> score -> Report.

This is the only module that knows the order of the stages; each stage is its own module with
one public function (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pmscore import actions, checks, entities, facts as facts_mod, labels, reader, review
from pmscore import rootcause, score as score_mod, sections, timeline
from pmscore.incident import document_states_incident, states_incident
from pmscore.types import Analysis, Report

DEFAULT = "default"
"""Sentinel for ``models``: use the packaged models when there are any."""


def resolve_models(models: Any) -> Any:
    """``"default"`` -> the packaged models (or None when none are installed)."""
    if isinstance(models, str) and models == DEFAULT:
        from pmscore.ml.runtime import default_models

        return default_models()
    return models


def analyse(text: str, path: str | None = None, models: Any = None) -> Analysis:
    """Run the analysis stages (read, sections, entities, timeline, root cause, actions).

    With ``models`` (a :class:`pmscore.ml.runtime.Models`), the section classifier labels
    unheaded blocks and the root-cause and action-item models vote with the rules.
    """
    doc = reader.read(text, path=path)
    hook = models.classify_blocks if models is not None and models.section is not None else None
    block_labels, secs = sections.classify(doc, content_classifier=hook)
    ents = entities.extract(doc)
    tl = timeline.entries(doc, secs, ents)
    rc = rootcause.assess(doc, secs, ents)
    items = actions.extract(doc, secs, ents)
    if models is not None:
        from pmscore.ml.runtime import combine_actions, combine_rootcause

        services = tuple(dict.fromkeys(e.text for e in ents if e.label == "SERVICE"))
        rc = combine_rootcause(rc, models, doc.clean, services)
        items = combine_actions(items, models)
    return Analysis(document=doc, sections=secs, block_labels=block_labels, entities=ents,
                    root_cause=rc, action_items=items, timeline=tl)


def is_postmortem(analysis: Analysis, rev: Any = None) -> tuple[bool, str | None]:
    """Whether the text holds an incident at all, and why not.

    The reader's verdict (link-only, image-only, near-empty) wins. A document whose only
    content is the pasted assignment (no clock time outside the pasted text) describes no
    incident. Otherwise a document with no recognised incident section and no time, duration or
    root cause is not a postmortem, nor is one with no clock time in which no paragraph or item
    reports a failure (a template of prompts, a guide to writing postmortems, a project README:
    the guide's placeholders).
    """
    doc = analysis.document
    if doc.not_postmortem_reason:
        return False, doc.not_postmortem_reason
    if rev is not None and rev.prompt_pasted:
        pasted = [(h.start, h.end) for h in rev.pasted_spans]
        own_times = [e for e in analysis.entities if e.label == "TIME"
                     and not any(a <= e.start < b for a, b in pasted)]
        if not own_times:
            return False, "only the assignment's text: no incident with a time of its own"
    core = {"summary", "impact", "timeline", "root_cause", "resolution"}
    found = {s.label for s in analysis.sections} & core
    has_times = any(e.label in {"TIME", "DURATION"} for e in analysis.entities)
    if (not found and not has_times and analysis.root_cause.specificity == "missing"
            and not states_incident(doc.clean)):
        return False, "no incident sections, times or root cause found"
    if not any(e.label == "TIME" for e in analysis.entities) and not document_states_incident(doc):
        return False, ("no incident stated: no clock time and no sentence that reports a failure "
                       "(a template, a guide or a project README)")
    return True, None


def grade(text: str, path: str | None = None, models: Any = DEFAULT) -> Report:
    """Grade one postmortem text. Never raises on any ``str`` input.

    ``models``: ``"default"`` (the packaged models, if any), None (rules only) or a loaded
    :class:`pmscore.ml.runtime.Models`.
    """
    models = resolve_models(models)
    analysis = analyse(text, path=path, models=models)
    facts = facts_mod.compute(analysis)
    rev = review.detect(analysis)
    pm, why_not = is_postmortem(analysis, rev)
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
    report = Report(path=path, is_postmortem=pm, score=scored.score, grade=scored.grade,
                    section_scores=scored.section_scores, findings=scored.findings, labels=lab,
                    analysis=analysis, not_postmortem_reason=why_not)
    if pm and models is not None and models.grade is not None:
        from pmscore.ml.gradefeatures import report_features
        from pmscore.ml.runtime import predict_grade

        g = predict_grade(models, report_features(report))
        if g is not None and g != report.grade:
            lab = dict(lab, grade=g)
            report = replace(report, grade=g, labels=lab)
    return report


from pmscore.grader import Grader  # noqa: E402,F401  (moved; kept importable from here)
