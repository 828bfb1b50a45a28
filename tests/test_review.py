"""review.detect and the PM5xx/PM6xx/PM7xx rules: should-flag and should-not-flag examples.

The small texts here are written for these tests. Analyses are built from the reader alone
(no sections, no entities), which is the fallback review.detect must handle; the seed tests use
whatever analysis stages exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pmscore import checks, reader, review
from pmscore.checks import rule_metadata
from pmscore.types import Analysis, Document, RootCause

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def analysis_of(text: str) -> Analysis:
    doc = reader.read(text)
    return Analysis(document=doc, sections=(), block_labels=tuple("other" for _ in doc.blocks),
                    entities=(), root_cause=RootCause("", 0, 0, "missing"), action_items=())


def full_analysis(text: str) -> Analysis:
    """The pipeline's analysis when every stage exists, else reader + sections + entities."""
    try:
        from pmscore import pipeline

        return pipeline.analyse(text)
    except ImportError:
        pass
    doc = reader.read(text)
    labels: tuple = tuple("other" for _ in doc.blocks)
    secs: tuple = ()
    ents: tuple = ()
    try:
        from pmscore import sections

        labels, secs = sections.classify(doc)
    except ImportError:
        pass
    try:
        from pmscore import entities

        ents = tuple(entities.extract(doc))
    except ImportError:
        pass
    return Analysis(document=doc, sections=tuple(secs), block_labels=tuple(labels), entities=ents,
                    root_cause=RootCause("", 0, 0, "missing"), action_items=())


def findings(text: str, prefix: str) -> list:
    a = analysis_of(text)
    return checks.run(a, None, review.detect(a), select=(prefix,))


def span(text: str, f_start: int, f_end: int) -> str:
    return text[f_start:f_end]


# ------------------------------------------------------------------ registry contract

def test_every_review_rule_has_metadata_and_a_check():
    ids = {"PM501", "PM502", "PM503", "PM504", "PM505", "PM601", "PM701", "PM702", "PM703",
           "PM704", "PM705"}
    assert ids <= set(rule_metadata())
    assert ids <= set(checks.registered())
    for rid in ids:
        meta = rule_metadata()[rid]
        assert meta.why and meta.suggestion and meta.example


# ------------------------------------------------------------------ PM501 backwards

BACKWARDS = """Summary
The API was down.

Timeline
- 15:00 Server went down after a config change.
- 15:10 Monitoring detected the issue.
- 15:01 A notification email was sent.
- 15:29 Debugging started.
"""


def test_backwards_timestamps_found_with_both_spans():
    fs = findings(BACKWARDS, "PM501")
    assert len(fs) == 1
    f = fs[0]
    assert f.text == "15:01"
    assert [BACKWARDS[s:e] for s, e in f.related] == ["15:10"]
    assert "9 min" in f.message
    assert not review.detect(analysis_of(BACKWARDS)).chronological


def test_midnight_crossing_is_not_backwards():
    text = """Timeline
- 11:40 PM Deploy started.
- 11:55 PM Alert fired for 500 errors.
- 12:20 AM Rollback finished.
- 1:05 AM Service restored.
"""
    r = review.detect(analysis_of(text))
    assert r.chronological
    assert findings(text, "PM50") == []


def test_later_day_with_date_is_not_backwards():
    text = """Timeline
- 13-01-2023 22:00 Alert fired.
- 13-01-2023 23:30 Escalated to the database team.
- 14-01-2023 09:00 Fix deployed.
"""
    assert review.detect(analysis_of(text)).chronological


def test_two_incidents_under_their_own_headings_are_separate_timelines():
    text = """## Incident 1
- 19:00 UTC Alert fired.
- 19:12 UTC Service recovered.

## Incident 2
- 08:00 UTC Deploy started.
- 08:30 UTC Alert fired.
"""
    assert review.detect(analysis_of(text)).chronological


def test_date_going_back_is_flagged():
    text = """Timeline
- 14-02-2024 10:40 AM Alert fired.
- 12-02-2024 10:45 AM Rollback started.
"""
    fs = findings(text, "PM501")
    assert fs and "back a day" in fs[0].message


# ------------------------------------------------------------------ PM502 AM/PM

def test_ampm_flip_between_entries():
    text = """Timeline
- 9:45 PM EST: Monitoring alerted the team.
- 10:00 PM EST: The team attempted a rollback.
- 10:45 AM EST: The team tested other causes.
"""
    fs = findings(text, "PM502")
    assert len(fs) == 1
    assert fs[0].text.startswith("10:45 AM")
    assert [text[s:e] for s, e in fs[0].related][0].startswith("10:00 PM")
    assert "45 min" in fs[0].message
    assert "22:45" in fs[0].suggestion


def test_summary_pm_timeline_am():
    text = """Problem Summary
The site was malfunctioning from 8:00 PM GMT+1 to 11:20 AM GMT+1.

Timeline
- 8:00 AM GMT+1 - Emails about failed logins were read.
- 9:30 AM GMT+1 - The office confirmed no client could log in.
- 11:15 AM GMT+1 - The dependency was updated and logins worked.
"""
    fs = findings(text, "PM502")
    assert len(fs) == 1
    assert fs[0].text.startswith("8:00 AM")
    assert text[fs[0].related[0][0]:fs[0].related[0][1]].startswith("8:00 PM")


def test_24_hour_time_with_pm_flagged():
    fs = findings("Timeline\n- 12:50 PM alert\n- 13:06 PM fixed\n", "PM502")
    assert fs and "13:06 PM" in fs[0].text


def test_entry_missing_ampm_is_reported_but_stays_chronological():
    text = """Timeline
- 06:00 AM: Users report errors.
- 06:35 AM: Monitoring alert fires.
- 07:40: Cache cleared.
- 08:00 AM: Service restored.
"""
    r = review.detect(analysis_of(text))
    assert r.chronological
    fs = findings(text, "PM502")
    assert len(fs) == 1 and fs[0].text.startswith("07:40") and fs[0].points < 3


def test_ambiguous_time_alone_keeps_chronological():
    text = "Timeline\n- 10:00 M The alert fired.\n- 10:20 Rollback.\n"
    assert review.detect(analysis_of(text)).chronological


# ------------------------------------------------------------------ PM503 / PM504

def test_summary_end_disagrees_with_resolution_entry():
    text = """Issue Summary
The outage lasted from 09:00 to 11:00 UTC and affected all users.

Timeline
- 09:00 UTC: Monitoring detected errors.
- 09:05 UTC: The config change was reverted.
- 09:10 UTC: Service restored for all users.
"""
    fs = findings(text, "PM503")
    assert len(fs) == 1
    assert fs[0].text.startswith("09:10")
    assert text[fs[0].related[0][0]:fs[0].related[0][1]].startswith("11:00")
    assert "110 min" in fs[0].message


def test_detection_before_start():
    text = """Issue Summary
The outage ran from 10:20 AM to 11:00 AM EAT.

Timeline
- 10:10 AM EAT: Visitors reported that the blog was not loading.
- 10:30 AM EAT: The team restarted the web server.
- 11:00 AM EAT: Service restored.
"""
    fs = findings(text, "PM503")
    assert fs and fs[0].text.startswith("10:10 AM")
    assert "10 min before" in fs[0].message


def test_matching_summary_and_timeline_not_flagged():
    text = """Issue Summary
The outage lasted 90 minutes, from 14:00 to 15:30 UTC.

Timeline
- 14:00 UTC: Alert fired on the error rate.
- 14:40 UTC: The bad deploy was rolled back.
- 15:30 UTC: Service fully restored.
"""
    r = review.detect(analysis_of(text))
    assert r.chronological and r.consistency_issues == ()


def test_summary_date_disagrees_with_timeline_dates():
    text = """Issue Summary
On June 10, 2023 the API failed.

Timeline
- May 10, 2023 08:00 UTC - Alert fired.
- May 10, 2023 09:00 UTC - Service restored.
"""
    fs = findings(text, "PM503")
    assert any("10/6" in f.message and "10/5" in f.message for f in fs)
    same = text.replace("June 10", "May 10")
    assert not any("dated" in f.message for f in findings(same, "PM503"))


def test_stated_duration_disagrees_with_start_end():
    text = """Issue Summary
The outage lasted 3 hours, from 14:00 to 15:30 UTC.

Timeline
- 14:00 UTC: Alert fired.
- 15:30 UTC: Service restored.
"""
    fs = findings(text, "PM504")
    assert len(fs) == 1
    assert fs[0].text == "3 hours"
    assert "180 min" in fs[0].message and "90 min" in fs[0].message
    assert "1 h 30 min" in fs[0].suggestion


# ------------------------------------------------------------------ PM505 timezones

def test_mixed_timezones_in_timeline():
    text = """Timeline
- 14:00 UTC: Alert fired.
- 14:10 GMT+1: Engineer paged.
"""
    assert findings(text, "PM505")
    assert not review.detect(analysis_of(text)).chronological


def test_equivalent_timezones_not_flagged():
    text = """Issue Summary
From 14:00 WAT to 15:00 WAT the API failed.

Timeline
- 14:00 GMT+1: Alert fired.
- 15:00 GMT+1: Service restored.
"""
    assert findings(text, "PM505") == []


# ------------------------------------------------------------------ PM601 blame

@pytest.mark.parametrize("sentence", [
    "The outage was caused by human error.",
    "At 11:15 PM, I mistakenly installed nginx twice.",
    "A tired developer accidentally set the connection limit to 5.",
    "It was a careless mistake in the deploy script.",
    "The lead warned him about his mistake.",
    "Our newly employed junior ended up making changes to the web server configuration file.",
    "A programmer made a typo in the last update to the code base.",
    "The person on duty didn't run the tests before committing his changes.",
    "Elaine, the organizer of this campaign, failed to plan the rollout.",
])
def test_blame_flagged(sentence):
    text = f"Root Cause\n{sentence}\n"
    fs = findings(text, "PM601")
    assert len(fs) == 1
    assert fs[0].suggestion  # a system-focused rewrite is offered


@pytest.mark.parametrize("sentence", [
    "The value was written incorrectly in the configuration file.",
    "Add a disk usage alert (Owner: Samuel, backend engineer, by April 1st).",
    "We mistakenly thought our usage of the library was safe.",
    "Failures come from bugs, traffic spikes, hardware failures, and human error.",
    "Add a second reviewer to reduce the risk of human error.",
    "The engineer made a change to the load balancer configuration at 14:00.",
    "The deploy script did not run the tests before pushing the changes.",
    "The page used lazy loading for images, so the cache filled slowly.",
])
def test_blame_not_flagged(sentence):
    assert findings(f"Root Cause\n{sentence}\n", "PM601") == []


def test_blame_rewrite_names_the_object_from_the_document():
    text = ("Root Cause\nOur newly employed junior ended up making changes to the web server "
            "configuration file during the deploy.\n")
    f = findings(text, "PM601")[0]
    assert "web server configuration file" in f.suggestion
    assert "deploy" in f.suggestion


# ------------------------------------------------------------------ PM701 pasted assignment

PASTED = """# My postmortem
Requirements:
- Issue Summary (that is often what executives will read) must contain:
- duration of the outage with start and end times (including timezone)
- what was the root cause

Issue Summary
From 10:00 to 10:30 UTC the API returned 500 errors.
"""


def test_pasted_requirements_found():
    r = review.detect(analysis_of(PASTED))
    assert r.prompt_pasted
    fs = findings(PASTED, "PM701")
    assert len(fs) == 1
    spans = [PASTED[s:e] for s, e in [(fs[0].start, fs[0].end), *fs[0].related]]
    assert any("executives will read" in t for t in spans)
    assert not any("API returned" in t for t in spans)  # the author's own text is not flagged


def test_one_task_title_alone_is_not_pasted():
    text = ("Corrective measures\nA list of tasks to address the issue: add a disk alert, "
            "patch nginx.\n")
    assert not review.detect(analysis_of(text)).prompt_pasted


def test_task_titles_used_as_headings_are_pasted():
    text = ("Requirements:\nIssue Summary: the API failed.\nWhich team/individuals was the "
            "incident escalated to\nThe database team.\n")
    assert review.detect(analysis_of(text)).prompt_pasted


def test_ordinary_section_headings_are_not_pasted():
    text = """Issue Summary
From 10:00 to 10:30 UTC the API returned 500 errors for 40% of users.

Timeline
- 10:00 UTC: Alert fired.

Root cause and resolution
A typo in nginx.conf; fixed by correcting it.

Corrective and preventative measures
- Add an nginx -t check to the deploy pipeline.
"""
    assert not review.detect(analysis_of(text)).prompt_pasted
    assert findings(text, "PM701") == []


# assignment voice: the exercise's background, instructions and writing task, reworded
# (texts written for these tests in our own words)

INCIDENT = """Issue Summary
On 3 March from 14:05 to 14:50 UTC the checkout service returned 502 errors for 30% of users.

Timeline
- 14:05 UTC: the error-rate alert fired.
- 14:20 UTC: the on-call engineer rolled back release 8.2.
- 14:50 UTC: error rate back to normal.

Root cause
Release 8.2 set the upstream pool size to zero.
"""

BACKGROUND = ("Every computer system is going to break at some point. Failure is part of "
              "the job, and each outage is a chance to learn and improve. After an outage "
              "the teams involved write a short summary for the rest of the company.\n\n")


def test_reworded_background_before_the_incident_is_pasted():
    text = BACKGROUND + INCIDENT
    r = review.detect(analysis_of(text))
    assert r.prompt_pasted
    voiced = [h for h in r.pasted_spans if h.kind == "voice"]
    assert voiced and all(h.end <= len(BACKGROUND) for h in voiced)
    assert any("chance to learn" in h.text for h in voiced)
    fs = findings(text, "PM701")
    assert len(fs) == 1 and fs[0].start < len(BACKGROUND)


def test_essay_about_failure_without_an_incident_is_not_pasted():
    text = BACKGROUND + ("Postmortems help teams share what they found. This essay looks at "
                         "why blameless reviews work.\n")
    assert not review.detect(analysis_of(text)).prompt_pasted


def test_own_one_sentence_introduction_is_not_pasted():
    text = "A postmortem is a useful document for any team that runs services.\n\n" + INCIDENT
    r = review.detect(analysis_of(text))
    assert not r.prompt_pasted
    assert findings(text, "PM701") == []


def test_writing_task_used_as_a_section_is_pasted():
    text = INCIDENT + ("\nMaking the postmortem more engaging\n"
                       "- Add a bit of humour to the timeline.\n"
                       "- Draw a fun diagram of the request path.\n")
    r = review.detect(analysis_of(text))
    assert r.prompt_pasted
    assert any("humour" in h.text for h in r.pasted_spans)
    assert not any("upstream pool size" in h.text for h in r.pasted_spans)


def test_instructions_to_the_student_are_pasted():
    text = ("For this assignment you will write an incident report about a real or imagined "
            "outage. Your post-mortem should fit on one page.\n\n" + INCIDENT)
    assert review.detect(analysis_of(text)).prompt_pasted


def test_general_remarks_in_closing_lessons_are_not_pasted():
    lessons = ("\nLessons learned\nEvery system will eventually fail, so we practise "
               "rollbacks. Failure is normal; what matters is the follow-up. Incidents are a "
               "chance to learn and improve our release checks.\n")
    r = review.detect(analysis_of(INCIDENT + lessons))
    assert not r.prompt_pasted


def test_customer_advice_in_second_person_is_not_pasted():
    text = INCIDENT + ("\nWhat you should do\nIf you retried a payment, you should check your "
                       "statement. You need to sign in again on the mobile app. You must update "
                       "the app to version 8.3.\n")
    assert not review.detect(analysis_of(text)).prompt_pasted


def test_a_rubric_line_is_counted_once_even_when_it_is_also_voice():
    line = "Corrective and preventative measures must contain:\n"
    alone = INCIDENT + line + "- Add a pool-size check to CI.\n"
    assert not review.detect(analysis_of(alone)).prompt_pasted  # one piece of the assignment
    both = ("Your post-mortem should be short enough for a manager to read.\n\n" + INCIDENT
            + line + "- Add a pool-size check to CI.\n")
    assert review.detect(analysis_of(both)).prompt_pasted  # a rubric line and a voice line


def test_assignment_voice_lexicon_is_well_formed():
    from pmscore.resources import read_lines

    kinds_seen = set()
    for line in read_lines("lexicons", "assignment_voice.txt"):
        kind, scope, rx = line.split("\t")
        assert kind in {"instruction", "task", "genre", "truism", "framing"}, line
        assert scope in {"any", "opening"}, line
        re.compile(rx)
        kinds_seen.add(kind)
    assert kinds_seen == {"instruction", "task", "genre", "truism", "framing"}


# ------------------------------------------------------------------ PM702-PM705 filler

def test_assistant_leftover_is_filler_not_pasted():
    text = ("Certainly! Here's a more concise version of the postmortem based on the "
            "requirements provided above:\n\nIssue Summary\nThe API failed from 10:00 to 10:30.\n")
    r = review.detect(analysis_of(text))
    assert not r.prompt_pasted
    fs = findings(text, "PM703")
    assert fs and fs[0].text.startswith("Certainly!")


@pytest.mark.parametrize("snippet", ["Root cause: TBD", "- XX:XX - Issue detected",
                                     "Incident date: [Date]", "Lorem ipsum dolor sit amet."])
def test_placeholders_flagged(snippet):
    fs = findings(f"Issue Summary\n{snippet}\n", "PM702")
    assert len(fs) == 1


@pytest.mark.parametrize("snippet", ["The table lists the tbdata rows.",
                                     "Add monitoring on server memory (a TODO for the SRE team).",
                                     "The outage lasted from 10:00 to 10:30 UTC."])
def test_placeholders_not_flagged(snippet):
    assert findings(f"Issue Summary\n{snippet}\n", "PM702") == []


def test_repeated_sentence_and_empty_heading():
    s = "The team rolled back the database migration and restarted the API servers."
    text = f"# Report\n\n## Summary\n\n{s}\n\n## Lessons Learned\n\n## Action Items\n\n{s}\n"
    rep = findings(text, "PM705")
    assert len(rep) == 1 and rep[0].line == 11
    assert rep[0].related
    empty = findings(text, "PM704")
    assert [f.text.strip("# ") for f in empty] == ["Lessons Learned"]


def test_unique_sentences_not_repeated():
    text = ("## Summary\n\nThe team rolled back the database migration yesterday.\n\n"
            "## Resolution\n\nThe team restarted the API servers after the rollback.\n")
    assert findings(text, "PM705") == []


# ------------------------------------------------------------------ seeds

def _seed(n: int) -> str:
    folder = SHARED / "seeds"
    if not folder.exists():
        pytest.skip(f"{folder} is absent")
    return sorted(folder.glob(f"{n:03d}_*.txt"))[0].read_text(encoding="utf-8")


def _run(text: str, prefix: str):
    a = full_analysis(text)
    r = review.detect(a)
    return r, checks.run(a, None, r, select=(prefix,))


def test_seed_003_backwards_15_10_to_15_01():
    text = _seed(3)
    r, fs = _run(text, "PM501")
    assert not r.chronological
    f = next(f for f in fs if f.text == "15:01")
    assert text[f.start - 20:f.end].strip().endswith("15:01")
    assert "Datadog sent" in text[f.end:f.end + 30]
    assert [text[s:e] for s, e in f.related] == ["15:10"]


def test_seed_000_summary_pm_vs_timeline_am():
    text = _seed(0)
    r, fs = _run(text, "PM502")
    assert not r.chronological
    f = fs[0]
    assert f.text.startswith("8:00 AM")
    assert text[f.related[0][0]:f.related[0][1]].startswith("8:00 PM")
    assert "Problem Summary" in text[:f.related[0][0]]


def test_seed_002_ampm_flip():
    text = _seed(2)
    r, fs = _run(text, "PM502")
    assert not r.chronological
    f = next(f for f in fs if f.text.startswith("10:45 AM"))
    assert text[f.related[0][0]:f.related[0][1]].startswith("10:00 PM")


def test_seed_001_pasted_requirements():
    text = _seed(1)
    r, fs = _run(text, "PM701")
    assert r.prompt_pasted
    assert len(fs) == 1
    answer = text.find("Issue Summary:\n")  # the student's own answer starts here
    spans = [(fs[0].start, fs[0].end), *fs[0].related]
    assert all(e <= answer for _, e in spans)
    req = text.find("Issue Summary (that is often")
    assert any(s <= req + 10 < e for s, e in spans)
    assert len(spans) >= 5  # the requirement list is several lines, each found


def test_seed_003_junior_blamed():
    text = _seed(3)
    r, fs = _run(text, "PM601")
    assert r.blame
    sentence_start = text.find("Our newly employed junior")
    assert any(sentence_start <= f.start < text.find("ended up making changes") for f in fs)


def test_seed_004_is_clean():
    r, _ = _run(_seed(4), "PM5")
    assert r.chronological and not r.blame and not r.prompt_pasted


# ------------------------------------------------------------------ robustness

from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECES = st.sampled_from(["\n", "- ", "## Timeline\n", "10:45 PM", "12:00 AM", "13:06 PM", "UTC",
                           "GMT+1", " lasted 3 hours", "from 9:00 to 11:00", "human error",
                           "TBD", "[Date]", "Certainly! Here's", "14-02-2024", "9/10", "|",
                           "**", "```\n", "resolved", "detected", "Requirements:", " ", "x"])


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_detect_never_raises_and_spans_are_in_the_text(text):
    a = analysis_of(text)
    r = review.detect(a)
    n = len(a.document.text)
    for issue in r.consistency_issues:
        assert 0 <= issue.start <= issue.end <= n
    for hit in (*r.blame_spans, *r.pasted_spans, *r.filler):
        assert a.document.text[hit.start:hit.end] == hit.text
    for f in checks.run(a, None, r, select=("PM5", "PM6", "PM7")):
        assert a.document.text[f.start:f.end] == f.text


# --------------------------------------------------------------------------- line segments

from hypothesis import given, settings, strategies as st  # noqa: E402


def _plain_segments(clean: str) -> list[tuple[int, int]]:
    """Lines split on newlines and stripped with str.strip, as offsets (the reference)."""
    out, pos = [], 0
    for line in clean.split("\n"):
        lead = len(line) - len(line.lstrip())
        if line.strip():
            out.append((pos + lead, pos + lead + len(line.strip())))
        pos += len(line) + 1
    return out


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="ab. \n\t\r\x0b\x0c\x1c\x1f\x85\u00a0\u2028\u3000\u200b\ufeff",
               max_size=40))
def test_segments_are_the_stripped_lines(clean: str) -> None:
    """Every Unicode space str.strip removes is trimmed, nothing else; blank lines give none."""
    doc = Document(text=clean, clean=clean, blocks=())
    assert review._segments(doc, []) == _plain_segments(clean)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_norm_keeps_the_runs_between_non_word_characters(s: str) -> None:
    """_norm is the text lower-cased with every run of characters other than word characters,
    % / ? ( ) turned into one space, trimmed (the reference: substitute, then split)."""
    assert review._norm(s) == " ".join(re.sub(r"[^\w%/?()]+", " ", s.lower()).split())


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["May", "march", "15th", "of", "2024-03-15", "9/10", " ", ",",
                                 "13.01.2023", "Mon", "\u0663", "1", "-", "/", "Sept", "x"]),
                max_size=10))
def test_date_on_digit_shortcut_reads_the_same_dates(parts: list[str]) -> None:
    """A line without a digit has no date; with one, the date patterns decide as before."""
    line = "".join(parts)
    expected = None
    for rx in review._DATE_RES:  # reference: every pattern searched, no shortcut
        if rx.search(line):
            expected = "some"
    got = review._date_on(line)
    if expected is None:
        assert got is None
    if not re.search(r"\d", line):
        assert got is None
