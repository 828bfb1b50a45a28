"""Writing and loading model artifacts safely.

A joblib file is a pickle: loading it runs code. So a model directory is only loaded when its
``manifest.json`` (plain JSON, parsed without executing anything) lists every artifact with a
SHA-256 that matches the file's bytes, and when it was built with the running scikit-learn
version. The hash is checked on the bytes read from disk *before* ``joblib.load`` sees them,
and the very bytes that were hashed are the ones unpickled (no second read that could race).
A different scikit-learn version is refused unless the caller passes ``trust=True``
(``--trust-models``); a hash mismatch or a missing manifest is always refused.

Compiled models (``*.npz``, :mod:`pmscore.ml.linear`) are listed and hash-checked the same way,
but they hold arrays only and are read with ``allow_pickle=False``, so no library version
decides whether they load faithfully: the scikit-learn version check applies to pickles only.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
from pathlib import Path
from typing import Any

from pmscore.errors import ModelError

MANIFEST = "manifest.json"
FORMAT = "pmscore.models/1"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def library_versions() -> dict[str, str]:
    """Versions that decide whether a pickle can be loaded faithfully."""
    import joblib
    import numpy
    import scipy
    import sklearn
    import spacy

    import pmscore

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__, "spacy": spacy.__version__,
            "joblib": joblib.__version__, "pmscore": pmscore.__version__}


def dump_artifact(obj: Any, path: Path) -> dict[str, Any]:
    """Write one artifact with joblib and return its manifest entry (sha256, bytes)."""
    import joblib

    buf = io.BytesIO()
    joblib.dump(obj, buf)
    return write_bytes(buf.getvalue(), path)


def write_bytes(data: bytes, path: Path) -> dict[str, Any]:
    """Write an artifact's bytes and return its manifest entry (sha256, bytes)."""
    path.write_bytes(data)
    return {"sha256": sha256_bytes(data), "bytes": len(data)}


def is_pickle(name: str) -> bool:
    """Whether an artifact is a pickle (joblib), i.e. loading it runs code."""
    return not name.endswith(".npz")


def write_manifest(out_dir: Path, artifacts: dict[str, dict[str, Any]],
                   extra: dict[str, Any]) -> Path:
    """Write ``manifest.json``: format, versions, artifacts with hashes, plus ``extra``."""
    manifest = {"format": FORMAT, "versions": library_versions(), "artifacts": artifacts}
    manifest.update(extra)
    path = out_dir / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_manifest(model_dir: Path) -> dict[str, Any]:
    """Parse and sanity-check a manifest (JSON only: nothing is executed)."""
    path = model_dir / MANIFEST
    if not path.is_file():
        raise ModelError(f"{model_dir}: no {MANIFEST}; refusing to load unverified model files",
                         "no-manifest")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path}: unreadable manifest ({exc})", "bad-manifest") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelError(f"{path}: not a {FORMAT} manifest", "bad-manifest")
    if not isinstance(manifest.get("artifacts"), dict):
        raise ModelError(f"{path}: manifest lists no artifacts", "bad-manifest")
    return manifest


def verify_artifact(model_dir: Path, name: str, manifest: dict[str, Any],
                    trust: bool = False) -> bytes:
    """Check one artifact against the manifest (name, versions, SHA-256) and return its bytes.

    Nothing is unpickled here, so a process that only needs to know the models are sound (the
    parent of a worker pool) can check them without paying for loading them. The library
    version check applies to pickles only (see the module docstring).
    """
    if is_pickle(name) and not trust and name in manifest["artifacts"]:
        running = library_versions()
        built = manifest.get("versions", {})
        if built.get("scikit-learn") != running["scikit-learn"]:
            raise ModelError(
                f"{model_dir}: built with scikit-learn {built.get('scikit-learn')}, running "
                f"{running['scikit-learn']}; retrain (pmscore train) or pass --trust-models",
                "version-mismatch")
    return read_verified(model_dir, name, manifest)


def read_verified(model_dir: Path, name: str, manifest: dict[str, Any]) -> bytes:
    """The bytes of a listed artifact whose SHA-256 matches the manifest (else ModelError)."""
    entry = manifest["artifacts"].get(name)
    if entry is None or Path(name).name != name:
        raise ModelError(f"{model_dir}: {name!r} is not listed in the manifest", "not-listed")
    path = model_dir / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{path}: cannot read ({exc.strerror or exc})", "unreadable") from None
    if sha256_bytes(data) != entry.get("sha256"):
        raise ModelError(f"{path}: SHA-256 does not match the manifest; refusing to load "
                         "a modified model file", "hash-mismatch")
    return data


def load_artifact(model_dir: Path, name: str, manifest: dict[str, Any],
                  trust: bool = False) -> Any:
    """Verify one artifact against the manifest, then unpickle exactly the verified bytes."""
    import joblib

    if not is_pickle(name):
        raise ModelError(f"{model_dir}: {name} is a compiled model, not a pickle",
                         "bad-model")
    return joblib.load(io.BytesIO(verify_artifact(model_dir, name, manifest, trust)))
