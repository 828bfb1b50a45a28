"""The project's labelled corpus: schema validity, distribution, and the validator itself."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pmscore.corpus_schema import (SchemaError, validate_file, validate_record,
                                   validate_sentence_record)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DOC_FILES = sorted(CORPUS.glob("*.jsonl"))


def _docs() -> list[dict]:
    return [json.loads(l) for f in DOC_FILES for l in f.read_text(encoding="utf-8").splitlines() if l.strip()]


def _good_record() -> dict:
    text = "Summary: Nginx returned 502 from 10:00 to 10:30 UTC.\nRoot cause: a typo in nginx.conf.\n- Add nginx -t to CI.\n"
    return {
        "id": "t-1", "text": text, "is_postmortem": True,
        "sections": {"summary": True, "impact": False, "timeline": False, "root_cause": True,
                     "resolution": False, "corrective_actions": True, "lessons_learned": False},
        "summary": {"duration": True, "start_time": True, "end_time": True, "timezone": True,
                    "impact_quantified": False, "root_cause_stated": False},
        "timeline": {"entries_with_time": 0, "detection": False, "detection_method": "none",
                     "misleading_paths": False, "escalation": False, "resolution": False, "chronological": True},
        "root_cause": {"text": "a typo in nginx.conf.", "specificity": "partial", "vague_phrases": ["a typo"]},
        "action_items": [{"text": "Add nginx -t to CI.", "actionable": True, "owner": False, "deadline": False}],
        "entities": {"times": ["10:00", "10:30"], "timezones": ["UTC"], "durations": [], "percentages": [],
                     "services": ["Nginx"], "teams": []},
        "blame": False, "prompt_pasted": False, "consistency_issues": [], "grade": 2,
    }


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: p.name)
def test_corpus_files_validate(path: Path) -> None:
    errors = validate_file(path)
    assert errors == [], "\n".join(map(str, errors[:20]))


def test_corpus_ids_unique_across_files() -> None:
    ids = [d["id"] for d in _docs()]
    assert len(ids) == len(set(ids))


def test_corpus_distribution() -> None:
    docs = _docs()
    assert len(docs) >= 250
    grades = collections.Counter(d["grade"] for d in docs)
    assert all(grades[g] >= 30 for g in range(1, 6)), grades
    spec = collections.Counter(d["root_cause"]["specificity"] for d in docs if d["is_postmortem"])
    assert all(spec[s] >= 25 for s in ("specific", "partial", "vague", "missing")), spec
    assert sum(not d["is_postmortem"] for d in docs) >= 20
    acts = collections.Counter(a["actionable"] for d in docs for a in d["action_items"])
    assert acts[True] >= 200 and acts[False] >= 200, acts
    assert sum(d["blame"] for d in docs) >= 20
    assert sum(d["prompt_pasted"] for d in docs) >= 10
    assert sum(not d["timeline"]["chronological"] for d in docs) >= 40


def test_traps_present() -> None:
    """The issue's named traps are in the labelled data with the right labels."""
    docs = _docs()
    items = {a["text"].strip(): a["actionable"] for d in docs for a in d["action_items"]}
    assert any(t.rstrip(".").lower() in ("improve monitoring", "enhance monitoring") and not a for t, a in items.items())
    assert any(t.startswith("Alerting on") and a for t, a in items.items())
    rcs = {d["root_cause"]["text"]: d["root_cause"]["specificity"] for d in docs}
    assert any("a misconfiguration in the system" in t and s == "vague" for t, s in rcs.items())


def test_sentence_sets() -> None:
    specs = frozenset({"specific", "partial", "vague", "missing"})
    for name, key, allowed, minimum in (("root_causes", "specificity", specs, 300),
                                        ("action_items", "actionable", None, 400)):
        lines = (CORPUS / "sentences" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(l) for l in lines if l.strip()]
        assert len(rows) >= minimum
        errs = [e for i, r in enumerate(rows, 1) for e in validate_sentence_record(r, key, allowed, i)]
        assert errs == []
        assert len({r["text"] for r in rows}) == len(rows)


def test_good_record_has_no_errors() -> None:
    assert validate_record(_good_record()) == []


def test_broken_record_reports_field_and_line(tmp_path: Path) -> None:
    bad = _good_record()
    bad["id"] = "t-3"
    bad["root_cause"]["text"] = "a typo in apache.conf."
    bad["grade"] = 7
    second = _good_record()
    second["id"] = "t-2"
    f = tmp_path / "c.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in (_good_record(), second, bad)) + "\n", encoding="utf-8")
    errors = validate_file(f)
    assert {(e.line, e.field) for e in errors} == {(3, "root_cause.text"), (3, "grade")}
    assert all(isinstance(e, SchemaError) for e in errors)


def test_bad_json_duplicate_id_and_types(tmp_path: Path) -> None:
    rec = _good_record()
    rec["entities"]["times"] = ["10:00", "10:00"]
    rec["timeline"]["detection_method"] = "pager"
    rec["action_items"][0]["actionable"] = "yes"
    f = tmp_path / "c.jsonl"
    f.write_text(json.dumps(_good_record()) + "\n{not json\n\n" + json.dumps(rec) + "\n", encoding="utf-8")
    got = {(e.line, e.field) for e in validate_file(f)}
    assert (2, "<json>") in got
    assert (4, "id") in got  # t-1 again
    assert (4, "entities.times[1]") in got
    assert (4, "timeline.detection_method") in got
    assert (4, "action_items[0].actionable") in got


def test_not_postmortem_must_keep_defaults() -> None:
    rec = _good_record()
    rec["is_postmortem"] = False
    fields = {e.field for e in validate_record(rec)}
    assert {"sections", "summary", "root_cause", "action_items", "entities", "grade"} <= fields


def test_chronological_false_needs_a_note() -> None:
    rec = _good_record()
    rec["timeline"]["chronological"] = False
    assert [e.field for e in validate_record(rec)] == ["consistency_issues"]
    rec["consistency_issues"] = ["10:30 comes before 10:00"]
    assert validate_record(rec) == []


def test_missing_specificity_with_text_is_an_error() -> None:
    rec = _good_record()
    rec["root_cause"]["specificity"] = "missing"
    assert "root_cause.specificity" in {e.field for e in validate_record(rec)}


@pytest.mark.shared
def test_realworld_dev_labels_validate() -> None:
    """Independent labels written by hand follow the same schema: the validator accepts them."""
    dev = SHARED / "realworld" / "dev.jsonl"
    if not dev.exists():
        pytest.skip("../shared/realworld absent")
    assert validate_file(dev) == []


def test_generator_is_deterministic(tmp_path: Path) -> None:
    script = REPO / "scripts" / "make_corpus.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True)
    assert (tmp_path / "generated.jsonl").read_bytes() == (CORPUS / "generated.jsonl").read_bytes()
    for name in ("root_causes", "action_items", "sections"):
        assert (tmp_path / "sentences" / f"{name}.jsonl").read_bytes() == \
            (CORPUS / "sentences" / f"{name}.jsonl").read_bytes()
