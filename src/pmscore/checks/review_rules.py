"""Rules PM5xx (consistency), PM6xx (blame) and PM7xx (pasted assignment, filler).

Detection lives in :func:`pmscore.review.detect`; these rules only turn its results into
findings. Each consistency finding names both spans (the offending one as the finding span,
the one it contradicts in ``related``) and quotes the computed numbers, and each suggestion is
built from the document's own times and wording where it can be.
"""

from __future__ import annotations

from collections.abc import Iterator

from pmscore import review as review_mod
from pmscore.checks import CheckContext, register
from pmscore.review import Issue, Review
from pmscore.types import Finding

# which Issue kinds each consistency rule reports
_KINDS: dict[str, tuple[str, ...]] = {
    "PM501": ("backwards", "date_backwards"),
    "PM502": ("ampm_flip", "ampm_24h", "summary_start_ampm", "ampm_missing"),
    "PM503": ("summary_end_mismatch", "detection_before_start", "start_mismatch",
              "stats_mismatch", "date_mismatch"),
    "PM504": ("duration_mismatch",),
    "PM505": ("timezone_conflict",),
}


def _review(ctx: CheckContext) -> Review:
    """The review computed by the pipeline, or computed here when a caller passed none."""
    if isinstance(ctx.review, Review):
        return ctx.review
    return review_mod.detect(ctx.analysis)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _nums(issue: Issue) -> dict[str, object]:
    return dict(issue.numbers)


def _suggest(rule_id: str, issue: Issue, text: str) -> str | None:
    """A fix built from the issue's own spans and numbers."""
    n = _nums(issue)
    here = " ".join(text[issue.start:issue.end].split())
    other = (" ".join(text[issue.other_start:issue.other_end].split())
             if issue.other_start is not None and issue.other_end is not None else "")
    if issue.kind == "ampm_flip" and "minutes" in n:
        fixed = _hhmm((int(n["minutes"]) + 720) % 1440)  # type: ignore[arg-type]
        return (f"If this event came {n.get('if_flipped')} min after '{other}', write it as "
                f"{fixed} (24-hour clock) instead of '{here}'.")
    if issue.kind == "backwards":
        return (f"'{here}' comes after '{other}' in the list but is {n.get('backwards_by')} min "
                f"earlier: correct one of the two times, or move the entry to its place.")
    if issue.kind == "ampm_missing":
        return f"Add AM/PM to '{here}' like the other entries ('{other}'), or use the 24-hour clock."
    if issue.kind == "summary_start_ampm":
        return (f"The summary says '{other}', the timeline starts at '{here}': make them agree "
                f"(check AM/PM), or use the 24-hour clock in both.")
    if issue.kind == "summary_end_mismatch":
        return (f"End the outage in the summary at the timeline's resolution time ('{here}'), or "
                f"add the timeline entry at '{other}' that ended it.")
    if issue.kind == "stats_mismatch":
        return ("Recompute the figure from the timeline's timestamps (state which two entries it "
                "spans), or add the missing entries.")
    if issue.kind == "start_mismatch":
        return (f"The summary starts the outage at '{other}', the timeline at '{here}': use one "
                f"start time in both places.")
    if issue.kind == "detection_before_start":
        return (f"The problem was noticed at '{here}', before the stated start '{other}': move "
                f"the start back to the first symptom ({n.get('minutes_before')} min earlier).")
    if issue.kind == "duration_mismatch" and "computed_minutes" in n:
        c = int(n["computed_minutes"])  # type: ignore[arg-type]
        return (f"'{other}' is {c // 60} h {c % 60:02d} min: state that duration instead of "
                f"'{here}', or correct the start/end times.")
    if issue.kind == "timezone_conflict":
        return (f"'{here}' and '{other}' use different timezones: write every time in one "
                f"timezone and put conversions in parentheses.")
    return None


def _consistency(rule_id: str, ctx: CheckContext) -> Iterator[Finding]:
    text = ctx.analysis.document.text
    for issue in _review(ctx).consistency_issues:
        if issue.kind not in _KINDS[rule_id]:
            continue
        # an ambiguous entry is reported but costs less than a contradiction
        points = 1.0 if not issue.breaks_chronology else None
        yield ctx.finding(rule_id, issue.start, issue.end, message=issue.note,
                          suggestion=_suggest(rule_id, issue, text), related=issue.related,
                          points=points)


@register("PM501")
def timeline_backwards(ctx: CheckContext) -> Iterator[Finding]:
    """Consecutive timeline entries whose times (or dates) go backwards."""
    yield from _consistency("PM501", ctx)


@register("PM502")
def ampm_inconsistent(ctx: CheckContext) -> Iterator[Finding]:
    """AM/PM flips against the narrative, or a 24-hour time carrying AM/PM."""
    yield from _consistency("PM502", ctx)


@register("PM503")
def summary_timeline_mismatch(ctx: CheckContext) -> Iterator[Finding]:
    """Summary start/end that the timeline contradicts (incl. detection before the start)."""
    yield from _consistency("PM503", ctx)


@register("PM504")
def duration_mismatch(ctx: CheckContext) -> Iterator[Finding]:
    """A stated duration that does not match the stated start and end."""
    yield from _consistency("PM504", ctx)


@register("PM505")
def timezone_conflict(ctx: CheckContext) -> Iterator[Finding]:
    """Conflicting timezone labels between entries or between summary and timeline."""
    yield from _consistency("PM505", ctx)


@register("PM601")
def blame_language(ctx: CheckContext) -> Iterator[Finding]:
    """Cause put on a person's mistake or character; suggests a system-focused rewrite."""
    for hit in _review(ctx).blame_spans:
        yield ctx.finding("PM601", hit.start, hit.end,
                          message=f"Blames a person: '{' '.join(hit.text.split())}'.",
                          suggestion=hit.suggestion or None)


@register("PM701")
def assignment_pasted(ctx: CheckContext) -> Iterator[Finding]:
    """The rubric's wording (requirements, task titles) copied into the submission."""
    rev = _review(ctx)
    if not rev.prompt_pasted:
        return
    hits = rev.pasted_spans
    first = hits[0]
    related = tuple((h.start, h.end) for h in hits[1:])
    yield ctx.finding(
        "PM701", first.start, first.end,
        message=(f"{len(hits)} line(s) match the assignment's wording (best match "
                 f"{max(h.score for h in hits):.0f}/100, e.g. '{first.matched[:60]}')."),
        related=related)


_FILLER_RULE = {"placeholder": "PM702", "assistant": "PM703", "empty_heading": "PM704",
                "repeated": "PM705"}


def _filler(rule_id: str, ctx: CheckContext) -> Iterator[Finding]:
    text = ctx.analysis.document.text
    for hit in _review(ctx).filler:
        if _FILLER_RULE.get(hit.kind) != rule_id:
            continue
        related: tuple[tuple[int, int], ...] = ()
        message = None
        if hit.kind == "repeated" and hit.matched.isdigit():
            first = int(hit.matched)
            related = ((first, first + (hit.end - hit.start)),)
            line = ctx.analysis.document.line_col(first)[0]
            message = f"This sentence already appears on line {line}."
        elif hit.kind in ("placeholder", "assistant"):
            message = f"{'Placeholder' if hit.kind == 'placeholder' else 'Chat-assistant text'}: " \
                      f"'{' '.join(text[hit.start:hit.end].split())}'."
        yield ctx.finding(rule_id, hit.start, hit.end, message=message, related=related)


@register("PM702")
def placeholder_text(ctx: CheckContext) -> Iterator[Finding]:
    """Template placeholders: lorem ipsum, TBD, XX:XX, [Date]."""
    yield from _filler("PM702", ctx)


@register("PM703")
def assistant_leftover(ctx: CheckContext) -> Iterator[Finding]:
    """Chat-assistant framing pasted in ("Certainly! Here's...")."""
    yield from _filler("PM703", ctx)


@register("PM704")
def empty_template_heading(ctx: CheckContext) -> Iterator[Finding]:
    """A heading directly followed by a heading of the same or a higher level."""
    yield from _filler("PM704", ctx)


@register("PM705")
def repeated_sentence(ctx: CheckContext) -> Iterator[Finding]:
    """The same long sentence written twice."""
    yield from _filler("PM705", ctx)
