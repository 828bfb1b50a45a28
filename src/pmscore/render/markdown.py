"""``--format markdown``: a review comment ready to paste into a pull request or a review doc.

Per document: a score/grade line, the section table, then the findings grouped by severity,
each with its rule, ``line:col``, the quoted span, why it matters and the suggested rewrite.
A batch starts with an overview table (worst score first) and separates documents with rules.

Everything taken from the submission (quoted spans, headings, paths, messages and suggestions
that quote it) goes through :func:`md_escape`, so no Markdown construct and no raw HTML from
the document takes effect when the comment is rendered: ``<``, ``>`` and ``&`` become entities,
Markdown punctuation is backslash-escaped, line breaks are folded, and ``@`` gets a zero-width
space so pasting a review never pings someone named in the document. Rows are written as they
arrive except the batch overview, which needs every score and is written last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar, TextIO

from pmscore.render import Renderer
from pmscore.render._display import GRADE_WORDS as _GRADE_WORDS
from pmscore.render._display import SECTION_NAMES as _SECTION_NAMES
from pmscore.render._display import SEVERITIES
from pmscore.types import SECTION_LABELS, Finding, Report, Result

_SEV_TITLES = {"error": "Errors", "warning": "Warnings", "info": "Info"}

# Every ASCII punctuation character may be backslash-escaped in CommonMark. Escaped everywhere:
# the characters that open or delimit an inline construct (emphasis, code, link and image
# brackets, table cells, strikethrough, GitHub math). Parentheses and ``!`` need no escape once
# ``[``/``]`` are escaped, since links and images cannot form without brackets. ``<``, ``>``
# and ``&`` become entities instead. Block constructs only start a line, and escaped text is
# always one line, so only its first characters need care where it starts a line (see
# ``_BLOCK_START``). Fewer escapes keep the comment readable as plain text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
_BLOCK_START = re.compile(r"^(\d*)([#+\-=.)])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WS = re.compile(r"\s+")

MAX_QUOTE = 300
"""Quoted spans longer than this are cut (with an ellipsis) to keep the comment readable."""


def md_escape(text: object, limit: int | None = None, line_start: bool = False) -> str:
    """Untrusted text as inert inline Markdown: one line, no markup, no HTML, no mentions.

    ``line_start``: the text begins a line (e.g. after ``> ``), so a leading ``#``, ``-``,
    ``+``, ``=`` or ``1.`` must not open a heading or a list either.
    """
    s = _WS.sub(" ", _CONTROL.sub("\ufffd", str(text))).strip()
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "\u2026"
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    if line_start:
        s = _BLOCK_START.sub(r"\1\\\2", s)
    return s.replace("@", "@\u200b")


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _sev_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


def _counts_text(counts: dict[str, int]) -> str:
    parts = []
    for s in SEVERITIES:
        n = counts.get(s, 0)
        parts.append(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}")
    return ", ".join(parts)


def _name(result: Result) -> str:
    return result.path or (result.report.path if result.report and result.report.path else "") \
        or "(stdin)"


def section_table(report: Report) -> list[str]:
    """GFM table rows: each guide section, where it was found, its score and what it cost."""
    by_section: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_section.setdefault(f.section or "other", []).append(f)
    labels = list(SECTION_LABELS) + (["other"] if by_section.get("other") else [])
    lines = ["| Section | Found | Score | Findings | Points lost |",
             "|---|---|--:|--:|--:|"]
    analysis = report.analysis
    for label in labels:
        if analysis is None or label == "other":
            where = "\u2014"
        else:
            spans = [s for s in analysis.sections if s.label == label]
            if spans:
                where = "; ".join(
                    f"line {analysis.document.line_col(s.start)[0]}"
                    + (f" \u201c{md_escape(s.heading, 60)}\u201d" if s.heading else "")
                    for s in spans)
            else:
                where = "**missing**"
        score = report.section_scores.get(label)
        fs = by_section.get(label, [])
        lost = sum(f.points for f in fs)
        lines.append(f"| {_SECTION_NAMES.get(label, md_escape(label))} | {where} | "
                     f"{'—' if score is None else _fmt(float(score))} | {len(fs)} | "
                     f"{('−' + _fmt(lost)) if lost else '0'} |")
    return lines


def _line_col(text: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(text)))
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def finding_item(n: int, f: Finding, text: str | None = None) -> list[str]:
    """One numbered list item: rule, location, message, the quoted span, the spans it is
    compared with (when the document text is known), why, suggestion."""
    where = f"line {int(f.line)}:{int(f.col)}"
    extra = []
    if f.section:
        extra.append(_SECTION_NAMES.get(f.section, md_escape(f.section)))
    if f.points:
        extra.append(f"−{_fmt(f.points)} pts")
    tail = f" ({', '.join(extra)})" if extra else ""
    out = [f"{n}. **{md_escape(f.rule)}** {md_escape(f.name)} at **{where}**{tail}: "
           f"{md_escape(f.message)}"]
    if f.text.strip():
        out.append(f"   > {md_escape(f.text, MAX_QUOTE, line_start=True)}")
        out.append("")
    for rs, re_ in f.related if text is not None else ():
        s = max(0, min(int(rs), len(text)))
        e = max(s, min(int(re_), len(text)))
        line, col = _line_col(text, s)
        out.append(f"   Compared with line {line}:{col}:")
        if text[s:e].strip():
            out.append(f"   > {md_escape(text[s:e], MAX_QUOTE, line_start=True)}")
        out.append("")
    if f.why:
        out.append(f"   *Why:* {md_escape(f.why)}" + ("  " if f.suggestion else ""))
    if f.suggestion:
        out.append(f"   *Suggestion:* {md_escape(f.suggestion)}")
    out.append("")
    return out


def report_markdown(result: Result, heading_level: int = 3) -> str:
    """The review comment for one result (a report or an error row)."""
    h = "#" * heading_level
    lines = [f"{h} pmscore review: {md_escape(_name(result))}", ""]
    rep = result.report
    if rep is None:
        lines += [f"**Not graded** ({md_escape(result.error_code or 'error')}): "
                  f"{md_escape(result.error_message or '')}", ""]
        return "\n".join(lines) + "\n"
    findings = sorted(rep.findings, key=lambda f: (f.start, f.end, f.rule))
    text = result.text if result.text is not None else (
        rep.analysis.document.text if rep.analysis is not None else None)
    lost = sum(f.points for f in findings)
    word = _GRADE_WORDS.get(int(rep.grade), "")
    lines.append(f"**Score {_fmt(float(rep.score))}/100 · grade {int(rep.grade)}/5"
                 f"{' (' + word + ')' if word else ''}** · {_counts_text(_sev_counts(findings))}"
                 f" · {_fmt(lost)} points lost")
    lines.append("")
    if not rep.is_postmortem:
        lines += [f"> **Not a postmortem:** "
                  f"{md_escape(rep.not_postmortem_reason or 'not recognised as a postmortem')}",
                  ""]
    lines += section_table(rep)
    lines.append("")
    if not findings:
        lines += ["No findings.", ""]
    for sev in SEVERITIES:
        group = [f for f in findings if f.severity == sev]
        if not group:
            continue
        lines += [f"{h}# {_SEV_TITLES[sev]} ({len(group)})", ""]
        for i, f in enumerate(group, 1):
            lines += finding_item(i, f, text)
    others = [f for f in findings if f.severity not in SEVERITIES]
    if others:
        lines += [f"{h}# Other ({len(others)})", ""]
        for i, f in enumerate(others, 1):
            lines += finding_item(i, f, text)
    return "\n".join(lines).rstrip("\n") + "\n"


def overview_table(results: Sequence[tuple[int, Result]]) -> str:
    """Batch overview: one row per input, errors first, then lowest score first."""
    def key(item: tuple[int, Result]) -> tuple[bool, float, int]:
        pos, r = item
        return (r.report is not None, r.report.score if r.report else 0.0, pos)

    lines = [f"### pmscore review: {len(results)} documents", "",
             "| # | Document | Score | Grade | Findings |", "|--:|---|--:|--:|---|"]
    for pos, r in sorted(results, key=key):
        if r.report is None:
            lines.append(f"| {pos} | {md_escape(_name(r))} | — | — | **error:** "
                         f"{md_escape(r.error_message or r.error_code or 'error', 120)} |")
        else:
            lines.append(f"| {pos} | {md_escape(_name(r))} | {_fmt(float(r.report.score))} | "
                         f"{int(r.report.grade)}/5 | "
                         f"{_counts_text(_sev_counts(r.report.findings))} |")
    return "\n".join(lines) + "\n"


class MarkdownRenderer(Renderer):
    """One review comment per document; a batch gets an overview table at the top.

    With a single input the comment is written as is. With several, the per-document comments
    are kept (they are small) so the overview table can come first.
    """

    name: ClassVar[str] = "markdown"
    streaming: ClassVar[bool] = False

    def __init__(self, out: TextIO, **options: object) -> None:
        super().__init__(out, **options)
        self._rows: list[tuple[int, Result]] = []
        self._texts: list[str] = []

    def row(self, result: Result) -> None:
        pos = len(self._rows) + 1
        # Keep only what the overview needs; drop the analysis and text early.
        self._texts.append(report_markdown(result))
        slim = Result(path=result.path, report=None if result.report is None else Report(
            path=result.report.path, is_postmortem=result.report.is_postmortem,
            score=result.report.score, grade=result.report.grade, section_scores={},
            findings=result.report.findings, labels={}), error_code=result.error_code,
            error_message=result.error_message)
        self._rows.append((pos, slim))

    def finish(self) -> None:
        if len(self._rows) == 1:
            self.out.write(self._texts[0])
            return
        parts = [overview_table(self._rows)] if self._rows else []
        parts += self._texts
        self.out.write("\n---\n\n".join(parts))


def render_markdown(results: Sequence[Result]) -> str:
    """Convenience: the Markdown for a list of results."""
    import io

    buf = io.StringIO()
    r = MarkdownRenderer(buf)
    r.start()
    for res in results:
        r.row(res)
    r.finish()
    return buf.getvalue()
