"""Root-cause statement finding and specificity grading (pmscore.rootcause, pmscore.features).

Examples are the project's own; the seeds are read from ../shared and skipped when absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pmscore import features, rootcause
from _docs import make_doc as _make_doc

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def make_doc(parts: list[tuple[str, str | None, str]]):
    """Hand-built document (see tests/_docs.py): no label blocks, bullets stripped."""
    return _make_doc(parts, labels=False, strip_bullets=True)


def assess(body: str, label: str = "root_cause", heading: str | None = "Root Cause",
           extra: list[tuple[str, str | None, str]] | None = None):
    doc, secs = make_doc([("summary", "Summary", "The site was down for an hour."),
                          (label, heading, body)] + (extra or []))
    return doc, rootcause.assess(doc, secs, ())


# ------------------------------------------------------------------ grading, should flag


@pytest.mark.parametrize("body, phrase", [
    ("There was some framework problem which caused the glitch.", "some framework problem"),
    ("The outage happened because of a glitch.", "a glitch"),
    ("It was human error.", "human error"),
    ("The root cause was technical difficulties on our side.", "technical difficulties"),
    ("Root cause: an issue with the server made everything slow.", "an issue with the server"),
])
def test_vague_statements_are_vague_with_phrase(body: str, phrase: str) -> None:
    doc, rc = assess(body)
    assert rc.specificity == "vague", rc.reason
    assert any(phrase.lower() in p.lower() for p in rc.vague_phrases), rc.vague_phrases
    for p in rc.vague_phrases:  # verbatim: findable in the document
        assert p in doc.text


def test_fuzzy_vague_match_survives_misspelling() -> None:
    hits = features.find_vague("The outage was due to tecnical dificulties in production.")
    assert any(h.kind == "vague" for h in hits)


@pytest.mark.parametrize("body", [
    "The root cause was a misconfiguration in the proxy routing settings.",
    "The server ran out of memory during the traffic spike.",
    "A recent update to the payment service introduced a configuration change.",
])
def test_generic_mechanism_or_component_is_partial(body: str) -> None:
    _, rc = assess(body)
    assert rc.specificity == "partial", rc.reason


# ------------------------------------------------------------------ should not flag


@pytest.mark.parametrize("body", [
    "A typo 'phpp' in /var/www/html/wp-settings.php made Apache return 500 errors.",
    "The deploy overwrote /etc/nginx/nginx.conf and removed the upstream block, so Nginx "
    "refused connections on port 80.",
    "The TLS certificate for api.example.org expired because the certbot cron job was disabled.",
    "Upgrading bcrypt 3.1 to 4.0 changed the hash format and MySQL logins failed.",
])
def test_specific_statements_are_specific(body: str) -> None:
    _, rc = assess(body)
    assert rc.specificity == "specific", rc.reason
    assert rc.specifics


def test_explanation_in_next_sentences_counts() -> None:
    body = ("The root cause was a misconfigured database connection pool. The max_connections "
            "value in db.yaml was set too low for the evening peak.")
    _, rc = assess(body)
    assert rc.specificity == "specific", rc.reason


def test_missing_when_no_cause_anywhere() -> None:
    doc, secs = make_doc([("summary", "Summary", "The site was down for an hour."),
                          ("timeline", "Timeline", "- 10:00 alert fired\n- 11:00 back up")])
    rc = rootcause.assess(doc, secs, ())
    assert rc.specificity == "missing"
    assert rc.text == ""


def test_statement_found_outside_root_cause_section() -> None:
    doc, secs = make_doc([("summary", "Summary",
                           "Checkout failed for 40 minutes. This was caused by an expired "
                           "certificate on the payments load balancer.")])
    rc = rootcause.assess(doc, secs, ())
    assert "expired certificate" in rc.text
    assert doc.text[rc.start:rc.end] == rc.text
    assert rc.specificity != "missing"


def test_offsets_are_verbatim() -> None:
    doc, rc = assess("Intro line.\nThe root cause was a typo in nginx.conf that broke the "
                     "listen directive.")
    assert doc.text[rc.start:rc.end] == rc.text
    assert "typo" in rc.text


def test_whole_document_names_file_and_typo() -> None:
    """Hard case of the guide: a timeline naming the file and the typo makes it specific."""
    doc, secs = make_doc([
        ("timeline", "Timeline", "- 10:05 found the typo 'phpp' in wp-settings.php"),
        ("root_cause", "Root Cause", "A wrong file name in the application configuration "
                                     "stopped pages from loading."),
    ])
    rc = rootcause.assess(doc, secs, ())
    assert rc.specificity == "specific", rc.reason


# ------------------------------------------------------------------ features


def test_specific_cues_kinds() -> None:
    kinds = {c.kind for c in features.find_specifics(
        "Nginx read /etc/nginx/sites-enabled/default with bcrypt 3.1 and wp-settings.php, max_connections "
        "hit, ENOSPC on port 8080")}
    assert {"component", "version", "path", "file", "config_key", "error_code", "port"} <= kinds


def test_urls_are_not_paths() -> None:
    cues = features.find_specifics("See https://example.org/a/b/c.png for the screenshot.")
    assert not [c for c in cues if c.kind in ("path", "file")]


def test_rootcause_features_are_flat_numbers() -> None:
    f = features.rootcause_features("A typo in nginx.conf", context="port 80 refused")
    assert all(isinstance(v, float) for v in f.values())
    assert f["rc_spec_file"] == 1.0 and f["rc_spec_mechanism"] == 1.0
    assert f["doc_spec_port"] == 1.0


# ------------------------------------------------------------------ seeds


def _seed(n: int) -> str:
    folder = SHARED / "seeds"
    found = sorted(folder.glob(f"{n:03d}_*.txt")) if folder.exists() else []
    if not found:
        pytest.skip("../shared/seeds is absent")
    return found[0].read_text(encoding="utf-8")


def test_seed_001_framework_problem_is_vague() -> None:
    from pmscore import reader, sections

    doc = reader.read(_seed(1))
    _, secs = sections.classify(doc)
    rc = rootcause.assess(doc, secs, ())
    assert rc.specificity == "vague", rc.reason
    assert "some framework problem" in rc.vague_phrases
    assert "some framework problem" in rc.text


# ------------------------------------------------------------------ quoted names


@pytest.mark.parametrize("quote", ["‘{}’", "'{}'", "\"{}\"", "“{}”"])
def test_quoted_file_name_counts_as_a_file(quote: str) -> None:
    """A file name in typographic or plain quotes is still a checkable file (not just 'quoted')."""
    stmt = f"A typo in {quote.format('settings-core.php')} broke the loader."
    grade, spec, _vague, _why = rootcause.grade_statement(stmt)
    assert any(c.kind == "file" for c in spec), spec
    # the mistake without the file name is only partial: the file made the difference
    plain, _s, _v, _w = rootcause.grade_statement("A typo broke the loader.")
    assert plain != "specific"
    assert grade == "specific"


# ------------------------------------------------------------------ guesses


@pytest.mark.parametrize("hedge", ["likely", "probably", "may have", "might have", "possibly"])
def test_a_guessed_mechanism_is_at_most_partial(hedge: str) -> None:
    """The guide grades what the text says: a guess at the file and mistake is not checkable."""
    sure = "A typo in /etc/nginx/nginx.conf made Nginx refuse connections on port 8080."
    assert rootcause.grade_statement(sure)[0] == "specific"
    guess = f"A typo in /etc/nginx/nginx.conf {hedge} made Nginx refuse connections on port 8080."
    grade, _spec, _vague, why = rootcause.grade_statement(guess)
    assert grade == "partial"
    assert "guess" in why


def test_hedge_words_match_whole_words_only() -> None:
    assert not rootcause.hedged("The unlikelihood of a deploy was misjudged.")
    assert rootcause.hedged("The cause MOST LIKELY was a stale cache.")


def test_title_fragment_is_not_taken_as_the_statement() -> None:
    """A short line without a full stop is a title of the cause, not the statement of it."""
    body = ("Worker Pool Exhaustion\n\n"
            "The worker pool was sized from a default that was too small for the evening load.")
    doc, rc = assess(body)
    assert rc.text.startswith("The worker pool was sized")


def test_specific_cause_reports_no_vague_phrases() -> None:
    """'a critical error' is the symptom here; the file and the typo make the cause specific."""
    body = ("The app hit a critical error because of a typo in /etc/app/loader.conf: "
            "the include line names loader.phpp instead of loader.php.")
    _doc, rc = assess(body)
    assert rc.specificity == "specific"
    assert rc.vague_phrases == ()


@pytest.mark.parametrize("body, phrase", [
    ("The outage came from a misconfiguration in the load balancer settings, which dropped "
     "half of the requests.", "a misconfiguration in the load balancer settings"),
    ("Traffic stopped because of a misconfigured firewall rule on the edge.",
     "a misconfigured firewall rule"),
])
def test_vague_phrase_takes_its_noun_phrase(body: str, phrase: str) -> None:
    """A reported phrase carries what it is attached to, and never runs into the clause after."""
    doc, rc = assess(body)
    assert rc.specificity == "partial"
    assert phrase in rc.vague_phrases
    assert all(p in doc.text for p in rc.vague_phrases)


def test_one_vague_word_does_not_cancel_a_named_part_and_mechanism() -> None:
    """'a bug' next to the component and a checkable mechanism is wording, not a vague cause."""
    stmt = "A bug in Redis caused a memory leak because the eviction limit was set too low."
    assert rootcause.grade_statement(stmt)[0] == "specific"
    # without the component and the mechanism the same wording stays vague
    assert rootcause.grade_statement("A bug caused the outage.")[0] == "vague"


def test_questions_and_instructions_are_no_cause() -> None:
    """A template left in the root-cause place states nothing: missing, not partial."""
    _doc, rc = assess("Explain why the failure happened. Was it a deploy, a config change, "
                      "or something else?")
    assert rc.specificity == "missing"
    # one real statement among the questions is a cause again
    _doc, rc = assess("Was it the deploy? The deploy set max_connections to 10 in "
                      "/etc/mysql/my.cnf, so MySQL refused new connections.")
    assert rc.specificity == "specific"


def test_many_checkable_details_elsewhere_make_it_specific() -> None:
    """Whole-document judgement: a short statement plus a document full of named details."""
    stmt = "The deploy script changed the worker settings."
    detail = ("We diffed deploy.sh against v2.4.1, read /etc/worker/pool.yaml, the key "
              "max_workers, the unit worker.service and the log at /var/log/worker/err.log.")
    assert rootcause.grade_statement(stmt, rest="The site was slow.")[0] == "partial"
    assert rootcause.grade_statement(stmt, rest=detail)[0] == "specific"
    # a guess stays a guess whatever the rest names
    guess = "The deploy script probably changed the worker settings."
    assert rootcause.grade_statement(guess, rest=detail)[0] == "partial"


def test_outdated_named_part_is_partial() -> None:
    """'outdated' says the plugin was old, not what in it failed: the guide's partial."""
    stmt = "A vulnerability in an outdated WordPress gallery plugin let attackers in."
    grade, _spec, vague, _why = rootcause.grade_statement(stmt)
    assert grade == "partial"
    assert any(c.text.lower() == "outdated" for c in vague)
    _doc, rc = assess(stmt)
    assert "an outdated WordPress gallery" in rc.vague_phrases[0]


def _assess_markdown(text: str) -> "rootcause.RootCause":
    from pmscore import entities, reader, sections

    doc = reader.read(text)
    _, secs = sections.classify(doc)
    return rootcause.assess(doc, secs, entities.extract(doc))


def test_contributing_factors_list_gives_way_to_the_summary_cause_sentence() -> None:
    text = ("# Queue consumers stalled\n\n## Summary\n\n"
            "On Tuesday the nightly job started late. A schema change in the billing topic "
            "caused the invoice consumer to reject every message, so invoices stopped for two "
            "hours.\n\n## Contributing Factors\n\n- No contract test between producer and "
            "consumer\n- Alert thresholds set too high\n\n## Action Items\n\n"
            "- Add a contract test for the billing topic\n")
    rc = _assess_markdown(text)
    assert rc.text.startswith("A schema change in the billing topic caused")
    # without the summary sentence the first factor is still the statement
    alone = _assess_markdown(text.replace("A schema change in the billing topic caused the "
                                          "invoice consumer to reject every message, so "
                                          "invoices stopped for two hours.", ""))
    assert alone.text.startswith("No contract test")


def test_a_root_cause_section_is_not_replaced_by_the_summary() -> None:
    text = ("## Summary\n\nA bad deploy caused errors for an hour.\n\n## Root cause\n\n"
            "The deploy script copied an empty nginx.conf over the live one.\n")
    assert _assess_markdown(text).text.startswith("The deploy script copied")


def test_service_cues_keep_their_offsets_after_a_character_that_lowercases_longer() -> None:
    # "İ".lower() is two characters long: a search in the lower-cased text would shift the cue
    text = "İstanbul office: the Paybridge upstream crashed after the deploy."
    cues = features.find_specifics(text, services=("Paybridge",))
    assert "Paybridge" in [c.text for c in cues]
    assert all(text[c.start:c.end] == c.text for c in cues)
