"""Checks that read across the document: time consistency, blame, pasted assignment, filler.

A reviewer's first questions about a postmortem are cross-document ones: do the times in the
summary, the timeline and the stated duration tell one story; is the cause put on a person;
is the school's assignment pasted in; is there template or chat-assistant filler left. This
module answers them from the document text and the extracted entities only, so it keeps working
when the section or timeline stages miss something (it falls back to its own reading of time-led
lines and the text before the first of them). The annotation guide's hard cases settle what
counts (``chronological`` false, ``blame``, ``prompt_pasted``). The rules in
``pmscore.checks.review_rules`` turn the :class:`Review` into findings.

Vocabulary is data: ``data/lexicons/blame_phrases.txt``, ``blame_rewrites.json``,
``filler_phrases.txt``, ``review_timezones.json``, ``assignment_voice.txt`` (the assignment's
way of talking: instructions to the student, the writing task, general remarks on failure and
post-mortems, so a reworded background is found without keeping its text) and
``data/rubric_text.txt``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from pmscore import timeparse
from pmscore.features import guarded_source, prefilter_text, required_literals
from pmscore.resources import data_path, read_json, read_lines
from pmscore.types import Analysis, Document

DAY = 24 * 60
# An entry missing AM/PM is ambiguous, not contradictory (guide: an ambiguous time alone does
# not make the timeline non-chronological); it is reported but does not flip the label.
BREAKS_AMPM_MISSING = False


# --------------------------------------------------------------------------- result types


@dataclass(frozen=True)
class Issue:
    """One contradiction between two places of the document.

    ``start``/``end`` is the later (offending) span, ``other_start``/``other_end`` the span it
    contradicts; ``numbers`` holds the computed values (minutes, differences) the note quotes.
    ``breaks_chronology`` is True for the kinds the guide counts against ``chronological``.
    """

    kind: str
    note: str
    start: int
    end: int
    other_start: int | None = None
    other_end: int | None = None
    numbers: tuple[tuple[str, Any], ...] = ()
    breaks_chronology: bool = True

    @property
    def related(self) -> tuple[tuple[int, int], ...]:
        if self.other_start is None or self.other_end is None:
            return ()
        return ((self.other_start, self.other_end),)


@dataclass(frozen=True)
class Hit:
    """A flagged span (blame, pasted assignment, filler) with what it matched and a fix."""

    kind: str
    start: int
    end: int
    text: str
    suggestion: str = ""
    score: float = 0.0
    matched: str = ""


@dataclass(frozen=True)
class Review:
    """Cross-document review results (labels ``chronological``, ``blame``, ``prompt_pasted``)."""

    chronological: bool = True
    consistency_issues: tuple[Issue, ...] = ()
    blame: bool = False
    blame_spans: tuple[Hit, ...] = ()
    prompt_pasted: bool = False
    pasted_spans: tuple[Hit, ...] = ()
    filler: tuple[Hit, ...] = ()


# --------------------------------------------------------------------------- data


@lru_cache(maxsize=None)
def _kind_patterns(name: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """``kind<TAB>regex`` lines of a lexicon, compiled case-insensitively."""
    out = []
    for line in data_path("lexicons", name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kind, _, rx = line.partition("\t")
        out.append((kind.strip(), re.compile(rx.strip(), re.IGNORECASE)))
    return tuple(out)


@dataclass(frozen=True)
class _FastPattern:
    """A lexicon regex with what lets most documents skip it without changing any match.

    ``needs``: lower-case literals one of which ``prefilter_text`` of any text the regex
    matches contains (:func:`pmscore.features.required_literals`), None when there is none;
    ``guarded``: the same regex behind a first-character look-ahead
    (:func:`pmscore.features.guarded_source`), which yields exactly the same matches.
    ``rx`` is kept for its ``pattern`` (quoted in findings).
    """

    kind: str
    rx: re.Pattern[str]
    guarded: re.Pattern[str]
    needs: tuple[str, ...] | None


@lru_cache(maxsize=None)
def _fast_kind_patterns(name: str) -> tuple[_FastPattern, ...]:
    """:func:`_kind_patterns` with their literal prefilters and guarded regexes."""
    return tuple(_FastPattern(kind, rx, re.compile(guarded_source(rx.pattern, rx.flags), rx.flags),
                              required_literals(rx))
                 for kind, rx in _kind_patterns(name))


def _may_match(needs: tuple[str, ...] | None, low: str) -> bool:
    """False only when a regex with these required literals cannot match the text ``low``
    is the :func:`prefilter_text` of."""
    return needs is None or any(map(low.__contains__, needs))


@dataclass(frozen=True)
class _RubricUnit:
    text: str
    norm: str
    title: bool  # a task title / question: counts when used as a heading on its own
    section: bool  # an ordinary section name: never counts alone


@lru_cache(maxsize=1)
def _rubric() -> tuple[_RubricUnit, ...]:
    units = []
    for line in data_path("rubric_text.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        title = line.startswith("title:")
        section = line.startswith("section:")
        if title or section:
            line = line.split(":", 1)[1].strip()
        units.append(_RubricUnit(line, _norm(line), title, section))
    return tuple(units)


@lru_cache(maxsize=1)
def _rubric_heads() -> tuple[str, ...]:
    """Lead words of the longer requirements (before their "(" explanation), 20+ characters."""
    out = []
    for u in _rubric():
        if u.section or u.title or "(" not in u.text:
            continue
        head = _norm(u.text.split("(", 1)[0])
        if len(head) >= 20 and not head.endswith("must contain"):
            out.append(head)
    return tuple(out)


@lru_cache(maxsize=1)
def _tz_offsets() -> tuple[dict[str, int], frozenset[str]]:
    d = read_json("lexicons", "review_timezones.json")
    return dict(d["offsets"]), frozenset(d["ignore"])


# Regexes used per line or per sentence are compiled once: re's own cache lookup cost more
# than some of the searches.
_NON_NORM = re.compile(r"[^\w%/?()]+")
_LINE_LEAD = re.compile(r"^\W*(?:\d+[.)]\s*)?")
_SENT_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\"\u201c(\[]?[A-Z0-9])")
_ANY_LETTER = re.compile(r"[A-Za-z]")


# The runs _NON_NORM separates: the words _norm keeps, found directly (no substituted copy
# to split again; no character is both \\w and whitespace, so the words are the same).
_NORM_RUN = re.compile(r"[\w%/?()]+")


def _norm(s: str) -> str:
    return " ".join(_NORM_RUN.findall(s.lower()))


# --------------------------------------------------------------------------- time mentions


@dataclass(frozen=True)
class _Time:
    start: int
    end: int
    text: str
    minutes: int
    ampm: bool
    tz: str | None
    line: int
    hour_written: int  # the hour as written, to spot "13:06 PM"


_CAND_RE = re.compile(
    r"(?<![\w:.\-/])(?:(?P<hm>\d{1,2}\s?[:.h]\s?\d{2}(?::\d{2})?)(?:\s?(?P<ap1>[AaPp]\.?\s?[Mm]\b\.?))?"
    r"|(?P<h>\d{1,2})\s?(?P<ap2>[AaPp]\.?\s?[Mm]\b\.?))(?!\d|:\d)"
)


# Per-entry regexes, compiled once (re's cache look-up cost more than some of the matches).
_LEAD_NUMBER = re.compile(r"\d+")
_FIRST_HOUR = re.compile(r"\D*(\d{1,2})")
_WRAPPED_END = re.compile(r"[a-z,]$")
_LIST_LEAD = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)])\s")
_ENTRY_SEP = re.compile(r"\s*(?:\*\*|__)?\s*(?:[-\u2013\u2014:|)\]]|\*\*)")
_ITEM_LEAD = re.compile(r"\s*(?:[-*+\u2022|]|\d+[.)])")
_TZ_WITH_OFFSET = re.compile(r"^([A-Z][A-Z ]*?)\s?([+-])\s?(\d{1,2})(?::?(\d{2}))?$")
_CLAUSE_END = re.compile(r"[.;]\s")


_FENCED = re.compile(r"(?ms)^[^\S\n]*(```|~~~).*?^[^\S\n]*\1")


def _code_ranges(doc: Document) -> list[tuple[int, int]]:
    """Spans of code blocks and fenced code: times and phrases there are pasted output."""
    spans = [(b.start, b.end) for b in doc.blocks if b.kind == "code"]
    # Indentation only ([^\S\n]), not \s: \s let every line start of a run of blank lines
    # scan the whole run, O(n^2) (30,000 newlines: 8 s). Blank lines before a fence now fall
    # outside its span; nothing is ever looked up on a blank line.
    for m in _FENCED.finditer(doc.text):
        spans.append((m.start(), m.end()))
    return sorted(spans)


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


class _Lines:
    """Line starts of a text, for offset -> line lookups."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.text = text

    def index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def bounds(self, i: int) -> tuple[int, int]:
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return self.starts[i], end


def _scan_times(doc: Document, lines: _Lines, code: list[tuple[int, int]]) -> list[_Time]:
    """Clock times in the text, read with :func:`pmscore.timeparse.parse_clock`.

    The entity extractor's TIME entities are used when present (see :func:`_times`); this scan
    is the fallback so the review does not depend on that stage.
    """
    tz_re = re.compile(r"\s?\(?\s?(" + timeparse.timezone_regex() + r")")
    out: list[_Time] = []
    text = doc.text
    for m in _CAND_RE.finditer(text):
        if _inside(m.start(), code):
            continue
        raw = m.group(0)
        if m.group("hm") and "h" in m.group("hm").lower() and not (m.group("ap1")):
            continue  # "3h30" is a duration more often than a time
        end = m.end()
        tz = None
        mt = tz_re.match(text, end)
        if mt:
            tz = mt.group(1)
            end_tz = mt.end()
        parsed = timeparse.parse_clock(raw.replace("h", ":") if m.group("hm") else raw)
        if parsed is None:
            continue
        minutes, ampm, _ = parsed
        hour = int(_LEAD_NUMBER.match(raw).group(0))  # type: ignore[union-attr]
        out.append(_Time(m.start(), end_tz if mt else end, text[m.start():end_tz if mt else end],
                         minutes, ampm, tz, lines.index(m.start()), hour))
    return out


def _times(analysis: Analysis, lines: _Lines, code: list[tuple[int, int]]) -> list[_Time]:
    doc = analysis.document
    ents = [e for e in analysis.entities if e.label == "TIME" and e.minutes is not None]
    if not ents:
        return _scan_times(doc, lines, code)
    out = []
    for e in ents:
        if _inside(e.start, code):
            continue
        m = _FIRST_HOUR.match(e.text)
        hour = int(m.group(1)) if m else e.minutes // 60  # type: ignore[operator]
        tz = e.timezone
        if tz:
            # keep a timezone only when it is written right at the time, as a word of its own
            near = doc.text[e.start:e.end + 16]
            if not re.search(r"(?<![A-Za-z0-9])" + re.escape(tz) + r"(?![A-Za-z])", near):
                tz = None
        out.append(_Time(e.start, e.end, e.text, e.minutes % DAY, e.ampm, tz,  # type: ignore[operator]
                         lines.index(e.start), hour))
    return sorted(out, key=lambda t: t.start)


# --------------------------------------------------------------------------- dates

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MON = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_RES = (
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<a>\d{1,2})-(?P<b>\d{1,2})(?!\d)"),
    re.compile(r"(?<![\d.:])(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})(?![\d.:])"),
    re.compile(r"(?i)\b" + _MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{4}))?"),
    re.compile(r"(?i)\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r"(?:,?\s+(?P<y>\d{4}))?"),
    re.compile(r"(?<![\d/.:])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\d/])"),  # "9/10" month/day
)


_ANY_DIGIT = re.compile(r"\d")  # the same \d (Unicode digits) as the date patterns


def _date_on(line: str) -> tuple[int, int, int] | None:
    """(year or 0, month, day) of the first date written on a line, else None."""
    if not _ANY_DIGIT.search(line):
        return None  # every date pattern holds a digit: five searches saved on most lines
    best: tuple[int, tuple[int, int, int]] | None = None
    for i, rx in enumerate(_DATE_RES):
        m = rx.search(line)
        if not m:
            continue
        g = m.groupdict()
        try:
            if i == 0:
                val = (int(g["y"]), int(g["a"]), int(g["b"]))
            elif i == 4:
                val = (0, int(g["a"]), int(g["b"]))
            elif i == 1:
                a, b, y = int(g["a"]), int(g["b"]), int(g["y"])
                y = y + 2000 if y < 100 else y
                val = (y, b, a) if a > 12 or b <= 12 else (y, a, b)  # day-first unless impossible
            else:
                mon = _MONTHS[g["mon"][:3].lower()]
                val = (int(g["y"]) if g.get("y") else 0, mon, int(g["d"]))
        except (KeyError, ValueError):
            continue
        if not (1 <= val[1] <= 12 and 1 <= val[2] <= 31):
            continue
        if best is None or m.start() < best[0]:
            best = (m.start(), val)
    return best[1] if best else None


def _days_apart(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
    """Days between two dates; a missing year is taken from the other date."""
    from datetime import date

    ya, yb = a[0] or b[0] or 2000, b[0] or a[0] or 2000
    try:
        return abs((date(ya, a[1], a[2]) - date(yb, b[1], b[2])).days)
    except ValueError:
        return 0


def _date_cmp(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
    if a[0] and b[0] and a[0] != b[0]:
        return -1 if a[0] < b[0] else 1
    ka, kb = a[1:], b[1:]
    return 0 if ka == kb else (-1 if ka < kb else 1)


# --------------------------------------------------------------------------- structure


@dataclass(frozen=True)
class _Entry:
    time: _Time
    line_text: str
    date: tuple[int, int, int] | None


def _timeline(analysis: Analysis, times: list[_Time], lines: _Lines) -> list[_Entry]:
    """Timeline entries: time-led lines (inside a timeline section when one was found)."""
    doc = analysis.document
    tl_spans = [(s.start, s.end) for s in analysis.sections if s.label == "timeline"]
    by_line: dict[int, _Time] = {}
    for t in times:
        if t.line in by_line:
            continue
        ls, le = lines.bounds(t.line)
        lead = doc.clean[ls:t.start]
        if not _is_entry_lead(lead):
            continue
        if t.line > 0 and not lead.strip():
            ps, pe = lines.bounds(t.line - 1)
            prev_line = doc.clean[ps:pe].rstrip()
            if prev_line and _WRAPPED_END.search(prev_line) and not _LIST_LEAD.match(
                    doc.text[ls:le]):
                continue  # a hard-wrapped paragraph line that happens to start with a time
        if tl_spans and not _inside(t.start, tl_spans):
            continue
        if not tl_spans and not _ENTRY_SEP.match(doc.text[t.end:t.end + 6]) and \
                not _ITEM_LEAD.match(doc.text[ls:t.start]):
            continue  # no timeline section: only "time - event" lines and list items count
        by_line[t.line] = t
    entries = []
    prev_ln = -1
    for ln in sorted(by_line):
        ls, le = lines.bounds(ln)
        t = by_line[ln]
        # the entry's own date: before its time, or right after it ("12:20 AM on May 15")
        date = _date_on(doc.text[ls:t.start]) or _date_on(doc.text[t.end:min(le, t.end + 25)])
        if date is None:
            # a date written on its own line before the entry ("Monday, May 14th:")
            for k in range(ln - 1, prev_ln if prev_ln >= 0 else max(-1, ln - 4), -1):
                a, b = lines.bounds(k)
                date = _date_on(doc.text[a:b])
                if date is not None:
                    break
        entries.append(_Entry(by_line[ln], doc.text[ls:le], date))
        prev_ln = ln
    return entries


_LEAD_WORDS = re.compile(
    r"(?i)\b(?:at|on|by|around|about|approx\w*|circa|ca|from|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|mon|tues?|weds?|thu|thurs?|fri|sat|sun|day|\d+(?:st|nd|rd|th)?)\b")


def _is_entry_lead(lead: str) -> bool:
    """Whether the text before a time on its line leaves the time opening a timeline entry.

    Cached for short leads: they repeat ("- ", "1. ", "On March 3, ") and each costs six
    substitutions; a long lead (a time deep in a pasted log line) is not kept.
    """
    if len(lead) > 200:
        return _entry_lead(lead)
    return _cached_entry_lead(lead)


@lru_cache(maxsize=4096)
def _cached_entry_lead(lead: str) -> bool:
    return _entry_lead(lead)


def _entry_lead(lead: str) -> bool:
    """:func:`_is_entry_lead` without the cache.

    Only a bullet or number, a date, a weekday or "At"/"On"/"Around" may come first, so a
    summary line ("Duration: 02:30 AM - 05:45 AM", "from 14:02 to 14:34") is not an entry.
    """
    rest = lead
    for rx in _DATE_RES:
        rest = rx.sub(" ", rest)
    rest = _LEAD_WORDS.sub(" ", rest)
    return not _ANY_LETTER.search(rest) and len(lead.strip()) <= 40


def _summary_span(analysis: Analysis, entries: list[_Entry]) -> tuple[int, int]:
    """The summary part: labelled summary/impact sections, else the text before the timeline."""
    spans = [(s.start, s.end) for s in analysis.sections if s.label in ("summary", "impact")]
    text = analysis.document.text
    first_tl = text.rfind("\n", 0, entries[0].time.start) + 1 if entries else len(text)
    tl_secs = [s.start for s in analysis.sections if s.label == "timeline"]
    if tl_secs:
        first_tl = min(first_tl, min(tl_secs))
    if spans:
        lo = min(s for s, _ in spans)
        # only the opening part: summary/impact sections that start before the timeline
        before = [(s, e) for s, e in spans if s < first_tl] if first_tl > lo else spans
        hi = max(e for _, e in before)
        if first_tl > lo:
            hi = min(hi, first_tl)
        return lo, hi
    return 0, first_tl


_START_CUE = re.compile(r"(?i)\b(?:start\w*|began|begin\w*|beg[au]n|occurr?ed|happened|from|"
                        r"since|went\s+down|incident\s+time|commenc\w+)\b[^.\n]{0,60}$")
_START_AFTER = re.compile(r"(?i)\b(?:became\s+unresponsive|went\s+(?:down|offline)|began|started|"
                          r"brought\s+down|took\s+down|(?:had|experienced|suffered)\s+(?:an?\s+)?(?:\w+\s+)?"
                          r"(?:outage|downtime|disruption|failure)|"
                          r"crashed|stopped\s+(?:working|responding)|(?:outage|incident)\s+"
                          r"(?:began|started|occurred))\b")
_END_CUE = re.compile(r"(?i)\b(?:until|till|to|end\w*|resolved|restored|fixed|recovered|"
                      r"corrected|back\s+(?:online|up)|end\s+time|through)\b[^.\n]{0,45}$")
_RANGE_GAP = re.compile(r"(?i)^[^.\n]{0,30}?(?:\bto\b|\buntil\b|\btill\b|\band\b|\bthrough\b|"
                        r"[-\u2013\u2014~]+)[^.\n]{0,30}$")
_RES_CUE = re.compile(r"(?i)\b(?:resolved|resolution|fix(?:es|ed)\b|restor\w*|(?:is|was|were)\s+(?:\d+%\s+)?back\b|back\s+(?:online|up|to\s+normal)|"
                      r"fully\s+(?:operational|functional|functioning|restored)|recover\w*|"
                      r"normal\s+(?:operation|service)s?|operational\s+again|returned\s+to\s+normal|"
                      r"service\s+resumed|up\s+and\s+running|site\s+(?:is|was)\s+(?:back|up)|"
                      r"(?:outage|incident)\s+(?:ended|over|closed)|declared\s+stable|all\s+clear)")
_DETECT_CUE = re.compile(r"(?i)\b(?:detect\w*|alert\w*|notic\w*|report\w*|complain\w*|"
                         r"not\s+respond\w*|unreachable|unavailable|went\s+down|outage\s+beg\w*|"
                         r"outage\s+start\w*|stopped\s+working|(?:is|was|went)\s+(?:down|offline))")
_BEGINS_CUE = re.compile(r"(?i)\b(?:outage|incident|downtime|disruption|interruption)\s+"
                         r"(?:begins|began|starts|started|commenc\w+)\b")
_DUR_RE = re.compile(
    r"(?i)\b(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|forty-five|fifty|sixty|ninety|half\s+an)"
    r"(?:[\s-]+(?:and\s+)?(?:a\s+)?half)?[\s-]*(?:hours?|hrs?|minutes?|mins?)\b"
    r"(?:,?\s*(?:and\s+)?\d+\s*(?:minutes?|mins?)\b)?")
_DUR_CUE = re.compile(r"(?i)\b(?:lasted|lasting|for|duration|outage\s+of|downtime\s+of|down\s+for|"
                      r"period\s+of|spanned|total\s+of)\W*(?:about|approximately|around|roughly|"
                      r"nearly|almost|over|just\s+over|~)?\W*$")


def _circ(a: int, b: int) -> int:
    """Smallest distance between two clock times, in minutes."""
    d = abs(a - b) % DAY
    return min(d, DAY - d)


def _fmt(t: _Time) -> str:
    return " ".join(t.text.split())


def _summary_start_end(doc: Document, times: list[_Time], span: tuple[int, int]
                       ) -> tuple[_Time | None, _Time | None]:
    ts = [t for t in times if span[0] <= t.start < span[1]]
    for a, b in zip(ts, ts[1:]):
        gap = doc.clean[a.end:b.start]
        if len(gap) <= 60 and _RANGE_GAP.match(gap) and not _CLAUSE_END.search(gap):
            if not a.ampm and b.ampm and a.minutes < 720 <= b.minutes and \
                    a.minutes + 720 <= b.minutes:
                # "from 3:31 to 6:02 pm": the start shares the end's PM
                a = _Time(a.start, a.end, a.text, a.minutes + 720, True, a.tz or b.tz, a.line,
                          a.hour_written)
            return a, b
    start = end = None
    for t in ts:
        before = doc.clean[max(span[0], t.start - 70):t.start]
        before = before.split("\n")[-1]
        after = doc.clean[t.end:t.end + 160].split(". ")[0]
        if start is None and (_START_CUE.search(before) or _START_AFTER.search(after)):
            start = t
        elif end is None and _END_CUE.search(before[-45:]):
            end = t
    return start, end


def _offset(tz: str | None) -> int | str | None:
    """UTC offset in minutes of a timezone label, its name when unknown, None when absent."""
    if not tz:
        return None
    offsets, ignore = _tz_offsets()
    s = " ".join(tz.upper().replace("\u2212", "-").split())
    if s in ignore:
        return None
    m = _TZ_WITH_OFFSET.match(s)
    if m:
        base = offsets.get(m.group(1).strip(), 0)
        sign = 1 if m.group(2) == "+" else -1
        return base + sign * (int(m.group(3)) * 60 + int(m.group(4) or 0))
    return offsets.get(s, s)


_STATS_RE = re.compile(r"(?i)\btime\s+to\s+(?:detect\w*|recover\w*|resol\w*|mitigat\w*|"
                       r"restor\w*|repair\w*)\s*[:=-]\s*(?P<dur>\d+\s*(?:minutes?|mins?|hours?|hrs?)\b)")


def _absolute(entries: list[_Entry]) -> list[int]:
    """Entry times as minutes on one axis: dates where written, else a new day at each wrap."""
    out: list[int] = []
    day = 0
    prev_date: tuple[int, int, int] | None = None
    prev_min: int | None = None
    for e in entries:
        if e.date is not None:
            from datetime import date as _d
            try:
                day = _d(e.date[0] or 2000, e.date[1], e.date[2]).toordinal()
            except ValueError:
                pass
            prev_date = e.date
        elif prev_min is not None and e.time.minutes < prev_min and prev_date is None:
            day += 1
        prev_min = e.time.minutes
        out.append(day * DAY + e.time.minutes)
    return out


def _timeline_header_tz(analysis: Analysis, entries: list[_Entry]) -> tuple[str, int, int] | None:
    """A timezone named in the lines just above the first entry ("Timeline (all times PST)")."""
    doc = analysis.document
    first = entries[0].time.start
    lo = doc.text.rfind("\n", 0, max(0, doc.text.rfind("\n", 0, first)))
    lo = doc.text.rfind("\n", 0, max(0, lo)) if lo > 0 else 0
    lo = doc.text.rfind("\n", 0, max(0, lo)) if lo > 0 else 0
    window = doc.text[max(0, lo):doc.text.rfind("\n", 0, first) + 1]
    m = re.search(timeparse.timezone_regex(), window)
    if not m:
        return None
    start = max(0, lo) + m.start()
    return m.group(0), start, start + len(m.group(0))


def _consistency(analysis: Analysis, times: list[_Time], entries: list[_Entry]) -> list[Issue]:
    doc = analysis.document
    issues: list[Issue] = []

    # 1. timestamps going backwards / AM-PM flips between consecutive timeline entries
    prev: _Entry | None = None
    last_date: tuple[int, int, int] | None = None
    heading_starts = [b.start for b in doc.blocks if b.kind == "heading"]
    for e in entries:
        date = e.date
        if prev is not None and any(prev.time.end <= h < e.time.start for h in heading_starts):
            prev, last_date = None, None  # a new heading starts a new timeline
        if prev is not None:
            p, t = prev.time, e.time
            date_changed = False
            if date and not last_date:
                date_changed = True  # the first date appears: a new day may begin here
            elif date and last_date:
                c = _date_cmp(date, last_date)
                if c < 0:
                    issues.append(Issue(
                        "date_backwards",
                        f"timeline goes back a day or more: {_fmt(p)} on {last_date[2]}/{last_date[1]}"
                        f" -> {_fmt(t)} on {date[2]}/{date[1]}",
                        t.start, t.end, p.start, p.end))
                date_changed = c != 0
            if not date_changed and t.minutes < p.minutes:
                wrap = t.minutes + DAY - p.minutes
                flipped = (t.minutes + 12 * 60) % DAY - p.minutes
                if p.minutes >= 18 * 60 and t.minutes <= 9 * 60 and wrap <= 8 * 60:
                    pass  # crossing midnight: late evening then early morning
                elif (t.ampm or p.ampm) and 0 <= flipped <= 180:
                    issues.append(Issue(
                        "ampm_flip",
                        f"timeline goes {_fmt(p)} -> {_fmt(t)} for events minutes apart "
                        f"(read as {flipped} min later if AM/PM were consistent, "
                        f"{p.minutes - t.minutes} min backwards as written)",
                        t.start, t.end, p.start, p.end,
                        (("previous_minutes", p.minutes), ("minutes", t.minutes),
                         ("backwards_by", p.minutes - t.minutes), ("if_flipped", flipped))))
                else:
                    issues.append(Issue(
                        "backwards",
                        f"timeline goes backwards: {_fmt(p)} -> {_fmt(t)} "
                        f"({p.minutes - t.minutes} min earlier than the entry before)",
                        t.start, t.end, p.start, p.end,
                        (("previous_minutes", p.minutes), ("minutes", t.minutes),
                         ("backwards_by", p.minutes - t.minutes))))
        prev = e
        if date:
            last_date = date

    # 2. 24-hour clock with AM/PM ("13:06 PM")
    for t in times:
        if t.ampm and t.hour_written > 12:
            issues.append(Issue("ampm_24h", f"'{_fmt(t)}' mixes a 24-hour time with AM/PM",
                                t.start, t.end))
            break

    # 2b. one entry without AM/PM among entries that all carry it ("07:40" among "08:00 AM")
    with_ap = [e for e in entries if e.time.ampm]
    without = [e for e in entries if not e.time.ampm and e.time.hour_written <= 12]
    if len(with_ap) >= 3 and len(without) == 1:
        t = without[0].time
        ref = min(with_ap, key=lambda x: abs(x.time.start - t.start)).time
        issues.append(Issue(
            "ampm_missing",
            f"timeline entry {_fmt(t)} has no AM/PM while the others do (e.g. {_fmt(ref)})",
            t.start, t.end, ref.start, ref.end, breaks_chronology=BREAKS_AMPM_MISSING))

    span = _summary_span(analysis, entries)
    s_t, e_t = _summary_start_end(doc, times, span)
    tl_times = [e.time for e in entries if not (span[0] <= e.time.start < span[1])]

    # 3. summary start vs the timeline
    flipped_start = False
    if s_t is not None and tl_times:
        first = tl_times[0]
        if 700 <= abs(first.minutes - s_t.minutes) <= 740 and first.ampm and s_t.ampm \
                and _circ(first.minutes, s_t.minutes) >= 700:
            flipped_start = True
            issues.append(Issue(
                "summary_start_ampm",
                f"summary start {_fmt(s_t)} but timeline starts {_fmt(first)} "
                f"({_circ(first.minutes, s_t.minutes)} min apart: AM/PM disagree)",
                first.start, first.end, s_t.start, s_t.end,
                (("summary_start", s_t.minutes), ("timeline_first", first.minutes))))
    if s_t is not None and not flipped_start:
        begins = next((e for e in entries if _BEGINS_CUE.search(e.line_text)
                       and not (span[0] <= e.time.start < span[1])), None)
        if begins is not None and _circ(begins.time.minutes, s_t.minutes) >= 5:
            diff = _circ(begins.time.minutes, s_t.minutes)
            issues.append(Issue(
                "start_mismatch",
                f"summary starts the outage at {_fmt(s_t)}, the timeline says it began at "
                f"{_fmt(begins.time)} ({diff} min apart)",
                begins.time.start, begins.time.end, s_t.start, s_t.end,
                (("summary_start", s_t.minutes), ("timeline_start", begins.time.minutes),
                 ("difference", diff))))
        else:
            for t in times:
                if span[0] <= t.start < span[1] or t.start < span[0]:
                    continue
                ss, se = _sentence_bounds(doc.clean, t.start)
                early = s_t.minutes - t.minutes
                if 0 < early <= 240 and _DETECT_CUE.search(doc.clean[ss:se]):
                    issues.append(Issue(
                        "detection_before_start",
                        f"timeline has the problem noticed at {_fmt(t)}, {early} min before the "
                        f"stated start {_fmt(s_t)}",
                        t.start, t.end, s_t.start, s_t.end,
                        (("summary_start", s_t.minutes), ("detected", t.minutes),
                         ("minutes_before", early))))
                    break

    # 4. summary end vs the timeline's resolution entry
    if e_t is not None and entries:
        res = [e for e in entries if _RES_CUE.search(e.line_text)
               and not (span[0] <= e.time.start < span[1])]
        if res and not any(_circ(r.time.minutes, e_t.minutes) <= 2 for r in res):
            r = res[0] if s_t is None else min(
                res, key=lambda x: _circ(x.time.minutes, e_t.minutes))
            diff = _circ(r.time.minutes, e_t.minutes)
            if diff >= 20:
                issues.append(Issue(
                    "summary_end_mismatch",
                    f"summary end {_fmt(e_t)} but the timeline has it resolved at "
                    f"{_fmt(r.time)} ({diff} min apart)",
                    r.time.start, r.time.end, e_t.start, e_t.end,
                    (("summary_end", e_t.minutes), ("timeline_resolved", r.time.minutes),
                     ("difference", diff))))

    # 5. stated duration vs stated start/end (or the timeline's first and last entries)
    for m in _DUR_RE.finditer(doc.clean, span[0], span[1]):
        before = doc.clean[max(0, m.start() - 40):m.start()]
        if not _DUR_CUE.search(before):
            continue
        dur = timeparse.parse_duration(m.group(0))
        if not dur or dur >= DAY:
            continue
        if s_t is not None and e_t is not None:
            computed = timeparse.minutes_between(s_t.minutes, e_t.minutes)
            ref = (s_t.start, e_t.end)
            src = f"{_fmt(s_t)} to {_fmt(e_t)}"
        else:
            continue
        if computed and abs(computed - dur) > 15 and abs(computed - dur) > 0.1 * dur:
            issues.append(Issue(
                "duration_mismatch",
                f"stated duration '{m.group(0).strip()}' ({dur} min) but {src} is {computed} min",
                m.start(), m.end(), ref[0], ref[1],
                (("stated_minutes", dur), ("computed_minutes", computed),
                 ("difference", abs(computed - dur)))))
        break

    # 5b. the summary's date against the timeline's dates
    tl_dates = [e.date for e in entries if e.date is not None]
    if tl_dates:
        sum_dates = []
        for line_m in re.finditer(r"[^\n]+", doc.text[span[0]:span[1]]):
            d = _date_on(line_m.group(0))
            if d is not None:
                sum_dates.append((d, span[0] + line_m.start(), span[0] + line_m.end()))
        if sum_dates and not any(_days_apart(d, t) <= 1 for d, _, _ in sum_dates
                                 for t in tl_dates):
            d, a, b = sum_dates[0]
            first = next(e for e in entries if e.date is not None)
            issues.append(Issue(
                "date_mismatch",
                f"summary is dated {d[2]}/{d[1]} but the timeline's entries are dated "
                f"{first.date[2]}/{first.date[1]}",  # type: ignore[index]
                first.time.start, first.time.end, a, b))

    # 6. a stats block ("Time to recovery: 389 minutes") that no pair of timeline entries gives
    abs_times = _absolute(entries)
    if len(abs_times) >= 2:
        for m in _STATS_RE.finditer(doc.clean):
            stated = timeparse.parse_duration(m.group("dur"))
            if stated is None or stated <= 0:
                continue
            diffs = [b - a for i, a in enumerate(abs_times) for b in abs_times[i + 1:]]
            tol = 30 if re.search(r"(?i)h", m.group("dur")) else 3  # "54 hours" is rounded
            if any(abs(d - stated) <= tol for d in diffs):
                continue
            closest = min(diffs, key=lambda d: abs(d - stated))
            first = entries[0].time
            issues.append(Issue(
                "stats_mismatch",
                f"'{' '.join(m.group(0).split())}' ({stated} min) matches no interval of the "
                f"timeline (closest: {closest} min)",
                m.start(), m.end(), first.start, first.end,
                (("stated_minutes", stated), ("closest_interval", closest))))
            break

    # 7. conflicting timezone labels
    tl_tz = [(e.time, _offset(e.time.tz)) for e in entries if _offset(e.time.tz) is not None]
    distinct = {o for _, o in tl_tz}
    if len(distinct) > 1:
        first_tz = tl_tz[0]
        other = next(x for x in tl_tz if x[1] != first_tz[1])
        issues.append(Issue(
            "timezone_conflict",
            f"timeline mixes timezones: {_fmt(first_tz[0])} and {_fmt(other[0])}",
            other[0].start, other[0].end, first_tz[0].start, first_tz[0].end))
    elif len(distinct) == 1 and entries:
        tl_off = next(iter(distinct))
        header = _timeline_header_tz(analysis, entries)
        if header is not None and _offset(header[0]) not in (None, tl_off):
            issues.append(Issue(
                "timezone_conflict",
                f"timeline says times are in {header[0]} but its entries are labelled "
                f"{tl_tz[0][0].tz}",
                tl_tz[0][0].start, tl_tz[0][0].end, header[1], header[2]))
        for st in (s_t, e_t):
            off = _offset(st.tz) if st is not None else None
            if st is not None and off is not None and off != tl_off and \
                    not (isinstance(off, str) or isinstance(tl_off, str)):
                issues.append(Issue(
                    "timezone_conflict",
                    f"summary time {_fmt(st)} and timeline {_fmt(tl_tz[0][0])} use different "
                    f"timezones ({off - tl_off:+d} min apart)",  # type: ignore[operator]
                    tl_tz[0][0].start, tl_tz[0][0].end, st.start, st.end,
                    (("summary_offset", off), ("timeline_offset", tl_off))))
                break
    return issues


# --------------------------------------------------------------------------- blame

_NEGATE = re.compile(r"(?i)(?:prevent\w*|avoid\w*|reduc\w*|minimi[sz]\w*|eliminat\w*|risk\s+of|"
                     r"chances?\s+of|prone\s+to|such\s+as|including|like|not\s+due\s+to|no\s+|"
                     r"blameless|without\s+blam\w*|not\s+(?:about|to)\s+blam\w*|rather\s+than)"
                     r"[^.\n]{0,25}$")
# an enumeration of possible factors ("bugs, ..., and human error"): not a cause given
_ENUM = re.compile(r",\s*(?:and\s+|or\s+)?$")


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    # The searches stop at the line's own newline: a ". " beyond it cannot be the nearest
    # boundary, and unbounded ones scanned the whole text per call (quadratic on long logs).
    nl = text.rfind("\n", 0, pos)
    lo = max(nl, 0)
    s = max(text.rfind(". ", lo, pos), nl, text.rfind("! ", lo, pos), text.rfind("? ", lo, pos))
    s = 0 if s < 0 else s + 1
    nl = text.find("\n", pos)
    dot = text.find(". ", pos) if nl < 0 else text.find(". ", pos, nl + 1)
    ends = [i for i in (dot, nl) if i >= 0]
    e = min(ends) + 1 if ends else len(text)
    return s, e


@lru_cache(maxsize=1)
def _rewrite_data() -> tuple[dict[str, Any], tuple[re.Pattern[str], ...],
                             tuple[tuple[str, re.Pattern[str]], ...]]:
    """``blame_rewrites.json`` with its object and process regexes compiled once."""
    data = read_json("lexicons", "blame_rewrites.json")
    objects = tuple(re.compile(r"\b(?:the|a|an|our)\s+((?:[\w./-]+\s+){0,3}?" + re.escape(o)
                               + r")\b") for o in data["objects"])
    processes = tuple((p, re.compile(r"\b" + re.escape(p) + r"\b")) for p in data["processes"])
    return data, objects, processes


def _first_process(where: str) -> str | None:
    """The first process of ``blame_rewrites.json`` named in ``where`` (lower case)."""
    for p, rx in _rewrite_data()[2]:
        if rx.search(where):
            return p
    return None


def _rewrite(kind: str, sentence: str, doc_text: str,
             doc_process: Callable[[], str | None] | None = None) -> str:
    """The suggested blameless wording; ``doc_process`` gives ``_first_process`` of the
    lower-cased document (passed memoised by :func:`_blame`: it was searched per hit)."""
    data, objects, _processes = _rewrite_data()
    low = sentence.lower()
    obj = data["default_object"]
    for rx in objects:
        m = rx.search(low)
        if m:
            obj = "the " + m.group(1)
            break
    # the blamed sentence first, then the document
    proc = _first_process(low)
    if proc is None:
        proc = doc_process() if doc_process is not None else _first_process(doc_text.lower())
    if proc is None:
        proc = data["default_process"]
    tpl = data["templates"].get(kind, data["templates"]["person_act"])
    return tpl.format(object=obj, process=proc)


def _blame(doc: Document, skip: list[tuple[int, int]], low: str | None = None) -> list[Hit]:
    """Blame phrases outside ``skip``; ``low`` is ``prefilter_text(doc.clean)`` if known."""
    hits: list[Hit] = []
    text = doc.clean
    if low is None:
        low = prefilter_text(text)
    memo: list[str | None] = []

    def doc_process() -> str | None:
        if not memo:
            memo.append(_first_process(text.lower()))
        return memo[0]
    for pat in _fast_kind_patterns("blame_phrases.txt"):
        if not _may_match(pat.needs, low):
            continue  # cannot match anywhere: the same hits without the search
        kind = pat.kind
        for m in pat.guarded.finditer(text):
            if _inside(m.start(), skip) or any(h.start <= m.start() < h.end for h in hits):
                continue
            if _NEGATE.search(text[max(0, m.start() - 40):m.start()]):
                continue
            if kind in ("human_error", "character") and _ENUM.search(text[max(0, m.start() - 8):m.start()]):
                continue
            s, e = _sentence_bounds(text, m.start())
            if any(s <= h.start < e for h in hits):
                continue  # one finding per sentence
            hits.append(Hit(kind, m.start(), m.end(), doc.text[m.start():m.end()],
                            suggestion=_rewrite(kind, text[s:e], text, doc_process),
                            matched=kind))
    return sorted(hits, key=lambda h: h.start)


# --------------------------------------------------------------------------- pasted assignment


# A line's text from its first to its last non-space character (``\\S`` is ``not
# str.isspace()``, what ``str.strip`` removes): the stripped lines in one C-level scan.
# Anchored at line starts with a possessive indent: unanchored, a long run of blanks (a
# line of tabs, or markup blanked in ``clean``) was rescanned from each of its positions,
# O(n^2): 30,000 tabs took 12 s.
_STRIPPED_LINE = re.compile(r"^[^\S\n]*+(\S(?:[^\n]*\S)?)", re.M)


def _segments(doc: Document, code: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Lines of the document (clean text), stripped, with their offsets; code excluded."""
    if not code:
        return [m.span(1) for m in _STRIPPED_LINE.finditer(doc.clean)]
    return [(s, e) for s, e in (m.span(1) for m in _STRIPPED_LINE.finditer(doc.clean))
            if not _inside(s, code)]


def _pasted(doc: Document, code: list[tuple[int, int]],
            segs: list[tuple[int, int]] | None = None) -> list[Hit]:
    """Rubric lines; ``segs`` is ``_segments(doc, code)`` when the caller has it."""
    hits: list[Hit] = []
    units = _rubric()
    heads = _rubric_heads()
    if segs is None:
        segs = _segments(doc, code)
    lines = [doc.clean[s:e] for s, e in segs]
    lows = [line.lower() for line in lines]
    bares = [_norm(_LINE_LEAD.sub("", line)).rstrip(" :") for line in lines]
    maybe = _pasted_candidates(lows, bares)
    for i, (s, e) in enumerate(segs):
        if not maybe[i]:
            continue  # no score reaches a cutoff: the loop below would add nothing
        line, low, bare = lines[i], lows[i], bares[i]
        for head in heads:
            # a requirement's lead words opening a line ("a list of tasks to address the
            # issue: ...") are the assignment's task title reused as a label
            if len(bare) >= len(head) and fuzz.ratio(bare[:len(head)], head) >= 92 and (
                    len(bare) == len(head) or not bare[len(head)].isalnum()):
                hits.append(Hit("title", s, e, doc.text[s:e], score=100.0, matched=head))
                break
        for u in units:
            if u.section:
                continue
            if u.title or len(u.norm) < 30:
                if u.title and fuzz.ratio(bare, u.norm) >= 88:
                    hits.append(Hit("title", s, e, doc.text[s:e], score=fuzz.ratio(bare, u.norm),
                                    matched=u.text))
                continue
            if len(low) < len(u.text):
                # the line is shorter than the requirement: it must be (nearly) all of it
                sc = fuzz.ratio(low, u.text.lower())
                if sc < 88:
                    continue
                a, b = s, e
                score = sc
            else:
                al = fuzz.partial_ratio_alignment(u.text.lower(), low, score_cutoff=88)
                if al is None:
                    continue
                a, b = s + al.dest_start, s + al.dest_end
                score = al.score
            if any(h.start < b and a < h.end for h in hits):
                continue
            hits.append(Hit("requirement", a, b, doc.text[a:b], score=score, matched=u.text))
    return sorted(hits, key=lambda h: h.start)


# The score matrices below only select lines worth the exact per-line loop; they are computed
# in float32 and by ``partial_ratio`` instead of ``partial_ratio_alignment`` (the same score),
# so a margin below each cutoff keeps every line the loop could flag.
_MARGIN = 1.0


# Lines per batch of score matrices: keeps each C call short on a pasted 10 MB log, so the
# grading time budget (raised between Python instructions) still stops it promptly.
_CDIST_LINES = 1024


def _pasted_candidates(lows: list[str], bares: list[str]) -> list[bool]:
    """Per line, whether any rubric head, title or requirement may reach its cutoff in
    :func:`_pasted` (False only when none can). ``process.cdist`` over the lines per rubric
    item (same scorers, no processor, as the loop) instead of lines x items Python calls."""
    out: list[bool] = []
    for i in range(0, len(lows), _CDIST_LINES):
        out += _pasted_candidates_batch(lows[i:i + _CDIST_LINES], bares[i:i + _CDIST_LINES])
    return out


def _pasted_candidates_batch(lows: list[str], bares: list[str]) -> list[bool]:
    """:func:`_pasted_candidates` of one batch of lines."""
    n = len(lows)
    if not n:
        return []
    maybe = np.zeros(n, dtype=bool)
    units = [u for u in _rubric() if not u.section]
    titles = [u.norm for u in units if u.title]
    long_reqs = [u.text for u in units if not u.title and len(u.norm) >= 30]
    for head in _rubric_heads():
        width = len(head)
        fits = np.array([len(b) >= width for b in bares])
        if fits.any():
            sc = process.cdist([b[:width] for b in bares], [head], scorer=fuzz.ratio,
                               score_cutoff=92 - _MARGIN, workers=1)[:, 0]
            maybe |= fits & (sc >= 92 - _MARGIN)
    if titles:
        sc = process.cdist(bares, titles, scorer=fuzz.ratio, score_cutoff=88 - _MARGIN,
                           workers=1)
        maybe |= (sc >= 88 - _MARGIN).any(axis=1)
    if not long_reqs:
        return maybe.tolist()
    lengths = np.array([len(low) for low in lows])
    reqs = [text.lower() for text in long_reqs]
    # Any substring's ratio with a requirement of length r is 200 x / (r + |sub|) with x its
    # LCS with the requirement, at most 200 x / (r + x) (|sub| >= x), and x is at most the
    # LCS with the whole line: a line whose LCS bound is below the cutoff cannot reach it by
    # partial ratio. The LCS matrix is one cheap bit-parallel call; partial ratio was most of
    # this function's time and now runs only on the few lines that pass (one point of slack
    # below the margin, in integers, so rounding cannot drop a line).
    lcs = process.cdist(reqs, lows, scorer=LCSseq.similarity, workers=1).astype(np.int64)
    req_lens = np.array([len(r) for r in reqs])
    reach = 200 * lcs >= (88 - _MARGIN - 1) * (req_lens[:, None] + lcs)
    # as in the loop: a line shorter than the requirement must be (nearly) all of it (ratio,
    # cheap: every pair in one call), a longer one must hold it (partial ratio)
    shorter = lengths[None, :] < np.array([len(text) for text in long_reqs])[:, None]
    sc = process.cdist(reqs, lows, scorer=fuzz.ratio, score_cutoff=88 - _MARGIN, workers=1)
    maybe |= (shorter & (sc >= 88 - _MARGIN)).any(axis=0)
    for k, j in zip(*np.nonzero(~shorter & reach & ~maybe[None, :])):
        if maybe[j]:
            continue  # lines already kept need no more scores
        # float32 as process.cdist stores scores, so the cutoff compares the same value
        score = fuzz.partial_ratio(reqs[k], lows[j], score_cutoff=88 - _MARGIN)
        if np.float32(score) >= 88 - _MARGIN:
            maybe[j] = True
    return maybe.tolist()


@dataclass(frozen=True)
class _VoicePattern:
    kind: str  # instruction, task, genre, truism, framing (see the data file's header)
    opening: bool  # counts only in the opening part of the document
    rx: re.Pattern[str]


@lru_cache(maxsize=1)
def voice_patterns() -> tuple[_VoicePattern, ...]:
    """``kind<TAB>scope<TAB>regex`` lines of ``lexicons/assignment_voice.txt`` (also read by
    :mod:`pmscore.incident`: a sentence in the assignment's voice states no incident)."""
    out = []
    for line in read_lines("lexicons", "assignment_voice.txt"):
        kind, scope, rx = (part.strip() for part in line.split("\t", 2))
        out.append(_VoicePattern(kind, scope == "opening", re.compile(rx, re.IGNORECASE)))
    return tuple(out)


@lru_cache(maxsize=1)
def _voice_patterns_needs() -> tuple[tuple[_VoicePattern, tuple[str, ...] | None], ...]:
    """Voice patterns with their required literals (see :func:`_FastPattern`)."""
    return tuple((p, required_literals(p.rx)) for p in voice_patterns())


# kinds that speak to the student or name the writing task: two such sentences are the
# assignment even when they are all of one kind (a task title with its bullet points)
_DIRECT_VOICE = frozenset({"instruction", "task"})
# this many voice sentences of any one kind are a pasted background too (a student's own
# introduction makes one general remark, the assignment's background makes several)
_VOICE_MIN = 3
# the opening part, when no timeline entry ends it earlier: this share of the text, but at
# least this many characters (a short submission's background is its whole top)
_OPENING_SHARE = 0.4
_OPENING_MIN = 800


def _sentence_spans(doc: Document, code: list[tuple[int, int]],
                    segs: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentences of the clean text (line pieces split after . ! ? before a capital);
    ``segs`` is ``_segments(doc, code)`` when the caller has it."""
    out = []
    for s, e in _segments(doc, code) if segs is None else segs:
        line = doc.clean[s:e]
        start = 0
        for m in _SENT_BREAK.finditer(line):
            out.append((s + start, s + m.start()))
            start = m.end()
        out.append((s + start, e))
    return [(a, b) for a, b in out if b > a]


def _opening_end(doc: Document, first_entry: int | None) -> int:
    """Where the opening part (where a pasted background sits) ends."""
    end = max(int(len(doc.text) * _OPENING_SHARE), _OPENING_MIN)
    if first_entry is not None:
        end = min(end, doc.text.rfind("\n", 0, first_entry) + 1)
    return end


def _voice(doc: Document, code: list[tuple[int, int]], opening_end: int,
           low_doc: str | None = None, segs: list[tuple[int, int]] | None = None) -> list[Hit]:
    """Sentences in the assignment's voice: one hit per sentence, the first pattern's kind.

    The assignment talks to the student ("your post-mortem must ..."), names the writing task
    ("make it attractive, add humour") and opens with general remarks on failure and on what a
    post-mortem is for; an incident report does none of this. The words are data
    (``lexicons/assignment_voice.txt``), so a rewording of the assignment is found without
    keeping its text.
    """
    hits: list[Hit] = []
    clean = doc.clean
    if low_doc is None:
        low_doc = prefilter_text(clean)
    # Most patterns' words occur nowhere in a document: drop those (no sentence can match
    # them), then test the rest's literals per sentence before searching. Exact: a pattern is
    # skipped only where it cannot match, and the order of the rest is kept (first one wins).
    patterns = [(p, needs) for p, needs in _voice_patterns_needs() if _may_match(needs, low_doc)]
    if not patterns:
        return hits
    # prefilter_text maps character by character when the lengths agree, so a sentence's
    # slice of it is the sentence's own prefilter text as far as ASCII literals go
    sliceable = len(low_doc) == len(clean)
    spans = _sentence_spans(doc, code, segs)
    holding = None
    if sliceable and all(needs is not None for _p, needs in patterns):
        holding = _sentences_holding(low_doc, spans, [needs for _p, needs in patterns])
    for k, (s, e) in enumerate(spans):
        if holding is not None:
            todo = holding.get(k)
            if todo is None:
                continue  # no pattern's literal lies inside this sentence
            candidates = [patterns[j] for j in todo]
        else:
            candidates = patterns
        sent = clean[s:e]
        low = low_doc[s:e] if sliceable else prefilter_text(sent)
        for p, needs in candidates:
            if p.opening and s >= opening_end:
                continue
            if needs is not None and not any(map(low.__contains__, needs)):
                continue  # as _may_match, inlined: this runs per sentence x pattern
            m = p.rx.search(sent)
            if m:
                hits.append(Hit("voice", s, e, doc.text[s:e], score=100.0,
                                matched=f"{p.kind}: {m.group(0).strip()}"))
                break
    return hits


def _sentences_holding(low: str, spans: list[tuple[int, int]],
                       needs: list[tuple[str, ...]]) -> dict[int, list[int]]:
    """Sentence index -> indices (ascending) of the ``needs`` with a literal inside it.

    ``low`` is the prefilter text of the whole text ``spans`` (sorted, disjoint) index: each
    literal's occurrences are found once and placed by bisection, instead of testing every
    literal in every sentence. A literal counts only when it lies wholly inside a sentence,
    which is when it is in that sentence's own prefilter text.
    """
    starts = [s for s, _e in spans]
    found: dict[int, set[int]] = {}
    for j, lits in enumerate(needs):
        for lit in lits:
            pos = low.find(lit)
            while pos >= 0:
                k = bisect_right(starts, pos) - 1
                if k >= 0 and pos + len(lit) <= spans[k][1]:
                    found.setdefault(k, set()).add(j)
                pos = low.find(lit, pos + 1)
    return {k: sorted(v) for k, v in found.items()}


def _own_voice(rubric: list[Hit], voice: list[Hit]) -> list[Hit]:
    """Voice sentences that are not already a rubric match (one piece is counted once)."""
    return [v for v in voice if not any(h.start < v.end and v.start < h.end for h in rubric)]


def _is_pasted(rubric: list[Hit], voice: list[Hit], reports_incident: bool) -> bool:
    """Whether rubric matches and assignment-voice sentences add up to a pasted assignment.

    Two separate pieces of the assignment (a requirement line, a task title used as a
    heading) suffice, as one alone can be a coincidence ("a list of tasks to address the
    issue:"); so do one rubric piece with one voice sentence, voice sentences of two kinds
    (a general remark on failure and a "here is a post-mortem"), or two sentences addressed to
    the student or naming the writing task, or three voice sentences. A single definition of what a post-mortem is, as
    students often open with, is not enough on its own. ``voice`` must not overlap ``rubric``
    (see :func:`_own_voice`). Voice alone needs ``reports_incident`` (a clock time somewhere):
    an essay about post-mortems makes the same general remarks without pasting anything.
    """
    kinds = {h.matched.split(":", 1)[0] for h in voice}
    direct = sum(1 for h in voice if h.matched.split(":", 1)[0] in _DIRECT_VOICE)
    n_rubric = len(rubric)
    if n_rubric >= 2 or (n_rubric >= 1 and len(voice) >= 1):
        return True
    return reports_incident and (len(kinds) >= 2 or direct >= 2 or len(voice) >= _VOICE_MIN)


# --------------------------------------------------------------------------- filler


def _filler(doc: Document, code: list[tuple[int, int]], skip: list[tuple[int, int]]) -> list[Hit]:
    hits: list[Hit] = []
    low = prefilter_text(doc.text)
    for pat in _fast_kind_patterns("filler_phrases.txt"):
        if not _may_match(pat.needs, low):
            continue  # cannot match anywhere: the same hits without the search
        kind, rx = pat.kind, pat.rx
        for m in pat.guarded.finditer(doc.text):
            if _inside(m.start(), code) or _inside(m.start(), skip):
                continue
            line_start = doc.text.rfind("\n", 0, m.start()) + 1
            line_end = doc.text.find("\n", m.start())
            line_end = len(doc.text) if line_end < 0 else line_end
            if any(h.kind == kind and line_start <= h.start < line_end for h in hits):
                continue  # one placeholder finding per line ("lorem ipsum dolor sit amet")
            hits.append(Hit(kind, m.start(), m.end(), m.group(0), matched=rx.pattern[:40]))
    # template headings with nothing under them
    blocks = doc.blocks
    for i, b in enumerate(blocks):
        if b.kind != "heading":
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        empty = nxt is None or (nxt.kind == "heading" and b.level > 0 and 0 < nxt.level <= b.level)
        if empty and i > 0 and not _inside(b.start, skip):
            hits.append(Hit("empty_heading", b.start, b.end, doc.text[b.start:b.end]))
    # the same sentence written twice
    seen: dict[str, int] = {}
    # Maximal runs, not r"[^.!?\n]{40,}[.!?]": that pattern retries at every position of a
    # long unpunctuated line (quadratic; a 1 MB single line took minutes). Same matches.
    clean = doc.clean
    for m in re.finditer(r"[^.!?\n]+", clean):
        end = m.end() + 1
        if m.end() - m.start() < 40 or clean[m.end():end] not in (".", "!", "?"):
            continue
        sent = clean[m.start():end]
        key = _norm(sent)
        if len(key) < 40 or _inside(m.start(), code) or _inside(m.start(), skip):
            continue
        if key in seen:
            s = m.start() + (len(sent) - len(sent.lstrip()))
            hits.append(Hit("repeated", s, end, doc.text[s:end], matched=str(seen[key])))
        else:
            seen[key] = m.start()
    return sorted(hits, key=lambda h: h.start)


# --------------------------------------------------------------------------- entry point


def detect(analysis: Analysis) -> Review:
    """Read the document across its parts and report contradictions, blame, pasting, filler.

    Never raises on a well-formed :class:`Analysis`; an empty document gives an empty review.
    """
    doc = analysis.document
    lines = _Lines(doc.text)
    code = _code_ranges(doc)
    times = _times(analysis, lines, code)
    entries = _timeline(analysis, times, lines)
    issues = _consistency(analysis, times, entries)
    segs = _segments(doc, code)  # the stripped lines, shared by the rubric and voice scans
    rubric_hits = _pasted(doc, code, segs)
    low_clean = prefilter_text(doc.clean)  # shared by the voice and blame literal tests
    voice = _own_voice(rubric_hits, _voice(
        doc, code, _opening_end(doc, entries[0].time.start if entries else None), low_clean,
        segs))
    prompt_pasted = _is_pasted(rubric_hits, voice, reports_incident=bool(times))
    pasted = sorted(rubric_hits + voice, key=lambda h: h.start) if prompt_pasted else rubric_hits
    # the pasted assignment paragraph is skipped when looking for blame and filler
    pasted_lines = [(h.start, h.end) for h in pasted]
    blame = _blame(doc, code + pasted_lines, low_clean)
    filler = _filler(doc, code, pasted_lines)
    return Review(
        chronological=not any(i.breaks_chronology for i in issues),
        consistency_issues=tuple(issues),
        blame=bool(blame),
        blame_spans=tuple(blame),
        prompt_pasted=prompt_pasted,
        pasted_spans=tuple(pasted),
        filler=tuple(filler),
    )
