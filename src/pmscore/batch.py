"""Grading many inputs: one Result per input, in input order, errors included.

A failure on one input (unreadable, binary, an unexpected bug) becomes an error row and the
run goes on; nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pmscore.errors import PmscoreError
from pmscore.inputs import DEFAULT_MAX_BYTES, load_path
from pmscore.types import Result


def grade_path(path: str, max_bytes: int = DEFAULT_MAX_BYTES, keep_text: bool = False) -> Result:
    """Load and grade one file; any failure becomes an error Result (never raises)."""
    from pmscore.pipeline import grade

    try:
        text = load_path(path, max_bytes=max_bytes)
    except PmscoreError as exc:
        return Result(path=path, error_code=exc.code, error_message=exc.message)
    try:
        report = grade(text, path=path)
    except Exception as exc:  # a bug must not lose the row: report it as an error row
        return Result(path=path, error_code="internal",
                      error_message=f"{path}: internal error while grading: {type(exc).__name__}: {exc}")
    return Result(path=path, report=report, text=text if keep_text else None)


def iter_results(paths: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES,
                 keep_text: bool = False) -> Iterator[Result]:
    """Grade paths one by one, yielding results in input order."""
    for path in paths:
        yield grade_path(path, max_bytes=max_bytes, keep_text=keep_text)
