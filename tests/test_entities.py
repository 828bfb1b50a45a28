"""Entity extraction on small hand-written texts and on the seed postmortems."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmscore.entities import extract, extract_text
from pmscore.nlp import get_nlp
from pmscore.reader import read
from pmscore.types import Block, Document, Entity

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _texts(ents: tuple[Entity, ...], label: str) -> list[str]:
    return [e.text for e in ents if e.label == label]


def _one(ents: tuple[Entity, ...], label: str, text: str) -> Entity:
    found = [e for e in ents if e.label == label and e.text == text]
    assert found, f"{label} {text!r} not in {[(e.label, e.text) for e in ents]}"
    return found[0]


def test_get_nlp_is_cached_and_blank() -> None:
    nlp = get_nlp()
    assert nlp is get_nlp()
    assert nlp.lang == "en"
    assert "pmscore_numeric" in nlp.pipe_names and "pmscore_resolve" in nlp.pipe_names


def test_times_are_normalised_with_attached_timezone() -> None:
    text = "The outage began at 9:45 PM EST and ended at 12:45 AM EST the next day."
    ents = extract_text(text)
    t1 = _one(ents, "TIME", "9:45 PM")
    assert (t1.norm, t1.minutes, t1.ampm, t1.timezone) == ("21:45 EST", 21 * 60 + 45, True, "EST")
    t2 = _one(ents, "TIME", "12:45 AM")
    assert (t2.norm, t2.minutes) == ("00:45 EST", 45)
    assert _texts(ents, "TIMEZONE") == ["EST", "EST"]


def test_timezone_stated_once_for_the_line_applies_to_both_times() -> None:
    ents = extract_text("The site was down from 8:00 PM to 11:20 AM GMT+1.")
    assert _one(ents, "TIME", "8:00 PM").norm == "20:00 GMT+1"
    assert _one(ents, "TIME", "11:20 AM").norm == "11:20 GMT+1"


def test_timezone_on_another_line_is_not_attached() -> None:
    ents = extract_text("All times UTC.\n14:30 - alert fired")
    t = _one(ents, "TIME", "14:30")
    assert t.timezone is None and t.norm == "14:30"


def test_datetime_keeps_date_and_clock_apart() -> None:
    ents = extract_text("Incident start: March 15, 2024 14:30 UTC, then 2024-03-16T09:05:00Z.")
    assert _texts(ents, "DATE") == ["March 15, 2024", "2024-03-16"]
    assert [e.norm for e in ents if e.label == "DATE"] == ["2024-03-15", "2024-03-16"]
    assert _one(ents, "TIME", "14:30").norm == "14:30 UTC"
    assert _one(ents, "TIME", "09:05:00").minutes == 9 * 60 + 5


@pytest.mark.parametrize("text", ["13-01-2023", "10th of May 2023", "23rd Nov 2020",
                                  "March 15, 2024"])
def test_dates(text: str) -> None:
    assert _texts(extract_text(f"It happened on {text} in the morning."), "DATE") == [text]


def test_durations_with_minutes() -> None:
    text = ("It lasted 3 hours, then an hour, then 45 minutes, 2 hrs, 1h30m and a three-hour "
            "window; recovery took half an hour.")
    ents = extract_text(text)
    got = {e.text: e.norm for e in ents if e.label == "DURATION"}
    assert got == {"3 hours": "180", "an hour": "60", "45 minutes": "45", "2 hrs": "120",
                   "1h30m": "90", "three-hour": "180", "half an hour": "30"}


def test_a_range_of_times_is_not_a_duration() -> None:
    ents = extract_text("Service was down from 8:00 to 11:20.")
    assert _texts(ents, "DURATION") == []
    assert _texts(ents, "TIME") == ["8:00", "11:20"]


def test_percent_count_money() -> None:
    text = ("About 40% of logins and 50 percent of payments failed; 60,000 daily users and "
            "over one hundred mails, 500 requests per second; we lost $10,000 and millions "
            "of ETB.")
    ents = extract_text(text)
    assert _texts(ents, "PERCENT") == ["40%", "50 percent"]
    assert _one(ents, "PERCENT", "40%").norm == "40"
    assert _texts(ents, "COUNT") == ["60,000 daily users", "over one hundred mails",
                                     "500 requests"]
    assert _texts(ents, "MONEY") == ["$10,000", "millions of ETB"]


def test_services() -> None:
    text = ("The User Authentication Service failed. Nginx returned errors, the MySQL database "
            "was locked, the load balancer and the mobile app timed out, and the ATM network "
            "was down behind the API gateway on the web server.")
    got = _texts(extract_text(text), "SERVICE")
    for want in ["User Authentication Service", "Nginx", "MySQL database", "load balancer",
                 "mobile app", "API gateway", "web server"]:
        assert want in got
    assert any(g.startswith("ATM") for g in got)


def test_status_text_and_line_start_capitals_are_not_services() -> None:
    text = "Users saw 500 Internal Server Error.\nMisconfigured database update."
    got = _texts(extract_text(text), "SERVICE")
    assert not any("Internal" in g for g in got)
    assert "Misconfigured database" not in got and "database" in got


def test_teams() -> None:
    text = ("The operations team paged the on-call engineer; a backend engineer and the SRE "
            "team joined, then the development team and the general office, and the DevOps "
            "team closed it.")
    got = _texts(extract_text(text), "TEAM")
    assert got == ["operations team", "on-call engineer", "backend engineer", "SRE team",
                   "development team", "general office", "DevOps team"]


def test_prose_words_that_look_like_timezones_are_not() -> None:
    ents = extract_text("We eat lunch with the cat at noon; the PST team met at 10:00 PST.")
    tzs = [e for e in ents if e.label == "TIMEZONE"]
    assert [(t.start, t.text) for t in tzs][-1][1] == "PST"
    assert not any(t.text.lower() in ("eat", "cat") for t in tzs)


def test_offsets_point_into_the_text() -> None:
    text = "**Start:** 9:45 PM EST, about 40% of users"
    doc = read(text)
    for e in extract(doc):
        assert doc.text[e.start:e.end] == e.text


def test_code_blocks_and_pasted_output_are_skipped() -> None:
    text = ("Timeline\n\n- 10:00 AM: alert fired\n\n```\n2024-01-01 12:34:56 ERROR x\n```\n\n"
            "HTTP/1.1 502 Bad Gateway\nDate: Wed, 3 Apr 2024 18:05:44 GMT\n")
    doc = read(text)
    times = _texts(extract(doc), "TIME")
    assert times == ["10:00 AM"]


def test_extract_skips_blocks_of_kind_code() -> None:
    text = "At 10:00 it broke.\n23:59 log line"
    code_start = text.index("23:59")
    doc = Document(text=text, clean=text, blocks=(
        Block(0, "paragraph", 0, code_start - 1, 1, 1, text[:code_start - 1]),
        Block(1, "code", code_start, len(text), 2, 1, text[code_start:]),
    ))
    assert _texts(extract(doc), "TIME") == ["10:00"]


# ---- seeds -------------------------------------------------------------------------------

def _seed(prefix: str) -> Document:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds not present")
    files = sorted(seeds.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.skip(f"seed {prefix} not present")
    return read(files[0].read_text(encoding="utf-8"), path=str(files[0]))


@pytest.mark.shared
def test_seed_000_summary_time_with_offset_timezone() -> None:
    ents = extract(_seed("000"))
    assert _one(ents, "TIME", "8:00 PM").norm == "20:00 GMT+1"
    assert _one(ents, "TIME", "8:00 AM").norm == "08:00 GMT+1"
    assert "backend engineer" in _texts(ents, "TEAM")
    assert "general office" in _texts(ents, "TEAM")


@pytest.mark.shared
def test_seed_001_time_timezone_and_no_duration() -> None:
    ents = extract(_seed("001"))
    assert _one(ents, "TIME", "01:20 AM").minutes == 80
    assert "GMT" in _texts(ents, "TIMEZONE")
    assert _texts(ents, "DURATION") == []
    assert "operations team" in _texts(ents, "TEAM")
    assert {"mobile app", "ATM"} <= set(_texts(ents, "SERVICE"))


@pytest.mark.shared
def test_seed_002_summary_facts() -> None:
    ents = extract(_seed("002"))
    assert _one(ents, "DURATION", "3 hours").norm == "180"
    assert "40%" in _texts(ents, "PERCENT")
    assert _one(ents, "TIME", "9:45 PM").norm == "21:45 EST"
    assert any(c.endswith("60,000 daily users") for c in _texts(ents, "COUNT"))
    assert "development team" in _texts(ents, "TEAM")


@pytest.mark.shared
def test_seed_004_summary_facts() -> None:
    ents = extract(_seed("004"))
    assert _one(ents, "DURATION", "2 hours").norm == "120"
    assert "50%" in _texts(ents, "PERCENT")
    assert "User Authentication Service" in _texts(ents, "SERVICE")
    assert "on-call engineering team" in _texts(ents, "TEAM")
    assert _one(ents, "TIME", "14:30").timezone == "UTC"  # "Incident Time: 14:30 UTC"
    assert "March 15, 2024" in _texts(ents, "DATE")


@pytest.mark.parametrize("text", ["one " * 2000 + "hours", "1:" * 5000, "Web " * 1000 + "Server",
                                  "- " * 3000 + "10:00 x"])
def test_pathological_inputs_stay_fast(text: str) -> None:
    import time

    t0 = time.perf_counter()
    extract(read(text))
    assert time.perf_counter() - t0 < 8.0


def test_components_are_registered_factories_usable_alone() -> None:
    import spacy
    from spacy.language import Language

    for name in ("pmscore_lexattrs", "pmscore_numeric", "pmscore_resolve"):
        assert Language.has_factory(name)
        assert Language.get_factory_meta(name).default_config
    nlp = spacy.blank("en")
    nlp.add_pipe("pmscore_numeric", config={"patterns": "numeric.jsonl"})
    doc = nlp("Down for 3 hours from 9:45 PM EST.")
    labels = {(doc.text[s:e], label) for s, e, label, _ in doc.user_data["pmscore_candidates"]}
    assert {("3 hours", "DURATION"), ("9:45 PM", "TIME"), ("EST", "TIMEZONE")} <= labels


def test_slash_and_hyphen_compounds_build_mentions() -> None:
    ents = extract_text("The CI/CD pipeline broke; the SRE/sysadmin teams and the on-call "
                        "engineer fixed the e-commerce website and the payment processing "
                        "service.")
    assert "CI/CD pipeline" in _texts(ents, "SERVICE")
    assert {"e-commerce website", "payment processing service"} <= set(_texts(ents, "SERVICE"))
    assert _texts(ents, "TEAM") == ["SRE/sysadmin teams", "on-call engineer"]


# --------------------------------------------------------------------------- hyphen merges

from hypothesis import given, settings, strategies as st  # noqa: E402
from spacy.attrs import IS_ALPHA, ORTH, SPACY  # noqa: E402

from pmscore import nlp as N  # noqa: E402


def _merged_reference(text: str) -> list[str]:
    """Token texts after merging word-joiner-word runs, by the plain left-to-right scan."""
    doc = get_nlp().make_doc(text)
    n = len(doc)
    spans = []
    if n >= 3:
        rows = doc.to_array([IS_ALPHA, SPACY, ORTH]).tolist()
        joiners = {doc.vocab.strings.add(j) for j in ("-", "/")}

        def at(k: int) -> bool:
            return bool(rows[k][0] and not rows[k][1] and rows[k + 1][2] in joiners
                        and not rows[k + 1][1] and rows[k + 2][0])
        i = 0
        while i < n - 2:
            if at(i):
                j = i + 2
                while j + 2 < n and at(j):
                    j += 2
                spans.append(doc[i:j + 1])
                i = j + 1
            else:
                i += 1
    with doc.retokenize() as retok:
        for span in spans:
            retok.merge(span)
    return [t.text for t in doc]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["on", "call", "-", "/", " ", "CI", "CD", "e", "3", "x-y-z",
                                 "--", "\n", "\u00e9", "ok-", "a/b/c", "(", "-4"]), max_size=16))
def test_merge_hyphenated_merges_like_the_plain_scan(pieces: list[str]) -> None:
    text = "".join(pieces)
    doc = get_nlp().make_doc(text)
    N.merge_hyphenated(doc)
    assert [t.text for t in doc] == _merged_reference(text)


def test_merge_hyphenated_merges_chains_once() -> None:
    doc = get_nlp().make_doc("the on-call SRE/DevOps team, x-y-z and 3-4 days")
    N.merge_hyphenated(doc)
    words = [t.text for t in doc]
    assert "on-call" in words and "SRE/DevOps" in words and "x-y-z" in words
    assert "3-4" not in words  # digits are not words


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["Payment", "Service", "API", "9:45", "PM", "EST", "for", "2",
                                 "hours", "the", "SRE", "Team", "on-call", "40%", "users", " ",
                                 "\n", ".", "2024-03-15", "Internal", "Server", "Error"]),
                max_size=24))
def test_annotate_gives_the_full_pipeline_entities(words: list[str]) -> None:
    """annotate() skips the resolver's Span objects, not any reading: the same
    (start, end, label) list as running the whole pipeline."""
    text = " ".join(words)
    assert N.annotate(text).user_data[N.USER_DATA_KEY] == \
        get_nlp()(text).user_data[N.USER_DATA_KEY]
    full = get_nlp()(text)
    assert [(s.start_char, s.end_char, s.label_) for s in full.spans[N.RESULT_KEY]] == \
        full.user_data[N.USER_DATA_KEY]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["ab", "\n", " ", "$ ls -la", "\n$ x\n", "\u00e9", "12:30"]),
                max_size=12), st.data())
def test_masked_text_blanks_code_and_pasted_output(parts: list[str], data: st.DataObject) -> None:
    """Characters of code blocks and pasted-output lines become spaces, newlines stay, the
    length is kept (reference: blank character by character)."""
    from pmscore.entities import _pasted_output_re, masked_text

    text = "".join(parts)
    spans = data.draw(st.lists(st.tuples(st.integers(-2, len(text) + 2),
                                         st.integers(-2, len(text) + 2)), max_size=3))
    blocks = tuple(Block(i, data.draw(st.sampled_from(["code", "paragraph"])), a, b, 1, 1, "")
                   for i, (a, b) in enumerate(spans))
    doc = Document(text=text, clean=text, blocks=blocks)
    chars = list(text)
    ranges = [(b.start, b.end) for b in blocks if b.kind == "code"]
    ranges += [m.span() for m in _pasted_output_re().finditer(text)]
    for a, b in ranges:
        for i in range(max(0, a), min(b, len(chars))):
            if chars[i] != "\n":
                chars[i] = " "
    assert masked_text(doc) == "".join(chars)


# --------------------------------------------------------------------------- roles alone

def test_a_single_engineer_alone_is_a_team_mention() -> None:
    """The guide lists roles acting in the incident; "an engineer" alone is one, like
    "engineers" (a bare "team" is still left out)."""
    ents = extract_text("An alert fired and an engineer restarted the queue workers.")
    assert _texts(ents, "TEAM") == ["engineer"]
    assert _texts(extract_text("The team restarted the workers."), "TEAM") == []


def test_coordinated_team_modifiers_make_one_mention() -> None:
    """"the network and security teams" names both groups: one mention, not "security teams"."""
    ents = extract_text("We paged the network and security teams at once.")
    assert _texts(ents, "TEAM") == ["network and security teams"]


def test_named_organisation_before_a_team_is_kept() -> None:
    """A vendor's or company's team acts in the incident too ("the Acme support team")."""
    ents = extract_text("We opened a ticket and the Acme support team answered in an hour.")
    assert _texts(ents, "TEAM") == ["Acme support team"]


def test_imperative_opening_a_list_item_is_not_part_of_a_mention() -> None:
    """The verb of an action item is not a name: "- Configure failover servers" names the
    failover servers; a known word there ("- Nginx server ...") stays."""
    ents = extract_text("Actions:\n- Configure failover servers.\n- \u2705 Train engineers on DNS.\n"
                        "2. Nginx server restarted.")
    assert _texts(ents, "SERVICE")[:1] == ["failover servers"]
    assert "Nginx server" in _texts(ents, "SERVICE")
    assert _texts(ents, "TEAM") == ["engineers"]
    # mid-sentence a Title-case word still builds the name
    assert _texts(extract_text("Then Acme engineers called."), "TEAM") == ["Acme engineers"]


def test_origin_server_is_one_mention() -> None:
    """A CDN's "origin server" is the named system, not a bare "server"."""
    ents = extract_text("The CDN could not reach the origin server for an hour.")
    assert "origin server" in _texts(ents, "SERVICE")
    assert "server" not in _texts(ents, "SERVICE")


def test_common_infrastructure_software_is_named() -> None:
    """Proxies, coordination stores and embedded databases are systems that fail too."""
    ents = extract_text("The Traefik proxy lost its routes when etcd and the SQLite database "
                        "were full.")
    assert {"Traefik proxy", "etcd", "SQLite database"} <= set(_texts(ents, "SERVICE"))


def test_two_whole_team_mentions_joined_by_and_stay_two() -> None:
    """"the database team and senior engineer" are two actors; "network and security
    teams" (shared head) stays one mention. Offsets point at the right characters."""
    text = ("We paged the database team and senior engineer; later the network and security "
            "teams joined.")
    ents = extract_text(text)
    assert _texts(ents, "TEAM") == ["database team", "senior engineer",
                                    "network and security teams"]
    assert all(text[e.start:e.end] == e.text for e in ents)


def test_service_representatives_are_a_role() -> None:
    """Support roles named by their title act in the incident ("customer service rep")."""
    ents = extract_text("A customer service rep escalated the complaint to us.")
    assert _texts(ents, "TEAM") == ["customer service rep"]


def test_on_call_written_without_hyphen_is_a_team() -> None:
    ents = extract_text("The on call person restarted the web server.")
    assert _texts(ents, "TEAM") == ["on call person"]


def test_components_named_by_their_kind_need_a_modifier() -> None:
    """Drives, pods, runners, SDKs, plugins and libraries are components that fail, but only
    with a word saying which one: "the hard drive", never "the drive" alone."""
    ents = extract_text("The hard drive filled up, the CI runners stopped and the WordPress "
                        "plugin broke the site; the drive was replaced.")
    svc = _texts(ents, "SERVICE")
    assert {"hard drive", "CI runners", "WordPress plugin"} <= set(svc)
    assert "drive" not in svc


def test_operating_systems_and_clouds_alone_are_not_services() -> None:
    """"on Ubuntu" or "on AWS" names the environment; "Ubuntu 20.04 container", "Ubuntu
    22.04" and "AWS SDK"-like mentions with a head or a version still count."""
    ents = extract_text("The app runs on AWS and Ubuntu. We moved it to an Ubuntu 20.04 "
                        "container, then to Ubuntu 22.04 on the AWS gateway.")
    svc = _texts(ents, "SERVICE")
    assert "AWS" not in svc and "Ubuntu" not in svc
    assert {"Ubuntu 20.04 container", "Ubuntu 22.04", "AWS gateway"} <= set(svc)


def test_plural_people_in_general_are_not_a_team() -> None:
    """"programmers often forget" speaks of people in general; "security researchers" and
    "an intern" are actors of the incident."""
    ents = extract_text("Programmers often forget this, so an intern and two security "
                        "researchers found it.")
    assert _texts(ents, "TEAM") == ["intern", "security researchers"]


def test_a_team_phrase_before_and_is_its_own_mention() -> None:
    """"the on-call SRE and engineering manager" are two actors even though "SRE" is a
    phrase of the lexicon, not a head word."""
    ents = extract_text("The on-call SRE and engineering manager joined the call.")
    assert _texts(ents, "TEAM") == ["on-call SRE", "engineering manager"]
