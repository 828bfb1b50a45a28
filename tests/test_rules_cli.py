"""``pmscore rules`` / ``pmscore explain``: listing, lookup by id or name, unknown rules.

Most tests swap in a small, known rule set (the real rules are being written elsewhere); one
test checks the real data files against the command's JSON, read independently here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pmscore.checks as checks
from pmscore.checks import RuleMeta
from pmscore.cli import app
from pmscore.resources import data_path

import pmscore.cli.rules  # noqa: F401  (registers the commands on the app)

runner = CliRunner()

FAKE = {
    "PM101": RuleMeta(id="PM101", name="summary-missing-duration", severity="warning",
                      section="summary", points=4.0, message="The summary gives no duration.",
                      why="Executives read only the summary.",
                      suggestion="State start and end with timezone.",
                      example="The site was down for a while."),
    "PM601": RuleMeta(id="PM601", name="blame-person", severity="error", section=None,
                      points=6.0, message="Blames a person, not the system [bold]x[/bold].",
                      why="Blame stops people reporting.", suggestion="Describe the gap.",
                      example="The junior engineer made a careless mistake."),
}


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "rule_metadata", lambda: dict(FAKE))
    monkeypatch.setattr(checks, "registered", lambda: {"PM601": lambda ctx: [],
                                                       "PM999": lambda ctx: []})


def test_rules_table_lists_every_rule(fake_rules: None) -> None:
    res = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    for needle in ("PM101", "summary-missing-duration", "warning", "summary",
                   "The summary gives no duration.", "PM601", "blame-person", "error",
                   "document", "e.g. The junior engineer made a careless mistake.", "PM999"):
        assert needle in res.output, needle
    # Rich markup inside metadata is shown literally, not interpreted.
    assert "[bold]x[/bold]" in res.output


def test_rules_json(fake_rules: None) -> None:
    res = runner.invoke(app, ["rules", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == ["PM101", "PM601", "PM999"]
    assert rows[0]["severity"] == "warning" and rows[0]["section"] == "summary"
    assert rows[0]["why"] == "Executives read only the summary."
    assert [r["implemented"] for r in rows] == [False, True, True]
    assert rows[1]["docs"] == "docs/rules.md#pm601-blame-person"
    sel = json.loads(runner.invoke(app, ["rules", "-f", "json", "--select", "pm6"]).stdout)
    assert [r["id"] for r in sel] == ["PM601"]


def test_rules_markdown_reference(fake_rules: None) -> None:
    res = runner.invoke(app, ["rules", "--format", "markdown"])
    assert res.exit_code == 0
    out = res.stdout
    assert "| [PM101](#pm101-summary-missing-duration) | summary-missing-duration | warning |" in out
    assert "## PM601 blame-person" in out and "**Why it matters:** Blame stops" in out
    assert "```text\nThe site was down for a while.\n```" in out


@pytest.mark.parametrize("query", ["PM601", "pm601", "blame-person", "BLAME-PERSON", " Pm601 "])
def test_explain_by_id_or_name_any_case(fake_rules: None, query: str) -> None:
    res = runner.invoke(app, ["explain", query], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    for needle in ("PM601 blame-person", "error", "Blames a person", "Why it matters",
                   "Blame stops people reporting.", "How to fix", "Describe the gap.",
                   "Example", "careless mistake"):
        assert needle in res.output, needle
    assert "PM101" not in res.output


def test_explain_json(fake_rules: None) -> None:
    res = runner.invoke(app, ["explain", "summary-missing-duration", "-f", "json"])
    assert json.loads(res.stdout)["id"] == "PM101"


def test_explain_unknown_rule_is_usage_error_with_suggestion(fake_rules: None) -> None:
    res = runner.invoke(app, ["explain", "PM602"])
    assert res.exit_code == 2
    assert "unknown rule 'PM602'" in res.output and "PM601" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["explain", "no-such-thing-at-all"])
    assert res.exit_code == 2 and "pmscore rules" in res.output


def test_bad_format_is_usage_error(fake_rules: None) -> None:
    assert runner.invoke(app, ["rules", "-f", "xml"]).exit_code == 2
    assert runner.invoke(app, ["explain", "PM101", "-f", "markdown"]).exit_code == 2


def test_real_rules_all_listed_and_explainable() -> None:
    """Every rule in data/rules/*.json is listed once with its metadata, and explainable."""
    files = sorted(Path(str(data_path("rules"))).glob("*.json"))
    expected = {}
    for f in files:
        for obj in json.loads(f.read_text(encoding="utf-8")):
            expected[obj["id"]] = obj
    if not expected:
        pytest.skip("no rule metadata in data/rules yet")
    res = runner.invoke(app, ["rules", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in json.loads(res.stdout)}
    assert set(expected) <= set(rows)
    for rule_id, obj in expected.items():
        for key in ("name", "severity", "section", "message", "why"):
            assert rows[rule_id][key] == obj.get(key), (rule_id, key)
        res = runner.invoke(app, ["explain", obj["name"].upper(), "-f", "json"])
        assert res.exit_code == 0 and json.loads(res.stdout)["id"] == rule_id


# --- The explanation contract: every rule and every finding explains itself ----------------

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def test_every_rule_is_documented() -> None:
    """Id format, kebab-case unique name, known severity/section, and all four texts present."""
    import re

    from pmscore.types import SECTION_LABELS

    meta = checks.rule_metadata()
    if not meta:
        pytest.skip("no rule metadata yet")
    assert set(checks.registered()) <= set(meta), "a check without metadata"
    names = [m.name for m in meta.values()]
    assert len(names) == len(set(names)), "rule names must be unique (explain looks them up)"
    for m in meta.values():
        assert re.fullmatch(r"PM\d{3}", m.id), m.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", m.name), m.name
        assert m.severity in ("error", "warning", "info"), m.id
        assert m.section is None or m.section in SECTION_LABELS, (m.id, m.section)
        for field in ("message", "why", "suggestion", "example"):
            assert str(getattr(m, field)).strip(), (m.id, field)
        assert m.why.rstrip().endswith((".", ")")), (m.id, "why should be a sentence")


def test_seed_findings_are_explained_in_place() -> None:
    """On the seeds, every finding's span is the document text at its offsets, with line:col,
    why and suggestion filled, so every renderer can show it in place."""
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip(f"no seeds under {SHARED}")
    try:
        from pmscore.pipeline import grade
    except ImportError as exc:
        pytest.skip(f"pipeline not importable: {exc}")
    total = 0
    for seed in seeds:
        text = seed.read_text(encoding="utf-8").lstrip("\ufeff")
        rep = grade(text, path=str(seed))
        doc = rep.analysis.document if rep.analysis is not None else None
        for f in rep.findings:
            total += 1
            assert 0 <= f.start <= f.end <= len(text), (seed.name, f.rule)
            assert f.text == text[f.start:f.end], (seed.name, f.rule)
            if doc is not None:
                assert (f.line, f.col) == doc.line_col(f.start), (seed.name, f.rule)
            assert f.why.strip() and f.suggestion.strip() and f.message.strip(), f.rule
            assert f.rule in checks.rule_metadata(), f.rule
    assert total > 0
