"""``pmscore corpus validate`` reports schema errors with line numbers and exits 1."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pmscore.cli import _load_commands, app
from pmscore.labels import empty_labels

_load_commands()
REPO = Path(__file__).resolve().parents[1]


def test_valid_corpus_file_passes():
    res = CliRunner().invoke(app, ["corpus", "validate", str(REPO / "corpus" / "handwritten.jsonl")])
    assert res.exit_code == 0, res.output
    assert "ok" in res.output


def test_errors_have_line_numbers(tmp_path):
    good = empty_labels("a")
    good["text"] = "A link: https://example.com"
    bad = dict(good, id="b", grade=9)
    p = tmp_path / "c.jsonl"
    p.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n{oops\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["corpus", "validate", str(p)])
    assert res.exit_code == 1
    assert f"{p}:2: grade" in res.output
    assert f"{p}:3:" in res.output


def test_missing_file_is_usage_error(tmp_path):
    res = CliRunner().invoke(app, ["corpus", "validate", str(tmp_path / "nope.jsonl")])
    assert res.exit_code == 2


def test_sentence_files_validate(tmp_path):
    """The sentence-level training sets (what pmscore train reads besides documents)."""
    for f in sorted((REPO / "corpus" / "sentences").glob("*.jsonl")):
        res = CliRunner().invoke(app, ["corpus", "validate", str(f)])
        assert res.exit_code == 0, res.output
    p = tmp_path / "s.jsonl"
    rows = [{"text": "Add an alert", "actionable": True},
            {"text": "x", "actionable": "yes"},
            {"text": "", "specificity": "vague"},
            {"text": "a", "specificity": "fuzzy"},
            {"text": "b", "label": "timeline", "actionable": True},
            {"text": "c", "label": "intro"}]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["corpus", "validate", str(p)])
    assert res.exit_code == 1
    for line, field in ((2, "actionable"), (3, "text"), (4, "specificity"), (5, "label"),
                        (6, "label")):
        assert f"{p}:{line}: {field}" in res.output
    assert f"{p}:1:" not in res.output
