"""Batch grading: one row per input, in input order, with errors, crashes and parallel workers.

Most tests swap the pipeline for ``fake_grade`` (module level, so worker processes can import it
by reference): they test the plumbing, fast. A few use the real pipeline on the examples.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmscore import batch
from pmscore.batch import Row, iter_results
from pmscore.cli import _load_commands, app
from pmscore.collect import Item, collect
from pmscore.types import Finding, Report

_load_commands()
runner = CliRunner()
REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def fake_grade(text: str, path: str | None = None) -> Report:
    """Score = number of words (capped at 100); CRASH kills the process, BUG raises."""
    if "CRASH" in text:
        os._exit(3)
    if "BUG" in text:
        raise ValueError("planted bug")
    n = len(text.split())
    f = Finding(rule="PM101", name="summary-missing-duration", severity="warning",
                message="no duration", start=0, end=1, line=1, col=1, text=text[:1], points=2.0)
    return Report(path=path, is_postmortem=True, score=float(min(n, 100)), grade=1 + min(n, 99) // 25,
                  section_scores={"summary": 50.0}, findings=(f,), labels={})


def broken_grade(text: str, path: str | None = None) -> Report:
    """A pipeline that cannot work at all (fails on the worker's warm-up too)."""
    raise RuntimeError("model file missing")


def _docs(tmp_path: Path, n: int) -> list[str]:
    paths = []
    for i in range(n):
        p = tmp_path / f"d{i:03d}.md"
        p.write_text("word " * (i + 1), encoding="utf-8")
        paths.append(str(p))
    return paths


def test_one_row_per_input_in_order_with_error_rows(tmp_path):
    good = _docs(tmp_path, 3)
    binary = tmp_path / "img.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    bug = tmp_path / "bug.md"
    bug.write_text("a BUG here", encoding="utf-8")
    inputs = [good[0], str(tmp_path / "missing.md"), str(binary), good[1], str(bug),
              str(tmp_path), good[2]]
    rows = list(iter_results(inputs, grade_fn=fake_grade))
    assert [r.path for r in rows] == inputs
    assert [r.error_code for r in rows] == [None, "not-found", "binary", None, "internal",
                                            "is-directory", None]
    assert [r.report.score for r in rows if r.ok] == [1.0, 2.0, 3.0]
    assert "planted bug" in rows[4].error_message


def test_items_with_preset_errors_keep_their_place_and_id(tmp_path):
    good = _docs(tmp_path, 2)
    items = [Item("alice", good[0]), Item("bob", str(tmp_path / "bob"), "no-match", "no README"),
             Item("carol", good[1])]
    rows = list(iter_results(items, grade_fn=fake_grade))
    assert [(r.id, r.error_code) for r in rows] == [("alice", None), ("bob", "no-match"),
                                                    ("carol", None)]


def test_parallel_matches_serial_in_order(tmp_path):
    paths = _docs(tmp_path, 40)
    paths.insert(7, str(tmp_path / "missing.md"))
    serial = [r.to_dict() for r in iter_results(paths, grade_fn=fake_grade, jobs=1)]
    parallel = [r.to_dict() for r in iter_results(paths, grade_fn=fake_grade, jobs=2)]
    assert parallel == serial
    assert [d["path"] for d in parallel] == paths


def test_worker_crash_gives_an_error_row_for_that_document_only(tmp_path):
    paths = _docs(tmp_path, 12)
    crash = tmp_path / "crash.md"
    crash.write_text("this one will CRASH the worker", encoding="utf-8")
    paths.insert(5, str(crash))
    rows = list(iter_results(paths, grade_fn=fake_grade, jobs=2))
    assert [r.path for r in rows] == paths
    assert rows[5].error_code == "worker-crashed"
    assert all(r.ok for i, r in enumerate(rows) if i != 5)


def test_broken_pipeline_in_workers_gives_error_rows(tmp_path):
    paths = _docs(tmp_path, 6)
    rows = list(iter_results(paths, grade_fn=broken_grade, jobs=2))
    assert [r.path for r in rows] == paths
    assert {r.error_code for r in rows} == {"internal"}
    assert all("model file missing" in r.error_message for r in rows)


def test_stopping_early_terminates_the_workers(tmp_path):
    paths = _docs(tmp_path, 60)
    gen = iter_results(paths, grade_fn=fake_grade, jobs=2)
    first = next(gen)
    assert first.path == paths[0]
    gen.close()  # what Ctrl-C does in the CLI
    import multiprocessing

    alive = [p for p in multiprocessing.active_children() if p.is_alive()
             and "forkserver" not in (p.name or "")]
    assert alive == []


def test_small_batches_get_fewer_workers(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(batch, "_parallel", lambda items, jobs, *a: started.append(jobs) or iter(()))
    paths = _docs(tmp_path, 70)
    list(iter_results(paths[:10], grade_fn=fake_grade, jobs=2, min_per_worker=32))
    assert started == []  # 10 documents: graded in this process
    list(iter_results(paths[:40], grade_fn=fake_grade, jobs=2, min_per_worker=32))
    list(iter_results(paths, grade_fn=fake_grade, jobs=2, min_per_worker=32))
    list(iter_results(paths[:10], grade_fn=fake_grade, jobs=2))  # explicit: as asked
    assert started == [2, 2]


def test_row_json_has_similar_only_when_set(tmp_path):
    r = Row(path="a.md", id="a", error_code="x", error_message="m")
    assert "similar" not in r.to_dict()
    r2 = Row(path="a.md", id="a", error_code="x", error_message="m", similar=(("b", 0.91234),))
    assert r2.to_dict()["similar"] == [{"id": "b", "similarity": 0.912}]


# --- the command line (fake pipeline, --jobs 1: the grade function is patched in-process) ----


@pytest.fixture
def fake_pipeline(monkeypatch):
    monkeypatch.setattr(batch, "_default_grade", lambda: fake_grade)


def test_cli_exit_2_after_all_rows_written(tmp_path, fake_pipeline):
    good = _docs(tmp_path, 2)
    res = runner.invoke(app, ["grade", "-f", "jsonl", "-j", "1", good[0],
                              str(tmp_path / "nope.md"), good[1]])
    assert res.exit_code == 2
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["path"] for r in rows] == [good[0], str(tmp_path / "nope.md"), good[1]]
    assert rows[1]["error"]["code"] == "not-found"


def test_cli_fail_under_exit_1(tmp_path, fake_pipeline):
    good = _docs(tmp_path, 3)  # scores 1, 2, 3
    assert runner.invoke(app, ["grade", "-f", "jsonl", "-j", "1", "--fail-under", "2.5",
                               *good]).exit_code == 1
    assert runner.invoke(app, ["grade", "-f", "jsonl", "-j", "1", "--fail-under", "1",
                               *good]).exit_code == 0


def test_cli_pattern_and_csv_ids(tmp_path, fake_pipeline):
    root = tmp_path / "subs"
    for name, words in (("zoe", 3), ("adam", 5)):
        p = root / name / "0x19-postmortem" / "README.md"
        p.parent.mkdir(parents=True)
        p.write_text("w " * words, encoding="utf-8")
    (root / "mia").mkdir()
    out = tmp_path / "book.csv"
    res = runner.invoke(app, ["grade", "-f", "csv", "-j", "1", "--pattern",
                              "0x19-postmortem/README.md", "-o", str(out), str(root)])
    assert res.exit_code == 2  # mia has no postmortem
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["id"], r["score"], r["error"][:8]) for r in rows] == [
        ("adam", "5.0", ""), ("mia", "", "no-match"), ("zoe", "3.0", "")]


def test_cli_from_list_stdin(tmp_path, fake_pipeline):
    good = _docs(tmp_path, 2)
    res = runner.invoke(app, ["grade", "-f", "jsonl", "-j", "1", "--from-list", "-"],
                        input=f"{good[1]}\n{good[0]}\n")
    assert res.exit_code == 0, res.output
    assert [json.loads(line)["path"] for line in res.stdout.splitlines()] == [good[1], good[0]]


def test_cli_needs_some_input():
    assert runner.invoke(app, ["grade"]).exit_code == 2


def test_cli_similar_flag_adds_column(tmp_path, fake_pipeline):
    text = ("The database failover at 14:02 UTC left the checkout service without a primary "
            "for nineteen minutes because the health check pointed at the wrong port and the "
            "orchestrator kept promoting a replica that could not accept writes. ")
    (tmp_path / "a.md").write_text(text * 2, encoding="utf-8")
    (tmp_path / "b.md").write_text(text * 2 + "Signed, Bob.", encoding="utf-8")
    (tmp_path / "c.md").write_text(
        "Our CDN certificate expired on a Sunday; customers saw TLS warnings for two hours "
        "until the on-call engineer renewed it by hand and added an expiry alert to the "
        "monitoring dashboards, with a runbook entry for the next rotation. " * 2,
        encoding="utf-8")
    res = runner.invoke(app, ["grade", "-f", "jsonl", "-j", "1", "--similar", str(tmp_path)])
    assert res.exit_code == 0, res.output
    rows = {json.loads(line)["path"].rsplit("/", 1)[-1]: json.loads(line)
            for line in res.stdout.splitlines() if line.startswith("{")}
    assert rows["a.md"]["similar"][0]["id"] == "b.md"
    assert "similar" not in rows["c.md"]


# --- the real pipeline ---------------------------------------------------------------------


def test_real_pipeline_jobs_1_and_2_identical():
    paths = sorted(str(p) for p in EXAMPLES.iterdir())
    items = collect(paths)
    serial = [json.dumps(r.to_dict(), sort_keys=True) for r in iter_results(items, jobs=1)]
    parallel = [json.dumps(r.to_dict(), sort_keys=True) for r in iter_results(items, jobs=2)]
    assert serial == parallel
    assert all('"score"' in s for s in serial)
