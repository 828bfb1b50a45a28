"""``--format csv``: a gradebook, one row per input (errors included), ready for a spreadsheet.

Columns: ``id, path, score, grade, is_postmortem``, one ``<section>_score`` column per section of
the annotation guide plus ``document_score``, the number of findings by severity, the three
findings that cost the most points (``PM101 summary-missing-duration (-5): message``),
``similar_to`` (filled by ``--similar``) and ``error`` (``code: message``).

Cells come from untrusted submissions (file names, quoted text); a cell that a spreadsheet would
run as a formula (starting with ``= + - @``, tab or carriage return) is prefixed with ``'``,
as OWASP recommends against CSV injection. Numbers are never touched.
"""

from __future__ import annotations

import csv as _csv
from typing import Any

from pmscore.render import Renderer
from pmscore.types import SECTION_LABELS, Finding, Result

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
TOP_N = 3

COLUMNS: tuple[str, ...] = (
    "id", "path", "score", "grade", "is_postmortem",
    *(f"{s}_score" for s in SECTION_LABELS), "document_score",
    *(f"n_{s}" for s in SEVERITIES),
    *(f"finding_{i}" for i in range(1, TOP_N + 1)),
    "similar_to", "error",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Neutralise a text cell a spreadsheet would evaluate as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def top_findings(findings: tuple[Finding, ...] | list[Finding], n: int = TOP_N) -> list[Finding]:
    """The ``n`` findings that cost the most points; ties by severity, then document order."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (-f.points, rank.get(f.severity, 9), f.start))[:n]


def describe(f: Finding) -> str:
    """One-line summary of a finding for a gradebook cell."""
    msg = " ".join(f.message.split())
    return f"{f.rule} {f.name} (-{f.points:g}): {msg}"


def _num(x: float) -> str:
    return f"{x:.1f}"


class CsvRenderer(Renderer):
    """Gradebook rows, streamed: each row is written and flushed as soon as it is graded."""

    name = "csv"
    streaming = True

    def start(self) -> None:
        self.writer = _csv.writer(self.out, lineterminator="\n")
        self.writer.writerow(COLUMNS)

    def row(self, result: Result) -> None:
        rid = getattr(result, "id", "") or result.path
        cells: dict[str, Any] = {c: "" for c in COLUMNS}
        cells["id"] = safe_cell(rid)
        cells["path"] = safe_cell(result.path)
        similar = getattr(result, "similar", ()) or ()
        cells["similar_to"] = safe_cell("; ".join(f"{o} ({s:.2f})" for o, s in similar))
        r = result.report
        if r is None:
            cells["error"] = safe_cell(f"{result.error_code or 'error'}: "
                                       f"{' '.join((result.error_message or '').split())}")
        else:
            cells["score"] = _num(r.score)
            cells["grade"] = str(r.grade)
            cells["is_postmortem"] = "yes" if r.is_postmortem else "no"
            for label in (*SECTION_LABELS, "document"):
                if label in r.section_scores:
                    cells[f"{label}_score"] = _num(r.section_scores[label])
            for sev in SEVERITIES:
                cells[f"n_{sev}"] = str(sum(1 for f in r.findings if f.severity == sev))
            for i, f in enumerate(top_findings(r.findings), start=1):
                cells[f"finding_{i}"] = safe_cell(describe(f))
        self.writer.writerow([cells[c] for c in COLUMNS])
        self.out.flush()
