"""Broken and hostile input through the real CLI: every input gets exactly one row, the batch goes on.

A grader points pmscore at whatever is in a folder. Each input class below is a file a student
(or a broken export) could hand in. They are all graded in one ``pmscore grade --format jsonl``
batch (so "one row per input, in order" is checked on the whole mix), and each class then has
its own test that reads its row: either a graded report or an error row with a stable code.
Large inputs run with a short ``--time-budget`` so the suite stays fast; the budget is part of
what is tested (a document over it must become a ``time-budget`` row naming the flag).
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmscore import batch
from pmscore.cli import _load_commands, app
from pmscore.limits import TimeBudgetExceeded, time_budget

_load_commands()
runner = CliRunner()
ADV = Path(__file__).resolve().parent / "adversarial"
GOOD = (ADV / "good.md").read_text(encoding="utf-8")

OK = "graded"


def _write(folder: Path) -> dict[str, Path]:
    """Create one file per input class; return name -> path (insertion order = CLI order)."""
    f: dict[str, Path] = {}

    def put(name: str, data: bytes | str) -> None:
        p = folder / name
        if isinstance(data, str):
            p.write_text(data, encoding="utf-8", newline="")
        else:
            p.write_bytes(data)
        f[name] = p

    put("good.md", GOOD)
    put("empty.md", b"")
    put("whitespace.md", " \n\t\n   \r\n")
    put("nul_bytes.md", b"\x00" * 2000 + b"# Summary\n")
    put("nul_sprinkled.md", GOOD.replace("\n\n", "\n\x00\n", 1).encode("utf-8"))
    put("png.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    put("pdf.md", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    put("latin1.md", ("# Résumé de l'incident\n\n" + GOOD.replace("UTC", "UTC, café")).encode("latin-1"))
    put("utf16.md", b"\xff\xfe" + GOOD.encode("utf-16-le"))
    put("crlf.md", GOOD.replace("\n", "\r\n"))
    put("lone_cr.md", GOOD.replace("\n", "\r"))
    put("html.md", "<!DOCTYPE html><html><head><title>Postmortem</title><script>alert(1)</script>"
                   "</head><body><h1>Issue Summary</h1><p>From 14:05 to 14:52 UTC the checkout "
                   "API returned errors for 40% of users.</p><h2>Timeline</h2><ul><li>14:05 UTC"
                   " - deploy</li><li>14:52 UTC - rolled back</li></ul></body></html>\n")
    put("nested_lists.md", "- " * 500 + "deepest item\n")
    put("nested_quotes.md", ">" * 500 + " deep quote\n")
    put("table_only.md", "| Time | Event |\n|---|---|\n"
                         + "".join(f"| 10:{i:02d} UTC | step {i} |\n" for i in range(40)))
    put("headings_5000.md", "".join(f"# H{i}\n" for i in range(5000)))
    put("control_chars.md", GOOD + "\x1b[31m\x07\u202e\ufeff\ud7ff\U0001f525 \u0000\n")
    loop_a, loop_b = folder / "loop_a.md", folder / "loop_b.md"
    os.symlink(loop_b, loop_a)
    os.symlink(loop_a, loop_b)
    f["loop_a.md"] = loop_a
    fifo = folder / "fifo.md"
    os.mkfifo(fifo)
    f["fifo.md"] = fifo
    f["missing.md"] = folder / "missing.md"
    f["a_folder"] = folder / "a_folder"
    (folder / "a_folder").mkdir()
    return f


EXPECTED = {
    "good.md": OK,
    "empty.md": "empty",
    "whitespace.md": "empty",
    "nul_bytes.md": "binary",
    "nul_sprinkled.md": OK,
    "png.md": "binary",
    "pdf.md": "binary",
    "latin1.md": OK,
    "utf16.md": OK,
    "crlf.md": OK,
    "lone_cr.md": OK,
    "html.md": OK,
    "nested_lists.md": OK,
    "nested_quotes.md": OK,
    "table_only.md": OK,
    "headings_5000.md": OK,
    "control_chars.md": OK,
    "loop_a.md": ("not-found", "unreadable"),
    "fifo.md": "unreadable",
    "missing.md": "not-found",
    "a_folder": "is-directory",
}


@pytest.fixture(scope="module")
def batch_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Grade every hostile file in one CLI run (jsonl, in-process, one job); rows by name."""
    folder = tmp_path_factory.mktemp("hostile")
    files = _write(folder)
    args = ["grade", "-f", "jsonl", "-j", "1", "--quiet", "--time-budget", "20",
            *[str(p) for p in files.values()]]
    t0 = time.monotonic()
    res = runner.invoke(app, args)
    elapsed = time.monotonic() - t0
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.exit_code == 2, res.output[-2000:]  # some inputs are unreadable: exit 2
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    # exactly one row per input, in the order given
    assert [r["path"] for r in rows] == [str(p) for p in files.values()]
    out = dict(zip(files, rows))
    out["__elapsed__"] = {"seconds": elapsed}
    return out


def _status(row: dict) -> str:
    if "error" in row:
        assert row["error"]["message"], row
        assert "Traceback" not in row["error"]["message"]
        return row["error"]["code"]
    assert 0 <= row["score"] <= 100 and 1 <= row["grade"] <= 5
    return OK


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_input_class_gets_a_report_or_a_clear_error_row(batch_rows, name):
    """Each input class ends as a graded report or a stable error code, never 'internal'."""
    got = _status(batch_rows[name])
    want = EXPECTED[name]
    assert got in (want if isinstance(want, tuple) else (want,)), batch_rows[name]


def test_decoded_variants_grade_like_the_utf8_original(batch_rows):
    """UTF-16 with BOM and CRLF / lone-CR line ends are the same document: same score, and
    the sections are still found (a reader that split only on LF would lose them)."""
    base = batch_rows["good.md"]
    assert base["score"] >= 80
    for name in ("utf16.md", "crlf.md", "lone_cr.md"):
        row = batch_rows[name]
        present = {k for k, v in row["sections"].items() if v["present"]}
        assert {"summary", "timeline", "root_cause"} <= present, (name, present)
        assert abs(row["score"] - base["score"]) <= 10, (name, row["score"], base["score"])


def test_not_postmortems_score_low(batch_rows):
    """A table of times, 5,000 empty headings or a deep list are not postmortems worth points."""
    for name in ("table_only.md", "headings_5000.md", "nested_lists.md", "nested_quotes.md"):
        assert batch_rows[name]["score"] <= 35, (name, batch_rows[name]["score"])


def test_error_messages_name_the_problem(batch_rows):
    """Error rows say what is wrong in words a grader understands."""
    assert "PNG" in batch_rows["png.md"]["error"]["message"]
    assert "PDF" in batch_rows["pdf.md"]["error"]["message"]
    assert "empty" in batch_rows["empty.md"]["error"]["message"]
    assert "whitespace" in batch_rows["whitespace.md"]["error"]["message"]
    assert "regular file" in batch_rows["fifo.md"]["error"]["message"]


def test_hostile_batch_is_fast_enough(batch_rows):
    """The whole mix (500-level list and quote, 5,000 headings included) stays bounded."""
    assert batch_rows["__elapsed__"]["seconds"] < 120


def test_large_inputs_graded_or_stopped_by_the_budget(tmp_path):
    """A 1,000,000-character single line and a 500-level indented list (250 kB) end as
    graded rows or 'time-budget' rows within about the budget; the file after them is graded."""
    long_line = tmp_path / "long_line.md"
    long_line.write_text(("word " * 200_000)[:1_000_000], encoding="utf-8")
    stairs = tmp_path / "stairs.md"
    stairs.write_text("".join("  " * i + f"- level {i}\n" for i in range(500)), encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text(GOOD, encoding="utf-8")
    t0 = time.monotonic()
    res = runner.invoke(app, ["grade", "-f", "jsonl", "-j", "1", "-q", "--time-budget", "8",
                              str(long_line), str(stairs), str(good)])
    elapsed = time.monotonic() - t0
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert [r["path"] for r in rows] == [str(long_line), str(stairs), str(good)]
    for row in rows[:2]:
        assert _status(row) in (OK, "time-budget"), row
        if OK == _status(row):
            assert row["score"] <= 35  # words without content, a list of "level N"
    assert rows[2]["score"] >= 80
    assert elapsed < 60, elapsed


def test_ten_megabytes_refused_then_graded_or_budgeted(tmp_path):
    """A 10 MB file (a postmortem with a whole log pasted in) is refused by the default size
    limit with a row naming --max-bytes; with the limit raised it is read and ends graded or
    as a 'time-budget' row naming --time-budget, soon after the budget (never an internal
    error, never a hang). Before the fixes this took minutes: the reader swallowed the budget
    exception and entity resolution was quadratic in the number of candidates."""
    big = tmp_path / "big.md"
    line = "2025-03-03T14:05:01Z ERROR orders: waited 5000 ms for a database connection\n"
    n = 10 * 1024 * 1024 // len(line) + 1
    big.write_text(GOOD + "\n## Logs\n\n```\n" + line * n + "```\n", encoding="utf-8")
    small = tmp_path / "small.md"
    small.write_text(GOOD, encoding="utf-8")
    res = runner.invoke(app, ["grade", "-f", "jsonl", "-j", "1", "-q", str(big), str(small)])
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(rows) == 2 and rows[0]["error"]["code"] == "too-large"
    assert "--max-bytes" in rows[0]["error"]["message"]
    assert "score" in rows[1]
    t0 = time.monotonic()
    res = runner.invoke(app, ["grade", "-f", "jsonl", "-j", "1", "-q", "--max-bytes",
                              str(20 * 1024 * 1024), "--time-budget", "2", str(big), str(small)])
    assert time.monotonic() - t0 < 60
    rows = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(rows) == 2 and "score" in rows[1]
    if "error" in rows[0]:
        assert rows[0]["error"]["code"] == "time-budget", rows[0]
        assert "--time-budget" in rows[0]["error"]["message"]
        assert "2-second" in rows[0]["error"]["message"]


def _slow_on_marker(text: str, path: str | None = None):
    """The real pipeline (rules only), except that a document containing SLOW hangs."""
    from pmscore.pipeline import grade

    if "SLOW" in text:
        time.sleep(30)
    return grade(text, path=path, models=None)


def test_time_budget_row_and_batch_goes_on(tmp_path):
    """A document that grades too slowly becomes a 'time-budget' row; the next is graded."""
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("SLOW\n" + GOOD, encoding="utf-8")
    b.write_text(GOOD, encoding="utf-8")
    t0 = time.monotonic()
    rows = list(batch.iter_results([str(a), str(b)], jobs=1, grade_fn=_slow_on_marker,
                                   time_budget=3))
    assert time.monotonic() - t0 < 15
    assert [r.path for r in rows] == [str(a), str(b)]
    assert rows[0].error_code == "time-budget"
    assert "3-second" in (rows[0].error_message or "")
    assert "--time-budget" in (rows[0].error_message or "")
    assert rows[1].report is not None and rows[1].report.score >= 80


def test_time_budget_context_manager_restores_state():
    """The budget raises in the body, and afterwards no timer is left armed."""
    import signal

    with pytest.raises(TimeBudgetExceeded) as exc:
        with time_budget(0.2, "doc.md"):
            time.sleep(5)
    assert exc.value.code == "time-budget" and "doc.md" in exc.value.message
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with time_budget(0, "off"):  # 0 turns it off
        time.sleep(0.05)
    with time_budget(5, "quick"):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_path_that_disappears_mid_run(tmp_path):
    """A --from-list entry deleted after collection (between listing and reading) becomes a
    'not-found' row; the files around it are graded."""
    a, gone, c = tmp_path / "a.md", tmp_path / "gone.md", tmp_path / "c.md"
    for p in (a, gone, c):
        p.write_text(GOOD, encoding="utf-8")
    lst = tmp_path / "list.txt"
    lst.write_text(f"{a}\n{gone}\n{c}\n", encoding="utf-8")

    from pmscore.collect import collect

    items = collect(from_list=str(lst))
    gone.unlink()  # disappears after collection, before grading
    rows = list(batch.iter_results(items, jobs=1))
    assert [r.path for r in rows] == [str(a), str(gone), str(c)]
    assert rows[1].error_code == "not-found"
    assert rows[0].report is not None and rows[2].report is not None


def test_path_disappears_between_stat_and_open(tmp_path, monkeypatch):
    """The race inside load_path (exists, then open fails) is a 'not-found' row, not a crash."""
    p = tmp_path / "racy.md"
    p.write_text(GOOD, encoding="utf-8")
    real_open = Path.open

    def vanishing_open(self, *a, **k):
        if self.name == "racy.md":
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return real_open(self, *a, **k)

    monkeypatch.setattr(Path, "open", vanishing_open)
    row = batch.grade_path(str(p))
    assert row.error_code == "not-found" and "disappeared" in (row.error_message or "")


def test_unreadable_file(tmp_path):
    """A chmod 000 file is an 'unreadable' row (skipped as root, who can read it anyway;
    the FIFO case above covers unreadable input for root)."""
    if os.geteuid() == 0:
        pytest.skip("root reads chmod 000 files; fifo.md covers the unreadable class")
    p = tmp_path / "secret.md"
    p.write_text(GOOD, encoding="utf-8")
    p.chmod(0)
    try:
        row = batch.grade_path(str(p))
    finally:
        p.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert row.error_code == "unreadable"


def test_review_is_linear_on_a_long_unpunctuated_line():
    """Bug found here: the repeated-sentence scan of review.py used r"[^.!?\\n]{40,}[.!?]",
    which retries at every position of a line with no full stop: 100,000 characters took
    over 3 minutes. Guarded by a time budget so a regression fails instead of hanging."""
    from pmscore import pipeline, review

    text = "# Summary\n\n" + ("word " * 40_000)
    analysis = pipeline.analyse(text, models=None)
    with time_budget(20, "long line"):
        review.detect(analysis)


def test_text_over_spacy_default_max_length_is_analysed():
    """Bug found here: spaCy refuses texts over 1,000,000 characters (its parser/NER limit),
    so a file accepted by a raised --max-bytes became an 'internal' error row. Our blank
    pipeline has no parser, so the limit is raised; whitespace keeps this test cheap."""
    from pmscore import entities

    text = "Outage at 10:00 UTC." + " " * 1_050_000 + "Fixed at 11:00 UTC."
    with time_budget(60, "long text"):
        ents = entities.extract_text(text)
    assert any(e.label == "TIME" for e in ents)


def test_entity_resolution_is_not_quadratic_on_a_pasted_log():
    """Bug found here: the entity resolver compared each candidate with every span already
    kept, so a pasted log with thousands of timestamps took minutes (5,000 lines: 56 s before,
    11 s after on the loaded dev machine). 3,000 lines must fit a 15-second budget."""
    from pmscore import entities

    line = "2025-03-03T14:05:01Z ERROR orders: waited 5000 ms for a connection at 14:05 UTC\n"
    with time_budget(15, "pasted log"):
        ents = entities.extract_text(line * 3000)
    assert sum(1 for e in ents if e.label == "TIME") >= 3000


def test_time_budget_is_enforced_in_worker_processes(tmp_path):
    """With --jobs 2 the budget runs in each worker's main thread: the slow document becomes
    a 'time-budget' row, the others are graded, in input order."""
    paths = []
    for i, body in enumerate([GOOD, "SLOW\n" + GOOD, GOOD, GOOD]):
        p = tmp_path / f"d{i}.md"
        p.write_text(body, encoding="utf-8")
        paths.append(str(p))
    t0 = time.monotonic()
    rows = list(batch.iter_results(paths, jobs=2, grade_fn=_slow_on_marker, time_budget=3))
    assert time.monotonic() - t0 < 25  # not the 30 s the slow document would sleep
    assert [r.path for r in rows] == paths
    assert [r.error_code for r in rows] == [None, "time-budget", None, None]


def test_facts_are_not_quadratic_on_a_pasted_log():
    """Bug found here: facts.py compared every timeline unit with every other unit and
    scanned all entities for each time's timezone; on a postmortem with a 500 kB log pasted
    in that took 8 s (0.1 s after). Together with the resolver this made a 10 MB file take
    over 7 minutes with no budget."""
    from pmscore import facts, pipeline

    line = "2025-03-03T14:05:01Z ERROR orders pool exhausted: waited 5000 ms\n"
    text = GOOD + "\n## Logs\n\n```\n" + line * (500 * 1024 // len(line)) + "```\n"
    analysis = pipeline.analyse(text, models=None)
    with time_budget(4, "facts on a pasted log"):
        facts.compute(analysis)
