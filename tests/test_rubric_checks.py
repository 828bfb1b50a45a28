"""Rubric checks (PM1xx-PM4xx, PM8xx): every rule has a should-flag and a should-not-flag case.

The analyses are built by hand (``test_facts.build``) so each rule is tested on exactly the
facts it reads, independent of the upstream stages' judgements.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from pmscore import facts
from pmscore.checks import CheckContext, registered, rule_metadata
from pmscore.resources import data_path
from pmscore.types import ActionItem, Analysis, Entity, RootCause
from test_facts import build

FULL = """Issue Summary
From 14:30 to 16:30 UTC the login API failed for 40% of users. The root cause was an expired TLS certificate.
Timeline
- 14:30 UTC - Datadog alert on login errors fired
- 14:40 UTC - Suspected the database, but it turned out to be healthy
- 14:50 UTC - Escalated to the platform team
- 16:30 UTC - Renewed the certificate; service restored
Root Cause and Resolution
The TLS certificate of the login API expired at 14:30 because the renewal cron job had been dropped by the last deploy, so clients refused the TLS handshake and every login request failed.
We renewed the certificate and restarted the load balancer, then checked the login success rate.
Corrective and Preventative Measures
Certificate renewal must never again depend on a manual step that a deploy can silently drop.
- Add an alert on certificate expiry 14 days ahead (Owner: platform team, Deadline: May 1)
- Restore the renewal cron job in the deploy template (Owner: platform team, Deadline: May 1)
"""

SECTIONS = [("summary", "Issue Summary"), ("timeline", "Timeline"),
            ("root_cause", "Root Cause and Resolution"), ("resolution", "Root Cause and Resolution"),
            ("corrective_actions", "Corrective and Preventative Measures")]


def _ents(text: str) -> tuple[Entity, ...]:
    """TIME (with UTC when written), PERCENT, SERVICE and TEAM mentions found by regex."""
    out = []
    for m in re.finditer(r"\b(\d\d):(\d\d)(?: UTC)?", text):
        out.append(Entity("TIME", m.start(), m.end(), m.group(0),
                          minutes=int(m.group(1)) * 60 + int(m.group(2)),
                          timezone="UTC" if m.group(0).endswith("UTC") else None))
    for label, rx in (("PERCENT", r"\d+%"), ("SERVICE", r"login API"),
                      ("TEAM", r"platform team")):
        out += [Entity(label, m.start(), m.end(), m.group(0)) for m in re.finditer(rx, text)]
    return tuple(sorted(out, key=lambda e: e.start))


def _items(text: str, actionable: bool = True, owner: bool = True, deadline: bool = True
           ) -> list[ActionItem]:
    out = []
    for line in text.split("\n"):
        if line.startswith("- ") and ("Add " in line or "Restore " in line or "Be " in line
                                      or "Improve " in line):
            s = text.index(line) + 2
            out.append(ActionItem(text=line[2:], start=s, end=s + len(line) - 2,
                                  actionable=actionable, owner=owner, deadline=deadline,
                                  reason="" if actionable else
                                  "not actionable: an attitude, nothing to deliver"))
    return out


def _specific(text: str) -> RootCause:
    s = text.index("The TLS certificate of the login API expired")
    e = text.index("every login request failed.") + len("every login request failed.")
    return RootCause(text=text[s:e], start=s, end=e, specificity="specific")


def full(text: str = FULL, sections=SECTIONS, **kw) -> Analysis:
    kw.setdefault("root_cause", _specific(text) if "The TLS certificate" in text else None)
    kw.setdefault("items", _items(text))
    a = build(text, sections=[s for s in sections if s[1] in text], **kw)
    ents = _ents(text)
    tl = tuple(replace(t, time=next((e for e in ents if e.label == "TIME"
                                     and t.start <= e.start < t.end), None))
               for t in a.timeline)
    return replace(a, entities=ents, timeline=tl)


def run(rule: str, a: Analysis) -> list:
    return list(registered()[rule](CheckContext(a, facts.compute(a))))


RUBRIC_IDS = [r["id"] for r in json.loads(data_path("rules", "rubric.json").read_text())]


# ---------------------------------------------------------------------------------------------
# the complete document triggers none of the rubric rules


@pytest.mark.parametrize("rule", RUBRIC_IDS)
def test_complete_document_is_not_flagged(rule):
    assert run(rule, full()) == []


def test_registry_matches_rule_data():
    reg = registered()
    meta = rule_metadata()
    for rid in RUBRIC_IDS:
        assert rid in reg, rid
        m = meta[rid]
        assert m.why and m.suggestion and m.example and m.message
        assert m.severity in ("error", "warning", "info")
        assert m.points >= 0
    assert len(set(RUBRIC_IDS)) == len(RUBRIC_IDS)


# ---------------------------------------------------------------------------------------------
# PM1xx summary

NO_FACTS_SUMMARY = FULL.replace(
    "From 14:30 to 16:30 UTC the login API failed for 40% of users. The root cause was an "
    "expired TLS certificate.", "Many users could not log in for a while.")


def test_pm100_summary_missing():
    text = FULL[FULL.index("Timeline"):]
    found = run("PM100", full(text))
    assert len(found) == 1 and found[0].rule == "PM100"


@pytest.mark.parametrize("rule", ["PM101", "PM102", "PM103", "PM104", "PM105", "PM106"])
def test_summary_without_facts_flags_each_fact(rule):
    a = full(NO_FACTS_SUMMARY)
    found = run(rule, a)
    assert len(found) == 1
    # a missing summary fact points at the summary heading
    assert found[0].text == "Issue Summary" or rule == "PM104"


def test_pm101_suggestion_names_the_timeline_times():
    f = run("PM101", full(NO_FACTS_SUMMARY))[0]
    assert "14:30 UTC" in f.suggestion and "16:30 UTC" in f.suggestion


def test_pm103_start_without_end():
    text = FULL.replace("From 14:30 to 16:30 UTC the login API failed",
                        "At 14:30 UTC the login API failed")
    a = full(text)
    assert run("PM102", a) == []
    assert len(run("PM103", a)) == 1


def test_pm104_points_at_the_bare_time():
    text = FULL.replace("From 14:30 to 16:30 UTC the login API", "From 14:30 to 16:30 the login API")
    a = build(text, sections=SECTIONS, ents=[("TIME", "14:30", {"minutes": 870}),
                                              ("TIME", "16:30", {"minutes": 990})],
              root_cause=_specific(text), items=_items(text))
    found = run("PM104", a)
    assert len(found) == 1 and found[0].text == "14:30"
    assert "14:30 " in found[0].suggestion


def test_pm105_suggestion_names_the_service():
    f = run("PM105", full(NO_FACTS_SUMMARY))[0]
    assert f.section == "impact"
    assert "login API" in f.suggestion


# ---------------------------------------------------------------------------------------------
# PM2xx timeline


def test_pm201_entry_without_time():
    text = FULL.replace("- 14:50 UTC - Escalated", "- Escalated")
    found = run("PM201", full(text))
    assert len(found) == 1
    assert found[0].text == "- Escalated to the platform team"[2:] or \
        found[0].text.startswith("- Escalated")
    assert "14:40 UTC" in found[0].suggestion


def test_pm201_points_are_capped():
    lines = "\n".join(f"- step {i} done" for i in range(10))
    text = FULL.replace("- 16:30 UTC - Renewed", lines + "\n- 16:30 UTC - Renewed")
    found = run("PM201", full(text))
    assert len(found) == 10
    assert sum(f.points for f in found) <= 4.0 + 1e-9


def test_pm202_pm203_no_detection():
    text = FULL.replace("- 14:30 UTC - Datadog alert on login errors fired",
                        "- 14:30 UTC - Login errors began")
    a = full(text)
    assert len(run("PM202", a)) == 1
    assert len(run("PM203", a)) == 1


def test_pm203_detection_without_method():
    text = FULL.replace("- 14:30 UTC - Datadog alert on login errors fired",
                        "- 14:30 UTC - The issue was detected")
    a = full(text)
    assert run("PM202", a) == []
    found = run("PM203", a)
    assert len(found) == 1 and "detected" in found[0].text


def test_pm204_short_timeline():
    text = FULL.replace("- 14:40 UTC - Suspected the database, but it turned out to be healthy\n",
                        "").replace("- 14:50 UTC - Escalated to the platform team\n", "")
    assert len(run("PM204", full(text))) == 1


def test_pm205_no_misleading_path():
    text = FULL.replace("- 14:40 UTC - Suspected the database, but it turned out to be healthy",
                        "- 14:40 UTC - Checked the certificate dates")
    found = run("PM205", full(text))
    assert len(found) == 1 and found[0].text == "Timeline"


def test_pm206_no_escalation():
    text = FULL.replace("- 14:50 UTC - Escalated to the platform team",
                        "- 14:50 UTC - Read the load balancer logs")
    found = run("PM206", full(text))
    assert len(found) == 1


def test_pm207_no_resolution():
    text = FULL.replace("- 16:30 UTC - Renewed the certificate; service restored",
                        "- 16:30 UTC - Wrote this report")
    text = text.replace("We renewed the certificate and restarted the load balancer, then checked "
                        "the login success rate.", "That was the cause.")
    assert len(run("PM207", full(text))) == 1


def test_pm208_no_timeline():
    start, end = FULL.index("Timeline"), FULL.index("Root Cause and Resolution")
    text = FULL[:start] + FULL[end:]
    found = run("PM208", full(text))
    assert len(found) == 1 and found[0].text == "Issue Summary"
    # the per-fact timeline rules stay quiet when the whole timeline is missing
    a = full(text)
    assert run("PM205", a) == [] and run("PM206", a) == []


# ---------------------------------------------------------------------------------------------
# PM3xx root cause and resolution


def test_pm301_missing_root_cause():
    a = full(root_cause=RootCause(text="", start=0, end=0, specificity="missing"))
    found = run("PM301", a)
    assert len(found) == 1 and found[0].severity == "error"


def test_pm302_vague_phrase_is_the_span():
    text = FULL.replace(
        "The TLS certificate of the login API expired at 14:30 because the renewal cron job had "
        "been dropped by the last deploy, so clients refused the TLS handshake and every login "
        "request failed.", "There was some framework problem which caused the glitch.")
    s = text.index("There was some")
    e = text.index("the glitch.") + len("the glitch.")
    rc = RootCause(text=text[s:e], start=s, end=e, specificity="vague",
                   vague_phrases=("some framework problem", "glitch"))
    found = run("PM302", full(text, root_cause=rc))
    assert [f.text for f in found] == ["some framework problem", "glitch"]
    assert all(f.severity == "error" and f.section == "root_cause" for f in found)
    assert abs(sum(f.points for f in found) - rule_metadata()["PM302"].points) < 1e-9
    assert "login API" in found[0].suggestion
    assert run("PM302", full()) == []


def test_pm303_partial_root_cause():
    text = FULL
    s = text.index("The TLS certificate")
    rc = RootCause(text=text[s:s + 40], start=s, end=s + 40, specificity="partial",
                   reason="names no mechanism", specifics=("TLS certificate",))
    found = run("PM303", full(root_cause=rc))
    assert len(found) == 1 and found[0].severity == "warning"
    assert "TLS certificate" in found[0].suggestion


def test_pm304_no_resolution_anywhere():
    text = FULL.replace("We renewed the certificate and restarted the load balancer, then checked "
                        "the login success rate.", "")
    text = text.replace("- 16:30 UTC - Renewed the certificate; service restored",
                        "- 16:30 UTC - Service came back")
    sections = [s for s in SECTIONS if s[0] != "resolution"]
    a = full(text, sections=sections)
    assert len(run("PM304", a)) == 1
    assert run("PM304", full()) == []


def test_pm305_resolution_says_fixed_but_not_how():
    text = FULL.replace("Root Cause and Resolution\n", "Root Cause\n").replace(
        "We renewed the certificate and restarted the load balancer, then checked the login "
        "success rate.\n", "Resolution\nAfter the cause was known, it was fixed.\n")
    sections = [("summary", "Issue Summary"), ("timeline", "Timeline"),
                ("root_cause", "Root Cause"), ("resolution", "Resolution\n"),
                ("corrective_actions", "Corrective and Preventative Measures")]
    sections = [(lab, h.strip()) for lab, h in sections]
    a = full(text, sections=sections)
    found = run("PM305", a)
    assert len(found) == 1
    assert found[0].text == "After the cause was known, it was fixed."


# ---------------------------------------------------------------------------------------------
# PM4xx corrective actions


def test_pm401_no_corrective_actions():
    text = FULL[:FULL.index("Corrective and Preventative Measures")]
    found = run("PM401", full(text, items=[]))
    assert len(found) == 1 and found[0].severity == "error"


def test_pm402_no_specific_task():
    a = full(items=_items(FULL, actionable=False))
    found = run("PM402", a)
    assert len(found) == 1 and "0 of 2" in found[0].message


def test_pm403_only_a_task_list():
    text = FULL.replace("Certificate renewal must never again depend on a manual step that a "
                        "deploy can silently drop.\n", "")
    assert len(run("PM403", full(text))) == 1


def test_pm404_non_actionable_item_with_concrete_suggestion():
    text = FULL.replace("- Restore the renewal cron job in the deploy template (Owner: platform "
                        "team, Deadline: May 1)", "- Be cautious when updating system")
    items = _items(text)
    items = [replace(i, actionable=False, reason="not actionable: an attitude, nothing to "
                     "deliver ('Be cautious')") if i.text.startswith("Be ") else i for i in items]
    found = run("PM404", full(text, items=items))
    assert len(found) == 1
    f = found[0]
    assert f.text == "Be cautious when updating system"
    assert "staging deploy step" in f.suggestion and "login API" in f.suggestion
    assert "Be cautious" in f.message


def test_pm404_points_are_capped():
    bad = "\n".join(f"- Improve thing {i}" for i in range(8))
    text = FULL + bad + "\n"
    items = [replace(i, actionable=False) for i in _items(text) if i.text.startswith("Improve")]
    found = run("PM404", full(text, items=items))
    assert len(found) == 8
    cap = json.loads(data_path("rubric_checks.json").read_text())["rule_caps"]["PM404"]
    assert sum(f.points for f in found) <= cap + 1e-9


def test_pm405_pm406_no_owner_no_deadline():
    a = full(items=_items(FULL, owner=False, deadline=False))
    assert len(run("PM405", a)) == 1
    assert len(run("PM406", a)) == 1
    assert all(f.severity == "info" for f in run("PM405", a) + run("PM406", a))


# ---------------------------------------------------------------------------------------------
# PM8xx document level


def test_pm801_not_a_postmortem():
    text = "https://medium.com/@someone/my-postmortem\n"
    found = run("PM801", build(text, not_postmortem_reason="link-only"))
    assert len(found) == 1 and "link-only" in found[0].message


def test_pm802_short_document():
    text = "Summary\nServer down. Fixed it.\n"
    assert len(run("PM802", build(text, sections=[("summary", "Summary")]))) == 1


def test_pm803_no_headings():
    a = full()
    secs = tuple(replace(s, source="content") for s in a.sections)
    found = run("PM803", replace(a, sections=secs))
    assert len(found) == 1


def test_every_finding_span_is_a_document_slice():
    a = full(NO_FACTS_SUMMARY, items=_items(NO_FACTS_SUMMARY, actionable=False, owner=False,
                                             deadline=False))
    for rule in RUBRIC_IDS:
        for f in run(rule, a):
            assert a.document.text[f.start:f.end] == f.text
            assert f.suggestion
