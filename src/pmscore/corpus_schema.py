"""Validation of a labelled corpus file (annotation-guide schema v1 plus ``id`` and ``text``).

Why hand-written checks and not a JSON Schema: the structural part would fit one, but the checks
that matter most for training data are semantic (every span must be found verbatim in ``text``
with ``str.find``, a non-postmortem keeps every field at its empty default, ``chronological``
false needs a note), and ``jsonschema`` is only a test dependency. Each problem is reported as a
:class:`SchemaError` with the 1-based line number of the JSONL file, so
``pmscore corpus validate FILE`` can print one row per problem.

Unknown keys are allowed (the guide says they are kept and ignored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SECTION_KEYS: tuple[str, ...] = (
    "summary", "impact", "timeline", "root_cause", "resolution", "corrective_actions",
    "lessons_learned",
)
SUMMARY_KEYS: tuple[str, ...] = (
    "duration", "start_time", "end_time", "timezone", "impact_quantified", "root_cause_stated",
)
TIMELINE_BOOL_KEYS: tuple[str, ...] = (
    "detection", "misleading_paths", "escalation", "resolution", "chronological",
)
DETECTION_METHODS: frozenset[str] = frozenset({"monitoring", "customer", "engineer", "other", "none"})
SPECIFICITIES: frozenset[str] = frozenset({"specific", "partial", "vague", "missing"})
ENTITY_KEYS: tuple[str, ...] = ("times", "timezones", "durations", "percentages", "services", "teams")
ACTION_BOOL_KEYS: tuple[str, ...] = ("actionable", "owner", "deadline")


@dataclass(frozen=True)
class SchemaError:
    """One problem in a labelled file: 1-based JSONL ``line`` (0 for a lone record), the dotted
    ``field`` path (``action_items[2].text``) and a human ``message``."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Collector:
    """Accumulates errors for one record so the checks below stay short."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.errors: list[SchemaError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(SchemaError(self.line, field, message))

    def obj(self, parent: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any] | None:
        name = f"{prefix}{key}"
        if key not in parent:
            self.add(name, "missing")
            return None
        v = parent[key]
        if not isinstance(v, dict):
            self.add(name, f"expected an object, got {type(v).__name__}")
            return None
        return v

    def bools(self, parent: dict[str, Any] | None, keys: tuple[str, ...], prefix: str) -> None:
        if parent is None:
            return
        for k in keys:
            if k not in parent:
                self.add(f"{prefix}{k}", "missing")
            elif not _is_bool(parent[k]):
                self.add(f"{prefix}{k}", f"expected true/false, got {parent[k]!r}")


def _check_span(c: _Collector, text: str | None, field: str, span: Any) -> None:
    """A label span must be a non-empty string found verbatim in the document text."""
    if not isinstance(span, str):
        c.add(field, f"expected a string, got {type(span).__name__}")
        return
    if not span.strip():
        c.add(field, "empty span")
        return
    if isinstance(text, str) and text.find(span) < 0:
        c.add(field, f"span not found verbatim in text: {span[:60]!r}")


def validate_record(obj: Any, line: int = 0) -> list[SchemaError]:
    """Check one labelled document (a parsed JSON object); ``line`` is used in the errors."""
    c = _Collector(line)
    if not isinstance(obj, dict):
        c.add("<record>", f"expected a JSON object, got {type(obj).__name__}")
        return c.errors

    if not isinstance(obj.get("id"), str) or not obj.get("id", "").strip():
        c.add("id", "missing or not a non-empty string")
    text = obj.get("text")
    if not isinstance(text, str):
        c.add("text", "missing or not a string")
        text = None
    if "is_postmortem" not in obj or not _is_bool(obj["is_postmortem"]):
        c.add("is_postmortem", "missing or not true/false")

    sections = c.obj(obj, "sections")
    c.bools(sections, SECTION_KEYS, "sections.")
    summary = c.obj(obj, "summary")
    c.bools(summary, SUMMARY_KEYS, "summary.")

    timeline = c.obj(obj, "timeline")
    if timeline is not None:
        c.bools(timeline, TIMELINE_BOOL_KEYS, "timeline.")
        n = timeline.get("entries_with_time")
        if not _is_int(n) or n < 0:
            c.add("timeline.entries_with_time", f"expected an integer >= 0, got {n!r}")
        if timeline.get("detection_method") not in DETECTION_METHODS:
            c.add("timeline.detection_method",
                  f"expected one of {sorted(DETECTION_METHODS)}, got {timeline.get('detection_method')!r}")

    rc = c.obj(obj, "root_cause")
    if rc is not None:
        rc_text = rc.get("text")
        if not isinstance(rc_text, str):
            c.add("root_cause.text", "missing or not a string")
            rc_text = None
        elif rc_text:
            _check_span(c, text, "root_cause.text", rc_text)
        spec = rc.get("specificity")
        if spec not in SPECIFICITIES:
            c.add("root_cause.specificity", f"expected one of {sorted(SPECIFICITIES)}, got {spec!r}")
        elif rc_text is not None:
            if spec == "missing" and rc_text:
                c.add("root_cause.specificity", "'missing' but root_cause.text is not empty")
            if spec != "missing" and not rc_text:
                c.add("root_cause.text", f"empty although specificity is {spec!r}")
        vp = rc.get("vague_phrases")
        if not isinstance(vp, list):
            c.add("root_cause.vague_phrases", "missing or not a list")
        else:
            for i, p in enumerate(vp):
                _check_span(c, text, f"root_cause.vague_phrases[{i}]", p)

    items = obj.get("action_items")
    if not isinstance(items, list):
        c.add("action_items", "missing or not a list")
    else:
        for i, it in enumerate(items):
            name = f"action_items[{i}]"
            if not isinstance(it, dict):
                c.add(name, "expected an object")
                continue
            _check_span(c, text, f"{name}.text", it.get("text"))
            c.bools(it, ACTION_BOOL_KEYS, f"{name}.")

    ents = c.obj(obj, "entities")
    if ents is not None:
        for k in ENTITY_KEYS:
            vals = ents.get(k)
            if not isinstance(vals, list):
                c.add(f"entities.{k}", "missing or not a list")
                continue
            seen: set[str] = set()
            for i, v in enumerate(vals):
                _check_span(c, text, f"entities.{k}[{i}]", v)
                if isinstance(v, str):
                    if v in seen:
                        c.add(f"entities.{k}[{i}]", f"duplicate string {v!r} (list each once)")
                    seen.add(v)

    for k in ("blame", "prompt_pasted"):
        if k not in obj or not _is_bool(obj[k]):
            c.add(k, "missing or not true/false")
    notes = obj.get("consistency_issues")
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        c.add("consistency_issues", "missing or not a list of strings")
        notes = None
    grade = obj.get("grade")
    if not _is_int(grade) or not 1 <= grade <= 5:
        c.add("grade", f"expected an integer 1-5, got {grade!r}")

    if timeline is not None and timeline.get("chronological") is False and notes == []:
        c.add("consistency_issues", "chronological is false but no consistency note says why")

    if obj.get("is_postmortem") is False:
        _check_not_postmortem(c, obj)
    return c.errors


def _check_not_postmortem(c: _Collector, obj: dict[str, Any]) -> None:
    """A file with no incident keeps every field at its empty default and grade 1 (guide)."""
    for group, keys in (("sections", SECTION_KEYS), ("summary", SUMMARY_KEYS)):
        g = obj.get(group)
        if isinstance(g, dict) and any(g.get(k) is True for k in keys):
            c.add(group, "must be all false when is_postmortem is false")
    tl = obj.get("timeline")
    if isinstance(tl, dict):
        if any(tl.get(k) is True for k in TIMELINE_BOOL_KEYS if k != "chronological"):
            c.add("timeline", "must be empty defaults when is_postmortem is false")
        if tl.get("entries_with_time") not in (0, None) or tl.get("detection_method") not in ("none", None):
            c.add("timeline", "must be empty defaults when is_postmortem is false")
    rc = obj.get("root_cause")
    if isinstance(rc, dict) and (rc.get("text") or rc.get("vague_phrases")
                                 or rc.get("specificity") not in ("missing", None)):
        c.add("root_cause", "must be empty ('missing') when is_postmortem is false")
    if obj.get("action_items"):
        c.add("action_items", "must be empty when is_postmortem is false")
    ents = obj.get("entities")
    if isinstance(ents, dict) and any(ents.get(k) for k in ENTITY_KEYS):
        c.add("entities", "must be empty when is_postmortem is false")
    if obj.get("blame") is True:
        c.add("blame", "must be false when is_postmortem is false")
    if obj.get("consistency_issues"):
        c.add("consistency_issues", "must be empty when is_postmortem is false")
    if obj.get("grade") not in (1, None):
        c.add("grade", "must be 1 when is_postmortem is false")


_SENTENCE_KINDS = ("actionable", "specificity", "label")
_SPECIFICITY = ("specific", "partial", "vague", "missing")


def is_sentence_record(obj: Any) -> bool:
    """A sentence-level training record (``corpus/sentences/``): text plus one label, no
    document fields. ``pmscore train`` dispatches records the same way."""
    return (isinstance(obj, dict) and "sections" not in obj and "grade" not in obj
            and any(k in obj for k in _SENTENCE_KINDS))


def _check_sentence_line(obj: dict[str, Any], line: int) -> list[SchemaError]:
    """A sentence record in a file: exactly one label key, with a value of its kind."""
    kinds = [k for k in _SENTENCE_KINDS if k in obj]
    if len(kinds) > 1:
        return [SchemaError(line, kinds[1],
                            f"a sentence record has one label; found {', '.join(kinds)}")]
    allowed = {"actionable": None, "specificity": frozenset(_SPECIFICITY),
               "label": frozenset((*SECTION_KEYS, "other"))}[kinds[0]]
    return validate_sentence_record(obj, kinds[0], allowed, line)


def validate_file(path: str | Path) -> list[SchemaError]:
    """Validate every line of a labelled JSONL file; blank lines are skipped.

    A line is a labelled document or a sentence-level record (:func:`is_sentence_record`).
    Also reports a line that is not JSON and an ``id`` used twice in the file.
    """
    errors: list[SchemaError] = []
    ids: dict[str, int] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                errors.append(SchemaError(lineno, "<json>", f"not valid JSON: {exc.msg}"))
                continue
            if is_sentence_record(obj):
                errors.extend(_check_sentence_line(obj, lineno))
                continue
            errors.extend(validate_record(obj, lineno))
            rid = obj.get("id") if isinstance(obj, dict) else None
            if isinstance(rid, str):
                if rid in ids:
                    errors.append(SchemaError(lineno, "id", f"duplicate id {rid!r} (first on line {ids[rid]})"))
                else:
                    ids[rid] = lineno
    return errors


def validate_sentence_record(obj: Any, label_key: str, allowed: frozenset[Any] | None,
                             line: int = 0) -> list[SchemaError]:
    """Check one sentence-level record ``{"text": ..., label_key: ...}``.

    ``allowed`` is the set of permitted label values (``None`` means booleans).
    """
    c = _Collector(line)
    if not isinstance(obj, dict):
        c.add("<record>", "expected a JSON object")
        return c.errors
    if not isinstance(obj.get("text"), str) or not obj["text"].strip():
        c.add("text", "missing or empty")
    v = obj.get(label_key)
    if allowed is None:
        if not _is_bool(v):
            c.add(label_key, f"expected true/false, got {v!r}")
    elif v not in allowed:
        c.add(label_key, f"expected one of {sorted(allowed)}, got {v!r}")
    return c.errors
