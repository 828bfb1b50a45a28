"""``--format sarif``: SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, VS Code viewers).

One run; ``tool.driver.rules`` lists every rule pmscore knows (from ``data/rules/*.json``) with
its short and full description and help text; each finding is a ``result`` with ``ruleId``,
``ruleIndex``, ``level`` and a region (1-based line/column of start and end, snippet). Columns
count Unicode code points, so the run declares ``columnKind: unicodeCodePoints``. Inputs that
could not be graded are ``toolExecutionNotifications`` of the invocation, and every graded file
is an ``artifact`` whose properties carry its score and grade.

The log is streamed: results are written as rows arrive and the run's other members (tool,
invocations, artifacts) after the last row; JSON does not order object members.
``helpUri`` must be an absolute URI in SARIF, so it is only written when the renderer gets a
``help_uri_base`` option (e.g. the URL of the project's rules page).
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from pmscore.render import Renderer
from pmscore.types import Finding, Result

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"

LEVELS: dict[str, str] = {"error": "error", "warning": "warning", "info": "note"}
"""pmscore severity -> SARIF level (SARIF has no "info"; its "note" is the same thing)."""


def artifact_uri(path: str) -> str:
    """A SARIF ``uri-reference`` for a path: relative paths stay relative (code scanning
    resolves them against the repository root), absolute ones become ``file://`` URIs."""
    if PureWindowsPath(path).drive and "\\" in path:
        return "file:///" + quote(PureWindowsPath(path).as_posix(), safe="/:")
    if path.startswith("/"):
        return "file://" + quote(path)
    return quote(PurePosixPath(path).as_posix())


def end_position(f: Finding) -> tuple[int, int]:
    """1-based line and column just after the finding's span, from its verbatim text.

    ``Finding.text`` equals ``Document.text[start:end]``, so the end position follows from the
    start position and the newlines inside the span, without the document. SARIF's endColumn
    is exclusive; an empty span ends where it starts.
    """
    nl = f.text.count("\n")
    if nl == 0:
        return f.line, f.col + len(f.text)
    return f.line + nl, len(f.text) - f.text.rfind("\n")


def _rule_object(rule_id: str, meta: Any | None, finding: Finding | None = None) -> dict[str, Any]:
    if meta is None:  # a finding from a rule without metadata: describe it from the finding
        assert finding is not None
        return {"id": rule_id, "name": finding.name,
                "shortDescription": {"text": finding.message},
                "defaultConfiguration": {"level": LEVELS.get(finding.severity, "warning")}}
    help_lines = [meta.why]
    if meta.suggestion:
        help_lines.append(f"Suggestion: {meta.suggestion}")
    if meta.example:
        help_lines.append(f"Example: {meta.example}")
    obj: dict[str, Any] = {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.message},
        "fullDescription": {"text": meta.why or meta.message},
        "help": {"text": "\n\n".join(h for h in help_lines if h)},
        "defaultConfiguration": {"level": LEVELS.get(meta.severity, "warning")},
        "properties": {"points": meta.points, "section": meta.section,
                       "tags": list(dict.fromkeys(t for t in (meta.group, meta.section) if t))},
    }
    return obj


class SarifRenderer(Renderer):
    """SARIF 2.1.0 log with one run; results streamed in input order."""

    name = "sarif"
    streaming = True

    def start(self) -> None:
        try:
            from pmscore.checks import rule_metadata

            self._meta = dict(sorted(rule_metadata().items()))
        except Exception:  # no rule data installed: rules are described from the findings
            self._meta = {}
        self._index: dict[str, int] = {rid: i for i, rid in enumerate(self._meta)}
        self._extra: list[dict[str, Any]] = []
        self._artifacts: list[dict[str, Any]] = []
        self._notifications: list[dict[str, Any]] = []
        self._n = 0
        self.out.write('{"$schema": %s, "version": "%s", "runs": [{"results": ['
                       % (json.dumps(SARIF_SCHEMA), SARIF_VERSION))

    def _rule_index(self, f: Finding) -> int:
        if f.rule not in self._index:
            self._index[f.rule] = len(self._index)
            self._extra.append(_rule_object(f.rule, None, f))
        return self._index[f.rule]

    def _result(self, uri: str, f: Finding) -> dict[str, Any]:
        end_line, end_col = end_position(f)
        region: dict[str, Any] = {"startLine": f.line, "startColumn": f.col,
                                  "endLine": end_line, "endColumn": end_col}
        if f.text:
            region["snippet"] = {"text": f.text}
        props: dict[str, Any] = {"points": round(f.points, 2), "name": f.name}
        if f.section:
            props["section"] = f.section
        if f.suggestion:
            props["suggestion"] = f.suggestion
        return {
            "ruleId": f.rule,
            "ruleIndex": self._rule_index(f),
            "level": LEVELS.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri},
                                                "region": region}}],
            "properties": props,
        }

    def row(self, result: Result) -> None:
        uri = artifact_uri(result.path)
        r = result.report
        if r is None:
            self._notifications.append({
                "level": "error",
                "message": {"text": result.error_message or result.path},
                "descriptor": {"id": result.error_code or "error"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            })
            return
        self._artifacts.append({
            "location": {"uri": uri},
            "properties": {"score": round(r.score, 1), "grade": r.grade,
                           "isPostmortem": r.is_postmortem},
        })
        for f in r.findings:
            sep = "," if self._n else ""
            self._n += 1
            self.out.write(sep + "\n" + json.dumps(self._result(uri, f), ensure_ascii=False))
        self.out.flush()

    def finish(self) -> None:
        from pmscore import __version__

        base = self.options.get("help_uri_base")
        rules = [_rule_object(rid, meta) for rid, meta in self._meta.items()] + self._extra
        if base:
            for rule in rules:
                rule["helpUri"] = f"{base}#{rule['id'].lower()}"
        tail = {
            "tool": {"driver": {"name": "pmscore", "version": __version__,
                                "semanticVersion": __version__, "rules": rules}},
            "invocations": [{"executionSuccessful": not self._notifications,
                             "toolExecutionNotifications": self._notifications}],
            "artifacts": self._artifacts,
            "columnKind": "unicodeCodePoints",
        }
        body = json.dumps(tail, ensure_ascii=False)
        self.out.write("\n], " + body[1:] + "]}\n")
        self.out.flush()
