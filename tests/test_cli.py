"""The command line: formats, exit codes, error rows, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from pmscore.cli import _load_commands, app

_load_commands()
runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_grade_examples_text():
    paths = sorted(str(p) for p in EXAMPLES.iterdir())
    res = runner.invoke(app, ["grade", *paths])
    assert res.exit_code == 0, res.output
    assert "score" in res.output and "grade" in res.output


def test_jsonl_one_row_per_input_in_order_with_errors(tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("")
    good = str(EXAMPLES / "good-checkout-outage.md")
    nothing = tmp_path / "no-postmortems-here"
    nothing.mkdir()
    paths = [good, str(tmp_path / "missing.md"), str(empty), str(nothing)]
    res = runner.invoke(app, ["grade", "--format", "jsonl", *paths])
    assert res.exit_code == 2
    rows = [json.loads(l) for l in res.stdout.splitlines() if l.strip()]
    assert [r["path"] for r in rows] == paths
    assert "score" in rows[0] and "labels" in rows[0]
    assert [r["error"]["code"] for r in rows[1:]] == ["not-found", "empty", "is-directory"]


def test_json_is_one_document():
    res = runner.invoke(app, ["grade", "-f", "json", str(EXAMPLES / "poor-server-down.txt")])
    doc = json.loads(res.stdout)
    assert doc["results"][0]["grade"] in range(1, 6)


def test_fail_under_exit_code():
    poor = str(EXAMPLES / "poor-server-down.txt")
    assert runner.invoke(app, ["grade", "-f", "jsonl", "--fail-under", "99", poor]).exit_code == 1
    assert runner.invoke(app, ["grade", "-f", "jsonl", "--fail-under", "0", poor]).exit_code == 0


def test_unknown_format_is_usage_error():
    res = runner.invoke(app, ["grade", "-f", "nope", str(EXAMPLES / "poor-server-down.txt")])
    assert res.exit_code == 2
    assert "unknown format" in res.output


def test_console_script_no_traceback(tmp_path):
    bad = tmp_path / "b.md"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    proc = subprocess.run([sys.executable, "-m", "pmscore", "grade", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "PNG" in proc.stderr + proc.stdout


def test_good_example_outscores_poor():
    res = runner.invoke(app, ["grade", "-f", "jsonl", str(EXAMPLES / "good-checkout-outage.md"),
                              str(EXAMPLES / "fair-login-outage.md"),
                              str(EXAMPLES / "poor-server-down.txt")])
    good, fair, poor = [json.loads(l)["score"] for l in res.stdout.splitlines()]
    assert good > fair > poor


def test_models_option_refuses_unverified_directory(tmp_path):
    (tmp_path / "grade.joblib").write_bytes(b"not a verified model")
    res = runner.invoke(app, ["grade", "--models", str(tmp_path),
                              str(EXAMPLES / "poor-server-down.txt")])
    assert res.exit_code == 2
    assert "manifest" in res.output


def test_no_models_grades_with_rules_only():
    res = runner.invoke(app, ["grade", "--no-models", "-f", "jsonl",
                              str(EXAMPLES / "poor-server-down.txt")])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["grade"] in range(1, 6)


def test_html_output_dir_writes_index_and_pages(tmp_path):
    paths = sorted(str(p) for p in EXAMPLES.iterdir())
    res = runner.invoke(app, ["grade", "-f", "html", "--output-dir", str(tmp_path / "site"),
                              "--no-models", *paths])
    assert res.exit_code == 0, res.output
    pages = sorted(p.name for p in (tmp_path / "site").iterdir())
    assert "index.html" in pages and len(pages) == len(paths) + 1
    assert runner.invoke(app, ["grade", "-f", "jsonl", "--output-dir", str(tmp_path / "x"),
                               paths[0]]).exit_code == 2
