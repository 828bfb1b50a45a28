"""Per-document resource limits: a wall-clock time budget for grading one document.

A submission is untrusted and the grader is a chain of regexes, parsers and models: a document
built to hit a slow path (or a plain bug) must not hold a whole batch hostage. ``time_budget``
arms a real-time interval timer (``signal.setitimer`` + ``SIGALRM``) around the grading of one
document; when it fires, :class:`TimeBudgetExceeded` is raised inside the grading code, and the
batch turns it into an error row with code ``"time-budget"`` whose message names the limit and
the flag that changes it, so the limit is reported when hit and the run goes on.

Signals can only be handled in the main thread of a process. That is where the CLI grades
(in-process with ``--jobs 1``, or in the main thread of each pool worker); anywhere else (a
thread, a platform without ``setitimer``) the budget is not enforced rather than failing, and
:func:`budget_supported` says so.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

DEFAULT_TIME_BUDGET = 30.0
"""Seconds one document may take to grade (``--time-budget``; 0 or less turns it off)."""

TIME_BUDGET_CODE = "time-budget"
"""The error-row code of a document that ran out of time."""


class TimeBudgetExceeded(BaseException):
    """Grading one document took longer than the configured time budget.

    A ``BaseException`` (like ``KeyboardInterrupt``), not a :class:`PmscoreError`: stages that
    must never fail wrap their work in ``except Exception`` (the reader falls back to plain
    text, a broken model is skipped); those handlers must not swallow the budget and carry on.
    """

    def __init__(self, seconds: float, name: str = "<input>") -> None:
        self.seconds = seconds
        self.name = name
        self.code = TIME_BUDGET_CODE
        self.message = (f"{name}: grading took longer than the {seconds:g}-second time budget "
                        f"(--time-budget)")
        super().__init__(self.message)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Picklable with its arguments (the default would call __init__(message)), so it can
        # cross a process boundary unchanged.
        return (TimeBudgetExceeded, (self.seconds, self.name))


def budget_supported() -> bool:
    """Whether a time budget can be enforced here (main thread, ``setitimer`` available)."""
    return (hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")
            and threading.current_thread() is threading.main_thread())


@contextmanager
def time_budget(seconds: float | None, name: str = "<input>") -> Iterator[None]:
    """Raise :class:`TimeBudgetExceeded` in the body if it runs longer than ``seconds``.

    ``None`` or ``<= 0`` means no limit. Nested use is not supported (the inner timer would
    replace the outer one); the previous SIGALRM handler and timer are restored on exit.
    """
    if seconds is None or seconds <= 0 or not budget_supported():
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise TimeBudgetExceeded(seconds, name)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    # Re-fires every half second: should some handler still swallow the first one (a bare
    # ``except:``), the next one stops the grading anyway.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
