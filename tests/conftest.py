"""Shared fixtures. ``../shared`` (seeds, realworld labels) is optional: tests that need it skip."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the calling test when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent (a user's clone has no ../shared)")
    return p


@pytest.fixture
def seed_text():
    """Return a function: seed number -> its text (skips when ../shared is absent)."""

    def load(n: int) -> str:
        folder = shared_path("seeds")
        matches = sorted(folder.glob(f"{n:03d}_*.txt"))
        if not matches:
            pytest.skip(f"seed {n:03d} missing")
        return matches[0].read_text(encoding="utf-8")

    return load
