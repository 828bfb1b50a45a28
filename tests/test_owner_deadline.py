"""Owners and deadlines of action items, as real task lists write them."""

from __future__ import annotations

import pytest

from pmscore.features import find_deadline, find_owner


@pytest.mark.parametrize("text,owner", [
    ("To stop a repeat, the platform team will add a canary stage to the deploy", "the platform team"),
    ("Add an alert on queue depth (Owner: Dana, Deadline: 2025-07-01)", "Dana"),
    ("SRE team will rotate the API keys", "SRE team"),
    ("The platform team adds a canary stage to every deploy", "The platform team"),
    ("Going forward the billing team is going to pin the SDK version", "the billing team"),
    ("Moving forward, the data team plans to add a row-count check", "the data team"),
    ("DevEx will rotate every service account password from the parameter store", "DevEx"),
    ("Patch the proxy. QA will add a regression test for encoded URLs", "QA"),
])
def test_owner_found(text, owner):
    cue = find_owner(text)
    assert cue is not None and cue.text == owner


@pytest.mark.parametrize("text", [
    "Add an alert on login failure rate above 5%",
    "Be more careful, we will be fine",
    "Patch the Nginx server to 1.25.3",
    # a bare "the team" names nobody responsible
    "To avoid a repeat, the team will add an alert on disk usage above 90%",
    "The security team was paged at 02:10",
    "Our team uses a shared runbook",
    "The ops team members were paged",
    "AWS will be notified of the throttling",
    "Nginx will pass the request URI as is",
])
def test_no_owner(text):
    assert find_owner(text) is None


@pytest.mark.parametrize("text,deadline", [
    ("Add health checks on the load balancer - ETA: 2 weeks.", "2 weeks"),
    ("Monitoring will be in place by 04-04-17 for the API", "04-04-17"),
    ("Run a full smoke test after config edits (3 days)", "3 days"),
    ("Rotate the certificates by Friday", "Friday"),
    # a month with a year only: the year's digits are not a day of the month
    ("Move the flag service out of the monolith by March 2024", "March 2024"),
    ("Patch Nginx (Due Date: Aug 20, 2024)", "Aug 20, 2024"),
])
def test_deadline_found(text, deadline):
    cue = find_deadline(text)
    assert cue is not None and cue.text == deadline


@pytest.mark.parametrize("text", [
    "Restart the service within the 5 minutes window (port 8080)",
    "Run the migration on both servers (2 servers)",
    "Alert when p99 latency stays above 800 ms for 5 minutes",
])
def test_no_deadline(text):
    assert find_deadline(text) is None


@pytest.mark.parametrize("text", ["-" * 50000, "1. " * 20000, ". " * 30000, "a, " * 20000])
def test_owner_and_deadline_are_linear_on_long_runs(text):
    # untrusted input: overlapping runs in the owner pattern took minutes on such lines
    import time

    t0 = time.perf_counter()
    find_owner(text)
    find_deadline(text)
    assert time.perf_counter() - t0 < 5.0
