"""Gradebook CSV, SARIF 2.1.0 and GitHub workflow-command output.

The SARIF schema in tests/data/sarif-2.1.0.json is the official OASIS SARIF 2.1.0 JSON schema
(``sarif-2.1.0-rtm.5``, the final 2.1.0 schema), as shipped by Microsoft's MIT-licensed npm
package ``@microsoft/jest-sarif`` (lib/schemas/sarif-2.1.0-rtm.5.json), copied unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from pmscore.batch import Row
from pmscore.render import get_renderer
from pmscore.render.csv import COLUMNS
from pmscore.render.github import escape_data, escape_property
from pmscore.render.sarif import artifact_uri, end_position
from pmscore.types import SECTION_LABELS, Finding, Report

SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-2.1.0.json"


def _finding(rule: str, severity: str, points: float, text: str, line: int = 1, col: int = 1,
             message: str = "msg", start: int = 0) -> Finding:
    return Finding(rule=rule, name=f"name-{rule.lower()}", severity=severity,  # type: ignore
                   message=message, start=start, end=start + len(text), line=line, col=col,
                   text=text, section="summary", suggestion="do better", points=points)


def _report(path: str, findings: tuple[Finding, ...], score: float = 61.0) -> Report:
    return Report(path=path, is_postmortem=True, score=score, grade=3,
                  section_scores={"summary": 40.0, "timeline": 100.0, "document": 90.0},
                  findings=findings, labels={})


FINDINGS = (
    _finding("PM101", "warning", 2.0, "Summary", line=3, col=4, start=20),
    _finding("PM401", "error", 18.0, "Fix it.\nLater, maybe", line=10, col=3, start=100,
             message="Vague: 50% of actions, e.g. 'fix it'"),
    _finding("PM602", "info", 1.0, "", line=12, col=1, start=140),
    _finding("PM303", "warning", 10.0, "bad config", line=7, col=5, start=80),
)


def _render(fmt: str, rows: list[Row]) -> str:
    out = io.StringIO()
    r = get_renderer(fmt)(out)
    r.start()
    for row in rows:
        r.row(row)
    r.finish()
    return out.getvalue()


ROWS = [
    Row(path="subs/alice/README.md", id="alice", report=_report("subs/alice/README.md", FINDINGS)),
    Row(path="subs/bob/README.md", id="bob", error_code="binary",
        error_message="subs/bob/README.md: is a PNG image, not a text postmortem"),
    Row(path="=HYPERLINK(1).md", id="=HYPERLINK(1).md", report=_report("x", (), score=100.0)),
]


# --- csv ---------------------------------------------------------------------------------------


def test_csv_gradebook_columns_and_rows():
    rows = list(csv.DictReader(io.StringIO(_render("csv", ROWS))))
    assert len(rows) == 3
    assert list(rows[0]) == list(COLUMNS)
    for label in SECTION_LABELS:
        assert f"{label}_score" in COLUMNS
    a = rows[0]
    assert (a["id"], a["path"], a["score"], a["grade"]) == ("alice", "subs/alice/README.md",
                                                             "61.0", "3")
    assert a["summary_score"] == "40.0" and a["impact_score"] == ""
    assert (a["n_error"], a["n_warning"], a["n_info"]) == ("1", "2", "1")
    # the three costliest findings, most points first
    assert [a[f"finding_{i}"].split()[0] for i in (1, 2, 3)] == ["PM401", "PM303", "PM101"]
    assert "(-18)" in a["finding_1"] and "\n" not in a["finding_1"]
    b = rows[1]
    assert b["score"] == "" and b["error"].startswith("binary: ") and "PNG" in b["error"]


def test_csv_neutralises_formula_cells():
    c = list(csv.DictReader(io.StringIO(_render("csv", ROWS))))[2]
    assert c["id"] == "'=HYPERLINK(1).md" and c["path"].startswith("'=")
    assert c["score"] == "100.0"


def test_csv_quotes_commas_and_quotes():
    f = _finding("PM101", "warning", 5.0, "x", message='says "no", then, yes')
    text = _render("csv", [Row(path="a,b.md", id="a,b", report=_report("a,b.md", (f,)))])
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[0] == "a,b" and 'says "no", then, yes' in row[COLUMNS.index("finding_1")]


# --- sarif -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def test_sarif_is_valid_against_the_schema(validator):
    log = json.loads(_render("sarif", ROWS))
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert log["version"] == "2.1.0"


def test_sarif_schema_catches_a_broken_log(validator):
    """The schema really is checked: a log without version or with a bad level is refused."""
    log = json.loads(_render("sarif", ROWS))
    del log["version"]
    assert list(validator.iter_errors(log))
    log = json.loads(_render("sarif", ROWS))
    log["runs"][0]["results"][0]["level"] = "info"
    assert list(validator.iter_errors(log))


def test_sarif_results_rules_and_regions():
    log = json.loads(_render("sarif", ROWS))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == 4
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert rules[res["ruleIndex"]]["shortDescription"]["text"]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["PM401"]["level"] == "error" and by_rule["PM602"]["level"] == "note"
    region = by_rule["PM401"]["locations"][0]["physicalLocation"]["region"]
    # "Fix it.\nLater, maybe" starts at 10:3 and ends on the next line after 12 characters
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) \
        == (10, 3, 11, 13)
    assert region["snippet"]["text"] == "Fix it.\nLater, maybe"
    loc = by_rule["PM101"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "subs/alice/README.md"
    assert loc["region"]["endColumn"] == 4 + len("Summary")
    assert run["columnKind"] == "unicodeCodePoints"
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert inv["toolExecutionNotifications"][0]["descriptor"]["id"] == "binary"
    assert [a["properties"]["score"] for a in run["artifacts"]] == [61.0, 100.0]


def test_sarif_rules_come_from_rule_metadata():
    from pmscore.checks import rule_metadata

    meta = rule_metadata()
    if not meta:
        pytest.skip("no rule metadata installed")
    rules = json.loads(_render("sarif", []))["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert set(meta) <= set(ids)
    some = next(iter(meta.values()))
    rule = rules[ids.index(some.id)]
    assert rule["name"] == some.name and rule["fullDescription"]["text"]


def test_artifact_uris():
    assert artifact_uri("a b/c#1.md") == "a%20b/c%231.md"
    assert artifact_uri("/tmp/x.md") == "file:///tmp/x.md"
    assert artifact_uri("C:\\subs\\a.md") == "file:///C:/subs/a.md"
    assert artifact_uri("weird:name.md") == "weird%3Aname.md"  # not a URI scheme


def test_end_position_empty_and_trailing_newline():
    assert end_position(_finding("PM1", "info", 0, "", line=2, col=5)) == (2, 5)
    assert end_position(_finding("PM1", "info", 0, "ab\n", line=2, col=5)) == (3, 1)


# --- github ------------------------------------------------------------------------------------


def test_github_escaping_rules():
    assert escape_data("50%\r\nnext: a, b") == "50%25%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_lines():
    out = _render("github", ROWS).splitlines()
    # one line per finding + one score notice for alice, one error for bob, one notice for the last
    assert len(out) == 4 + 1 + 1 + 1
    assert all(line.startswith("::") for line in out)
    pm401 = next(line for line in out if "PM401" in line)
    assert pm401.startswith("::error file=subs/alice/README.md,line=10,endLine=11,title=PM401")
    assert "col=" not in pm401  # columns only on single-line annotations
    msg = pm401.split("::", 2)[2]
    assert msg.startswith("Vague: 50%25 of actions") and "%0ASuggestion: do better" in msg
    pm101 = next(line for line in out if "PM101" in line)
    assert "line=3,endLine=3,col=4,endColumn=11," in pm101
    assert any(line.startswith("::notice ") and "PM602" in line for line in out)
    err = next(line for line in out if "bob" in line)
    assert err.startswith("::error file=subs/bob/README.md,title=pmscore binary::")
    notice = out[-1]
    assert notice.startswith("::notice file==HYPERLINK(1).md,title=pmscore score::score 100.0/100")


def test_github_a_message_cannot_inject_a_command():
    f = _finding("PM101", "warning", 1.0, "x", message="ok\n::error::injected")
    line = _render("github", [Row(path="a.md", id="a", report=_report("a.md", (f,)))])
    assert line.count("\n") == 2  # the finding and the score notice, nothing else
    assert "\n::error::injected" not in line


def test_sarif_of_real_reports_is_valid(validator):
    """End to end: the examples graded by the real pipeline give a schema-valid log whose
    regions point at the finding's text."""
    from pmscore.batch import iter_results

    examples = Path(__file__).resolve().parents[1] / "examples"
    rows = list(iter_results(sorted(str(p) for p in examples.iterdir()), keep_text=True))
    log = json.loads(_render("sarif", rows))
    errors = list(validator.iter_errors(log))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    results = log["runs"][0]["results"]
    assert results
    texts = {r.path: r.text for r in rows}
    for res in results:
        loc = res["locations"][0]["physicalLocation"]
        region = loc["region"]
        if "snippet" not in region:
            continue
        text = texts[loc["artifactLocation"]["uri"].removeprefix("file://")]
        lines = text.split("\n")
        if region["startLine"] == region["endLine"]:
            line = lines[region["startLine"] - 1]
            assert line[region["startColumn"] - 1:region["endColumn"] - 1] == \
                region["snippet"]["text"]
