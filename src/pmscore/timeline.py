"""Timeline entries: the lines of the timeline, each with the first clock time it carries.

Checks use these to count timestamped entries, test chronological order and compare the
timeline with times stated in the summary. Entries come from the blocks of sections labelled
``timeline``; a document without such a section still gets entries from its lines that start
with a clock time ("14:30 - Incident detected"), which is how most unheaded timelines look.
A block holding several such lines (a paragraph of "HH:MM ..." lines) gives one entry per line.
A timezone stated in the timeline heading ("Timeline (all times UTC)") or in a line before its
first time ("All times are in EAT.") is given to entry times written without one.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import replace

from pmscore.types import Block, Document, Entity, Section, TimelineEntry

# What may stand before a time for the line to "start with" it: bullets, brackets, a date
# (blanked out before this test), weekday, "At"/"On"/"Around", "Day 1,", separators.
_LEAD = re.compile(
    r"^[\s\-*+•>|#\[(\u2013\u2014.]*"
    r"(?:(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*|day\s*\d+|at|on|around|approx(?:imately|\.)?|"
    r"about|~|by|from|starting|started|between)[\s,:.\-]*)*"
    r"[\s,\-|T:(\[\u2013\u2014]*$",
    re.I,
)
_SKIP_KINDS = {"code"}


# A time more than this many characters into its line does not lead it (also keeps the
# _LEAD regex, whose character classes overlap, away from long inputs).
_MAX_LEAD = 60


def _starts_with_time(clean: str, line_start: int, time: Entity,
                      dates: Sequence[Entity]) -> bool:
    if time.start - line_start > _MAX_LEAD:
        return False
    prefix = list(clean[line_start:time.start])
    for d in dates:
        if d.end <= time.start and d.start >= line_start:
            for i in range(d.start - line_start, d.end - line_start):
                prefix[i] = " "
    return bool(_LEAD.match("".join(prefix)))


def _time_led(doc: Document, block: Block, times: "_Index", dates: "_Index") -> bool:
    """Whether the block's first line starts with a clock time ("00:01:" as a sub-heading)."""
    lines = _lines(doc.clean, block.start, block.end)
    if not lines:
        return False
    s, e = lines[0]
    found = times.within(s, e)
    return bool(found) and _starts_with_time(doc.clean, s, found[0], dates.within(s, e))


def _lines(clean: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the non-blank lines of ``clean[start:end]``, whitespace trimmed."""
    out = []
    pos = start
    for part in clean[start:end].split("\n"):
        s, e = pos, pos + len(part)
        pos = e + 1
        while s < e and clean[s].isspace():
            s += 1
        while e > s and clean[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


class _Index:
    """Entities of one label sorted by start, for range look-ups."""

    def __init__(self, entities: Sequence[Entity], label: str) -> None:
        self.items = sorted((e for e in entities if e.label == label), key=lambda e: e.start)
        self.starts = [e.start for e in self.items]

    def within(self, start: int, end: int) -> list[Entity]:
        i = bisect_left(self.starts, start)
        out = []
        while i < len(self.items) and self.items[i].start < end:
            out.append(self.items[i])
            i += 1
        return out


def _entry(doc: Document, start: int, end: int, times: _Index,
           tz: str | None) -> TimelineEntry:
    found = times.within(start, end)
    time = found[0] if found else None
    if time is not None and tz and not time.timezone and time.norm:
        time = replace(time, timezone=tz, norm=f"{time.norm} {tz}")
    text = " ".join(doc.clean[start:end].split())
    return TimelineEntry(start=start, end=end, text=text, time=time)


# After a time (and its timezone), the separator that makes it an entry label: "12:06pm EAT: "
_ENTRY_SEP = re.compile(r"^\)?\s*(?::|\s[-\u2013\u2014])\s")


def _split_run_on(doc: Document, lines: list[tuple[int, int]], times: _Index,
                  tzs: _Index) -> list[tuple[int, int]]:
    """Split lines that run several "HH:MM: event" entries together into one line each."""
    out = []
    for s, e in lines:
        cuts = [s]
        for t in times.within(s, e)[1:]:
            end = t.end
            zone = next(iter(tzs.within(t.end, t.end + 12)), None)
            if zone is not None and not doc.clean[t.end:zone.start].strip(" ("):
                end = zone.end
            if _ENTRY_SEP.match(doc.clean[end:min(e, end + 4)]):
                cuts.append(t.start)
        if len(cuts) < 3:  # two entries on a line could be a "from X to Y" sentence
            out.append((s, e))
            continue
        bounds = cuts + [e]
        for a, b in zip(bounds, bounds[1:]):
            while b > a and doc.clean[b - 1].isspace():
                b -= 1
            if b > a:
                out.append((a, b))
    return out


def _block_entries(doc: Document, block: Block, times: _Index, dates: _Index,
                   tz: str | None, tzs: _Index | None = None) -> list[TimelineEntry]:
    """One entry per time-led line when a block holds several, else the block as one."""
    lines = _lines(doc.clean, block.start, block.end)
    if tzs is not None:
        lines = _split_run_on(doc, lines, times, tzs)
    led = [(s, e) for s, e in lines
           if (t := times.within(s, e)) and _starts_with_time(doc.clean, s, t[0],
                                                               dates.within(s, e))]
    if len(led) < 2:
        if not lines:
            return []
        return [_entry(doc, lines[0][0], lines[-1][1], times, tz)]
    out = []
    # continuation lines (no leading time) belong to the entry above them
    groups: list[list[tuple[int, int]]] = []
    for ln in lines:
        if ln in led or not groups:
            groups.append([ln])
        else:
            groups[-1].append(ln)
    for g in groups:
        out.append(_entry(doc, g[0][0], g[-1][1], times, tz))
    return out


def _section_timezone(section: Section, doc: Document, tzs: _Index,
                      times: _Index) -> str | None:
    """The timezone the timeline states for all its entries, if it states exactly one.

    Looked for in the heading ("Timeline (UTC)") and in the blocks before the first time
    ("All times are in EAT."), which name no clock time themselves.
    """
    names: set[str] = set()
    for bi in section.block_indices:
        block = doc.blocks[bi] if bi < len(doc.blocks) else None
        if block is None or block.kind == "code":
            continue
        if block.kind == "label" and block.body_start:
            end = block.body_start
            head_names = {z.text for z in tzs.within(block.start, end)}
            names |= head_names
            if times.within(block.start, block.end):
                break
            continue
        if times.within(block.start, block.end):
            break
        names |= {z.text for z in tzs.within(block.start, block.end)}
    return names.pop() if len(names) == 1 else None


def entries(doc: Document, sections: Sequence[Section],
            entities: Sequence[Entity]) -> tuple[TimelineEntry, ...]:
    """The timeline entries of the document in text order (see module docstring)."""
    times = _Index(entities, "TIME")
    dates = _Index(entities, "DATE")
    tzs = _Index(entities, "TIMEZONE")
    out: list[TimelineEntry] = []
    seen_blocks: set[int] = set()
    for sec in sections:
        if sec.label != "timeline":
            continue
        tz = _section_timezone(sec, doc, tzs, times)
        for bi in sec.block_indices:
            if bi in seen_blocks or bi >= len(doc.blocks):
                continue
            seen_blocks.add(bi)
            block = doc.blocks[bi]
            if block.kind in _SKIP_KINDS or (block.kind == "heading"
                                             and not _time_led(doc, block, times, dates)):
                continue
            start = block.body_start if block.kind == "label" and block.body_start and \
                not times.within(block.start, block.body_start) else block.start
            out += _block_entries(doc, replace(block, start=start), times, dates, tz, tzs)
    if not seen_blocks:
        for block in doc.blocks:
            if block.kind in _SKIP_KINDS:
                continue  # a heading led by a time ("14:05 - Alert") is an entry too
            for s, e in _lines(doc.clean, block.start, block.end):
                found = times.within(s, e)
                if found and _starts_with_time(doc.clean, s, found[0], dates.within(s, e)):
                    out.append(_entry(doc, s, e, times, None))
    out.sort(key=lambda t: t.start)
    return tuple(out)
