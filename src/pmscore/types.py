"""Plain, typed values passed between pipeline stages.

Every stage of pmscore (read -> sections -> entities -> root cause / action items -> facts ->
checks -> score -> labels -> render) takes and returns the frozen dataclasses below, so a
stage can be tested alone and a renderer never needs spaCy or scikit-learn.

Offsets: all ``start``/``end`` values are character offsets into ``Document.text`` (the
decoded input with a leading BOM removed). ``Document.clean`` has exactly the same length as
``Document.text``: markup characters (HTML tags, ``**``, ``#``, list bullets, table pipes,
``\\r``) are replaced by spaces there, so an offset found in ``clean`` is valid in ``text``.
Line and column numbers are 1-based.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

SECTION_LABELS: tuple[str, ...] = (
    "summary",
    "impact",
    "timeline",
    "root_cause",
    "resolution",
    "corrective_actions",
    "lessons_learned",
)
"""The annotation guide's section names, in guide order. ``other`` is used for the rest."""

BlockKind = Literal["heading", "label", "paragraph", "list_item", "table_row", "code", "html"]
Severity = Literal["error", "warning", "info"]
Specificity = Literal["specific", "partial", "vague", "missing"]
DetectionMethod = Literal["monitoring", "customer", "engineer", "other", "none"]


@dataclass(frozen=True)
class Block:
    """One structural unit of the document.

    ``kind`` is ``heading`` for a Markdown/underlined/emphasis-only/short title line,
    ``label`` for a paragraph or list item that opens with an inline label
    (``Root Cause: ...``, ``**Impact**: ...``); for those ``heading`` holds the label text and
    ``body_start`` the offset where the text after the label begins.
    ``text`` is the cleaned text of the block (markup removed, whitespace collapsed) and is what
    classifiers look at; ``start``/``end`` delimit it in ``Document.text``.
    """

    index: int
    kind: BlockKind
    start: int
    end: int
    line: int
    col: int
    text: str
    heading: str | None = None
    body_start: int | None = None
    level: int = 0


@dataclass(frozen=True)
class Document:
    """The read input: original text, its same-length cleaned copy, and its blocks."""

    text: str
    clean: str
    blocks: tuple[Block, ...]
    path: str | None = None
    # Why the reader thinks this is not a postmortem ("link-only", "image-only", ...), or None.
    not_postmortem_reason: str | None = None

    @cached_property
    def _line_starts(self) -> list[int]:
        """Offsets where each line starts; ``\r\n``, lone ``\r`` and ``\n`` all end a line
        (as the reader counts them), computed once so findings cost O(log n) each."""
        return [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        i = bisect_right(self._line_starts, offset) - 1
        return i + 1, offset - self._line_starts[i] + 1


@dataclass(frozen=True)
class Section:
    """A labelled run of blocks: from a section start to the next section start."""

    label: str  # one of SECTION_LABELS or "other"
    start: int
    end: int
    block_indices: tuple[int, ...]
    heading: str | None = None  # the heading / inline label text that opened it, if any
    source: Literal["heading", "label", "content", "model"] = "heading"
    confidence: float = 1.0


@dataclass(frozen=True)
class Entity:
    """A typed mention. ``norm`` is a normalised value where one applies.

    TIME: ``HH:MM`` 24-hour, followed by `` TZ`` when a timezone is attached
    (``"20:00 GMT+1"``); ``minutes`` holds minutes since midnight and ``ampm`` whether the text
    carried AM/PM. DURATION: ``norm`` is the length in minutes as a string. PERCENT: the number.
    """

    label: str  # TIME, TIMEZONE, DATE, DURATION, PERCENT, COUNT, MONEY, SERVICE, TEAM
    start: int
    end: int
    text: str
    norm: str | None = None
    minutes: int | None = None
    ampm: bool = False
    timezone: str | None = None


@dataclass(frozen=True)
class RootCause:
    """The root-cause statement and how specific it is (annotation guide definitions)."""

    text: str
    start: int
    end: int
    specificity: Specificity
    vague_phrases: tuple[str, ...] = ()
    # What the statement names that makes it checkable (components, files, versions, mechanisms).
    specifics: tuple[str, ...] = ()
    reason: str = ""
    probability: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionItem:
    """One corrective / preventive task, verbatim, with its actionability judgement."""

    text: str
    start: int
    end: int
    actionable: bool
    owner: bool = False
    deadline: bool = False
    owner_text: str | None = None
    deadline_text: str | None = None
    reason: str = ""
    confidence: float = 1.0


@dataclass(frozen=True)
class TimelineEntry:
    """A timeline line with its parsed time (minutes since midnight), if any."""

    start: int
    end: int
    text: str
    time: Entity | None = None


@dataclass(frozen=True)
class Finding:
    """One explained problem. Every point lost in the score traces to one of these."""

    rule: str  # stable code, e.g. "PM101"
    name: str  # kebab-case rule name, e.g. "summary-missing-duration"
    severity: Severity
    message: str
    start: int
    end: int
    line: int
    col: int
    text: str  # == Document.text[start:end]
    section: str | None = None
    suggestion: str = ""
    why: str = ""
    points: float = 0.0  # points this finding costs in the overall score
    related: tuple[tuple[int, int], ...] = ()  # other spans (start, end) the finding compares

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "span": {"start": self.start, "end": self.end, "line": self.line, "col": self.col,
                     "text": self.text},
            "section": self.section,
            "suggestion": self.suggestion,
            "why": self.why,
            "points": round(self.points, 2),
            "related": [list(r) for r in self.related],
        }


@dataclass(frozen=True)
class Analysis:
    """Everything the analysis stages found, before checks and scoring."""

    document: Document
    sections: tuple[Section, ...]
    block_labels: tuple[str, ...]  # one label per Document.blocks entry
    entities: tuple[Entity, ...]
    root_cause: RootCause
    action_items: tuple[ActionItem, ...]
    timeline: tuple[TimelineEntry, ...] = ()

    def section_text(self, label: str) -> str:
        """Concatenated clean text of all sections with this label."""
        return "\n".join(
            self.document.clean[s.start:s.end] for s in self.sections if s.label == label
        )

    def has_section(self, label: str) -> bool:
        return any(s.label == label for s in self.sections)


@dataclass(frozen=True)
class Report:
    """The graded result for one document."""

    path: str | None
    is_postmortem: bool
    score: float
    grade: int
    section_scores: dict[str, float]
    findings: tuple[Finding, ...]
    labels: dict[str, Any]
    analysis: Analysis | None = None
    not_postmortem_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON output object (schema ``pmscore.report/1``)."""
        secs: dict[str, Any] = {}
        if self.analysis is not None:
            for label in SECTION_LABELS:
                spans = [s for s in self.analysis.sections if s.label == label]
                secs[label] = {
                    "present": bool(spans),
                    "score": round(self.section_scores.get(label, 0.0), 1),
                    "spans": [
                        {"start": s.start, "end": s.end,
                         "line": self.analysis.document.line_col(s.start)[0],
                         "heading": s.heading, "source": s.source}
                        for s in spans
                    ],
                }
        return {
            "path": self.path,
            "schema": "pmscore.report/1",
            "is_postmortem": self.is_postmortem,
            "not_postmortem_reason": self.not_postmortem_reason,
            "score": round(self.score, 1),
            "grade": self.grade,
            "sections": secs,
            "findings": [f.to_dict() for f in self.findings],
            "labels": self.labels,
        }


@dataclass(frozen=True)
class Result:
    """One output row of a run: a report, or the error that stopped this input.

    A batch produces exactly one Result per input, in input order, errors included.
    """

    path: str
    report: Report | None = None
    error_code: str | None = None
    error_message: str | None = None
    text: str | None = None  # the document text, for renderers that show it (html)

    @property
    def ok(self) -> bool:
        return self.report is not None

    def to_dict(self) -> dict[str, Any]:
        if self.report is not None:
            d = self.report.to_dict()
            d["path"] = self.path
            return d
        return {"path": self.path,
                "error": {"code": self.error_code or "error", "message": self.error_message or ""}}
