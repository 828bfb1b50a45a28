"""Model files are pickles: they must be verified before anything is unpickled."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

from pmscore.errors import ModelError
from pmscore.ml import store


class _Payload:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _model_dir(tmp_path: Path) -> Path:
    d = tmp_path / "models"
    d.mkdir()
    entry = store.dump_artifact({"weights": [1, 2, 3]}, d / "rootcause.joblib")
    store.write_manifest(d, {"rootcause.joblib": entry}, {"corpus_sha256": "x"})
    return d


def test_verified_artifact_loads(tmp_path):
    d = _model_dir(tmp_path)
    m = store.read_manifest(d)
    assert store.load_artifact(d, "rootcause.joblib", m) == {"weights": [1, 2, 3]}


def test_tampered_artifact_refused_before_unpickling(tmp_path):
    d = _model_dir(tmp_path)
    marker = tmp_path / "pwned"
    (d / "rootcause.joblib").write_bytes(pickle.dumps(_Payload(str(marker))))
    m = store.read_manifest(d)
    with pytest.raises(ModelError) as ei:
        store.load_artifact(d, "rootcause.joblib", m)
    assert ei.value.code == "hash-mismatch"
    assert not marker.exists(), "the payload ran: the file was unpickled before verification"
    # sanity: the payload really would run if unpickled, so the test above can fail
    pickle.loads((d / "rootcause.joblib").read_bytes())
    assert marker.exists()


def test_missing_manifest_refused(tmp_path):
    d = _model_dir(tmp_path)
    os.remove(d / "manifest.json")
    with pytest.raises(ModelError) as ei:
        store.read_manifest(d)
    assert ei.value.code == "no-manifest"


def test_unlisted_or_traversal_names_refused(tmp_path):
    d = _model_dir(tmp_path)
    m = store.read_manifest(d)
    for name in ("grade.joblib", "../models/rootcause.joblib"):
        with pytest.raises(ModelError):
            store.load_artifact(d, name, m)


def test_version_mismatch_refused_unless_trusted(tmp_path):
    d = _model_dir(tmp_path)
    path = d / "manifest.json"
    m = json.loads(path.read_text())
    m["versions"]["scikit-learn"] = "0.0.1"
    path.write_text(json.dumps(m))
    m = store.read_manifest(d)
    with pytest.raises(ModelError) as ei:
        store.load_artifact(d, "rootcause.joblib", m)
    assert ei.value.code == "version-mismatch"
    assert store.load_artifact(d, "rootcause.joblib", m, trust=True) == {"weights": [1, 2, 3]}


def test_trust_does_not_override_hash(tmp_path):
    d = _model_dir(tmp_path)
    (d / "rootcause.joblib").write_bytes(b"garbage")
    m = store.read_manifest(d)
    with pytest.raises(ModelError):
        store.load_artifact(d, "rootcause.joblib", m, trust=True)


def test_verify_checks_hashes_without_unpickling(tmp_path):
    """A pool's parent verifies the models but leaves loading to the workers."""
    from pmscore.ml.runtime import verify_models

    d = tmp_path / "models"
    d.mkdir()
    marker = tmp_path / "ran"
    entry = {"sha256": store.sha256_bytes(pickle.dumps(_Payload(str(marker)))), "bytes": 1}
    (d / "grade.joblib").write_bytes(pickle.dumps(_Payload(str(marker))))
    store.write_manifest(d, {"grade.joblib": entry}, {})
    verify_models(d)  # hashes match: accepted, and nothing was unpickled
    assert not marker.exists()
    (d / "grade.joblib").write_bytes(b"changed")
    with pytest.raises(ModelError):
        verify_models(d)
