"""The school's rubric as rules: summary (PM1xx), timeline (PM2xx), root cause and resolution
(PM3xx), corrective actions (PM4xx) and document-level problems (PM8xx).

Each rule reads the facts of :mod:`pmscore.facts` (or the analysis) and yields findings built
with :meth:`CheckContext.finding`. A finding points at the most useful span: the phrase or item
itself when something is bad, the section heading (or the summary block) when something is
missing. Suggestions are filled from the document where possible (the services, teams and times
it mentions) so they read as a concrete next edit, not a generic tip. Rule metadata and points
are data (``data/rules/rubric.json``); thresholds, per-rule caps and suggestion templates are in
``data/rubric_checks.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pmscore import facts as facts_mod
from pmscore.checks import CheckContext, register
from pmscore.resources import read_json
from pmscore.types import Analysis, Finding, Section

Span = tuple[int, int]


# ---------------------------------------------------------------------------------------------
# helpers


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """The rubric-check settings (``data/rubric_checks.json``)."""
    return read_json("rubric_checks.json")


@lru_cache(maxsize=1)
def _fix_verbs() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{v})" for v in settings()["fix_verbs"]) + r")\b",
                      re.IGNORECASE)


def get_facts(ctx: CheckContext) -> facts_mod.Facts:
    """The context's facts, computed here when the caller passed none."""
    if isinstance(ctx.facts, facts_mod.Facts):
        return ctx.facts
    return facts_mod.compute(ctx.analysis)


def _sections(analysis: Analysis, label: str) -> list[Section]:
    skip = facts_mod._skip_spans(analysis)
    return sorted((s for s in analysis.sections
                   if s.label == label and not any(a <= s.start < b for a, b in skip)),
                  key=lambda s: s.start)


def _first_block_span(analysis: Analysis, sec: Section) -> Span:
    """The heading (or inline label) that opened a section, else its first block."""
    blocks = analysis.document.blocks
    for i in sec.block_indices:
        if 0 <= i < len(blocks):
            b = blocks[i]
            if b.kind == "label" and b.body_start:
                return (b.start, b.body_start)
            return (b.start, b.end)
    return (sec.start, min(sec.end, sec.start + 80))


def _heading_span(analysis: Analysis, label: str) -> Span | None:
    secs = _sections(analysis, label)
    return _first_block_span(analysis, secs[0]) if secs else None


def _top_span(analysis: Analysis) -> Span:
    """The first non-empty line of the document (for findings about the whole document)."""
    text = analysis.document.text
    for b in analysis.document.blocks:
        if b.text.strip():
            return (b.start, b.end)
    m = re.search(r"\S[^\n]*", text)
    return (m.start(), m.end()) if m else (0, 0)


def _summary_anchor(analysis: Analysis, facts: facts_mod.Facts) -> Span:
    """Where a missing summary fact should be added: the summary heading or summary block."""
    for label in ("summary", "impact"):
        span = _heading_span(analysis, label)
        if span is not None:
            return span
    part = facts.summary_part
    if part is not None:
        for b in analysis.document.blocks:
            if part[0] <= b.start < part[1] and b.text.strip():
                return (b.start, b.end)
    return _top_span(analysis)


def _timeline_anchor(analysis: Analysis, facts: facts_mod.Facts) -> Span:
    span = _heading_span(analysis, "timeline")
    if span is not None:
        return span
    return _summary_anchor(analysis, facts)


def _names(analysis: Analysis, label: str) -> list[str]:
    """Distinct mentions of a label, outside code blocks and pasted assignment text."""
    code = facts_mod._skip_spans(analysis)
    out: dict[str, None] = {}
    for e in sorted(analysis.entities, key=lambda e: e.start):
        if e.label == label and not any(a <= e.start < b for a, b in code):
            out.setdefault(e.text.strip(), None)
    return list(out)


def _service(analysis: Analysis) -> str:
    """The first affected service the document names (for suggestion templates)."""
    generic = {"server", "servers", "site", "app", "system", "service", "website"}
    names = _names(analysis, "SERVICE")
    for n in names:
        if n.lower() not in generic:
            return n
    return names[0] if names else str(settings()["default_service"])


def _team(analysis: Analysis) -> str:
    names = [n for n in _names(analysis, "TEAM") if len(n.split()) >= 2]
    return names[0] if names else str(settings()["default_team"])


def _timeline_times(analysis: Analysis) -> list[str]:
    """Clock times of the timeline entries, in order (verbatim text)."""
    out = []
    for t in analysis.timeline:
        if t.time is not None:
            out.append(analysis.document.text[t.time.start:t.time.end].strip())
    return out


def _tz_hint(analysis: Analysis, facts: facts_mod.Facts) -> str:
    return facts.timezones[0] if facts.timezones else "UTC"


def _capped(rule_id: str, n: int, base: float) -> float:
    """Points per finding for a per-item rule with a cap on its total (rubric_checks.json)."""
    cap = settings()["rule_caps"].get(rule_id)
    if cap is None or n <= 0:
        return base
    return min(base, float(cap) / n)


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9']+", text))


def _section_text(analysis: Analysis, label: str) -> str:
    return "\n".join(analysis.document.clean[s.start:s.end] for s in _sections(analysis, label))


# ---------------------------------------------------------------------------------------------
# PM1xx summary


@register("PM100")
def summary_missing(ctx: CheckContext) -> Iterator[Finding]:
    """No summary section and (almost) nothing before the timeline."""
    a = ctx.analysis
    if _sections(a, "summary") or _sections(a, "impact"):
        return
    f = get_facts(ctx)
    part = f.summary_part
    words = _words(a.document.clean[part[0]:part[1]]) if part else 0
    if words < settings()["min_summary_words"]:
        yield ctx.finding("PM100", *_top_span(a))


@register("PM101")
def summary_duration(ctx: CheckContext) -> Iterator[Finding]:
    """The summary states no duration and no start/end pair to compute it from."""
    f = get_facts(ctx)
    if f.duration.value:
        return
    a = ctx.analysis
    times = _timeline_times(a)
    tz = _tz_hint(a, f)
    if f.start_entity is not None and f.end_entity is not None:
        s = a.document.text[f.start_entity.start:f.start_entity.end]
        e = a.document.text[f.end_entity.start:f.end_entity.end]
        sug = f"State the length next to the times, e.g. 'The outage lasted N hours ({s} to {e} {tz})'."
    elif len(times) >= 2:
        sug = (f"State the length in the summary; the timeline runs from {times[0]} to "
               f"{times[-1]}: e.g. 'The outage lasted N hours ({times[0]} to {times[-1]} {tz})'.")
    else:
        sug = None
    yield ctx.finding("PM101", *_summary_anchor(a, f), suggestion=sug)


@register("PM102")
def summary_start(ctx: CheckContext) -> Iterator[Finding]:
    """No clock time for the start of the outage in the summary part."""
    f = get_facts(ctx)
    if f.start_time.value:
        return
    a = ctx.analysis
    times = _timeline_times(a)
    sug = None
    if times:
        sug = (f"Give the start in the summary with its timezone; the timeline starts at "
               f"{times[0]}: e.g. 'Started at {times[0]} {_tz_hint(a, f)}'.")
    yield ctx.finding("PM102", *_summary_anchor(a, f), suggestion=sug)


@register("PM103")
def summary_end(ctx: CheckContext) -> Iterator[Finding]:
    """No clock time for the end of the outage in the summary part."""
    f = get_facts(ctx)
    if f.end_time.value:
        return
    a = ctx.analysis
    times = _timeline_times(a)
    sug = None
    if len(times) >= 2:
        sug = (f"Give the end in the summary; the timeline's last entry is at {times[-1]}: "
               f"e.g. 'Service was fully restored at {times[-1]} {_tz_hint(a, f)}'.")
    yield ctx.finding("PM103", *_summary_anchor(a, f), suggestion=sug)


@register("PM104")
def summary_timezone(ctx: CheckContext) -> Iterator[Finding]:
    """The summary's start/end times carry no timezone (points at the bare time)."""
    f = get_facts(ctx)
    if f.timezone.value:
        return
    a = ctx.analysis
    ent = f.start_entity or f.end_entity
    if ent is not None:
        t = a.document.text[ent.start:ent.end].strip()
        tz = f.timezones[0] if f.timezones else "UTC"
        yield ctx.finding("PM104", ent.start, ent.end,
                          message=f"The time '{t}' in the summary carries no timezone.",
                          suggestion=f"Write the timezone next to it, e.g. '{t} {tz}'.")
    else:
        yield ctx.finding("PM104", *_summary_anchor(a, f))


@register("PM105")
def summary_impact(ctx: CheckContext) -> Iterator[Finding]:
    """No percentage, count, error rate or money amount in the summary part."""
    f = get_facts(ctx)
    if f.impact_quantified.value:
        return
    a = ctx.analysis
    span = _heading_span(a, "impact") or _summary_anchor(a, f)
    svc = _service(a)
    sug = (f"Give a number for the impact on {svc}: e.g. 'about 40% of requests to {svc} "
           f"failed' or '1,200 users could not log in'.")
    yield ctx.finding("PM105", *span, suggestion=sug)


@register("PM106")
def summary_root_cause(ctx: CheckContext) -> Iterator[Finding]:
    """The summary part names no cause."""
    f = get_facts(ctx)
    if f.root_cause_stated.value:
        return
    a = ctx.analysis
    rc = a.root_cause
    sug = None
    if rc.specificity != "missing" and rc.text.strip():
        short = " ".join(rc.text.split())[:100]
        sug = f"Summarise the root cause in one sentence of the summary; the document says: '{short}'."
    yield ctx.finding("PM106", *_summary_anchor(a, f), suggestion=sug)


# ---------------------------------------------------------------------------------------------
# PM2xx timeline


def _has_timeline(analysis: Analysis, facts: facts_mod.Facts) -> bool:
    return bool(_sections(analysis, "timeline")) or facts.entries_with_time.value >= 2


@register("PM201")
def timeline_untimed(ctx: CheckContext) -> Iterator[Finding]:
    """Each timeline entry without a time (small points, capped in total)."""
    f = get_facts(ctx)
    spans = list(f.entries_without_time)
    if not spans or f.entries_with_time.value == 0 and len(spans) < 2:
        return
    a = ctx.analysis
    pts = _capped("PM201", len(spans), 1.0)
    prev = None
    timed = sorted((t for t in a.timeline if t.time is not None), key=lambda t: t.start)
    for s, e in spans:
        before = [t for t in timed if t.start < s]
        prev = a.document.text[before[-1].time.start:before[-1].time.end] if before and \
            before[-1].time else None
        entry = " ".join(a.document.text[s:e].split())[:60]
        sug = (f"Start the entry with its time, e.g. 'HH:MM - {entry}' (the previous entry is at "
               f"{prev})." if prev else f"Start the entry with its time, e.g. 'HH:MM - {entry}'.")
        yield ctx.finding("PM201", s, e, suggestion=sug, points=pts)


@register("PM202")
def timeline_detection(ctx: CheckContext) -> Iterator[Finding]:
    f = get_facts(ctx)
    a = ctx.analysis
    if f.detection.value or not _has_timeline(a, f):
        return
    times = _timeline_times(a)
    sug = None
    if times:
        sug = (f"Add an entry for when the issue was detected, e.g. '{times[0]} - Alert on "
               f"{_service(a)} errors fired' (or who reported it).")
    yield ctx.finding("PM202", *_timeline_anchor(a, f), suggestion=sug)


@register("PM203")
def timeline_detection_method(ctx: CheckContext) -> Iterator[Finding]:
    f = get_facts(ctx)
    if f.detection_method.value != "none":
        return
    a = ctx.analysis
    span = f.detection.span or _timeline_anchor(a, f)
    svc = _service(a)
    sug = (f"Say how it was detected: e.g. 'a monitoring alert on {svc} error rate paged the "
           f"{_team(a)}', 'customers reported errors to support', or 'an engineer noticed ...'.")
    yield ctx.finding("PM203", *span, suggestion=sug)


@register("PM204")
def timeline_actions(ctx: CheckContext) -> Iterator[Finding]:
    f = get_facts(ctx)
    a = ctx.analysis
    if not _sections(a, "timeline"):
        return  # PM208 covers a missing timeline
    n = len(a.timeline) or f.entries_with_time.value
    if n >= settings()["min_timeline_entries"]:
        return
    svc = _service(a)
    sug = (f"List each step with its time: what was checked on {svc}, what was assumed, what was "
           f"changed, e.g. 'HH:MM - Checked the {svc} logs; suspected the last deploy'.")
    yield ctx.finding("PM204", *_timeline_anchor(a, f), suggestion=sug)


@register("PM205")
def timeline_misleading(ctx: CheckContext) -> Iterator[Finding]:
    f = get_facts(ctx)
    a = ctx.analysis
    if f.misleading_paths.value or not _has_timeline(a, f):
        return
    yield ctx.finding("PM205", *_timeline_anchor(a, f))


@register("PM206")
def timeline_escalation(ctx: CheckContext) -> Iterator[Finding]:
    f = get_facts(ctx)
    a = ctx.analysis
    if f.escalation.value or not _has_timeline(a, f):
        return
    teams = [t for t in _names(a, "TEAM") if len(t.split()) >= 2]
    sug = None
    if teams:
        sug = f"Say to whom it was escalated and when, e.g. 'HH:MM - Escalated to the {teams[0]}'."
    yield ctx.finding("PM206", *_timeline_anchor(a, f), suggestion=sug)


@register("PM207")
def timeline_resolution(ctx: CheckContext) -> Iterator[Finding]:
    f = get_facts(ctx)
    a = ctx.analysis
    if f.resolution.value or not _has_timeline(a, f):
        return
    yield ctx.finding("PM207", *_timeline_anchor(a, f),
                      suggestion=f"Add the closing entry, e.g. 'HH:MM - Fix deployed; "
                                 f"{_service(a)} back to normal'.")


@register("PM208")
def timeline_missing(ctx: CheckContext) -> Iterator[Finding]:
    f = get_facts(ctx)
    a = ctx.analysis
    if _has_timeline(a, f):
        return
    tz = _tz_hint(a, f)
    sug = (f"Add a 'Timeline' section, one bullet per event ('HH:MM {tz} - what happened'): "
           f"detection, each investigation step, escalation, the fix, recovery.")
    yield ctx.finding("PM208", *_summary_anchor(a, f), suggestion=sug)


# ---------------------------------------------------------------------------------------------
# PM3xx root cause and resolution


def _phrase_spans(analysis: Analysis, phrases: tuple[str, ...]) -> list[Span]:
    """Spans of the vague phrases, searched in the root-cause statement, then in the text."""
    rc = analysis.root_cause
    text = analysis.document.text
    out: list[Span] = []
    for p in phrases:
        if not p.strip():
            continue
        i = text.lower().find(p.lower(), rc.start, max(rc.end, rc.start + len(p)))
        if i < 0:
            i = text.lower().find(p.lower())
        if i >= 0:
            out.append((i, i + len(p)))
    return out


@register("PM301")
def root_cause_missing(ctx: CheckContext) -> Iterator[Finding]:
    a = ctx.analysis
    if a.root_cause.specificity != "missing":
        return
    span = _heading_span(a, "root_cause") or _top_span(a)
    svc = _service(a)
    sug = (f"Add a 'Root Cause' section naming what failed on {svc} and how, e.g. 'A typo in "
           f"the {svc} configuration made it refuse connections'.")
    yield ctx.finding("PM301", *span, suggestion=sug)


@register("PM302")
def root_cause_vague(ctx: CheckContext) -> Iterator[Finding]:
    """One finding per vague phrase of a vague root cause, on the phrase itself."""
    a = ctx.analysis
    rc = a.root_cause
    if rc.specificity != "vague":
        return
    spans = _phrase_spans(a, rc.vague_phrases) or [(rc.start, rc.end)]
    meta_pts = None
    svc = _service(a)
    for s, e in spans:
        phrase = a.document.text[s:e]
        msg = (f"Vague root cause: '{phrase}' names neither the failing component nor the "
               f"mechanism.")
        sug = (f"Replace '{phrase}' with what failed and how: which part of {svc} broke, the "
               f"change that broke it, and the mechanism (e.g. 'a typo \"phpp\" in "
               f"wp-settings.php made Apache return 500 errors').")
        if meta_pts is None:
            from pmscore.checks import rule_metadata

            meta_pts = rule_metadata()["PM302"].points / len(spans)
        yield ctx.finding("PM302", s, e, message=msg, suggestion=sug, points=meta_pts,
                          related=((rc.start, rc.end),))


@register("PM303")
def root_cause_partial(ctx: CheckContext) -> Iterator[Finding]:
    a = ctx.analysis
    rc = a.root_cause
    if rc.specificity != "partial":
        return
    spans = _phrase_spans(a, rc.vague_phrases)
    s, e = spans[0] if spans else (rc.start, rc.end)
    why = f" ({rc.reason})" if rc.reason else ""
    msg = f"Partial root cause: the statement names the failing part or the mechanism, not both{why}."
    named = ", ".join(rc.specifics[:3])
    if named:
        sug = (f"It names {named}; add the missing half: what exactly changed or broke and how "
               f"that produced the failure users saw.")
    else:
        sug = None
    yield ctx.finding("PM303", s, e, message=msg, suggestion=sug, related=((rc.start, rc.end),))


def _resolution_regions(analysis: Analysis) -> list[Span]:
    return [(s.start, s.end) for s in _sections(analysis, "resolution")]


@register("PM304")
def resolution_missing(ctx: CheckContext) -> Iterator[Finding]:
    """No resolution section and no sentence anywhere that says what was done to fix it."""
    a = ctx.analysis
    if _resolution_regions(a):
        return
    clean = a.document.clean
    for s, e in facts_mod._narrative(a):
        if _fix_verbs().search(clean, s, e):
            return
    span = _heading_span(a, "root_cause") or _top_span(a)
    yield ctx.finding("PM304", *span)


@register("PM305")
def resolution_not_explained(ctx: CheckContext) -> Iterator[Finding]:
    """A resolution that says it was fixed but not what was done, or told only in the timeline."""
    a = ctx.analysis
    regions = _resolution_regions(a)
    clean = a.document.clean
    if regions:
        if any(_fix_verbs().search(clean, s, e) for s, e in regions):
            return
        secs = _sections(a, "resolution")
        span = _first_block_span(a, secs[0])
        # point at the body when it is short enough to be the problem itself
        body = (span[1], secs[0].end)
        target = body if 0 < _words(clean[body[0]:body[1]]) <= 60 else span
        s, e = target
        while s < e and not clean[s].strip():
            s += 1
        while e > s and not clean[e - 1].strip():
            e -= 1
        yield ctx.finding("PM305", s, e)
        return
    # no resolution section: PM304 fires unless the narrative names a fix somewhere
    for s, e in facts_mod._narrative(a):
        m = _fix_verbs().search(clean, s, e)
        if m:
            yield ctx.finding(
                "PM305", m.start(), m.end(),
                message="The fix is only mentioned in passing; no section explains how the "
                        "issue was resolved.",
                suggestion="Add a 'Resolution' paragraph: what was changed, on which component, "
                           "and how recovery was verified.")
            return


# ---------------------------------------------------------------------------------------------
# PM4xx corrective actions


def _corrective_anchor(analysis: Analysis) -> Span:
    span = _heading_span(analysis, "corrective_actions")
    if span is not None:
        return span
    items = analysis.action_items
    if items:
        return (items[0].start, items[0].end)
    return _top_span(analysis)


@register("PM401")
def corrective_missing(ctx: CheckContext) -> Iterator[Finding]:
    a = ctx.analysis
    if _sections(a, "corrective_actions") or a.action_items:
        return
    # point at the end of the document: that is where the section should be added
    text = a.document.text
    blocks = [b for b in a.document.blocks if b.text.strip()]
    span = (blocks[-1].start, blocks[-1].end) if blocks else _top_span(a)
    svc = _service(a)
    sug = (f"Add 'Corrective and Preventative Measures': what to improve broadly, then a TODO "
           f"list, e.g. 'Add an alert on {svc} error rate above 5%', 'Add a config test to the "
           f"{svc} deploy pipeline'.")
    del text
    yield ctx.finding("PM401", *span, suggestion=sug)


@register("PM402")
def corrective_no_task_list(ctx: CheckContext) -> Iterator[Finding]:
    a = ctx.analysis
    if not (_sections(a, "corrective_actions") or a.action_items):
        return  # PM401
    n_ok = sum(1 for i in a.action_items if i.actionable)
    if n_ok >= settings()["min_actionable_tasks"]:
        return
    svc = _service(a)
    msg = (f"No specific TODO list: only {n_ok} of {len(a.action_items)} corrective tasks are "
           f"concrete enough to be done and checked.")
    sug = (f"Add concrete tasks, each a verb on a named object: e.g. 'Patch {svc}', 'Add an "
           f"alert on {svc} memory above 90%', 'Add a staging test run before deploying {svc}'.")
    yield ctx.finding("PM402", *_corrective_anchor(a), message=msg, suggestion=sug)


@register("PM403")
def corrective_no_broad(ctx: CheckContext) -> Iterator[Finding]:
    """Only specific tasks and no sentence on what should improve in general."""
    a = ctx.analysis
    secs = _sections(a, "corrective_actions")
    items = a.action_items
    if not secs or not items:
        return
    if len(secs) >= 2 or any(not i.actionable for i in items):
        return
    min_words = settings()["min_broad_paragraph_words"]
    item_spans = [(i.start, i.end) for i in items]
    for sec in secs:
        for bi in sec.block_indices:
            b = a.document.blocks[bi]
            if b.kind in ("paragraph", "label") and _words(b.text) >= min_words and not any(
                    s <= b.start < e or b.start <= s < b.end for s, e in item_spans):
                return
    yield ctx.finding("PM403", *_corrective_anchor(a))


def _non_actionable_suggestion(text: str, analysis: Analysis) -> str:
    svc, team = _service(analysis), _team(analysis)
    for entry in settings()["non_actionable_suggestions"]:
        if re.search(entry["match"], text, re.IGNORECASE):
            return str(entry["suggestion"]).format(service=svc, team=team)
    return str(settings()["default_non_actionable_suggestion"]).format(service=svc, team=team)


@register("PM404")
def action_item_not_actionable(ctx: CheckContext) -> Iterator[Finding]:
    """Each non-actionable corrective task, on the task's own span."""
    a = ctx.analysis
    bad = [i for i in a.action_items if not i.actionable]
    if not bad:
        return
    from pmscore.checks import rule_metadata

    pts = _capped("PM404", len(bad), rule_metadata()["PM404"].points)
    for item in bad:
        reason = item.reason.removeprefix("not actionable: ") if item.reason else ""
        msg = "Not actionable" + (f": {reason}." if reason else
                                  ": nobody could start this task today or agree when it is done.")
        yield ctx.finding("PM404", item.start, item.end, message=msg,
                          suggestion=_non_actionable_suggestion(item.text, a), points=pts)


@register("PM405")
def action_items_no_owner(ctx: CheckContext) -> Iterator[Finding]:
    a = ctx.analysis
    if not a.action_items or any(i.owner for i in a.action_items):
        return
    yield ctx.finding("PM405", *_corrective_anchor(a),
                      suggestion=f"Add an owner to each task, e.g. '(Owner: {_team(a)})'.")


@register("PM406")
def action_items_no_deadline(ctx: CheckContext) -> Iterator[Finding]:
    a = ctx.analysis
    if not a.action_items or any(i.deadline for i in a.action_items):
        return
    yield ctx.finding("PM406", *_corrective_anchor(a))


# ---------------------------------------------------------------------------------------------
# PM8xx document level


@register("PM801")
def not_a_postmortem(ctx: CheckContext) -> Iterator[Finding]:
    a = ctx.analysis
    reason = a.document.not_postmortem_reason
    if reason is None:
        from pmscore.pipeline import is_postmortem

        ok, reason = is_postmortem(a)
        if ok:
            return
    span = _top_span(a)
    yield ctx.finding("PM801", *span,
                      message=f"This is not a postmortem ({reason}): it holds no incident to grade.")


@register("PM802")
def document_too_short(ctx: CheckContext) -> Iterator[Finding]:
    a = ctx.analysis
    if a.document.not_postmortem_reason:
        return
    n = _words(a.document.clean)
    if 0 < n < settings()["min_document_words"]:
        yield ctx.finding("PM802", *_top_span(a),
                          message=f"The document is very short for a postmortem ({n} words).")


@register("PM803")
def no_headings(ctx: CheckContext) -> Iterator[Finding]:
    a = ctx.analysis
    if a.document.not_postmortem_reason or not a.document.blocks:
        return
    if any(s.source in ("heading", "label") for s in a.sections):
        return
    if _words(a.document.clean) < settings()["min_document_words"]:
        return  # PM802 says it better
    yield ctx.finding("PM803", *_top_span(a))
