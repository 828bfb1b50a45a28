"""The annotation guide's document facts (summary, timeline, entities), each with its evidence.

The checks and the label prediction both need the same judgements ("does the summary state a
timezone?", "how was the incident detected?"), so they are computed once here from the
:class:`~pmscore.types.Analysis` and kept with the span that supports them: a check can then
point at the evidence (or, when a fact is missing, at the place where it should have been).

The summary facts are judged on the *summary part* as the guide's hard-cases section defines
it: the opening part of the document before the timeline (a title, an introduction, Summary,
Impact and other unlabelled sections at the top). Figures that only appear in the timeline or
in a closing stats block do not count. Cue words are data (``data/lexicons/summary_cues.json``,
``detection_cues.json``, ``escalation_cues.txt``, ``misleading_cues.txt``,
``resolution_cues.txt``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from pmscore.features import guarded_source
from pmscore.resources import read_json, read_lines
from pmscore.types import Analysis, Entity, Section, TimelineEntry

T = TypeVar("T")
Span = tuple[int, int]

DETECTION_METHODS: tuple[str, ...] = ("monitoring", "customer", "engineer", "other", "none")
_NARRATIVE_EXCLUDE = frozenset({"corrective_actions", "lessons_learned"})


@dataclass(frozen=True)
class Fact(Generic[T]):
    """One judged fact and the (start, end) span of ``Document.text`` that supports it."""

    value: T
    span: Span | None = None


@dataclass(frozen=True)
class Facts:
    """The guide's summary, timeline and entity facts of one document, with evidence spans.

    ``summary_part`` is the span the summary facts were judged on (``None`` when the document
    has no opening part before its timeline); ``timeline_span`` covers the timeline sections.
    """

    summary_part: Span | None
    duration: Fact[bool]
    start_time: Fact[bool]
    end_time: Fact[bool]
    timezone: Fact[bool]
    impact_quantified: Fact[bool]
    root_cause_stated: Fact[bool]
    entries_with_time: Fact[int]
    detection: Fact[bool]
    detection_method: Fact[str]
    misleading_paths: Fact[bool]
    escalation: Fact[bool]
    resolution: Fact[bool]
    timeline_span: Span | None = None
    entries_without_time: tuple[Span, ...] = ()
    start_entity: Entity | None = None
    end_entity: Entity | None = None
    times: tuple[str, ...] = ()
    timezones: tuple[str, ...] = ()
    durations: tuple[str, ...] = ()
    percentages: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()

    SUMMARY_FIELDS = ("duration", "start_time", "end_time", "timezone", "impact_quantified",
                      "root_cause_stated")
    TIMELINE_FIELDS = ("entries_with_time", "detection", "detection_method", "misleading_paths",
                       "escalation", "resolution")
    ENTITY_FIELDS = ("times", "timezones", "durations", "percentages", "services", "teams")

    def to_labels(self) -> dict[str, Any]:
        """The guide's ``summary``, ``timeline`` (without ``chronological``) and ``entities``."""
        return {
            "summary": {k: bool(getattr(self, k).value) for k in self.SUMMARY_FIELDS},
            "timeline": {k: getattr(self, k).value for k in self.TIMELINE_FIELDS},
            "entities": {k: list(getattr(self, k)) for k in self.ENTITY_FIELDS},
        }


# ---------------------------------------------------------------------------------------------
# cue data


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive regex matching any cue at a word start."""
    pats = [p for p in patterns if p]
    # The first-character guard skips hopeless positions faster; it changes no match.
    src = r"\b(?:" + "|".join(f"(?:{p})" for p in pats) + ")"
    return re.compile(guarded_source(src, re.IGNORECASE), re.IGNORECASE)


@lru_cache(maxsize=None)
def _summary_cues() -> dict[str, Any]:
    return read_json("lexicons", "summary_cues.json")


@lru_cache(maxsize=None)
def _cue(name: str) -> re.Pattern[str]:
    """Compiled cue regex by name (a key of a JSON lexicon or a ``*_cues.txt`` file)."""
    if name.startswith("detection."):
        return _alternation(read_json("lexicons", "detection_cues.json")[name.split(".", 1)[1]])
    if name.startswith("summary."):
        return _alternation(_summary_cues()[name.split(".", 1)[1]])
    lines = read_lines("lexicons", f"{name}_cues.txt")
    return _alternation(line for line in lines if not line.startswith("!"))


@lru_cache(maxsize=None)
def _negation(name: str) -> re.Pattern[str] | None:
    """Negated forms of a ``*_cues.txt`` lexicon (its ``!`` lines): "no misleading paths"."""
    neg = [line[1:] for line in read_lines("lexicons", f"{name}_cues.txt")
           if line.startswith("!")]
    return _alternation(neg) if neg else None


@lru_cache(maxsize=None)
def _before_time(name: str) -> re.Pattern[str]:
    """Regex for a cue that ends right before a time (dates/fillers may sit in between)."""
    cues = "|".join(f"(?:{p})" for p in _summary_cues()[name])
    filler = _summary_cues()["between_times_filler"]
    return re.compile(r"\b(?:" + cues + r")" + filler + r"\s*$", re.IGNORECASE)


@lru_cache(maxsize=None)
def _range_between() -> re.Pattern[str]:
    conns = "|".join(re.escape(c) for c in _summary_cues()["range_connectors"])
    filler = _summary_cues()["between_times_filler"]
    return re.compile(r"^\s*(?:[A-Z]{2,5}(?:[+-]\d{1,2})?)?" + filler + r"(?:" + conns + r")"
                      + filler + r"\s*$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# regions


def _within(e: Entity, span: Span | None) -> bool:
    return span is not None and span[0] <= e.start and e.end <= span[1]


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _not_overlapping(units: Iterable[Span], others: Iterable[Span]) -> list[Span]:
    """``units`` that overlap none of ``others`` (same test as :func:`_overlaps`).

    Sorted by start with a running maximum of the ends, one bisect per unit: a pasted log
    gives thousands of units and timeline entries, and comparing every pair was quadratic.
    """
    srt = sorted(others)
    starts = [o[0] for o in srt]
    max_end: list[int] = []
    for o in srt:
        max_end.append(max(o[1], max_end[-1]) if max_end else o[1])
    out = []
    for u in units:
        i = bisect.bisect_left(starts, u[1])  # others starting before u ends
        if i == 0 or max_end[i - 1] <= u[0]:
            out.append(u)
    return out


def _stops_summary(analysis: Analysis, s: Section) -> bool:
    """Whether a section ends the summary part.

    A one-line inline label such as ``Incident Time: 14:30 UTC`` inside a summary block looks
    like a timeline label but is a summary fact; only a headed (or content-found) section, or
    a labelled one that runs over several blocks, ends the summary part.
    """
    if s.label not in set(_summary_cues()["summary_stop_labels"]):
        return False
    return s.source != "label" or len(s.block_indices) >= 3


def summary_part(analysis: Analysis) -> Span | None:
    """The opening part before the timeline, where the summary facts are judged.

    It runs from the document start through the leading sections (summary, impact, unlabelled
    ones, a root cause placed before the timeline) and stops at the first section the guide
    puts after the summary (timeline, resolution, corrective actions, lessons). When no
    section stops it, it ends after the last summary/impact section, so a closing stats block
    is not read as the summary. Sections inside pasted assignment text are ignored.
    """
    skip = _skip_spans(analysis)
    secs = sorted((s for s in analysis.sections
                   if not any(a <= s.start < b for a, b in skip)), key=lambda s: s.start)
    doc_end = len(analysis.document.text)
    if not secs:
        return (0, doc_end) if doc_end else None
    summary_labels = set(_summary_cues()["summary_labels"])
    headed = [s for s in secs if s.label in summary_labels and s.source in ("heading", "label")]
    first_summary = headed[0].start if headed else 0
    end = None
    for s in secs:
        if not _stops_summary(analysis, s) or s.start < first_summary:
            # a title or status line mistaken for a timeline before the summary heading
            continue
        if s.source == "content" and any(h.start <= s.start < h.end for h in headed):
            # a paragraph of the summary that reads like a fix or a timeline stays summary
            continue
        end = s.start
        break
    if end is None:
        heads = [s.end for s in secs if s.label in summary_labels]
        # No summary and no timeline heading: take the first section only.
        end = max(heads) if heads else secs[0].end
    if end <= 0:
        # The document opens with its timeline: a summary placed later still counts.
        late = [s for s in secs if s.label in summary_labels]
        if not late:
            return None
        return (late[0].start, late[0].end)
    return (0, end)


def _regions(analysis: Analysis, labels: set[str]) -> list[Span]:
    return [(s.start, s.end) for s in analysis.sections if s.label in labels]


def _timeline_regions(analysis: Analysis) -> list[Span]:
    """Timeline sections, without inline labels inside the summary part or pasted prompts."""
    part = summary_part(analysis)
    skip = _skip_spans(analysis)
    out = []
    for s in analysis.sections:
        if s.label != "timeline" or any(a <= s.start < b for a, b in skip):
            continue
        if part is not None and part[0] <= s.start and s.end <= part[1] and part[1] > s.start:
            continue
        out.append((s.start, s.end))
    return sorted(out)


def _narrative(analysis: Analysis) -> list[Span]:
    """Everything except corrective actions and lessons (where 'add alerts' is a plan)."""
    n = len(analysis.document.text)
    excluded = sorted(_regions(analysis, set(_NARRATIVE_EXCLUDE)))
    out: list[Span] = []
    pos = 0
    for a, b in excluded:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < n:
        out.append((pos, n))
    return out


# The last document's blocks and their skip spans: ``compute`` asks about a dozen times per
# document, and scanning every block with the prompt cues each time was a visible cost. The
# cache holds the blocks tuple itself, so an identity match cannot be a recycled id.
_SKIP_CACHE: list[Any] = [None, ()]


def _skip_spans(analysis: Analysis) -> list[Span]:
    """Code blocks (pasted logs) and pasted assignment text are not the author's narrative."""
    blocks = analysis.document.blocks
    if _SKIP_CACHE[0] is not blocks:
        prompt = _cue("summary.prompt_markers")
        _SKIP_CACHE[1] = tuple((b.start, b.end) for b in blocks
                               if b.kind == "code" or prompt.search(b.text))
        _SKIP_CACHE[0] = blocks
    return list(_SKIP_CACHE[1])


_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])|\n")


def _units(analysis: Analysis, regions: Sequence[Span]) -> list[Span]:
    """Sentence-like units (split at sentence ends and line breaks) inside the regions."""
    clean = analysis.document.clean
    skip = _skip_spans(analysis)
    out: list[Span] = []
    for a, b in regions:
        pos = a
        for m in _SENT_END.finditer(clean, a, b):
            out.append((pos, m.start()))
            pos = m.end()
        out.append((pos, b))
    return [(a, b) for a, b in out
            if clean[a:b].strip() and not any(_overlaps((a, b), s) for s in skip)]


def _line_units(analysis: Analysis, regions: Sequence[Span]) -> list[Span]:
    """Non-blank lines inside the regions (a heading line excluded)."""
    text = analysis.document.clean
    skip = _skip_spans(analysis)
    out: list[Span] = []
    for a, b in regions:
        pos = a
        for line in text[a:b].split("\n"):
            span = (pos, pos + len(line))
            pos += len(line) + 1
            if line.strip() and not any(_overlaps(span, s) for s in skip):
                out.append(span)
    return out


def _trim(analysis: Analysis, a: int, b: int) -> Span:
    clean = analysis.document.clean
    while a < b and not clean[a].strip():
        a += 1
    while b > a and not clean[b - 1].strip():
        b -= 1
    return (a, b)


def _first_match(analysis: Analysis, units: Sequence[Span], pat: re.Pattern[str],
                 neg: re.Pattern[str] | None = None) -> Span | None:
    """The first unit (sentence or timeline entry) with a cue match, skipping negated units.

    The unit, not the cue word, is the evidence: a check pointing at it shows the reader the
    whole sentence that made the fact true.
    """
    clean = analysis.document.clean
    for a, b in units:
        if neg is not None and neg.search(clean, a, b):
            continue
        if pat.search(clean, a, b):
            return _trim(analysis, a, b)
    return None


def _timeline_units(analysis: Analysis) -> list[Span]:
    """Timeline entries (from pmscore.timeline) or else the units of the timeline sections."""
    regions = _timeline_regions(analysis)
    if analysis.timeline:
        units = [(t.start, t.end) for t in analysis.timeline]
        units += _not_overlapping(_units(analysis, regions), units)
        return sorted(units)
    return _units(analysis, regions)


# ---------------------------------------------------------------------------------------------
# summary facts


def _ents(analysis: Analysis, labels: set[str], span: Span | None) -> list[Entity]:
    skip = _skip_spans(analysis)
    return [e for e in analysis.entities if e.label in labels and _within(e, span)
            and not any(a <= e.start < b for a, b in skip)]


def _blank(analysis: Analysis, a: int, b: int) -> str:
    """``clean[a:b]`` with DATE and TIMEZONE mentions blanked (they may sit inside a range)."""
    chars = list(analysis.document.clean[a:b])
    for e in analysis.entities:
        if e.label in {"DATE", "TIMEZONE"} and e.start < b and a < e.end:
            for i in range(max(a, e.start), min(b, e.end)):
                chars[i - a] = " "
    return "".join(chars)


def _time_roles(analysis: Analysis, times: list[Entity]) -> tuple[Entity | None, Entity | None]:
    """Pick the outage start and end among the summary-part times from the words around them.

    A time is the end when it closes a range ("from X to Y", "X - Y", "between X and Y"),
    follows an end cue ("until", "resolved at", "End Time:") or is followed by one in the same
    sentence ("At 12:16, service was restored"); the first other time is the start.
    """
    clean = analysis.document.clean
    start_ent: Entity | None = None
    end_ent: Entity | None = None
    range_pat = _range_between()
    end_pat = _before_time("end_before")
    start_pat = _before_time("start_before")
    after_pat = re.compile(r"^[^.;\n]{0,40}?\b(?:" + "|".join(
        f"(?:{c})" for c in _summary_cues()["end_after"]) + ")", re.IGNORECASE)
    for i, t in enumerate(times):
        line_start = clean.rfind("\n", 0, t.start) + 1
        before = _blank(analysis, max(line_start, t.start - 60), t.start)
        prev = times[i - 1] if i else None
        is_range_end = (prev is not None and t.start - prev.end <= 60
                        and range_pat.match(_blank(analysis, prev.end, t.start)) is not None)
        is_end = is_range_end or bool(end_pat.search(before)) or (
            i > 0 and bool(after_pat.match(_blank(analysis, t.end, t.end + 60))))
        if is_end:
            if end_ent is None:
                end_ent = t
            if is_range_end and start_ent is None and prev is not None:
                start_ent = prev
            continue
        if start_ent is None and (start_pat.search(before) or i == 0 or end_ent is None):
            start_ent = t
    return start_ent, end_ent


def _duration_ok(analysis: Analysis, d: Entity) -> bool:
    """False for durations that are not the outage length ("every 30 minutes")."""
    clean = analysis.document.clean
    before = clean[max(0, d.start - 20):d.start].lower()
    words = re.findall(r"[a-z]+", before)
    stop = set(_summary_cues()["duration_not_outage"])
    if words and words[-1] in stop:
        return False
    # "for several hours" gives no length a reader could use
    vague = _summary_cues()["duration_vague"]
    return not re.match(r"(?:" + "|".join(vague) + r")\b", d.text.strip(), re.IGNORECASE)


def _summary_facts(analysis: Analysis, part: Span | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    times = sorted(_ents(analysis, {"TIME"}, part), key=lambda e: e.start)
    start_ent, end_ent = _time_roles(analysis, times)
    out["start_entity"], out["end_entity"] = start_ent, end_ent
    out["start_time"] = Fact(start_ent is not None,
                             (start_ent.start, start_ent.end) if start_ent else None)
    out["end_time"] = Fact(end_ent is not None, (end_ent.start, end_ent.end) if end_ent else None)

    durs = [d for d in _ents(analysis, {"DURATION"}, part) if _duration_ok(analysis, d)]
    if durs:
        out["duration"] = Fact(True, (durs[0].start, durs[0].end))
    elif start_ent is not None and end_ent is not None and start_ent.minutes is not None \
            and end_ent.minutes is not None:
        out["duration"] = Fact(True, (start_ent.start, end_ent.end))
    else:
        out["duration"] = Fact(False, None)

    tz_span: Span | None = None
    zones = _ents(analysis, {"TIMEZONE"}, part)
    for t in times:
        if t.timezone:
            # the evidence is the time with its timezone ("9:45 PM EST", "12:00pm (PDT)")
            after = [z for z in zones if t.start <= z.start and z.start - t.end <= 3]
            tz_span = (t.start, max(t.end, after[0].end) if after else t.end)
            break
    if tz_span is None and times:
        tzs = _ents(analysis, {"TIMEZONE"}, part)
        if tzs:
            tz_span = (tzs[0].start, tzs[0].end)
    out["timezone"] = Fact(tz_span is not None, tz_span)

    not_impact = _alternation(_summary_cues()["count_not_impact"])
    nums = sorted((e for e in _ents(analysis, {"PERCENT", "COUNT", "MONEY"}, part)
                   if e.label != "COUNT" or not not_impact.match(e.text)),
                  key=lambda e: e.start)
    out["impact_quantified"] = Fact(bool(nums), (nums[0].start, nums[0].end) if nums else None)

    rc_span: Span | None = None
    if part is not None:
        skip = _skip_spans(analysis)
        for s in analysis.sections:
            if any(a <= s.start < b for a, b in skip):
                continue
            if s.label == "root_cause" and part[0] <= s.start < part[1]:
                rc_span = (s.start, min(s.end, part[1]))
                break
        rc = analysis.root_cause
        if rc_span is None and rc.specificity != "missing" and rc.end > rc.start \
                and part[0] <= rc.start < part[1]:
            rc_span = (rc.start, rc.end)
        if rc_span is None:
            rc_span = _first_match(analysis, _units(analysis, [part]), _cue("summary.cause"))
    out["root_cause_stated"] = Fact(rc_span is not None, rc_span)
    return out


# ---------------------------------------------------------------------------------------------
# timeline facts


def _method_of(analysis: Analysis, a: int, b: int) -> tuple[str, Span] | None:
    """The detection method a detection sentence names, or None when it names no source."""
    clean = analysis.document.clean
    hits: list[tuple[int, str, Span]] = []
    for method in ("other", "monitoring", "customer"):
        m = _cue(f"detection.{method}").search(clean, a, b)
        if m:
            hits.append((m.start(), method, (m.start(), m.end())))
    other = [h for h in hits if h[1] == "other"]
    if other:
        return "other", other[0][2]
    if hits:
        # the earliest cue; at the same start the longer one ("a complaint from the paging
        # system" is monitoring, not a customer's "complaint")
        hits.sort(key=lambda h: (h[0], -(h[2][1] - h[2][0])))
        return hits[0][1], hits[0][2]
    m = _cue("detection.engineer").search(clean, a, b)
    if m:
        return "engineer", (m.start(), m.end())
    return None


def _detection(analysis: Analysis, tl_units: list[Span],
               narrative: list[Span] | None = None) -> tuple[Fact[bool], Fact[str]]:
    """When and how the incident was detected: the earliest detection sentence decides.

    Timeline entries are read first (in document order), then the rest of the narrative: a
    summary's impact sentence ("users reported slow pages") describes impact more often than
    how the team learned of the incident.
    """
    clean = analysis.document.clean
    det = _cue("detection.detection")
    # "nobody noticed", "went unnoticed", a sentence about what the timeline shows
    neg = _cue("detection.not_detection")
    if narrative is None:  # the caller's units of the narrative, when it has them
        narrative = _units(analysis, _narrative(analysis))
    rest = _not_overlapping(narrative, tl_units)
    # The guide asks whether the timeline says when it was detected; labellers also accept
    # a detection told in the narrative around it ("at 11:15 the monitoring alerted me").
    hit = _first_match(analysis, tl_units, det, neg) or _first_match(analysis, rest, det, neg)
    detection = Fact(hit is not None, hit)
    for units in (tl_units, rest):
        for a, b in units:
            if not det.search(clean, a, b) or neg.search(clean, a, b):
                continue
            found = _method_of(analysis, a, b)
            if found is not None:
                return detection, Fact(found[0], _trim(analysis, a, b))
    return detection, Fact("none", None)


def _timeline_facts(analysis: Analysis) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tl_regions = _timeline_regions(analysis)
    tl_units = _timeline_units(analysis)
    out["timeline_span"] = (tl_regions[0][0], tl_regions[-1][1]) if tl_regions else None

    stamps = [e for e in analysis.entities if e.label in {"TIME", "DATE"}]
    if analysis.timeline:
        # the guide counts entries that carry "a time or date"
        def stamped(t: TimelineEntry) -> bool:
            return t.time is not None or any(t.start <= e.start < t.end for e in stamps)

        timed = [(t.start, t.end) for t in analysis.timeline if stamped(t)]
        untimed = tuple((t.start, t.end) for t in analysis.timeline if not stamped(t))
    else:
        # No entries from pmscore.timeline: a line of a timeline section is an entry, timed
        # when a TIME or DATE mention sits in it.
        lines = [u for u in _line_units(analysis, tl_regions)]
        timed = [u for u in lines if any(u[0] <= e.start < u[1] for e in stamps)]
        untimed = ()
    out["entries_without_time"] = untimed
    out["entries_with_time"] = Fact(len(timed), out["timeline_span"])

    # Misleading paths and escalation are often told outside the timeline list ("Misleading
    # investigation" paragraphs, an "Escalation" section): look in the whole narrative.
    # (Split into units once: detection reads the same units.)
    narrative = _units(analysis, _narrative(analysis))
    out["detection"], out["detection_method"] = _detection(analysis, tl_units, narrative)
    mis = _first_match(analysis, narrative, _cue("misleading"),
                       _negation("misleading"))
    out["misleading_paths"] = Fact(mis is not None, mis)
    esc = _first_match(analysis, narrative, _cue("escalation"),
                       _negation("escalation"))
    out["escalation"] = Fact(esc is not None, esc)
    res_units = narrative
    res = _first_match(analysis, res_units, _cue("resolution"), _negation("resolution"))
    out["resolution"] = Fact(res is not None, res)
    return out


# ---------------------------------------------------------------------------------------------
# entities


def _distinct(texts: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for t in texts:
        t = t.strip()
        if t and t not in seen:
            seen[t] = None
    return tuple(seen)


def _time_text(analysis: Analysis, e: Entity,
               zones: tuple[list[int], list[Entity]] | None = None) -> str:
    """The clock-time part of a TIME mention, without an attached timezone or date.

    ``zones``: the TIMEZONE entities sorted by start, with their starts (bisect instead of a
    scan of every entity per time, which was quadratic on a pasted log).
    """
    text = e.text
    if zones is None:
        zones = _zones(analysis)
    zstarts, zents = zones
    i = bisect.bisect_left(zstarts, e.start)
    tzs = []
    while i < len(zents) and zents[i].start < e.end:
        if zents[i].end <= e.end:
            tzs.append(zents[i])
        i += 1
    for z in sorted(tzs, key=lambda z: -z.start):
        text = text[:z.start - e.start] + text[z.end - e.start:]
    if e.timezone and text.rstrip().endswith(e.timezone):
        text = text.rstrip()[:-len(e.timezone)]
    m = re.search(r"\d{1,2}(?:[:.h]\d{2})?(?::\d{2})?\s*(?:[ap]\.?\s?m\.?)?", text, re.IGNORECASE)
    if m and re.search(r"[:.h]\d{2}|[ap]\.?\s?m", m.group(0), re.IGNORECASE):
        return m.group(0).strip()
    return text.strip(" ,()-")


def _zones(analysis: Analysis) -> tuple[list[int], list[Entity]]:
    zents = sorted((z for z in analysis.entities if z.label == "TIMEZONE"), key=lambda z: z.start)
    return [z.start for z in zents], zents


def _entity_lists(analysis: Analysis) -> dict[str, tuple[str, ...]]:
    code = [(b.start, b.end) for b in analysis.document.blocks if b.kind == "code"]
    ents = sorted((e for e in analysis.entities
                   if not any(a <= e.start < b for a, b in code)), key=lambda e: e.start)

    def of(label: str) -> list[Entity]:
        return [e for e in ents if e.label == label]

    zones = _zones(analysis)

    return {
        "times": _distinct(_time_text(analysis, e, zones) for e in of("TIME")),
        "timezones": _distinct(e.text for e in of("TIMEZONE")),
        "durations": _distinct(e.text for e in of("DURATION")),
        "percentages": _distinct(e.text for e in of("PERCENT")),
        "services": _distinct(e.text for e in of("SERVICE")),
        "teams": _distinct(e.text for e in of("TEAM")),
    }


# ---------------------------------------------------------------------------------------------


def compute(analysis: Analysis) -> Facts:
    """The guide's summary, timeline and entity facts of an analysed document."""
    part = summary_part(analysis)
    s = _summary_facts(analysis, part)
    t = _timeline_facts(analysis)
    return Facts(summary_part=part, **s, **t, **_entity_lists(analysis))
