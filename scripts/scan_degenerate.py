#!/usr/bin/env python3
"""Grade degenerate inputs and report any that take long: a hunt for quadratic scans.

A submission is untrusted text, and a regex or loop that is fine on prose can be quadratic on
a long run of one character (30,000 newlines, tabs, "a.a.a...", a 30,000-digit task). The batch
command protects itself with a time budget, but every such case is a bug. This script grades
each printable character (and a few Unicode ones) repeated, spaced, after a letter, one per line
and after a digit, N characters each, and prints the cases over a threshold.

    .venv/bin/python scripts/scan_degenerate.py [--size 30000] [--slow 1.5] [--limit 8]

A script, not a test: timings depend on the machine. Exit status 1 when a case is slow.
"""

from __future__ import annotations

import argparse
import signal
import string
import sys
import time


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def cases(n: int) -> list[tuple[str, str]]:
    chars = [c for c in string.printable if c not in "\r\x0b\x0c"]
    chars += ["é", "’", "—", "•", "✅", "\u00a0"]
    out = []
    for c in chars:
        out += [(f"{c!r} repeated", c * n), (f"{c!r} spaced", (c + " ") * (n // 2)),
                (f"a{c!r}", ("a" + c) * (n // 2)), (f"{c!r} per line", (c + "\n") * (n // 2)),
                (f"1{c!r}", ("1" + c) * (n // 2)),
                (f"{c!r} in a task list", "# Corrective actions\n- " + c * n)]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=30000, help="characters per input")
    ap.add_argument("--slow", type=float, default=1.5, help="report cases over this many s")
    ap.add_argument("--limit", type=int, default=8, help="stop a case after this many s")
    args = ap.parse_args()
    from pmscore.pipeline import grade

    signal.signal(signal.SIGALRM, _alarm)
    slow = []
    todo = cases(args.size)
    for name, text in todo:
        signal.alarm(args.limit)
        t0 = time.perf_counter()
        try:
            grade(text)
            took = f"{time.perf_counter() - t0:.2f} s"
            is_slow = time.perf_counter() - t0 > args.slow
        except _Timeout:
            took, is_slow = f"over {args.limit} s", True
        finally:
            signal.alarm(0)
        if is_slow:
            slow.append(name)
            print(f"SLOW  {name}: {took}", flush=True)
    print(f"{len(todo)} inputs of {args.size} characters; {len(slow)} over {args.slow} s")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
