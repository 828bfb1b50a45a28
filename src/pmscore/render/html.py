"""``--format html``: a self-contained, inert HTML report a reviewer can read in ten seconds.

One page shows the score and grade, a section-by-section table, and the submission itself with
every finding highlighted in place (coloured by severity, the message and suggestion in the
``title`` tooltip and in numbered footnotes, so the page also reads on paper). A batch gets an
index of every document with its score, worst first, filterable by grade without any server and
without JavaScript (CSS radio buttons); a tiny constant script adds a name filter and column
sorting where scripts are allowed.

The submission is untrusted. Everything that comes from it (text, path, headings, finding
messages quoting it) goes through :func:`html.escape` with ``quote=True``; no input ever lands
in a URL, a ``style``, an event attribute or a ``<script>``; every page carries a strict
Content-Security-Policy that only allows inline styles and, on index pages, the one script
below by its SHA-256 hash. Like displaCy's ``manual=True`` span rendering, the highlighting
works on plain offsets, so this module needs no spaCy objects.

Options (keyword arguments of the renderer): ``output_dir`` -- when given, write
``index.html`` plus one page per input there and print the index path to the stream; otherwise
write one HTML document to the stream (a batch gets its index at the top).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TextIO

from pmscore.render import Renderer
from pmscore.render._display import GRADE_WORDS as _GRADE_WORDS
from pmscore.render._display import SECTION_NAMES as _SECTION_NAMES
from pmscore.render._display import SEVERITIES
from pmscore.types import SECTION_LABELS, Finding, Report, Result


_SEV_RANK = {s: i for i, s in enumerate(SEVERITIES)}



# C0 control characters other than tab/newline/CR are not valid in HTML text; replacing each
# with one U+FFFD keeps every offset of the original text valid.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_CSS = """
:root{--err:#c62828;--err-bg:#ffd7d5;--warn:#a15c00;--warn-bg:#ffe9a8;--info:#1f5fa8;
--info-bg:#d7e8ff;--fg:#1d1f23;--muted:#5b616b;--line:#d8dbe0;--card:#f6f7f9}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--fg);margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:1.5em;margin:0 0 .2em;overflow-wrap:anywhere}
h2{font-size:1.15em;margin:1.4em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
a{color:#1f5fa8}
.pm-muted{color:var(--muted)}
.pm-head{display:flex;gap:24px;align-items:center;flex-wrap:wrap;margin:.6em 0 1em}
.pm-score{font-size:2.6em;font-weight:700;line-height:1}
.pm-score small{font-size:.4em;font-weight:400;color:var(--muted)}
.pm-grade{display:inline-block;padding:.25em .7em;border-radius:6px;font-weight:700;color:#fff}
.pm-grade-1{background:#8e1b1b}.pm-grade-2{background:#c6501f}.pm-grade-3{background:#a07800}
.pm-grade-4{background:#3b7d2e}.pm-grade-5{background:#1d6b3a}.pm-grade-x{background:#6b6f76}
.pm-counts span{margin-right:.8em}
.pm-banner{padding:.6em .9em;border-radius:6px;background:var(--err-bg);border:1px solid var(--err);
margin:.8em 0}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--card);font-weight:600}
td.pm-num,th.pm-num{text-align:right;font-variant-numeric:tabular-nums}
.pm-bar{display:inline-block;width:90px;height:.6em;background:var(--line);border-radius:3px;
vertical-align:middle;margin-left:.5em;overflow:hidden}
.pm-bar>span{display:block;height:100%;background:#3b7d2e}
.pm-missing{color:var(--err);font-weight:600}
.pm-doc{white-space:pre-wrap;overflow-wrap:anywhere;font:14px/1.6 ui-monospace,"DejaVu Sans Mono",
Menlo,Consolas,monospace;background:var(--card);border:1px solid var(--line);border-radius:6px;
padding:14px 16px;margin:0}
.pm-doc{counter-reset:pmline}
.pm-line{display:block;position:relative;padding-left:3.4em;min-height:1.6em}
.pm-line::before{counter-increment:pmline;content:counter(pmline);position:absolute;left:0;
width:2.6em;text-align:right;color:var(--muted);font-size:.85em;user-select:none}
.pm-line:target{background:#fff6c4}
mark.pm-finding{border-radius:2px;padding:0 1px;color:inherit;cursor:help}
mark.pm-sev-error{background:var(--err-bg);border-bottom:2px solid var(--err)}
mark.pm-sev-warning{background:var(--warn-bg);border-bottom:2px solid var(--warn)}
mark.pm-sev-info{background:var(--info-bg);border-bottom:2px solid var(--info)}
mark.pm-related{background:none;color:inherit;border-bottom:2px dotted var(--muted)}
mark.pm-point{font-weight:700;padding:0 3px;font-family:system-ui,sans-serif}
sup.pm-ref{font:600 10px/1 system-ui,sans-serif;margin:0 1px}
sup.pm-ref a{text-decoration:none}
.pm-findings{padding-left:2.2em}
.pm-top{padding-left:1.6em;margin:.2em 0}.pm-top li{margin:.15em 0}
.pm-legend mark{padding:0 .3em;cursor:default}
.pm-findings li{margin:.2em 0 .8em;padding-left:.4em;border-left:4px solid var(--line)}
.pm-findings li.pm-sev-error{border-left-color:var(--err)}
.pm-findings li.pm-sev-warning{border-left-color:var(--warn)}
.pm-findings li.pm-sev-info{border-left-color:var(--info)}
.pm-sev{display:inline-block;font-size:.8em;font-weight:700;text-transform:uppercase;
padding:0 .4em;border-radius:3px;color:#fff}
.pm-sev.pm-sev-error{background:var(--err)}.pm-sev.pm-sev-warning{background:var(--warn)}
.pm-sev.pm-sev-info{background:var(--info)}
.pm-findings q{display:block;margin:.2em 0;padding:.1em .6em;background:var(--card);
border-left:3px solid var(--line);white-space:pre-wrap;overflow-wrap:anywhere;quotes:none}
.pm-findings .pm-k{font-weight:600}
code{font:13px ui-monospace,"DejaVu Sans Mono",monospace}
.pm-filter{margin:.4em 0 .6em}
.pm-filter input[type=radio]{position:absolute;opacity:0;width:1px;height:1px}
.pm-filter label{display:inline-block;padding:.15em .6em;margin:0 .25em .3em 0;border:1px solid
var(--line);border-radius:12px;cursor:pointer;font-size:.9em}
.pm-filter input[type=radio]:checked+label{background:var(--fg);color:#fff;border-color:var(--fg)}
.pm-filter input[type=radio]:focus-visible+label{outline:2px solid #1f5fa8}
#pmf-g1:checked~table tbody tr:not(.pm-g1),#pmf-g2:checked~table tbody tr:not(.pm-g2),
#pmf-g3:checked~table tbody tr:not(.pm-g3),#pmf-g4:checked~table tbody tr:not(.pm-g4),
#pmf-g5:checked~table tbody tr:not(.pm-g5),#pmf-err:checked~table tbody tr:not(.pm-err)
{display:none}
tr.pm-hide{display:none}
.pm-index-table td{vertical-align:middle}
.pm-index-table .pm-grade{padding:.05em .5em;font-size:.9em}
.pm-index+.pm-report{margin-top:2.5em;border-top:3px double var(--line);padding-top:1em}
#pm-q{padding:.3em .5em;border:1px solid var(--line);border-radius:4px;min-width:16em}
th[data-sort]{cursor:pointer}
.pm-report+.pm-report{margin-top:3em;border-top:3px double var(--line);padding-top:1em}
@media print{
body{max-width:none;padding:0;font-size:11pt}
.pm-filter>input,.pm-filter>label,.pm-back,.pm-noprint{display:none!important}
.pm-index-table tbody tr{display:table-row!important}
.pm-report{break-before:page}
.pm-report:first-of-type{break-before:auto}
.pm-doc{background:none;border:0;padding:0;font-size:9.5pt}
mark,.pm-sev,.pm-grade,.pm-bar>span{-webkit-print-color-adjust:exact;print-color-adjust:exact}
tr,li,q{break-inside:avoid}
a{color:inherit;text-decoration:none}
}
"""

# The only script any page carries: index filtering/sorting. It is a constant (never contains
# input) and is allowed by the page's CSP through its hash; it reads cell text and numeric
# data attributes only and never writes HTML.
_INDEX_JS = """(function(){
document.documentElement.setAttribute("data-pmjs","1");
var q=document.getElementById("pm-q"),t=document.querySelector("table.pm-index-table");
if(!q||!t){return;}
var tb=t.tBodies[0],h=document.getElementById("pm-sort-hint");q.hidden=false;if(h){h.hidden=false;}
q.addEventListener("input",function(){var v=q.value.toLowerCase();
Array.prototype.forEach.call(tb.rows,function(r){var n=(r.getAttribute("data-name")||"").toLowerCase();
r.classList.toggle("pm-hide",v!==""&&n.indexOf(v)<0);});});
Array.prototype.forEach.call(t.querySelectorAll("th[data-sort]"),function(th){
th.addEventListener("click",function(){var k=th.getAttribute("data-sort"),d=th.getAttribute("data-dir")==="asc"?"desc":"asc";
th.setAttribute("data-dir",d);var rows=Array.prototype.slice.call(tb.rows);
rows.sort(function(a,b){var x=a.getAttribute("data-"+k)||"",y=b.getAttribute("data-"+k)||"";
var nx=parseFloat(x),ny=parseFloat(y),c=(isNaN(nx)||isNaN(ny))?x.localeCompare(y):nx-ny;
return d==="asc"?c:-c;});rows.forEach(function(r){tb.appendChild(r);});});});
})();"""

SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(_INDEX_JS.encode()).digest()).decode()
"""CSP source expression that allows exactly :data:`_INDEX_JS` and nothing else."""


def csp(with_script: bool) -> str:
    """The page's Content-Security-Policy: inline styles only, plus the index script's hash."""
    script = f"'{SCRIPT_HASH}'" if with_script else "'none'"
    return (f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; "
            "img-src 'none'; base-uri 'none'; form-action 'none'")


def esc(value: object) -> str:
    """Escape any value for HTML text or a double-quoted attribute (quotes included)."""
    return html.escape(_CONTROL.sub("\ufffd", str(value)), quote=True)


# ---------------------------------------------------------------------------------------------
# Highlighting


def _clamp(findings: Sequence[Finding], n: int) -> list[tuple[int, int]]:
    out = []
    for f in findings:
        s = max(0, min(int(f.start), n))
        out.append((s, max(s, min(int(f.end), n))))
    return out


def _title(nums: Iterable[int], findings: Sequence[Finding]) -> str:
    parts = []
    for i in nums:
        f = findings[i]
        line = f"[{i + 1}] {f.rule} {f.severity}: {f.message}"
        if f.suggestion:
            line += f"\nSuggestion: {f.suggestion}"
        parts.append(line)
    return "\n\n".join(parts)


def highlight(text: str, findings: Sequence[Finding], prefix: str = "d") -> str:
    """The document as escaped HTML with each finding's span wrapped in ``<mark>``.

    Overlapping spans are cut at every boundary; each piece is one ``<mark>`` coloured by the
    most serious finding covering it, whose ``title`` lists every covering finding's message
    and suggestion. A numbered ``<sup>`` after each span links to the finding's footnote
    (``#{prefix}-f{i}``); an anchor ``#{prefix}-m{i}`` marks where each span starts; each
    line is a ``<span class="pm-line" id="{prefix}-L{n}">`` numbered in the margin. Empty
    spans (document-level findings placed at a position) become a small flag mark. Spans in
    ``Finding.related`` get a dotted underline so both sides of a comparison are visible.
    """
    n = len(text)
    spans = _clamp(findings, n)
    related: list[tuple[int, int, int]] = []
    for i, f in enumerate(findings):
        for rs, re_ in f.related:
            s = max(0, min(int(rs), n))
            e = max(s, min(int(re_), n))
            if e > s:
                related.append((s, e, i))
    cuts = {0, n}
    for s, e in spans:
        cuts.update((s, e))
    for s, e, _ in related:
        cuts.update((s, e))
    # Every line is its own element (numbered by CSS, linkable as #{prefix}-L{n}); pieces are
    # cut at line starts so highlights never straddle two line elements.
    line_starts = {0} | {i + 1 for i, ch in enumerate(text) if ch == "\n" and i + 1 < n}
    cuts |= line_starts
    bounds = sorted(cuts)

    starts_at: dict[int, list[int]] = {}
    ends_at: dict[int, list[int]] = {}
    points_at: dict[int, list[int]] = {}
    for i, (s, e) in enumerate(spans):
        if e > s:
            starts_at.setdefault(s, []).append(i)
            ends_at.setdefault(e, []).append(i)
        else:
            points_at.setdefault(s, []).append(i)

    out: list[str] = []

    def refs(idx: list[int]) -> None:
        for i in idx:
            out.append(f'<sup class="pm-ref"><a href="#{prefix}-f{i}">{i + 1}</a></sup>')

    rel_starts: dict[int, list[int]] = {}
    rel_ends: dict[int, list[int]] = {}
    for s, e, i in related:
        rel_starts.setdefault(s, []).append(i)
        rel_ends.setdefault(e, []).append(i)
    active: set[int] = set()
    rel_active: dict[int, int] = {}
    line_no = 0
    for a, b in zip(bounds, bounds[1:] + [None]):
        if a in line_starts:
            if line_no:
                out.append("</span>")
            line_no += 1
            out.append(f'<span class="pm-line" id="{prefix}-L{line_no}">')
        for i in points_at.get(a, []):
            f = findings[i]
            out.append(
                f'<mark class="pm-finding pm-point pm-sev-{esc(f.severity)}" id="{prefix}-m{i}"'
                f' data-rule="{esc(f.rule)}" title="{esc(_title([i], findings))}">'
                f'&#9873;</mark>')
            refs([i])
        if b is None:
            break
        for i in starts_at.get(a, []):
            out.append(f'<span class="pm-anchor" id="{prefix}-m{i}"></span>')
        piece = esc(text[a:b])
        # Sweep: the active sets change only at boundaries, so each piece costs O(active).
        active.difference_update(ends_at.get(a, ()))
        active.update(starts_at.get(a, ()))
        for i in rel_ends.get(a, ()):
            rel_active[i] -= 1
        for i in rel_starts.get(a, ()):
            rel_active[i] = rel_active.get(i, 0) + 1
        cover = sorted(active)
        if cover:
            sev = min((findings[i].severity for i in cover), key=lambda x: _SEV_RANK.get(x, 9))
            rules = " ".join(sorted({findings[i].rule for i in cover}))
            out.append(f'<mark class="pm-finding pm-sev-{esc(sev)}" data-rule="{esc(rules)}"'
                       f' title="{esc(_title(cover, findings))}">{piece}</mark>')
        else:
            rel = sorted(i for i, k in rel_active.items() if k > 0)
            if rel:
                label = "Compared by finding " + ", ".join(f"[{i + 1}]" for i in rel)
                out.append(f'<mark class="pm-related" title="{esc(label)}">{piece}</mark>')
            else:
                out.append(piece)
        refs(ends_at.get(b, []))
    out.append("</span>")
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Page parts


def _display_name(result: Result) -> str:
    return result.path or (result.report.path if result.report and result.report.path else "") \
        or "(stdin)"


def _document_text(result: Result) -> str | None:
    if result.text is not None:
        return result.text
    rep = result.report
    if rep is not None and rep.analysis is not None:
        return rep.analysis.document.text
    return None


def _sev_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s: 0 for s in SEVERITIES}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if x == x else "?"


def _grade_badge(grade: int | None) -> str:
    if grade is None:
        return '<span class="pm-grade pm-grade-x">error</span>'
    g = int(grade)
    word = _GRADE_WORDS.get(g, "")
    return (f'<span class="pm-grade pm-grade-{g if 1 <= g <= 5 else "x"}">'
            f'{g}/5 {esc(word)}</span>')


def _section_table(report: Report) -> str:
    """One row per guide section: found where, its score, and what its findings cost."""
    analysis = report.analysis
    rows = []
    by_section: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_section.setdefault(f.section or "other", []).append(f)
    labels = list(SECTION_LABELS)
    if by_section.get("other"):
        labels.append("other")
    for label in labels:
        spans = [s for s in analysis.sections if s.label == label] if analysis else []
        if analysis is None:
            where = '<span class="pm-muted">&mdash;</span>'
        elif spans:
            bits = []
            for s in spans:
                line = analysis.document.line_col(s.start)[0]
                head = f" &ldquo;{esc(s.heading)}&rdquo;" if s.heading else f" ({esc(s.source)})"
                bits.append(f"line {line}{head}")
            where = "<br>".join(bits)
        elif label == "other":
            where = '<span class="pm-muted">&mdash;</span>'
        else:
            where = '<span class="pm-missing">missing</span>'
        score = report.section_scores.get(label)
        if score is None:
            score_html = '<span class="pm-muted">&mdash;</span>'
        else:
            pct = max(0.0, min(100.0, float(score)))
            score_html = (f'{_fmt(float(score))}<span class="pm-bar" aria-hidden="true">'
                          f'<span style="width:{pct:.0f}%"></span></span>')
        fs = by_section.get(label, [])
        lost = sum(f.points for f in fs)
        c = _sev_counts(fs)
        counts = " ".join(f'<span class="pm-sev pm-sev-{s}" title="{s}">{c[s]}</span>'
                          for s in SEVERITIES if c[s])
        rows.append(
            f"<tr><th scope=\"row\">{esc(_SECTION_NAMES.get(label, label))}</th><td>{where}</td>"
            f'<td class="pm-num">{score_html}</td><td>{counts or "&mdash;"}</td>'
            f'<td class="pm-num">{("&minus;" + _fmt(lost)) if lost else "0"}</td></tr>')
    return ('<table class="pm-sections"><thead><tr><th>Section</th><th>Found</th>'
            '<th class="pm-num">Score</th><th>Findings</th><th class="pm-num">Points lost</th>'
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of an offset (same convention as ``Document.line_col``)."""
    offset = max(0, min(offset, len(text)))
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def _related(f: Finding, text: str | None, prefix: str) -> str:
    """The other spans a finding compares (both sides of a contradiction), linked by line."""
    if not f.related or text is None:
        return ""
    bits = []
    for rs, re_ in f.related:
        s = max(0, min(int(rs), len(text)))
        e = max(s, min(int(re_), len(text)))
        line, col = line_col(text, s)
        bits.append(f'<div class="pm-rel"><span class="pm-k">Compared with</span> '
                    f'<a href="#{prefix}-L{line}">line {line}:{col}</a>'
                    + (f"<q>{esc(text[s:e])}</q>" if e > s else "") + "</div>")
    return "".join(bits)


def _findings_list(findings: Sequence[Finding], prefix: str, text: str | None = None) -> str:
    if not findings:
        return '<p class="pm-muted">No findings.</p>'
    items = []
    for i, f in enumerate(findings):
        quote = (f"<q>{esc(f.text)}</q>" if f.text else "") + _related(f, text, prefix)
        why = f'<div><span class="pm-k">Why:</span> {esc(f.why)}</div>' if f.why else ""
        sugg = (f'<div><span class="pm-k">Suggestion:</span> {esc(f.suggestion)}</div>'
                if f.suggestion else "")
        section = f" &middot; {esc(_SECTION_NAMES.get(f.section, f.section))}" if f.section else ""
        pts = f" &middot; &minus;{_fmt(f.points)} pts" if f.points else ""
        items.append(
            f'<li id="{prefix}-f{i}" class="pm-sev-{esc(f.severity)}">'
            f'<span class="pm-sev pm-sev-{esc(f.severity)}">{esc(f.severity)}</span> '
            f"<code>{esc(f.rule)}</code> <code>{esc(f.name)}</code> "
            f'<a href="#{prefix}-m{i}" class="pm-loc">line {int(f.line)}:{int(f.col)}</a>'
            f'<span class="pm-muted">{section}{pts}</span>'
            f"<div>{esc(f.message)}</div>{quote}{why}{sugg}</li>")
    return '<ol class="pm-findings">' + "".join(items) + "</ol>"


_LEGEND = ('<p class="pm-legend pm-muted">Highlights: '
           '<mark class="pm-key pm-sev-error">error</mark> '
           '<mark class="pm-key pm-sev-warning">warning</mark> '
           '<mark class="pm-key pm-sev-info">info</mark> '
           '<mark class="pm-key pm-related">compared span</mark>; hover a highlight for the '
           'message and '
           "suggestion, or follow its number to the list below.</p>")

TOP_N = 5
"""How many of the costliest findings the page lists right under the score."""


def _top_findings(findings: Sequence[Finding], prefix: str) -> str:
    """The few findings that cost the most points, so the worst problems are seen first."""
    if not findings:
        return ""
    ranked = sorted(range(len(findings)),
                    key=lambda i: (-findings[i].points, _SEV_RANK.get(findings[i].severity, 9), i))
    items = []
    for i in ranked[:TOP_N]:
        f = findings[i]
        pts = f' <span class="pm-muted">&minus;{_fmt(f.points)} pts</span>' if f.points else ""
        items.append(f'<li><span class="pm-sev pm-sev-{esc(f.severity)}">{esc(f.severity)}</span>'
                     f' <a href="#{prefix}-f{i}">{esc(f.message)}</a>{pts}</li>')
    more = (f'<p class="pm-muted">&hellip; and {len(findings) - TOP_N} more below.</p>'
            if len(findings) > TOP_N else "")
    return ('<h2>Fix first</h2><ol class="pm-top">' + "".join(items) + "</ol>" + more)


def report_fragment(result: Result, prefix: str = "d", heading_id: str | None = None) -> str:
    """The ``<section>`` for one result: header, sections table, highlighted text, findings."""
    name = _display_name(result)
    hid = f' id="{heading_id}"' if heading_id else ""
    parts = [f'<section class="pm-report"{hid}>', f"<h1>{esc(name)}</h1>"]
    rep = result.report
    if rep is None:
        parts.append(f'<div class="pm-banner"><strong>Not graded</strong> '
                     f"({esc(result.error_code or 'error')}): "
                     f"{esc(result.error_message or '')}</div></section>")
        return "".join(parts)
    findings = tuple(sorted(rep.findings, key=lambda f: (f.start, f.end, f.rule)))
    c = _sev_counts(findings)
    lost = sum(f.points for f in findings)
    parts.append(
        '<div class="pm-head">'
        f'<div class="pm-score">{_fmt(float(rep.score))}<small> / 100</small></div>'
        f"<div>{_grade_badge(rep.grade)}</div>"
        '<div class="pm-counts">'
        + "".join(f'<span><span class="pm-sev pm-sev-{s}">{s}</span> {c[s]}</span>'
                  for s in SEVERITIES)
        + f'<span class="pm-muted">points lost: {_fmt(lost)}</span></div></div>')
    if not rep.is_postmortem:
        reason = rep.not_postmortem_reason or "not recognised as a postmortem"
        parts.append(f'<div class="pm-banner"><strong>Not a postmortem:</strong> '
                     f"{esc(reason)}</div>")
    parts.append(_top_findings(findings, prefix))
    parts.append("<h2>Sections</h2>")
    parts.append(_section_table(rep))
    text = _document_text(result)
    parts.append("<h2>Document</h2>")
    parts.append(_LEGEND)
    if text is None:
        parts.append('<p class="pm-muted">The document text is not available.</p>')
    else:
        parts.append(f'<pre class="pm-doc">{highlight(text, findings, prefix)}</pre>')
    parts.append(f"<h2>Findings ({len(findings)})</h2>")
    parts.append(_findings_list(findings, prefix, text))
    parts.append("</section>")
    return "".join(parts)


def page(title: str, body: str, with_script: bool = False) -> str:
    """A complete, self-contained HTML page (CSP first in ``<head>``, styles inline)."""
    script = f"<script>{_INDEX_JS}</script>" if with_script else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp(with_script))}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}{script}</body></html>\n")


@dataclass(frozen=True)
class IndexEntry:
    """What the index shows for one input (kept instead of the whole report)."""

    position: int
    name: str
    href: str  # generated by us: a file name or a fragment, never input text
    score: float | None
    grade: int | None
    counts: dict[str, int]
    error: str | None = None


def index_table(entries: Sequence[IndexEntry]) -> str:
    """The batch index: worst score first (errors on top), CSS filter by grade, sortable."""
    ordered = sorted(entries, key=lambda e: (e.score is not None,
                                             e.score if e.score is not None else 0.0,
                                             e.position))
    grades = sorted({e.grade for e in entries if e.grade is not None})
    radios = ['<input type="radio" name="pmf" id="pmf-all" checked>'
              '<label for="pmf-all">All</label>']
    for g in grades:
        n = sum(1 for e in entries if e.grade == g)
        radios.append(f'<input type="radio" name="pmf" id="pmf-g{g}">'
                      f'<label for="pmf-g{g}">Grade {g} ({n})</label>')
    n_err = sum(1 for e in entries if e.error is not None)
    if n_err:
        radios.append('<input type="radio" name="pmf" id="pmf-err">'
                      f'<label for="pmf-err">Errors ({n_err})</label>')
    rows = []
    for e in ordered:
        cls = "pm-row " + (f"pm-g{e.grade}" if e.grade is not None else "pm-err")
        score = _fmt(e.score) if e.score is not None else "&mdash;"
        status = (f'<span class="pm-missing">{esc(e.error)}</span>' if e.error is not None
                  else " ".join(f'<span class="pm-sev pm-sev-{s}" title="{s}">{e.counts[s]}</span>'
                                for s in SEVERITIES if e.counts.get(s)) or "no findings")
        rows.append(
            f'<tr class="{cls}" data-pos="{e.position}" data-name="{esc(e.name)}"'
            f' data-score="{"" if e.score is None else f"{e.score:.3f}"}"'
            f' data-grade="{"" if e.grade is None else e.grade}">'
            f'<td class="pm-num">{e.position}</td>'
            f'<td><a href="{esc(e.href)}">{esc(e.name)}</a></td>'
            f'<td class="pm-num">{score}</td><td>{_grade_badge(e.grade)}</td>'
            f"<td>{status}</td></tr>")
    graded = [e.score for e in entries if e.score is not None]
    mean = f" &middot; mean score {_fmt(sum(graded) / len(graded))}" if graded else ""
    return (
        f'<section class="pm-index"><h1>pmscore report: {len(entries)} document'
        f'{"s" if len(entries) != 1 else ""}</h1><p class="pm-muted">Sorted by score, lowest '
        f"first{mean}.<span id=\"pm-sort-hint\" hidden> Click a column heading to re-sort."
        "</span></p>"
        '<div class="pm-filter">' + "".join(radios) +
        ' <input type="search" id="pm-q" hidden placeholder="Filter by name" '
        'aria-label="Filter by name">'
        '<table class="pm-index-table"><thead><tr><th class="pm-num" data-sort="pos">#</th>'
        '<th data-sort="name">Document</th><th class="pm-num" data-sort="score">Score</th>'
        '<th data-sort="grade">Grade</th><th>Findings / error</th></tr></thead><tbody>'
        + "".join(rows) + "</tbody></table></div></section>")


def _entry(result: Result, position: int, href: str) -> IndexEntry:
    rep = result.report
    if rep is None:
        return IndexEntry(position, _display_name(result), href, None, None, {},
                          error=f"{result.error_code or 'error'}: {result.error_message or ''}")
    return IndexEntry(position, _display_name(result), href, float(rep.score), int(rep.grade),
                      _sev_counts(rep.findings))


_UNSAFE_FILE = re.compile(r"[^A-Za-z0-9_-]+")


def page_filename(position: int, name: str) -> str:
    """A safe file name for one document's page: ``0001-<sanitised stem>.html``."""
    stem = _UNSAFE_FILE.sub("-", Path(name).stem).strip("-")[:60] or "document"
    return f"{position:04d}-{stem}.html"


class HtmlRenderer(Renderer):
    """Renders results as HTML: one page, one combined page with index, or a directory."""

    name: ClassVar[str] = "html"
    streaming: ClassVar[bool] = False

    def __init__(self, out: TextIO, **options: object) -> None:
        super().__init__(out, **options)
        od = options.get("output_dir")
        self.output_dir: Path | None = Path(str(od)) if od else None
        self._entries: list[IndexEntry] = []
        self._fragments: list[str] = []

    def start(self) -> None:
        if self.output_dir is not None:
            self.output_dir.mkdir(parents=True, exist_ok=True)

    def row(self, result: Result) -> None:
        pos = len(self._entries) + 1
        if self.output_dir is not None:
            fname = page_filename(pos, _display_name(result))
            back = ('<p class="pm-back"><a href="index.html">&larr; all documents</a></p>')
            body = back + report_fragment(result, prefix="d")
            (self.output_dir / fname).write_text(
                page(f"pmscore: {_display_name(result)}", body), encoding="utf-8")
            self._entries.append(_entry(result, pos, fname))
            return
        anchor = f"doc-{pos}"
        self._entries.append(_entry(result, pos, f"#{anchor}"))
        self._fragments.append(report_fragment(result, prefix=f"d{pos}", heading_id=anchor))

    def finish(self) -> None:
        if self.output_dir is not None:
            index = self.output_dir / "index.html"
            index.write_text(page("pmscore report", index_table(self._entries), True),
                             encoding="utf-8")
            self.out.write(f"{index}\n")
            return
        if len(self._entries) == 1:
            self.out.write(page(f"pmscore: {self._entries[0].name}", self._fragments[0]))
        else:
            body = index_table(self._entries) + "".join(self._fragments)
            self.out.write(page("pmscore report", body, with_script=bool(self._entries)))


def render_html(results: Sequence[Result], output_dir: str | Path | None = None) -> str:
    """Convenience: render results to a string (or to ``output_dir``, returning the index path)."""
    import io

    buf = io.StringIO()
    r = HtmlRenderer(buf, output_dir=output_dir)
    r.start()
    for res in results:
        r.row(res)
    r.finish()
    return buf.getvalue()
