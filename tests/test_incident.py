"""A terse incident summary is a postmortem; a pointer README or a title is not.

The annotation guide makes ``is_postmortem`` false only for a file that holds no incident at all
(a task list, a link, a placeholder). Every example here is written for this test.
"""

from __future__ import annotations

import json

import pytest

from conftest import shared_path
from pmscore.incident import states_incident
from pmscore.pipeline import grade
from pmscore.reader import read

TERSE = [
    "[Acme Pay](https://status.example.com/incidents/42). A bad certificate rotation took the "
    "card API down for most merchants.",
    "[Shopline](https://example.org/blog/outage). A cleanup job deleted the image store of "
    "every staging cluster.",
    "A replica promoted during a network split lost two minutes of writes on the orders "
    "database.",
    "[Northwind](https://example.net/report). The login service could not be reached from "
    "Europe for about an hour.",
]

POINTERS = [
    "# Postmortem\n\nIn this repository I wrote about how I fixed a crashed web server. "
    "Read it here: https://example.com/my-post",
    "Check out my postmortem on [my blog](https://example.com/post).",
    "# 0x19 postmortem\n\nThis is my write-up of the outage. "
    "[Link](https://example.com/a-long-article)",
    "Postmortem: Web Stack Outage on the school servers",
    "Using a web stack bug or an outage you have faced, write a postmortem.",
    "Summary: the issue was found and fixed",
]


@pytest.mark.parametrize("text", TERSE)
def test_terse_incident_summaries_are_postmortems(text: str) -> None:
    assert read(text).not_postmortem_reason is None
    report = grade(text, models=None)
    assert report.is_postmortem, report.not_postmortem_reason
    assert report.grade <= 2  # no timeline, no actions: a postmortem, but a poor one


@pytest.mark.parametrize("text", POINTERS)
def test_pointers_titles_and_instructions_state_no_incident(text: str) -> None:
    prose = read(text).clean
    assert not states_incident(prose)
    assert not grade(text, models=None).is_postmortem


def test_the_assignments_voice_states_no_incident() -> None:
    # the truisms and genre sentences of the assignment's background (assignment_voice.txt)
    assert not states_incident("After any outage, the team in charge will write a summary of "
                               "the failure for the rest of the company.")
    assert not states_incident("Every software system will eventually fail at some point, and "
                               "a crash can come from anywhere.")
    assert not states_incident("Failure is normal, and every crash is a chance to learn and "
                               "improve.")
    assert states_incident("The nightly crash was a chance to learn how the cache fills.")


def test_a_pointer_sentence_does_not_count_but_a_plain_statement_beside_it_does() -> None:
    assert not states_incident("This post explains why the payment service crashed.")
    assert states_incident("This post explains it. The payment service crashed after a bad "
                           "deploy of version two.")


def test_yaml_front_matter_is_metadata_not_blocks() -> None:
    text = ("---\nid: 5b1e\nurl: https://example.com/incident/7\ntags:\n  - dns\n"
            "company: Example\n---\n\nAn expired DNS delegation made the public API "
            "unreachable for three hours.\n")
    doc = read(text)
    assert [b.kind for b in doc.blocks] == ["paragraph"]
    assert doc.blocks[0].text.startswith("An expired DNS delegation")
    assert "example.com" not in doc.clean and "company" not in doc.clean
    assert len(doc.clean) == len(text)
    assert doc.not_postmortem_reason is None  # the front matter's URL is not a pointer


def test_a_rule_that_is_not_front_matter_is_kept() -> None:
    # A horizontal rule followed by prose, and key-like lines with spaces, are the document.
    for text in ("---\n\nThe API was down.\n", "---\nIssue Summary: the API was down\n---\nx\n"):
        doc = read(text)
        assert "API" in doc.clean


TEMPLATE = """# Incident report

## Issue Summary

- a short overview in a few sentences
- list the start and end of the outage with the timezone
- state the impact (how many users saw errors, in percent)

## Timeline

- when the outage began
- when the on-call engineer was paged
- actions and events, in order

## Root Cause

- give a detailed explanation of what failed and why

## Corrective Measures

- itemized list of ways to stop it happening again
"""

GUIDE = """# How to write a good postmortem

A postmortem is a tool for learning from incidents. This README gives guidance on writing one.

## Parts

1. **Summary:** start by describing what happened, when, and its impact.
2. **Timeline:** lay out the events in order, with timestamps.
3. **Root cause:** explain why the failure happened, without blaming anyone.
"""

NO_CLOCK_TIME = """# Postmortem: card reader outage

## Summary

On a Monday in March the card readers in all four shops failed to reach the payment gateway,
so customers could only pay in cash until closing.

## Root cause

The store router's certificate had expired and nobody owned its renewal.

## Corrective actions

- Give the renewal of the router certificate to the network team, with an alert 30 days ahead.
"""


def test_a_template_and_a_guide_state_no_incident() -> None:
    for text in (TEMPLATE, GUIDE):
        report = grade(text, models=None)
        assert not report.is_postmortem
        assert "no incident stated" in (report.not_postmortem_reason or "")


def test_a_postmortem_without_clock_times_is_still_one() -> None:
    report = grade(NO_CLOCK_TIME, models=None)
    assert report.is_postmortem, report.not_postmortem_reason


def test_realworld_incident_summaries_are_postmortems() -> None:
    """``../shared/realworld/summaries`` holds one-paragraph summaries of real incidents, most
    with a link to the full report: by the guide each holds an incident. Before this test the
    reader called 117 of 150 pointer files."""
    folder = shared_path("realworld", "summaries")
    files = sorted(folder.glob("*.md"))
    assert len(files) >= 100
    verdicts = [grade(f.read_text(encoding="utf-8"), models=None).is_postmortem for f in files]
    assert sum(verdicts) / len(verdicts) >= 0.9


def test_the_incident_test_turns_no_labelled_non_postmortem_into_one(monkeypatch) -> None:
    """Grading dev's labelled non-postmortems (pointer READMEs, placeholders, pasted
    assignments) with the incident test gives no postmortem verdict that grading without it
    does not give: the test only rescues texts the other rules had thrown out."""
    import pmscore.pipeline
    import pmscore.reader

    dev = shared_path("realworld", "dev.jsonl")
    docs = shared_path("realworld", "docs")
    texts = []
    for line in dev.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        path = next(iter(sorted(docs.glob(rec["id"] + ".*"))), None)
        if not rec["is_postmortem"] and path is not None:
            texts.append((rec["id"], path.read_text(encoding="utf-8", errors="replace")))
    assert len(texts) >= 10
    with_test = {i for i, t in texts if grade(t, models=None).is_postmortem}
    monkeypatch.setattr(pmscore.reader, "states_incident", lambda prose: False)
    monkeypatch.setattr(pmscore.pipeline, "states_incident", lambda prose: False)
    without = {i for i, t in texts if grade(t, models=None).is_postmortem}
    assert with_test <= without
