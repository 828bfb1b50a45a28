"""Training is reproducible, writes a verifiable manifest, and evaluate compares field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pmscore.cli import _load_commands, app
from pmscore.labels import empty_labels

_load_commands()

_GOOD = """# Summary
From 10:00 to 11:30 UTC the {svc} returned errors for {pct}% of requests.
Root cause: the {cause}.

# Timeline
- 10:00 UTC deploy starts
- 10:05 UTC monitoring alert fires and pages the on-call engineer
- 11:30 UTC rollback completes

# Root cause
The {cause}, so the {svc} failed.

# Resolution
We rolled back the deploy.

# Corrective actions
- Add an alert on the {svc} error rate above 2%
- Be more careful
"""
_POOR = """The {svc} was down. There was some glitch. We fixed it.

- Improve things
"""


def _doc(i: int, good: bool) -> dict:
    svc = ["checkout API", "login service", "MySQL database", "Nginx web server"][i % 4]
    cause = ["nginx.conf lost its upstream block in the deploy",
             "certificate for api.example.com expired on the load balancer",
             "disk /var filled up with logs", "migration 42 dropped the users index"][i % 4]
    text = (_GOOD if good else _POOR).format(svc=svc, pct=10 + i, cause=cause)
    lab = empty_labels(f"t{i}")
    lab["is_postmortem"] = True
    lab["grade"] = 4 if good else 2
    for k in lab["sections"]:
        lab["sections"][k] = good and k != "lessons_learned"
    lab["sections"]["summary"] = True
    if good:
        lab["root_cause"] = {"text": f"The {cause}, so the {svc} failed.", "specificity": "specific",
                             "vague_phrases": []}
        lab["action_items"] = [
            {"text": f"Add an alert on the {svc} error rate above 2%", "actionable": True,
             "owner": False, "deadline": False},
            {"text": "Be more careful", "actionable": False, "owner": False, "deadline": False}]
    else:
        lab["root_cause"] = {"text": "There was some glitch.", "specificity": "vague",
                             "vague_phrases": ["some glitch"]}
        lab["action_items"] = [{"text": "Improve things", "actionable": False, "owner": False,
                                "deadline": False}]
    lab["text"] = text
    return lab


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    p = d / "tiny.jsonl"
    docs = [_doc(i, good=i % 2 == 0) for i in range(20)]
    p.write_text("\n".join(json.dumps(x) for x in docs) + "\n", encoding="utf-8")
    s = d / "sentences.jsonl"
    rows = [{"text": "Improve monitoring", "actionable": False},
            {"text": "Alerting on p99 latency above 800 ms for the checkout API", "actionable": True},
            {"text": "a misconfiguration in the system", "specificity": "vague"},
            {"text": "the server ran out of memory", "specificity": "partial"}]
    s.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return d


def test_training_is_reproducible_and_verified(corpus, tmp_path):
    from pmscore.ml.runtime import load_models
    from pmscore.ml.train import train

    files = sorted(str(p) for p in corpus.glob("*.jsonl"))
    m1 = train(files, tmp_path / "a", folds=2)
    m2 = train(files, tmp_path / "b", folds=2)
    assert m1["artifacts"] == m2["artifacts"]
    for name in m1["artifacts"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert m1["training_size"]["documents"] == 20
    assert (tmp_path / "a" / "MODEL_CARD.md").read_text().startswith("# pmscore models")
    models = load_models(tmp_path / "a")
    assert models.rootcause is not None and models.actions is not None
    assert models.grade is not None


def test_training_is_reproducible_across_processes(corpus, tmp_path):
    """Two separate processes with different hash seeds write byte-identical artifacts
    (a memory address or a set order in a pickle would differ)."""
    import os
    import subprocess
    import sys

    files = sorted(str(p) for p in corpus.glob("*.jsonl"))
    for seed, out in (("1", "a"), ("2", "b")):
        env = dict(os.environ, PYTHONHASHSEED=seed, PMSCORE_MODELS="/nonexistent")
        subprocess.run([sys.executable, "-m", "pmscore", "train", *files, "--out",
                        str(tmp_path / out), "--folds", "2"], check=True, env=env,
                       capture_output=True)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert any(n.endswith(".joblib") for n in names) and any(n.endswith(".npz") for n in names)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_evaluate_prints_table_and_json(corpus, tmp_path):
    from pmscore.ml.train import train

    files = sorted(str(p) for p in corpus.glob("*.jsonl"))
    train(files, tmp_path / "m", folds=2)
    out = tmp_path / "metrics.json"
    res = CliRunner().invoke(app, ["evaluate", str(corpus / "tiny.jsonl"), "--models",
                                   str(tmp_path / "m"), "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert "grade QWK" in res.output and "baseline" in res.output
    assert "action-item owner F1" in res.output and "deadline F1" in res.output
    m = json.loads(out.read_text())
    assert m["pmscore"]["n_documents"] == 20
    assert 0.0 <= m["pmscore"]["section_macro_f1"] <= 1.0
    assert m["baseline"]["action_items"]["detection_f1"] == 0.0


@pytest.mark.parametrize("name", ["grade.joblib", "grade.npz"])
def test_evaluate_refuses_tampered_models(corpus, tmp_path, name):
    """The compiled model is what grading loads; its pickled twin must be intact too."""
    from pmscore.ml.train import train

    files = sorted(str(p) for p in corpus.glob("*.jsonl"))
    m = train(files, tmp_path / "m", folds=2)
    assert name in m["artifacts"]
    with open(tmp_path / "m" / name, "ab") as fh:
        fh.write(b"\0")
    res = CliRunner().invoke(app, ["evaluate", str(corpus / "tiny.jsonl"), "--models",
                                   str(tmp_path / "m")])
    assert res.exit_code == 2
    assert "SHA-256" in res.output


def test_train_bad_input_is_clear(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    res = CliRunner().invoke(app, ["train", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "bad.jsonl:1" in res.output
