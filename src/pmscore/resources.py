"""Access to the package data files (lexicons, patterns, rubric) via importlib.resources."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


def data_path(*parts: str) -> Path:
    """Path of a file under ``pmscore/data``."""
    return Path(str(resources.files("pmscore").joinpath("data", *parts)))


@lru_cache(maxsize=None)
def read_lines(*parts: str) -> tuple[str, ...]:
    """Non-empty, non-comment (``#``) lines of a text data file, stripped."""
    out = []
    for line in data_path(*parts).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return tuple(out)


@lru_cache(maxsize=None)
def read_json(*parts: str) -> Any:
    """Parsed JSON data file."""
    return json.loads(data_path(*parts).read_text(encoding="utf-8"))


def read_jsonl(*parts: str) -> list[Any]:
    """Parsed JSONL data file (blank lines skipped)."""
    return [json.loads(l) for l in data_path(*parts).read_text(encoding="utf-8").splitlines()
            if l.strip()]
