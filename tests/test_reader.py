"""Reader: blocks, offsets and the same-length clean text on messy hand-written input."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmscore.reader import read
from pmscore.types import Document


def assert_consistent(doc: Document) -> None:
    """Every block's text is the collapsed clean text of its span; clean keeps the length."""
    assert len(doc.clean) == len(doc.text)
    for b in doc.blocks:
        assert 0 <= b.start < b.end <= len(doc.text)
        assert b.text == " ".join(doc.clean[b.start:b.end].split())
        if b.body_start is not None:
            assert b.start < b.body_start <= b.end
        line, col = doc.line_col(b.start)
        if "\r" not in doc.text:
            assert (line, col) == (b.line, b.col)


def kinds(doc: Document) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in doc.blocks]


def test_markdown_blocks_and_kinds() -> None:
    text = (
        "# Issue Summary\n\nThe API was down for 2 hours.\n\n"
        "Timeline\n========\n\n- 10:00 alert fired\n  - nested: paged on-call\n- 10:30 fixed\n\n"
        "| time | event |\n|------|-------|\n| 10:00 | alert |\n\n"
        "```\nsudo service nginx restart\n```\n"
    )
    doc = read(text)
    assert_consistent(doc)
    got = kinds(doc)
    assert ("heading", "Issue Summary") in got
    assert ("heading", "Timeline") in got
    assert ("list_item", "10:00 alert fired") in got
    assert ("list_item", "10:30 fixed") in got
    assert ("code", "sudo service nginx restart") in got
    assert ("table_row", "10:00 alert") in got
    nested = [b for b in doc.blocks if b.text.startswith("nested")]
    assert nested and nested[0].kind in ("list_item", "label")
    h = next(b for b in doc.blocks if b.text == "Issue Summary")
    assert h.level == 1 and doc.text[h.start:h.end] == "Issue Summary"
    # Markup is blanked in clean, content is not.
    assert doc.clean[0] == " " and "Issue Summary" in doc.clean
    assert "|" not in doc.clean and "```" not in doc.clean


def test_crlf_and_lone_cr_offsets() -> None:
    text = "## Root Cause\r\n\r\nA typo in nginx.conf.\r\n\r\n## Impact\rAll users."
    doc = read(text)
    assert_consistent(doc)
    assert "\r" not in doc.clean
    root = next(b for b in doc.blocks if b.text == "Root Cause")
    assert doc.text[root.start:root.end] == "Root Cause"
    typo = next(b for b in doc.blocks if "typo" in b.text)
    assert doc.text[typo.start:typo.end] == "A typo in nginx.conf."
    assert typo.line == 3
    assert any(b.kind == "heading" and b.text == "Impact" for b in doc.blocks)


def test_bom_and_tabs_are_blanked() -> None:
    text = "\ufeffIssue Summary\n\n\tThe\tsite was down.\n"
    doc = read(text)
    assert_consistent(doc)
    assert doc.clean[0] == " " and "\t" not in doc.clean
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].text == "Issue Summary"


def test_inline_html_reduced_to_text() -> None:
    text = "<p><b>Impact</b>: 40% of users<br>could not log in</p>\n\n<h2>Timeline</h2>\n"
    doc = read(text)
    assert_consistent(doc)
    assert "<" not in doc.clean and ">" not in doc.clean
    heads = [b for b in doc.blocks if b.kind == "heading"]
    assert [h.text for h in heads] == ["Timeline"]
    lab = [b for b in doc.blocks if b.kind == "label"]
    assert lab and lab[0].heading == "Impact"
    assert doc.text[lab[0].body_start:].startswith("40% of users")


def test_emphasis_lines_are_headings() -> None:
    text = "**Timeline**\n- 10:00 alert\n\n__Root cause__\nA full disk.\n"
    doc = read(text)
    assert_consistent(doc)
    heads = [b.heading for b in doc.blocks if b.kind == "heading"]
    assert heads == ["Timeline", "Root cause"]
    assert "*" not in doc.clean and "_" not in doc.clean
    body = next(b for b in doc.blocks if b.text == "A full disk.")
    assert body.kind == "paragraph"


def test_inline_labels_with_body_offsets() -> None:
    text = "Root Cause: a typo in wp-settings.php\n\n- **Impact**: 50% of users\n\nImpact Analysis: slow pages\n"
    doc = read(text)
    assert_consistent(doc)
    labs = {b.heading: b for b in doc.blocks if b.kind == "label"}
    assert set(labs) == {"Root Cause", "Impact", "Impact Analysis"}
    assert doc.text[labs["Root Cause"].body_start:labs["Root Cause"].end] == \
        "a typo in wp-settings.php"
    assert doc.text[labs["Impact"].body_start:labs["Impact"].end] == "50% of users"


def test_clock_times_and_urls_are_not_labels() -> None:
    doc = read("At 15:00 GMT the server went down.\n\nSee https://example.com/post for more.\n")
    assert_consistent(doc)
    assert all(b.kind != "label" for b in doc.blocks)


def test_plain_label_lines_split_one_block_per_line() -> None:
    text = ("Incident Summary\n\nIncident Date: March 1, 2024\nDuration: 2 hours\n"
            "Impact: 10% of users\nRoot Cause: expired TLS certificate\n")
    doc = read(text)
    assert_consistent(doc)
    assert doc.blocks[0].kind == "heading"
    assert [b.heading for b in doc.blocks[1:]] == ["Incident Date", "Duration", "Impact",
                                                   "Root Cause"]
    assert all(b.kind == "label" for b in doc.blocks[1:])


def test_plain_title_lines_and_wrapped_prose() -> None:
    text = ("Incident Timeline\n10:00 - alert fired\n10:05 - on-call paged\n\n"
            "The outage started when the\ndeploy script removed the upstream block.\n\n"
            "Root Cause:\nThe config was overwritten.\n")
    doc = read(text)
    assert_consistent(doc)
    got = kinds(doc)
    assert got[0] == ("heading", "Incident Timeline")
    assert ("paragraph", "10:00 - alert fired") in got
    assert ("paragraph", "10:05 - on-call paged") in got
    assert ("paragraph", "The outage started when the deploy script removed the upstream block.") in got
    assert ("heading", "Root Cause:") in got
    rc = next(b for b in doc.blocks if b.text == "Root Cause:")
    assert rc.heading == "Root Cause"


def test_lost_first_letter_heading_kept_as_heading() -> None:
    doc = read("ssue Summary\n\nThe site was down for an hour on May 3 and 20% of users saw errors.\n")
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].heading == "ssue Summary"


@pytest.mark.parametrize("text,reason", [
    ("https://medium.com/@someone/my-postmortem-1234\n", "link-only"),
    ("# Postmortem\n\n[My postmortem](https://docs.google.com/document/d/abc/edit)\n", "link-only"),
    ("![outage](https://example.com/diagram.png)\n", "image-only"),
    ("   \n\n  ", "empty"),
    ("Postmortem cases", "near-empty"),
])
def test_not_postmortem_reasons(text: str, reason: str) -> None:
    assert read(text).not_postmortem_reason == reason


def test_real_prose_is_a_candidate_postmortem() -> None:
    text = ("# Issue Summary\n\nOn May 3 from 10:00 to 11:30 UTC the login service returned errors "
            "to 40% of users because an expired certificate broke TLS between the load balancer "
            "and the backend. See https://status.example.com for the status page.\n\n## Timeline\n\n"
            "- 10:00 UTC monitoring alerted the on-call engineer\n- 11:30 UTC certificate rotated\n\n"
            "## Corrective actions\n\n- Add an alert 14 days before any certificate expires.\n")
    assert read(text).not_postmortem_reason is None


def test_chat_answer_in_markdown_fence_is_read_as_markdown() -> None:
    text = ("Here is the report:\n```markdown\n# Postmortem\n## Issue Summary\nThe API was down.\n"
            "## Root Cause\nA full disk.\n```\n")
    doc = read(text)
    assert_consistent(doc)
    assert [b.heading for b in doc.blocks if b.kind == "heading"][-2:] == ["Issue Summary",
                                                                          "Root Cause"]


def test_unclosed_markdown_fence_keeps_its_last_line() -> None:
    # A pasted chat answer often loses its closing fence: the fence then runs to the end of the
    # document and its last line is content, not a fence line to drop.
    body = ("```markdown\n# Postmortem\n## Issue Summary\nThe API was down.\n"
            "## Corrective actions\n1. Add a disk alert.\n2. Rotate the logs daily.")
    for text in (body, body + "\n", body + "\n```\n"):
        doc = read(text)
        assert_consistent(doc)
        items = [b.text for b in doc.blocks if b.kind == "list_item"]
        assert items == ["Add a disk alert.", "Rotate the logs daily."], text


def test_emphasised_sentence_is_prose_but_emphasised_title_and_question_are_headings() -> None:
    text = ("## Root cause\n\nThe disk filled up.\n\n"
            "**We are sorry for the trouble this outage caused to every one of our users.**\n\n"
            "*Lesson: never skip the disk alert, not even on a quiet weekend!*\n\n"
            "**Corrective actions**\n\nAdd a disk alert.\n\n"
            "**Why did the alert not fire during the night of the outage?**\n\nIt was muted.\n")
    doc = read(text)
    assert_consistent(doc)
    headings = [b.heading for b in doc.blocks if b.kind == "heading"]
    assert headings == ["Root cause", "Corrective actions",
                        "Why did the alert not fire during the night of the outage?"]


def test_hostile_inputs_do_not_raise_and_stay_fast() -> None:
    cases = [
        "",
        "\x00\x00# a\x00b",
        "x" * 1_000_000,
        "\n".join(f"## Heading {i}" for i in range(5000)),
        "\n".join("  " * i + "- item" for i in range(300)),
        ">" * 5000 + " quote",
        "*" * 10000,
        "<div>" * 3000,
        "[" * 5000 + "](" * 5000,
        "\r" * 10000,
        "_a " * 20000,
        "**a**" + " " * 100_000 + "x",
        "**a" + " " * 100_000 + ":",
        "<!--" * 20000,
        "<!-- x -->" * 10000 + "<b>" * 10000,
        "[a](" * 20000,
        "Root Cause" + " " * 100_000 + ": x",
        "\n".join(" " * 500 + "10:00" + " " * 500 for _ in range(200)),
    ]
    for text in cases:
        t0 = time.perf_counter()
        doc = read(text)
        assert len(doc.clean) == len(doc.text) == len(text)
        assert_consistent(doc)
        assert time.perf_counter() - t0 < 10, text[:30]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab :#*_-|>\n\r\t<>/`[]()1:0.\ufeff")),
               max_size=300))
def test_property_offsets_consistent(text: str) -> None:
    assert_consistent(read(text))


def test_seed_004_inline_labels(seed_text) -> None:
    doc = read(seed_text(4))
    assert_consistent(doc)
    labels = [b.heading for b in doc.blocks if b.kind == "label"]
    assert "Root Cause" in labels and "Impact" in labels
    assert "Impact Analysis" in labels


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
def test_seeds_are_consistent(seed_text, n: int) -> None:
    doc = read(seed_text(n))
    assert_consistent(doc)
    assert doc.not_postmortem_reason is None


def test_unicode_bullets_split_and_blanked() -> None:
    text = "Action items\r• Add an alert on disk usage\r\n• Rotate the TLS certificate\n"
    doc = read(text)
    assert_consistent(doc)
    assert "•" not in doc.clean
    assert [b.text for b in doc.blocks[1:]] == ["Add an alert on disk usage",
                                                "Rotate the TLS certificate"]
