"""Grading many inputs: one row per input, in input order, errors included, optionally in parallel.

A failure on one input (unreadable, binary, an unexpected bug, even a worker process that dies)
becomes an error row and the run goes on; nothing is lost and nothing is reordered.

Parallel runs use a process pool whose workers load the grading pipeline (spaCy, lexicons,
models) once, in their initializer. Work is sent in small chunks with a bounded number in flight
and rows are yielded strictly in input order, so memory stays flat for any number of inputs and
a streaming renderer writes each row as soon as everything before it is done.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from pmscore.collect import Item
from pmscore.errors import PmscoreError
from pmscore.inputs import DEFAULT_MAX_BYTES, load_path
from pmscore.limits import DEFAULT_TIME_BUDGET, TimeBudgetExceeded, time_budget as _time_budget
from pmscore.types import Report, Result

GradeFn = Callable[..., Report]
"""``grade(text, path=None) -> Report``; ``pmscore.pipeline.grade`` unless a test swaps it."""

_WARMUP_TEXT = ("# Summary\n\nOn 2024-01-02 from 10:00 to 10:30 UTC the API returned errors for "
                "20% of users.\n\n## Root cause\n\nA bad config push.\n")


@dataclass(frozen=True)
class Row(Result):
    """A :class:`Result` plus what only a batch knows: the submission id and similar documents.

    ``similar`` holds ``(other id, similarity)`` pairs when ``--similar`` ran; it is added to
    the JSON form only then, so the ``pmscore.report/1`` rows are unchanged otherwise.
    """

    id: str = ""
    similar: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        if self.similar:
            d["similar"] = [{"id": other, "similarity": round(sim, 3)}
                            for other, sim in self.similar]
        return d


def _default_grade() -> GradeFn:
    from pmscore.pipeline import grade

    return grade


def grade_path(path: str, max_bytes: int = DEFAULT_MAX_BYTES, keep_text: bool = False,
               grade_fn: GradeFn | None = None, id: str | None = None,
               time_budget: float | None = DEFAULT_TIME_BUDGET) -> Row:
    """Load and grade one file; any failure becomes an error row (never raises).

    Grading that runs past ``time_budget`` seconds (None or <= 0: no limit) becomes an error
    row with code ``"time-budget"`` (see :mod:`pmscore.limits`).
    """
    rid = path if id is None else id
    try:
        text = load_path(path, max_bytes=max_bytes)
    except PmscoreError as exc:
        return Row(path=path, id=rid, error_code=exc.code, error_message=exc.message)
    try:
        fn = grade_fn or _default_grade()
        with _time_budget(time_budget, path):
            report = fn(text, path=path)
    except TimeBudgetExceeded as exc:
        return Row(path=path, id=rid, error_code=exc.code, error_message=exc.message)
    except Exception as exc:  # a bug must not lose the row: report it as an error row
        return Row(path=path, id=rid, error_code="internal",
                   error_message=f"{path}: internal error while grading: "
                                 f"{type(exc).__name__}: {exc}")
    return Row(path=path, id=rid, report=report, text=text if keep_text else None)


def grade_item(item: Item, max_bytes: int = DEFAULT_MAX_BYTES, keep_text: bool = False,
               grade_fn: GradeFn | None = None,
               time_budget: float | None = DEFAULT_TIME_BUDGET) -> Row:
    """Grade one collected item; an item that already carries an error becomes its error row."""
    if item.error_code is not None:
        return Row(path=item.path, id=item.id, error_code=item.error_code,
                   error_message=item.error_message or item.path)
    return grade_path(item.path, max_bytes=max_bytes, keep_text=keep_text, grade_fn=grade_fn,
                      id=item.id, time_budget=time_budget)


def _as_items(inputs: Iterable[Item | str]) -> list[Item]:
    return [x if isinstance(x, Item) else Item(id=x, path=x) for x in inputs]


# --- worker side -----------------------------------------------------------------------------

_worker_grade: GradeFn | None = None


def _init_worker(grade_fn: GradeFn | None) -> None:
    """Load the pipeline once per worker; leave Ctrl-C to the parent, which stops the pool."""
    global _worker_grade
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _worker_grade = grade_fn or _default_grade()
        _worker_grade(_WARMUP_TEXT, path=None)
    except Exception:  # an initializer that raises breaks the whole pool; instead each
        pass           # document reports the problem in its own error row


def _grade_chunk(items: Sequence[Item], max_bytes: int, keep_text: bool,
                 time_budget: float | None = DEFAULT_TIME_BUDGET) -> list[Row]:
    return [grade_item(it, max_bytes=max_bytes, keep_text=keep_text, grade_fn=_worker_grade,
                       time_budget=time_budget)
            for it in items]


# --- parent side -----------------------------------------------------------------------------


def _mp_context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where available: forking a parent that runs threads (the progress bar,
    the pool's own manager thread) can deadlock a child; the fork server is a clean process."""
    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context()
    ctx.set_forkserver_preload(["pmscore.batch", "pmscore.pipeline"])
    return ctx


def _terminate(ex: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel queued work and kill workers (used on Ctrl-C and on a crash)."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=2)
        if p.is_alive():
            p.kill()


def _crash_row(item: Item, why: str) -> Row:
    return Row(path=item.path, id=item.id, error_code="worker-crashed",
               error_message=f"{item.path}: the grading worker died on this document ({why})")


def _parallel(items: list[Item], jobs: int, max_bytes: int, keep_text: bool,
              grade_fn: GradeFn | None,
              time_budget: float | None = DEFAULT_TIME_BUDGET) -> Iterator[Row]:
    chunk = max(1, min(8, len(items) // (jobs * 8)))
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    window = 2 * jobs
    ctx = _mp_context()

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                                   initargs=(grade_fn,))

    ex = new_pool()
    todo = iter(chunks)
    pending: deque[tuple[list[Item], Future[list[Row]]]] = deque()

    def fill() -> None:
        while len(pending) < window:
            nxt = next(todo, None)
            if nxt is None:
                return
            pending.append((nxt, ex.submit(_grade_chunk, nxt, max_bytes, keep_text, time_budget)))

    finished = False
    try:
        fill()
        while pending:
            part, fut = pending.popleft()
            try:
                rows = fut.result()
            except BrokenProcessPool:
                # A worker died (segfault, OOM kill, os._exit). Every chunk in flight is lost
                # with it; regrade those documents one at a time in fresh pools so the culprit
                # gets an error row and the others their real rows.
                lost = [part] + [p for p, _ in pending]
                pending.clear()
                _terminate(ex)
                ex = new_pool()
                for p in lost:
                    for item in p:
                        try:
                            row = ex.submit(_grade_chunk, [item], max_bytes, keep_text, time_budget).result()[0]
                        except BrokenProcessPool:
                            row = _crash_row(item, "terminated abruptly")
                            _terminate(ex)
                            ex = new_pool()
                        except Exception as exc:  # e.g. an unpicklable report
                            row = Row(path=item.path, id=item.id, error_code="internal",
                                      error_message=f"{item.path}: internal error: "
                                                    f"{type(exc).__name__}: {exc}")
                        yield row
                fill()
                continue
            except Exception:  # the chunk could not come back (pickling...): per item
                rows = []
                for item in part:
                    try:
                        rows.extend(ex.submit(_grade_chunk, [item], max_bytes, keep_text, time_budget).result())
                    except Exception as exc2:
                        rows.append(Row(path=item.path, id=item.id, error_code="internal",
                                        error_message=f"{item.path}: internal error: "
                                                      f"{type(exc2).__name__}: {exc2}"))
            yield from rows
            fill()
        finished = True
    finally:
        # Normal end: workers are idle, shut down politely. Early end (Ctrl-C, consumer
        # stopped): kill them so the command returns at once.
        if not finished:
            _terminate(ex)
        else:
            ex.shutdown(wait=True)


MIN_DOCS_PER_WORKER = 32
"""When the worker count is not given, each worker must have at least this many documents:
starting a pool (a fork server and workers that each load the pipeline) costs about as much
CPU as grading 50-100 documents, so a handful of files is graded faster in one process."""


def iter_results(inputs: Iterable[Item | str], max_bytes: int = DEFAULT_MAX_BYTES,
                 keep_text: bool = False, jobs: int = 1,
                 grade_fn: GradeFn | None = None,
                 time_budget: float | None = DEFAULT_TIME_BUDGET,
                 min_per_worker: int = 0) -> Iterator[Row]:
    """Grade inputs (items or plain paths), yielding exactly one row per input, in input order.

    ``jobs`` > 1 grades in that many worker processes; with 1 (or a single input) no pool is
    started. ``min_per_worker`` lowers the worker count so that each has at least that many
    documents (0: use ``jobs`` as given). ``grade_fn`` replaces the pipeline (tests); it must be
    picklable by reference (a module-level function) when ``jobs`` > 1. ``time_budget``:
    seconds per document (None or <= 0: no limit), enforced in the process that grades.
    """
    items = _as_items(inputs)
    jobs = max(1, int(jobs))
    readable = sum(1 for it in items if it.error_code is None)
    if min_per_worker > 0:
        jobs = max(1, min(jobs, readable // min_per_worker))
    if jobs == 1 or readable <= 1:
        for item in items:
            yield grade_item(item, max_bytes=max_bytes, keep_text=keep_text, grade_fn=grade_fn,
                             time_budget=time_budget)
        return
    yield from _parallel(items, min(jobs, readable), max_bytes, keep_text, grade_fn,
                         time_budget)


def default_jobs() -> int:
    """Worker count when ``--jobs`` is not given: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
