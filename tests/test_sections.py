"""Sections: fuzzy heading lexicon, combined headings, inline labels, content rules, the hook."""

from __future__ import annotations

import pytest

from pmscore.reader import read
from pmscore.sections import classify, heading_labels
from pmscore.types import SECTION_LABELS


def present(text: str, **kw) -> set[str]:
    _, secs = classify(read(text), **kw)
    return {s.label for s in secs}


@pytest.mark.parametrize("heading,label", [
    ("Issue Summary", "summary"),
    ("ssue Summary", "summary"),
    ("Incident Summary", "summary"),
    ("Overview", "summary"),
    ("Impact Analysis", "impact"),
    ("Incident Timeline", "timeline"),
    ("Timeline of events (all times UTC)", "timeline"),
    ("RCA", "root_cause"),
    ("What went wrong", "root_cause"),
    ("Root Couse", "root_cause"),
    ("Resolution and recovery", "resolution"),
    ("Fix", "resolution"),
    ("Corrective And Preventative Measures", "corrective_actions"),
    ("Preventive measures", "corrective_actions"),
    ("TODO", "corrective_actions"),
    ("Tasks to address the issue", "corrective_actions"),
    ("Action Items", "corrective_actions"),
    ("Lessons Learned", "lessons_learned"),
    ("What went well", "lessons_learned"),
    ("4. Lessons learnt:", "lessons_learned"),
])
def test_heading_variants(heading: str, label: str) -> None:
    labels, conf = heading_labels(heading)
    assert labels and labels[0] == label and conf > 0.5


@pytest.mark.parametrize("heading", ["Hello world", "Installation", "The Puzzle", ""])
def test_unrelated_headings_do_not_map(heading: str) -> None:
    assert heading_labels(heading)[0] in ((), ("other",))


def test_combined_heading_opens_both_sections() -> None:
    text = ("## Root Cause and Resolution\n\nNginx listened on port 8080 instead of 80. "
            "We edited the config and reloaded it.\n")
    _, secs = classify(read(text))
    rc = [s for s in secs if s.label == "root_cause"]
    res = [s for s in secs if s.label == "resolution"]
    assert rc and res
    assert (rc[0].start, rc[0].end) == (res[0].start, res[0].end)


def test_section_runs_until_next_start() -> None:
    text = ("# Issue Summary\n\nThe site was down.\n\n### Details\n\nMore about the outage.\n\n"
            "# Timeline\n\n- 10:00 alert\n- 10:30 restart\n")
    doc = read(text)
    labels, secs = classify(doc)
    assert len(labels) == len(doc.blocks)
    by_text = dict(zip((b.text for b in doc.blocks), labels))
    assert by_text["More about the outage."] == "summary"  # unknown sub-heading continues it
    assert by_text["10:30 restart"] == "timeline"
    summ = next(s for s in secs if s.label == "summary")
    assert doc.text[summ.start:summ.end].startswith("Issue Summary")
    assert doc.text[summ.start:summ.end].endswith("More about the outage.")


def test_inline_labels_start_sections() -> None:
    text = ("Incident Summary\n\nDuration: 2 hours\nImpact: 50% of users were unable to log in\n"
            "Root Cause: Misconfigured database update\n")
    doc = read(text)
    labels, secs = classify(doc)
    assert {"summary", "impact", "root_cause"} <= {s.label for s in secs}
    by_text = dict(zip((b.text for b in doc.blocks), labels))
    assert by_text["Duration: 2 hours"] == "summary"
    assert by_text["Root Cause: Misconfigured database update"] == "root_cause"
    rc = next(s for s in secs if s.label == "root_cause")
    assert rc.source == "label" and rc.heading == "Root Cause"


def test_labels_inside_timeline_do_not_cut_it() -> None:
    text = ("## Timeline\n\n- Detection: 10:00 alert fired\n- Resolution: 10:40 service restored\n"
            "- 10:45 all clear\n")
    doc = read(text)
    labels, _ = classify(doc)
    assert labels[-1] == "timeline"


def test_emphasis_and_html_headings() -> None:
    text = ("**Timeline**\n- 10:00 alert\n\n<h2>Root cause</h2>\n<p>The disk filled up.</p>\n\n"
            "__Lessons learned__\nWe learned to watch disk usage.\n")
    assert {"timeline", "root_cause", "lessons_learned"} <= present(text)


def test_unheaded_text_labelled_by_content() -> None:
    text = (
        "On March 3 our checkout service was down for 45 minutes and 30% of customers could not "
        "pay.\n\n"
        "10:02 - monitoring alert fired\n10:15 - on-call engineer paged\n10:47 - service back\n\n"
        "The root cause was an expired TLS certificate on the payment gateway.\n\n"
        "We resolved it by rotating the certificate and restarting the gateway.\n\n"
        "To prevent this from happening again we will add an alert 14 days before expiry.\n"
    )
    doc = read(text)
    labels, secs = classify(doc)
    got = {s.label for s in secs}
    assert {"summary", "timeline", "root_cause", "resolution", "corrective_actions"} <= got
    assert "lessons_learned" not in got
    assert all(s.source == "content" for s in secs)
    assert labels[0] == "summary"


def test_impact_found_inside_summary() -> None:
    text = ("## Issue Summary\n\nFrom 10:00 to 11:00 UTC the API returned errors; 40% of users "
            "were affected.\n\n## Timeline\n\n- 10:00 alert\n")
    assert "impact" in present(text)


def test_content_classifier_hook_overrides_rules() -> None:
    text = "Something unusual happened to our servers yesterday afternoon and nobody knew why.\n"
    calls: list[list[str]] = []

    def model(texts: list[str]) -> list[tuple[str, float]]:
        calls.append(texts)
        return [("lessons_learned", 0.9) for _ in texts]

    _, secs = classify(read(text), content_classifier=model)
    assert calls and calls[0][0].startswith("Something unusual")
    assert [(s.label, s.source) for s in secs] == [("lessons_learned", "model")]

    def unsure(texts: list[str]) -> list[tuple[str, float]]:
        return [("lessons_learned", 0.1) for _ in texts]

    assert "lessons_learned" not in present(text, content_classifier=unsure)


def test_broken_classifier_falls_back_to_rules() -> None:
    def broken(texts: list[str]) -> list[tuple[str, float]]:
        raise RuntimeError("model file missing")

    text = "The root cause was a typo in nginx.conf that made Nginx refuse connections.\n"
    assert "root_cause" in present(text, content_classifier=broken)


def test_empty_and_code_only_documents() -> None:
    assert classify(read("")) == ((), ())
    labels, secs = classify(read("```\nroot cause: none\n```\n"))
    assert labels == ("other",) and secs == ()


def test_sections_are_valid_spans() -> None:
    text = "# Issue Summary\n\nDown.\n\n## Root Cause\n\nDisk full.\n"
    doc = read(text)
    labels, secs = classify(doc)
    assert set(labels) <= set(SECTION_LABELS) | {"other"}
    for s in secs:
        assert s.label in SECTION_LABELS
        assert 0 <= s.start < s.end <= len(doc.text)
        assert all(0 <= i < len(doc.blocks) for i in s.block_indices)


SEED_EXPECT = {
    0: {"summary", "timeline", "root_cause", "resolution", "corrective_actions"},
    1: {"summary", "impact", "timeline", "root_cause", "resolution", "corrective_actions"},
    2: {"summary", "impact", "timeline", "root_cause", "resolution", "corrective_actions"},
    3: {"summary", "timeline", "root_cause", "resolution", "corrective_actions"},
    4: {"summary", "impact", "timeline", "root_cause", "resolution", "corrective_actions",
        "lessons_learned"},
}


@pytest.mark.parametrize("n", sorted(SEED_EXPECT))
def test_seed_sections(seed_text, n: int) -> None:
    got = present(seed_text(n))
    assert SEED_EXPECT[n] <= got, SEED_EXPECT[n] - got


def test_seed_004_inline_labels_open_sections(seed_text) -> None:
    doc = read(seed_text(4))
    _, secs = classify(doc)
    heads = {(s.label, s.heading) for s in secs if s.source == "label"}
    assert ("root_cause", "Root Cause") in heads
    assert ("impact", "Impact") in heads


def test_seed_000_timeline_under_combined_heading(seed_text) -> None:
    """000 puts its timestamped list under "Root Cause And Resolution"."""
    doc = read(seed_text(0))
    _, secs = classify(doc)
    assert any(s.label == "timeline" for s in secs)
    cm = [s for s in secs if s.label == "corrective_actions"]
    assert cm and "Setup a continuous integration pipeline" in doc.text[cm[0].start:cm[0].end]


def test_pasted_assignment_is_not_a_section() -> None:
    text = ("Requirements\n\n- Root cause and resolution must contain: explain in detail what "
            "was causing the issue\n- Corrective and preventative measures must contain: a list "
            "of tasks\n\n## Root Cause\n\nThe disk filled up because log rotation was off.\n")
    doc = read(text)
    labels, secs = classify(doc)
    rc = [s for s in secs if s.label == "root_cause"]
    assert len(rc) == 1 and doc.text[rc[0].start:rc[0].end].startswith("Root Cause")
    assert "corrective_actions" not in {s.label for s in secs}
    assert labels[1] == labels[2] == "other"


def test_must_contain_in_real_text_is_kept() -> None:
    text = "## Corrective actions\n\n- The nginx.conf must contain the upstream block; add a CI check.\n"
    assert "corrective_actions" in present(text)


def test_labels_under_closing_heading_do_not_open_sections() -> None:
    text = ("## Issue Summary\n\nThe API was down for an hour.\n\n## Postmortem Review\n\n"
            "Attendees: SRE team\nSummary of the Review: we agreed on the action items.\n")
    doc = read(text)
    _, secs = classify(doc)
    summ = [s for s in secs if s.label == "summary"]
    assert len(summ) == 1 and doc.text[summ[0].start:summ[0].end].startswith("Issue Summary")


def test_fix_spread_over_timeline_counts_as_resolution() -> None:
    text = ("## Timeline\n\n- 10:00 alert fired\n- 10:20 restarted the web server\n"
            "- 10:40 service back online\n\n## Root Cause\n\nA full disk on web-01.\n")
    got = present(text)
    assert "resolution" in got


def test_no_resolution_without_fix_words() -> None:
    text = ("## Timeline\n\n- 10:00 alert fired\n- 10:20 engineers paged\n\n"
            "## Root Cause\n\nA full disk on web-01.\n")
    assert "resolution" not in present(text)


def test_stats_block_is_not_a_resolution() -> None:
    text = ("## Summary\n\nThe login page was down.\n\n## Stats\n\nTime to detection: 5 minutes\n"
            "Time to recovery: 84 minutes\n")
    assert "resolution" not in present(text)


def test_roll_back_in_timeline_is_resolution() -> None:
    text = "## Timeline\n\n| Time | Event |\n|---|---|\n| 08:50 | Roll back to v1 initiated |\n"
    assert "resolution" in present(text)


def test_large_inputs_classify_quickly() -> None:
    import time

    cases = [
        "word " * 200_000,
        "\n".join(f"## Heading {i}\n\ntext {i}" for i in range(3000)),
        "\n".join(f"Label {i}: value" for i in range(3000)),
    ]
    for text in cases:
        doc = read(text)
        t0 = time.perf_counter()
        labels, _ = classify(doc)
        assert len(labels) == len(doc.blocks)
        assert time.perf_counter() - t0 < 15
