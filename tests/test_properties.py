"""Property tests over the whole ``grade`` path: random Unicode and random Markdown.

Whatever a student hands in, the report must hold together: grading never raises, the score is
in 0-100 and the grade in 1-5, every finding points at a real span of the document (its text is
that slice, its line:column is where the slice starts), and the JSON is the same byte for byte
on every run (and with one or two worker processes). Examples are bounded (``max_examples``)
and rules-only (``models=None``) where the property does not depend on the models, so this
file stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st
from typer.testing import CliRunner

from pmscore.pipeline import grade

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- strategies ----------------------------------------------------------------------------

_WORDS = ["the", "api", "database", "returned", "errors", "users", "outage", "root", "cause",
          "deploy", "rolled", "back", "nginx", "500", "40%", "timeout", "alert", "paged",
          "fixed", "config", "memory", "leak", "we", "will", "add", "monitoring", "team",
          "escalated", "résumé", "日本", "🔥", "\u200b", "\t", "*", "_", "`", "[x]", "<b>", "&amp;"]
_TIMES = ["10:00", "10:05 UTC", "9:30 AM", "2024-03-01 14:00", "14:52 UTC", "3pm", "00:00",
          "23:59:59", "12:00 PM PST", "2 hours", "45 minutes", "T+5m"]
_HEADINGS = ["Issue Summary", "Summary", "Timeline", "Root Cause", "Root cause and resolution",
             "Resolution", "Corrective and Preventative Measures", "Impact", "Lessons learned",
             "", "###", "Random heading"]

words = st.lists(st.sampled_from(_WORDS + _TIMES), min_size=0, max_size=25).map(" ".join)


@st.composite
def markdown_block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["heading", "para", "list", "ordered", "table", "fence",
                                 "timeline", "quote", "html", "rule", "setext"]))
    if kind == "heading":
        return "#" * draw(st.integers(1, 7)) + " " + draw(st.sampled_from(_HEADINGS))
    if kind == "para":
        return draw(words)
    if kind == "list":
        items = draw(st.lists(words, min_size=1, max_size=6))
        indent = draw(st.integers(0, 3))
        return "\n".join("  " * (i % (indent + 1)) + "- " + w for i, w in enumerate(items))
    if kind == "ordered":
        items = draw(st.lists(words, min_size=1, max_size=6))
        return "\n".join(f"{i + 1}. {w}" for i, w in enumerate(items))
    if kind == "table":
        rows = draw(st.lists(st.tuples(st.sampled_from(_TIMES), words), min_size=0, max_size=5))
        return "| Time | Event |\n|---|---|\n" + "\n".join(f"| {t} | {w} |" for t, w in rows)
    if kind == "fence":
        fence = draw(st.sampled_from(["```", "~~~", "````"]))
        closed = draw(st.booleans())
        return f"{fence}bash\n{draw(words)}\n" + (fence if closed else "")
    if kind == "timeline":
        entries = draw(st.lists(st.tuples(st.sampled_from(_TIMES), words), min_size=1, max_size=6))
        sep = draw(st.sampled_from([" - ", ": ", " ", " — "]))
        return "\n".join(f"- {t}{sep}{w}" for t, w in entries)
    if kind == "quote":
        return ">" * draw(st.integers(1, 4)) + " " + draw(words)
    if kind == "html":
        return f"<div><p>{draw(words)}</p>"
    if kind == "rule":
        return draw(st.sampled_from(["---", "***", "___"]))
    return draw(words) + "\n" + draw(st.sampled_from(["===", "---"]))


markdown_docs = st.tuples(
    st.lists(markdown_block(), min_size=0, max_size=12),
    st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\r"]),
).map(lambda t: t[1].join(t[0]))

unicode_docs = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


# --- properties ----------------------------------------------------------------------------


def _check_report(text: str, report) -> None:
    assert 0 <= report.score <= 100
    assert report.grade in (1, 2, 3, 4, 5)
    doc = report.analysis.document
    assert doc.text == text
    for f in report.findings:
        assert 0 <= f.start <= f.end <= len(text), (f.rule, f.start, f.end, len(text))
        assert f.text == text[f.start:f.end], f.rule
        assert (f.line, f.col) == doc.line_col(f.start), f.rule
        for a, b in f.related:
            assert 0 <= a <= b <= len(text), (f.rule, a, b)
    for s in report.analysis.sections:
        assert 0 <= s.start <= s.end <= len(text)
    for e in report.analysis.entities:
        assert 0 <= e.start <= e.end <= len(text)
        assert e.text == text[e.start:e.end], e


def _json(report) -> str:
    return json.dumps(report.to_dict(), sort_keys=True, ensure_ascii=False)


@SETTINGS
@given(unicode_docs)
def test_random_unicode_never_breaks_the_report(text: str) -> None:
    """Any Unicode string (controls, RTL marks, astral characters) grades to a sane report."""
    report = grade(text, path="random.md", models=None)
    _check_report(text, report)


@SETTINGS
@given(markdown_docs)
@example("- 2 hours\n- 45 minutes")  # found by this test: one DURATION across two list items
def test_random_markdown_never_breaks_the_report(text: str) -> None:
    """Random mixes of headings, lists, tables, fences (some unclosed) and times."""
    report = grade(text, path="random.md", models=None)
    _check_report(text, report)


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(markdown_docs)
def test_json_is_byte_identical_on_repeated_runs(text: str) -> None:
    """Same input, same bytes: no set ordering, timestamps or randomness in the output."""
    first = _json(grade(text, path="same.md", models=None))
    second = _json(grade(text, path="same.md", models=None))
    assert first == second


def test_json_identical_with_packaged_models() -> None:
    """With the packaged models (when installed) the output is stable too."""
    text = (Path(__file__).resolve().parent / "adversarial" / "good.md").read_text("utf-8")
    a = _json(grade(text, path="good.md"))
    b = _json(grade(text, path="good.md"))
    assert a == b


def test_jobs_1_and_jobs_2_give_identical_jsonl(tmp_path) -> None:
    """Parallel grading changes nothing in the output, byte for byte, row order included."""
    from pmscore.cli import _load_commands, app

    _load_commands()
    adv = Path(__file__).resolve().parent / "adversarial"
    files = sorted(adv.glob("*.md"))[:5]
    paths = []
    for i, f in enumerate(files):
        p = tmp_path / f"{i:02d}_{f.name}"
        p.write_bytes(f.read_bytes())
        paths.append(str(p))
    paths.insert(2, str(tmp_path / "missing.md"))  # an error row in the middle
    runner = CliRunner()
    one = runner.invoke(app, ["grade", "-f", "jsonl", "-q", "--jobs", "1", *paths])
    two = runner.invoke(app, ["grade", "-f", "jsonl", "-q", "--jobs", "2", *paths])
    assert one.exit_code == two.exit_code == 2
    assert len(one.stdout.splitlines()) == len(paths)
    assert one.stdout == two.stdout
