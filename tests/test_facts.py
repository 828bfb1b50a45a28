"""pmscore.facts: summary, timeline and entity facts with their evidence spans.

Two kinds of tests: hand-built analyses (independent of the upstream stages, so each rule of
``facts`` is tested alone) and the seeds through the real pipeline (skipped without ../shared).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pmscore import facts
from pmscore.types import (ActionItem, Analysis, Block, Document, Entity, RootCause, Section,
                           TimelineEntry)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


# ---------------------------------------------------------------------------------------------
# a small builder for hand-made analyses (also used by test_rubric_checks.py)


def build(text: str, sections: Sequence[tuple[str, str]] = (),
          ents: Sequence[tuple[str, str] | tuple[str, str, dict[str, Any]]] = (),
          root_cause: RootCause | None = None, items: Sequence[ActionItem] = (),
          not_postmortem_reason: str | None = None) -> Analysis:
    """An Analysis of ``text``: one block per line; ``sections`` are (label, heading line) and
    run to the next listed heading; ``ents`` are (label, verbatim text[, Entity fields]) found
    left to right; list items of timeline sections become timeline entries."""
    blocks: list[Block] = []
    pos = 0
    headings = {h for _, h in sections}
    for i, line in enumerate(text.split("\n")):
        if line.strip():
            s = pos + len(line) - len(line.lstrip())
            kind = "heading" if line.strip() in headings else (
                "list_item" if line.lstrip().startswith("- ") else "paragraph")
            blocks.append(Block(index=len(blocks), kind=kind, start=s, end=pos + len(line),
                                line=i + 1, col=s - pos + 1, text=line.strip()))
        pos += len(line) + 1
    doc = Document(text=text, clean=text, blocks=tuple(blocks),
                   not_postmortem_reason=not_postmortem_reason)
    starts = sorted((text.index(h), label, h) for label, h in sections)
    secs = []
    for j, (s, label, h) in enumerate(starts):
        later = [x[0] for x in starts[j + 1:] if x[0] > s]  # combined headings share a span
        e = later[0] if later else len(text)
        idx = tuple(b.index for b in blocks if s <= b.start < e)
        secs.append(Section(label=label, start=s, end=e, block_indices=idx, heading=h))
    entities = []
    cursor: dict[str, int] = {}
    for spec in ents:
        label, surface = spec[0], spec[1]
        extra = spec[2] if len(spec) > 2 else {}  # type: ignore[misc]
        i = text.index(surface, cursor.get(surface, 0))
        cursor[surface] = i + len(surface)
        entities.append(Entity(label=label, start=i, end=i + len(surface), text=surface,
                               **extra))
    entities.sort(key=lambda e: e.start)
    timeline = []
    for sec in secs:
        if sec.label != "timeline":
            continue
        for bi in sec.block_indices:
            b = blocks[bi]
            if b.kind != "list_item":
                continue
            t = next((e for e in entities if e.label == "TIME" and b.start <= e.start < b.end),
                     None)
            timeline.append(TimelineEntry(start=b.start, end=b.end, text=b.text, time=t))
    rc = root_cause or RootCause(text="", start=0, end=0, specificity="missing")
    return Analysis(document=doc, sections=tuple(secs), block_labels=(), entities=tuple(entities),
                    root_cause=rc, action_items=tuple(items), timeline=tuple(timeline))


def span_text(a: Analysis, fact: facts.Fact) -> str | None:
    return None if fact.span is None else a.document.text[fact.span[0]:fact.span[1]]


GOOD = """Issue Summary
From 14:30 to 16:30 UTC the login API failed for 40% of users. The root cause was an expired TLS certificate.
Timeline
- 14:30 UTC - Datadog alert on login errors fired
- 14:40 UTC - Suspected the database, but it turned out to be healthy
- 14:50 UTC - Escalated to the platform team
- 16:30 UTC - Renewed the certificate; service restored
Corrective actions
- Add an alert on certificate expiry 14 days ahead
"""


def good() -> Analysis:
    return build(GOOD, sections=[("summary", "Issue Summary"), ("timeline", "Timeline"),
                                 ("corrective_actions", "Corrective actions")],
                 ents=[("TIME", "14:30", {"minutes": 870}), ("TIME", "16:30 UTC",
                                                             {"minutes": 990, "timezone": "UTC"}),
                       ("TIMEZONE", "UTC"), ("PERCENT", "40%"),
                       ("TIME", "14:30 UTC", {"minutes": 870, "timezone": "UTC"}),
                       ("TIME", "14:40 UTC", {"minutes": 880, "timezone": "UTC"}),
                       ("TIME", "14:50 UTC", {"minutes": 890, "timezone": "UTC"}),
                       ("TIME", "16:30 UTC", {"minutes": 990, "timezone": "UTC"}),
                       ("SERVICE", "login API"), ("TEAM", "platform team")])


# ---------------------------------------------------------------------------------------------
# hand-built analyses


def test_range_gives_start_end_duration_and_timezone():
    a = good()
    f = facts.compute(a)
    assert f.start_time.value and span_text(a, f.start_time) == "14:30"
    assert f.end_time.value and span_text(a, f.end_time) == "16:30 UTC"
    # no duration phrase: computable from start and end
    assert f.duration.value and span_text(a, f.duration) == "14:30 to 16:30 UTC"
    assert f.timezone.value
    assert f.impact_quantified.value and span_text(a, f.impact_quantified) == "40%"
    assert f.root_cause_stated.value


def test_timeline_facts_of_a_complete_timeline():
    a = good()
    f = facts.compute(a)
    assert f.entries_with_time.value == 4
    assert f.detection.value
    assert f.detection_method.value == "monitoring"
    assert f.misleading_paths.value
    assert f.escalation.value and "Escalated" in span_text(a, f.escalation)
    assert f.resolution.value


def test_summary_part_stops_at_the_timeline():
    a = good()
    f = facts.compute(a)
    assert f.summary_part == (0, GOOD.index("Timeline"))


def test_figures_only_in_the_timeline_do_not_count_for_the_summary():
    text = ("Summary\nThe shop was down and many users were affected.\nTimeline\n"
            "- 10:00 GMT - 35% of checkouts failed\n- 10:30 GMT - fixed\n")
    a = build(text, sections=[("summary", "Summary"), ("timeline", "Timeline")],
              ents=[("TIME", "10:00 GMT", {"timezone": "GMT", "minutes": 600}),
                    ("PERCENT", "35%"), ("TIME", "10:30 GMT", {"timezone": "GMT", "minutes": 630})])
    f = facts.compute(a)
    assert not f.impact_quantified.value
    assert not f.start_time.value and not f.timezone.value and not f.duration.value
    assert f.entries_with_time.value == 2


def test_end_cue_and_stated_duration():
    text = ("Issue Summary\nThe API went down at 9:45 PM and lasted 3 hours until it was resolved "
            "at 12:45 AM.\n")
    a = build(text, sections=[("summary", "Issue Summary")],
              ents=[("TIME", "9:45 PM", {"minutes": 1305, "ampm": True}),
                    ("DURATION", "3 hours", {"norm": "180"}),
                    ("TIME", "12:45 AM", {"minutes": 45, "ampm": True})])
    f = facts.compute(a)
    assert span_text(a, f.start_time) == "9:45 PM"
    assert span_text(a, f.end_time) == "12:45 AM"
    assert span_text(a, f.duration) == "3 hours"
    assert not f.timezone.value  # a time alone is not enough


def test_labelled_start_and_end_times():
    text = ("Issue Summary\nStart Time: November 10, 2023, 15:30 UTC\n"
            "End Time: November 10, 2023, 18:45 UTC\n")
    a = build(text, sections=[("summary", "Issue Summary")],
              ents=[("DATE", "November 10, 2023"), ("TIME", "15:30 UTC", {"timezone": "UTC",
                                                                          "minutes": 930}),
                    ("DATE", "November 10, 2023"), ("TIME", "18:45 UTC", {"timezone": "UTC",
                                                                          "minutes": 1125})])
    f = facts.compute(a)
    assert span_text(a, f.start_time) == "15:30 UTC"
    assert span_text(a, f.end_time) == "18:45 UTC"
    assert f.duration.value


def test_single_time_is_a_start_not_an_end():
    text = "Summary\nAt exactly 15:00 GMT the server went down for an hour.\n"
    a = build(text, sections=[("summary", "Summary")],
              ents=[("TIME", "15:00 GMT", {"timezone": "GMT", "minutes": 900}),
                    ("DURATION", "an hour", {"norm": "60"})])
    f = facts.compute(a)
    assert f.start_time.value and not f.end_time.value
    assert f.duration.value and f.timezone.value


def test_periodic_duration_is_not_the_outage_length():
    text = "Summary\nStatus updates were sent every 30 minutes.\n"
    a = build(text, sections=[("summary", "Summary")], ents=[("DURATION", "30 minutes")])
    assert not facts.compute(a).duration.value


def test_http_status_is_not_an_impact_count():
    text = "Summary\nThe server returned a 500 error to visitors.\n"
    a = build(text, sections=[("summary", "Summary")], ents=[("COUNT", "500 error")])
    assert not facts.compute(a).impact_quantified.value


@pytest.mark.parametrize("sentence, method", [
    ("- 10:00 - Several users reported errors to support", "customer"),
    ("- 10:00 - We received customer complaints on Twitter", "customer"),
    ("- 10:00 - A Nagios alert fired on disk usage", "monitoring"),
    ("- 10:00 - An engineer noticed slow pages while deploying", "engineer"),
    ("- 10:00 - A security researcher reported the flaw via our bug bounty", "other"),
    ("- 10:00 - Restarted the web server", "none"),
])
def test_detection_method_cues(sentence, method):
    text = f"Timeline\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    assert facts.compute(a).detection_method.value == method


def test_detection_method_is_the_earliest_source():
    text = ("Timeline\n- 10:00 - Customers reported failed payments\n"
            "- 10:05 - The monitoring alert fired\n")
    a = build(text, sections=[("timeline", "Timeline")])
    assert facts.compute(a).detection_method.value == "customer"


@pytest.mark.parametrize("sentence, method", [
    ("- 10:00 - Found the outage while trying to open the shop page before launch", "engineer"),
    ("- 10:00 - Checkout failures were identified by the platform team", "engineer"),
    ("- 10:00 - The failure was first spotted when our database engineer saw slow queries",
     "engineer"),
    ("- 10:00 - A user ticket was opened about missing invoices", "customer"),
])
def test_detection_sources_told_without_a_detection_verb(sentence, method):
    text = f"Timeline\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    f = facts.compute(a)
    assert f.detection.value
    assert f.detection_method.value == method


@pytest.mark.parametrize("sentence", [
    "- 10:00 - Deploy pipeline triggered to ship the cache change",
    "- 10:00 - A merge unexpectedly triggered the release job",
    "- 10:00 - Wrong port number caught in the proxy settings",
])
def test_pipeline_runs_and_caught_config_typos_are_not_detection(sentence):
    text = f"Timeline\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    f = facts.compute(a)
    assert not f.detection.value
    assert f.detection_method.value == "none"


@pytest.mark.parametrize("sentence, expected", [
    ("The cache node was drained for a test, but it was never put back in the pool.", False),
    ("A disk filled up during the night but this was not noticed.", False),
    ("As suspected, the proxy log showed the missing certificate.", False),
    ("We restarted the queue workers, but that did not help.", True),
    ("We first suspected the DNS provider.", True),
])
def test_misleading_paths_but_clauses_and_confirmed_suspicions(sentence, expected):
    text = f"Timeline\n- 10:00 - Alert fired\nInvestigation\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    assert facts.compute(a).misleading_paths.value is expected


@pytest.mark.parametrize("sentence", [
    "The on-call swapped the disk after three failed remount attempts.",
    "Our efforts to restart the consumer group were also blocked by the broken lock.",
])
def test_failed_attempts_are_misleading_paths(sentence):
    text = f"Timeline\n- 10:00 - Alert fired\nInvestigation\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    assert facts.compute(a).misleading_paths.value


@pytest.mark.parametrize("sentence, expected", [
    ("The help desk forwarded this ticket to the storage team.", True),
    ("A support case was opened with the cloud provider's network team.", True),
    ("The on-call engineer looked at the graphs and quickly escalated the issue.", False),
    ("The relevant teams were notified.", False),
])
def test_escalation_names_a_recipient(sentence, expected):
    text = f"Timeline\n- 10:00 - Alert fired\nResponse\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    assert facts.compute(a).escalation.value is expected


@pytest.mark.parametrize("sentence", [
    "- 10:40 - TLS certificate renewed on the edge proxy",
    "- 10:40 - Adjusted the connection pool settings on the API hosts",
])
def test_resolution_by_renewal_or_settings_change(sentence):
    text = f"Timeline\n- 10:00 - Alert fired\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    assert facts.compute(a).resolution.value


@pytest.mark.parametrize("sentence, expected", [
    ("- 10:00 - No errors were found in the proxy logs, so verbose logging was enabled", False),
    ("- 10:00 - The nightly job was accidentally triggered twice", False),
    ("- 10:00 - Slow report exports flagged by the billing team", True),
])
def test_detection_needs_a_found_problem(sentence, expected):
    text = f"Timeline\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    assert facts.compute(a).detection.value is expected


def test_a_planned_fix_in_the_narrative_is_not_the_resolution():
    text = ("Timeline\n- 10:00 - Alert fired\n- 10:20 - Queue depth kept growing\n"
            "Follow-up\nNext quarter we will add a kill switch so we can restore the "
            "search page faster.\n")
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00"),
                                                              ("TIME", "10:20")])
    assert not facts.compute(a).resolution.value


@pytest.mark.parametrize("sentence, method", [
    ("- 10:00 - We got a complaint from the uptime paging system that checkout is down",
     "monitoring"),
    ("- 10:00 - Support received reports from customer systems about failed logins", "customer"),
])
def test_detection_source_at_the_same_word_takes_the_longer_cue(sentence, method):
    text = f"Timeline\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    assert facts.compute(a).detection_method.value == method


def test_a_request_submitted_to_a_provider_is_escalation():
    text = ("Timeline\n- 10:00 - Alert fired\n"
            "- 10:15 - A quota increase request was submitted to the hosting provider\n")
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00"),
                                                              ("TIME", "10:15")])
    assert facts.compute(a).escalation.value


@pytest.mark.parametrize("sentence, method", [
    ("- 10:00 - The outage was detected through an email saying the shop was offline", "other"),
    ("- 10:00 - The outage was detected through an email alert from the disk monitor",
     "monitoring"),
    ("- 10:00 - The outage was detected through an email from a customer", "customer"),
])
def test_detection_by_an_email_of_unnamed_source(sentence, method):
    text = f"Timeline\n{sentence}\n"
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00")])
    assert facts.compute(a).detection_method.value == method


def test_an_affected_user_receiving_an_error_prompt_is_a_customer_detection():
    text = ("Timeline\n- 10:00 - An affected customer received a prompt that the card "
            "could not be charged\n- 10:20 - The payments team saw the spike in declines\n")
    a = build(text, sections=[("timeline", "Timeline")], ents=[("TIME", "10:00"),
                                                              ("TIME", "10:20")])
    f = facts.compute(a)
    assert f.detection.span is not None and "prompt" in span_text(a, f.detection)
    assert f.detection_method.value == "customer"


@pytest.mark.parametrize("sentence", [
    "This report records when the first warning signs showed up and when service was restored.",
    "Nobody noticed the expired token for two days.",
])
def test_negated_or_descriptive_detection_sentences(sentence):
    text = f"Overview\n{sentence}\n"
    a = build(text, sections=[("summary", "Overview")])
    f = facts.compute(a)
    assert not f.detection.value
    assert f.detection_method.value == "none"


def test_nobody_noticed_until_a_customer_called_is_still_detection():
    text = "Overview\nNobody noticed the expired token until a customer called support.\n"
    a = build(text, sections=[("summary", "Overview")])
    f = facts.compute(a)
    assert f.detection.value
    assert f.detection_method.value == "customer"


def test_a_sentence_about_what_the_report_shows_is_not_the_resolution():
    text = "Overview\nThe timeline below shows when the service was restored.\n"
    a = build(text, sections=[("summary", "Overview")])
    assert not facts.compute(a).resolution.value


def test_planned_alerts_in_corrective_actions_are_not_detection():
    text = ("Timeline\n- 10:00 - Restarted nginx\nCorrective actions\n"
            "- Add monitoring alerts on 5xx rate\n")
    a = build(text, sections=[("timeline", "Timeline"), ("corrective_actions",
                                                         "Corrective actions")])
    f = facts.compute(a)
    assert f.detection_method.value == "none"
    assert not f.detection.value


def test_negated_misleading_paths_and_escalation():
    text = ("Timeline\n- 10:00 - Alert fired\n- 10:10 - Fixed the typo\n"
            "There were no misleading paths. It was unnecessary to escalate the issue.\n")
    a = build(text, sections=[("timeline", "Timeline")])
    f = facts.compute(a)
    assert not f.misleading_paths.value
    assert not f.escalation.value


def test_entities_lists_are_distinct_in_order_without_timezone():
    a = good()
    lab = facts.compute(a).to_labels()
    assert lab["entities"]["times"] == ["14:30", "16:30", "14:40", "14:50"]
    assert lab["entities"]["timezones"] == ["UTC"]
    assert lab["entities"]["percentages"] == ["40%"]
    assert lab["entities"]["services"] == ["login API"]
    assert lab["entities"]["teams"] == ["platform team"]


def test_to_labels_has_the_guide_schema():
    lab = facts.compute(good()).to_labels()
    assert set(lab) == {"summary", "timeline", "entities"}
    assert set(lab["summary"]) == {"duration", "start_time", "end_time", "timezone",
                                   "impact_quantified", "root_cause_stated"}
    assert set(lab["timeline"]) == {"entries_with_time", "detection", "detection_method",
                                    "misleading_paths", "escalation", "resolution"}
    assert "chronological" not in lab["timeline"]
    assert lab["timeline"]["detection_method"] in facts.DETECTION_METHODS


def test_empty_document_has_empty_facts():
    a = build("")
    f = facts.compute(a)
    lab = f.to_labels()
    assert not any(lab["summary"].values())
    assert lab["timeline"]["entries_with_time"] == 0
    assert lab["timeline"]["detection_method"] == "none"


# ---------------------------------------------------------------------------------------------
# seeds, through the real pipeline


def _seed(n: int) -> str:
    folder = SHARED / "seeds"
    if not folder.exists():
        pytest.skip("../shared is absent")
    found = sorted(folder.glob(f"{n:03d}_*.txt"))
    if not found:
        pytest.skip(f"seed {n:03d} missing")
    return found[0].read_text(encoding="utf-8")


def _facts(n: int) -> tuple[Analysis, facts.Facts]:
    from pmscore.pipeline import analyse

    a = analyse(_seed(n))
    return a, facts.compute(a)


def test_seed_002_summary_facts():
    a, f = _facts(2)
    assert f.duration.value and span_text(a, f.duration) == "3 hours"
    assert f.timezone.value and span_text(a, f.timezone) == "9:45 PM EST"
    assert f.impact_quantified.value
    assert "40%" in f.percentages


def test_seed_004_summary_and_detection():
    a, f = _facts(4)
    assert f.impact_quantified.value and span_text(a, f.impact_quantified) == "50%"
    assert f.timezone.value and "UTC" in f.timezones
    assert f.detection_method.value == "monitoring"


def test_seed_001_detection_by_monitoring():
    _, f = _facts(1)
    assert f.detection_method.value == "monitoring"


def test_seed_000_timezone():
    a, f = _facts(0)
    assert f.timezone.value and span_text(a, f.timezone).endswith("GMT+1")


def test_title_mistaken_for_timeline_does_not_end_the_summary_part():
    from dataclasses import replace

    text = ("Postmortem - web stack\nIssue Summary\nFrom 02:02 to 02:47 PST the server was down "
            "for 5% of users.\nTimeline\n- 02:02 PST - alert fired\n")
    a = build(text, sections=[("timeline", "Postmortem - web stack"), ("summary", "Issue Summary"),
                              ("timeline", "Timeline")],
              ents=[("TIME", "02:02", {"minutes": 122}), ("TIME", "02:47 PST",
                                                          {"minutes": 167, "timezone": "PST"}),
                    ("PERCENT", "5%")])
    f = facts.compute(a)
    assert f.summary_part == (0, text.index("Timeline"))
    assert f.start_time.value and f.end_time.value and f.impact_quantified.value
    # a paragraph inside the summary that the content rules took for a resolution stays summary
    secs = a.sections + (replace(a.sections[1], label="resolution", source="content",
                                 start=text.index("From"), heading=None),)
    f2 = facts.compute(replace(a, sections=tuple(sorted(secs, key=lambda s: s.start))))
    assert f2.summary_part == f.summary_part


def test_vague_duration_is_not_a_duration():
    text = "Summary\nCustomers could not pay for several hours.\n"
    a = build(text, sections=[("summary", "Summary")], ents=[("DURATION", "several hours")])
    assert not facts.compute(a).duration.value


def test_long_digit_runs_do_not_make_the_time_cues_backtrack():
    import time

    text = "Summary\nuntil " + "1" * 3000 + " 10:00 UTC to " + "2 " * 2000 + "11:00 UTC\n"
    a = build(text, sections=[("summary", "Summary")],
              ents=[("TIME", "10:00 UTC", {"timezone": "UTC", "minutes": 600}),
                    ("TIME", "11:00 UTC", {"timezone": "UTC", "minutes": 660})])
    t0 = time.perf_counter()
    f = facts.compute(a)
    assert time.perf_counter() - t0 < 2.0
    assert f.start_time.value
