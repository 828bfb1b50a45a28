"""Timeline entries from timeline sections, or from time-led lines when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmscore.entities import extract
from pmscore.reader import read
from pmscore.timeline import entries
from pmscore.types import Document, Section

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

DOC = """# Summary

The API was down from 10:00 to 11:00 UTC for 1 hour.

# Timeline (all times UTC)

- 10:00 - Alert fired for the API gateway
- 10:15 - On-call engineer paged
  and joined the bridge
- Escalated to the database team
- 11:00 - Service restored

# Root cause

A config typo at 09:55 broke the gateway.
"""


def _section(doc: Document, heading: str, label: str) -> Section:
    """A section from the block headed ``heading`` to the next heading (built by hand)."""
    idx = [b.index for b in doc.blocks if b.kind == "heading"]
    first = next(b.index for b in doc.blocks if b.kind == "heading" and heading in b.text)
    nxt = next((i for i in idx if i > first), len(doc.blocks))
    blocks = tuple(range(first, nxt))
    return Section(label=label, start=doc.blocks[first].start,
                   end=doc.blocks[blocks[-1]].end, block_indices=blocks,
                   heading=doc.blocks[first].text)


def test_entries_from_timeline_section_with_heading_timezone() -> None:
    doc = read(DOC)
    sections = (_section(doc, "Summary", "summary"), _section(doc, "Timeline", "timeline"),
                _section(doc, "Root cause", "root_cause"))
    got = entries(doc, sections, extract(doc))
    assert [e.time.norm if e.time else None for e in got] == [
        "10:00 UTC", "10:15 UTC", None, "11:00 UTC"]
    assert got[1].text.startswith("10:15 - On-call engineer paged")
    assert "Escalated to the database team" in got[2].text
    for e in got:
        assert doc.text[e.start:e.end].strip() != ""
        assert e.time is None or e.start <= e.time.start < e.end


def test_without_timeline_section_time_led_lines_are_entries() -> None:
    doc = read(DOC)
    got = entries(doc, (), extract(doc))
    # the summary sentence and the root-cause sentence mention times but do not start with one
    assert [e.time.minutes for e in got if e.time] == [600, 615, 660]
    assert all(e.time is not None for e in got)


def test_paragraph_of_time_lines_gives_one_entry_per_line() -> None:
    text = "Timeline\n\n14:30 - detected\n14:35 - escalated\nto the SRE team\n15:00 - fixed\n"
    doc = read(text)
    tl = tuple(range(len(doc.blocks)))
    sec = Section("timeline", 0, len(text), tl, heading="Timeline")
    got = entries(doc, (sec,), extract(doc))
    assert [e.time.norm for e in got if e.time] == ["14:30", "14:35", "15:00"]
    assert len(got) == 3 and "SRE team" in got[1].text


def test_date_before_time_still_counts_as_leading() -> None:
    doc = read("Report\n\n13-01-2023 8:00 AM GMT+1 - emails read\nMarch 3, 2024, 09:10: paged\n")
    got = entries(doc, (), extract(doc))
    assert [e.time.norm for e in got if e.time] == ["08:00 GMT+1", "09:10"]


@pytest.mark.shared
def test_seed_003_timeline_keeps_written_order() -> None:
    seeds = SHARED / "seeds"
    files = sorted(seeds.glob("003_*.txt")) if seeds.is_dir() else []
    if not files:
        pytest.skip("../shared/seeds/003 not present")
    doc = read(files[0].read_text(encoding="utf-8"))
    got = [e.time.norm for e in entries(doc, (), extract(doc)) if e.time]
    # the seed's timeline goes 15:10 then 15:01: entries keep text order so checks can see it
    assert got[:3] == ["15:00", "15:10", "15:01"]


def test_long_line_prefix_is_not_a_leading_time() -> None:
    import time

    text = "-" * 5000 + " 10:00 x\n10:05 y\n"
    doc = read(text)
    t0 = time.perf_counter()
    got = entries(doc, (), extract(doc))
    assert time.perf_counter() - t0 < 8.0
    assert [e.time.norm for e in got if e.time] == ["10:05"]


def test_timezone_stated_before_the_first_entry_applies() -> None:
    text = ("Timeline\n\nAll times are in EAT.\n\n- 09:00 alert\n- 09:30 fixed (UTC+3)\n\n"
            "Root cause\n\nA bad deploy.\n")
    doc = read(text)
    tl = tuple(b.index for b in doc.blocks if b.end <= text.index("Root cause"))
    sec = Section("timeline", 0, text.index("Root cause"), tl, heading="Timeline")
    got = entries(doc, (sec,), extract(doc))
    assert [e.time.norm for e in got if e.time] == ["09:00 EAT", "09:30 UTC+3"]
    assert "All times" in got[0].text and got[0].time is None


def test_two_timezones_before_entries_are_not_guessed_between() -> None:
    text = "Timeline\n\nTimes in UTC (EAT is UTC+3).\n\n- 09:00 alert\n"
    doc = read(text)
    sec = Section("timeline", 0, len(text), tuple(b.index for b in doc.blocks), heading="Timeline")
    got = entries(doc, (sec,), extract(doc))
    assert [e.time.norm for e in got if e.time] == ["09:00"]


def test_html_blocks_and_time_headings_inside_timeline_are_entries() -> None:
    text = ("## Timeline\n\n<p>10:30 AM: alert fired</p>\n\n### 10:40\n\n- engineer paged\n\n"
            "### Details\n\nnothing\n")
    doc = read(text)
    sec = Section("timeline", 0, len(text), tuple(b.index for b in doc.blocks), heading="Timeline")
    got = entries(doc, (sec,), extract(doc))
    assert [e.time.norm for e in got if e.time] == ["10:30", "10:40"]
    assert not any(e.text == "Details" or e.text == "Timeline" for e in got)


def test_entries_run_together_on_one_line_are_split() -> None:
    text = ("Timeline\n\n12:00pm EAT: detected. 12:06pm EAT: curl showed one server 12:09pm EAT: "
            "admin logged in.\n\nThe outage ran from 12:00 to 12:30 today.\n")
    doc = read(text)
    sec = Section("timeline", 0, len(text), tuple(b.index for b in doc.blocks), heading="Timeline")
    got = entries(doc, (sec,), extract(doc))
    assert [e.time.norm for e in got if e.time] == ["12:00 EAT", "12:06 EAT", "12:09 EAT", "12:00"]
    assert got[1].text == "12:06pm EAT: curl showed one server"
