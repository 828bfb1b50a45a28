"""The HTML report: structure, in-place highlighting, batch index, and inertness on hostile input.

Reports are built by hand here (the renderer must not depend on the analysis stages); one test
also runs the real pipeline when it is importable.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmscore.render import get_renderer
from pmscore.render.html import HtmlRenderer, highlight, page_filename, render_html
from pmscore.types import Analysis, Document, Finding, Report, Result, RootCause, Section

HOSTILE = (
    "# Incident <script>alert(1)</script> summary\n"
    "On 2024-03-16 at 10:00 UTC the API was down. <img src=x onerror=alert(1)>\n"
    "See [x](javascript:alert(1)) and <a href=\"javascript:alert(2)\">here</a>.\n"
    "\"><svg onload=alert(1)> ' onmouseover='alert(1)' x=\"\n"
    "</pre></mark><script>document.title='pwned'</script>\n"
    "<style>body{display:none}</style><iframe src=\"https://evil.example\"></iframe>\n"
    "## Root cause\nSomething <b onclick=alert(1)>went wrong</b> &amp; &lt;escaped&gt;.\n"
)


def make_result(text: str, spans: list[tuple[str, str, str, str]], path: str = "doc.md",
                score: float = 55.0, grade: int = 3, sections: tuple[Section, ...] = (),
                section_scores: dict[str, float] | None = None,
                empty_at: int | None = None) -> Result:
    """A Result whose findings cover the first occurrence of each given substring.

    ``spans`` holds (rule, severity, substring, message) tuples; messages and suggestions may
    quote the document like real rules do.
    """
    doc = Document(text=text, clean=text, blocks=(), path=path)
    findings = []
    for rule, sev, sub, msg in spans:
        start = text.index(sub)
        end = start + len(sub)
        line, col = doc.line_col(start)
        findings.append(Finding(rule=rule, name=f"name-{rule.lower()}", severity=sev,  # type: ignore[arg-type]
                                message=msg, start=start, end=end, line=line, col=col,
                                text=text[start:end], section="summary",
                                suggestion=f"Rewrite {sub!r} as a system fact.",
                                why="Reviewers need it.", points=2.5))
    if empty_at is not None:
        line, col = doc.line_col(empty_at)
        findings.append(Finding(rule="PM801", name="timeline-missing", severity="error",
                                message="No timeline section.", start=empty_at, end=empty_at,
                                line=line, col=col, text="", section="timeline", points=10))
    analysis = Analysis(document=doc, sections=sections, block_labels=(), entities=(),
                        root_cause=RootCause(text="", start=0, end=0, specificity="missing"),
                        action_items=())
    rep = Report(path=path, is_postmortem=True, score=score, grade=grade,
                 section_scores=section_scores or {"summary": 40.0, "timeline": 0.0},
                 findings=tuple(findings), labels={}, analysis=analysis)
    return Result(path=path, report=rep, text=text)


class Tree(HTMLParser):
    """Collects every start tag with its attributes, script bodies and visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "input"):
            self._in.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "script":
            self.scripts.append(data)
        else:
            self.text.append(data)


def parse(html_text: str) -> Tree:
    t = Tree()
    t.feed(html_text)
    t.close()
    return t


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "section", "h1", "h2", "div",
                "span", "table", "thead", "tbody", "tr", "th", "td", "pre", "mark", "sup", "a",
                "ol", "li", "q", "code", "p", "small", "br", "input", "label", "script", "strong"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "cite",
             "srcset", "ping", "background"}
SAFE_HREF = re.compile(r"^(#[A-Za-z0-9_-]+|index\.html|\d{4}-[A-Za-z0-9_-]+\.html)$")


def assert_inert(html_text: str) -> Tree:
    """No tag, attribute, URL or script in the output can come from the input."""
    tree = parse(html_text)
    names = {t for t, _ in tree.tags}
    assert names <= ALLOWED_TAGS, names - ALLOWED_TAGS
    assert sum(1 for t, _ in tree.tags if t == "style") == 1
    for tag, attrs in tree.tags:
        for k, v in attrs.items():
            assert not k.lower().startswith("on"), (tag, k)
            assert k.lower() not in {"src", "srcdoc", "formaction", "action", "background"}
            if k.lower() in URL_ATTRS:
                assert "javascript:" not in re.sub(r"\s", "", (v or "")).lower(), (tag, k, v)
        if tag == "a":
            assert SAFE_HREF.match(attrs.get("href") or ""), attrs
    # Only our own script, allowed by exactly its hash.
    metas = [a for t, a in tree.tags if t == "meta" and a.get("http-equiv")]
    assert len(metas) == 1
    policy = metas[0]["content"] or ""
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert "unsafe-eval" not in policy and "script-src 'unsafe-inline'" not in policy
    assert len(tree.scripts) <= 1
    for body in tree.scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
        assert "alert" not in body and "pwned" not in body
    if not tree.scripts:
        assert "script-src 'none'" in policy
    return tree


def test_hostile_document_stays_inert_and_is_shown_as_text() -> None:
    res = make_result(
        HOSTILE,
        [("PM601", "error", "<img src=x onerror=alert(1)>", 'Blame in "<img src=x onerror=alert(1)>"'),
         ("PM701", "warning", "[x](javascript:alert(1))", "Link [x](javascript:alert(1))"),
         ("PM702", "info", "\"><svg onload=alert(1)>", "Quote \"><svg onload=alert(1)>")],
        path='evil"><script>alert(1)</script>.md',
        sections=(Section(label="summary", start=0, end=40,
                          block_indices=(0,), heading="<script>alert(3)</script>"),))
    out = render_html([res])
    tree = assert_inert(out)
    visible = "".join(tree.text)
    # The hostile markup is visible as text, not dropped and not interpreted.
    for needle in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                   "[x](javascript:alert(1))", "\"><svg onload=alert(1)>",
                   "<script>alert(3)</script>", "&amp; &lt;escaped&gt;"):
        assert needle in visible, needle
    marks = [a for t, a in tree.tags if t == "mark" and "data-rule" in a]
    assert len(marks) == 3
    # Tooltips carry message and suggestion, escaped as attribute values.
    assert any("onerror=alert(1)" in (a.get("title") or "") and "Suggestion:" in (a.get("title") or "")
               for a in marks)


def test_hostile_batch_with_index_and_error_rows_stays_inert(tmp_path: Path) -> None:
    good = make_result(HOSTILE, [("PM601", "error", "<script>", "bad")],
                       path="<svg onload=alert(1)>.md")
    err = Result(path="javascript:alert(1)", error_code="input-error",
                 error_message="<img src=x onerror=alert(1)> is binary")
    out = render_html([good, err])
    tree = assert_inert(out)
    assert len(tree.scripts) == 1  # the index filter script only
    assert "<img src=x onerror=alert(1)> is binary" in "".join(tree.text)
    index_path = render_html([good, err], output_dir=tmp_path)
    for f in tmp_path.iterdir():
        assert_inert(f.read_text(encoding="utf-8"))
    assert index_path.strip() == str(tmp_path / "index.html")


def test_real_pipeline_on_hostile_text_is_inert() -> None:
    try:
        from pmscore.pipeline import grade
    except ImportError as exc:  # the pipeline is another stage's work; test it once it lands
        pytest.skip(f"pmscore.pipeline not importable yet: {exc}")
    rep = grade(HOSTILE, path="hostile.md")
    out = render_html([Result(path="hostile.md", report=rep, text=HOSTILE)])
    tree = assert_inert(out)
    # shown as text; a finding's highlight may end inside it and add its footnote number there
    shown = "".join(tree.text)
    assert "<script>document.title='pwned'" in shown and "</script>" in shown
    assert rep.is_postmortem  # "the API was down" at 10:00 UTC: an incident, so findings mark it


def test_overlapping_findings_split_and_take_the_worst_severity() -> None:
    text = "0123456789"
    doc_findings = [("PM101", "warning", "2345", "w"), ("PM102", "error", "4567", "e")]
    res = make_result(text, doc_findings)
    frag = highlight(text, res.report.findings, prefix="t")  # type: ignore[union-attr]
    tree = parse(f"<pre>{frag}</pre>")
    marks = [(a.get("class"), a.get("data-rule")) for t, a in tree.tags if t == "mark"]
    assert marks == [("pm-finding pm-sev-warning", "PM101"),
                     ("pm-finding pm-sev-error", "PM101 PM102"),
                     ("pm-finding pm-sev-error", "PM102")]
    # Marks hold "23", "45", "67"; footnote numbers follow each span's end.
    assert re.sub(r"<sup.*?</sup>", "", frag).count("<mark") == 3
    assert re.findall(r"<mark[^>]*>([^<]*)</mark>", frag) == ["23", "45", "67"]
    assert re.findall(r'<a href="#t-f(\d)">(\d)</a>', frag) == [("0", "1"), ("1", "2")]
    assert 'id="t-m0"' in frag and 'id="t-m1"' in frag


def test_empty_span_finding_is_a_flag_with_a_footnote() -> None:
    text = "Summary\nNo timeline here.\n"
    res = make_result(text, [], empty_at=8)
    out = render_html([res])
    tree = parse(out)
    flags = [a for t, a in tree.tags if t == "mark" and "pm-point" in (a.get("class") or "")]
    assert len(flags) == 1 and flags[0]["id"] == "d1-m0"
    assert "No timeline section." in (flags[0].get("title") or "")
    assert 'id="d1-f0"' in out and "line 2:1" in out


_TEXT = st.text(alphabet=st.sampled_from(list("ab <>&\"'\n\x00é")), max_size=40)


@settings(max_examples=150, deadline=None)
@given(_TEXT, st.lists(st.tuples(st.integers(0, 45), st.integers(0, 45)), max_size=6))
def test_highlight_keeps_every_character_in_order(text: str,
                                                  spans: list[tuple[int, int]]) -> None:
    doc = Document(text=text, clean=text, blocks=())
    findings = [Finding(rule=f"PM{100 + i}", name="x", severity="warning", message="m",
                        start=min(a, b), end=max(a, b), line=1, col=1, text="")
                for i, (a, b) in enumerate(spans)]
    frag = highlight(text, findings, prefix="p")
    tree = parse(f"<pre>{frag}</pre>")
    shown = "".join(tree.text)
    # Drop footnote numbers and point flags, keep the document's own characters.
    stripped = re.sub(r"<sup.*?</sup>", "", frag)
    stripped = re.sub(r'<mark class="pm-finding pm-point[^>]*>&#9873;</mark>', "", stripped)
    tree2 = parse(f"<pre>{stripped}</pre>")
    assert "".join(tree2.text) == text.replace("\x00", "\ufffd")
    assert len(re.findall(r'<sup class="pm-ref">', frag)) == len(spans)
    n = len(text)
    empty = sum(1 for a, b in spans if min(max(a, b), n) == min(min(a, b), n))
    assert shown.count("\u2691") == empty


def test_single_report_page_has_score_grade_sections_and_findings() -> None:
    text = "# Summary\nThe API was down.\n# Root cause\nHuman error.\n"
    rc = text.index("# Root")
    secs = (Section(label="summary", start=0, end=rc, block_indices=(0, 1), heading="Summary"),
            Section(label="root_cause", start=rc, end=len(text), block_indices=(2, 3),
                    heading="Root cause"))
    res = make_result(text, [("PM601", "error", "Human error", "Blames people")], score=42.5,
                      grade=2, sections=secs, section_scores={"summary": 60.0, "root_cause": 20.0})
    out = render_html([res])
    tree = parse(out)
    visible = " ".join(tree.text)
    assert "42.5" in visible and "2/5 poor" in visible
    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th><td>(.*?)</td>", out)
    found = dict(rows)
    assert set(found) >= {"Summary", "Impact", "Timeline", "Root cause", "Corrective actions"}
    assert "missing" in found["Timeline"] and "line 3" in found["Root cause"]
    assert "@media print" in out
    li = re.search(r'<li id="d1-f0".*?</li>', out)
    assert li and "PM601" in li.group(0) and "line 4:1" in li.group(0)
    assert "Reviewers need it." in li.group(0) and "Rewrite" in li.group(0)
    assert "<script" not in out  # a single page needs no script at all
    assert get_renderer("html") is HtmlRenderer


def test_batch_index_is_sorted_worst_first_and_links_resolve(tmp_path: Path) -> None:
    a = make_result("aaa", [], path="a.md", score=80, grade=4)
    b = make_result("bbb", [], path="b.md", score=30, grade=2)
    err = Result(path="c.md", error_code="input-error", error_message="empty file")
    out = render_html([a, b, err])
    rows = re.findall(r'<tr class="pm-row ([^"]+)" data-pos="(\d)"', out)
    assert rows == [("pm-err", "3"), ("pm-g2", "2"), ("pm-g4", "1")]
    for href in re.findall(r'<a href="#(doc-\d)">', out):
        assert f'id="{href}"' in out
    assert out.count('<section class="pm-report"') == 3
    assert "empty file" in out
    # Directory mode: one page per input plus the index, all links resolving to files.
    render_html([a, b, err], output_dir=tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<td><a href="([^"]+)">', index)
    assert sorted(links) == ["0001-a.html", "0002-b.html", "0003-c.html"]
    for link in links:
        pagetext = (tmp_path / link).read_text(encoding="utf-8")
        assert 'href="index.html"' in pagetext
    assert "empty file" in index and "empty file" in (tmp_path / "0003-c.html").read_text()


def test_page_filenames_are_sanitised() -> None:
    assert page_filename(7, "../../etc/pa ss<wd>.md") == "0007-pa-ss-wd.html"
    assert page_filename(1, "<>") == "0001-document.html"


def test_grade_command_writes_an_inert_html_batch(tmp_path: Path) -> None:
    """End to end through ``pmscore grade -f html``: the real pipeline, one page, every input."""
    from typer.testing import CliRunner

    from pmscore.cli import _load_commands, app

    _load_commands()
    hostile = tmp_path / "hostile.md"
    hostile.write_text(HOSTILE, encoding="utf-8")
    examples = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*"))
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["grade", "-f", "html", "-o", str(out), str(hostile),
                                   *map(str, examples[:1]), str(tmp_path / "missing.md")])
    assert res.exit_code == 2, res.output  # the missing input is an error row
    page_text = out.read_text(encoding="utf-8")
    tree = assert_inert(page_text)
    n = 2 + len(examples[:1])
    assert len(re.findall(r'<tr class="pm-row ', page_text)) == n
    assert page_text.count('<section class="pm-report"') == n
    shown = "".join(tree.text)  # a highlight's footnote number may sit inside the script text
    assert "<script>document.title='pwned'" in shown and "</script>" in shown


def test_related_spans_are_marked_and_listed() -> None:
    import dataclasses

    text = "Summary: started 8:00 PM.\nTimeline:\n- 8:00 AM alert fired\n"
    res = make_result(text, [("PM504", "warning", "8:00 PM", "Summary and timeline disagree")])
    rep = res.report
    assert rep is not None
    other = text.index("8:00 AM")
    f = dataclasses.replace(rep.findings[0], related=((other, other + 7),))
    res = dataclasses.replace(res, report=dataclasses.replace(rep, findings=(f,)))
    out = render_html([res])
    rel = re.findall(r'<mark class="pm-related" title="([^"]*)">([^<]*)</mark>', out)
    assert rel == [("Compared by finding [1]", "8:00 AM")]
    m = re.search(r'Compared with</span> <a href="#(d1-L3)">line 3:3</a><q>8:00 AM</q>', out)
    assert m and f'id="{m.group(1)}"' in out


class CharSeverity(HTMLParser):
    """For each document character, the class of the highlight it is shown in (or None)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[tuple[str, str | None, str | None]] = []
        self._mark: list[tuple[str | None, str | None]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "sup" or (tag == "mark" and "pm-point" in (a.get("class") or "")):
            self._skip += 1
        elif tag == "mark":
            self._mark.append((a.get("class"), a.get("data-rule")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "sup" or (tag == "mark" and self._skip):
            self._skip -= 1
        elif tag == "mark" and self._mark:
            self._mark.pop()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        cls, rules = self._mark[-1] if self._mark else (None, None)
        self.out.extend((ch, cls, rules) for ch in data)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n<")), min_size=1, max_size=30),
       st.lists(st.tuples(st.integers(0, 32), st.integers(0, 32),
                          st.sampled_from(["error", "warning", "info"])), max_size=6))
def test_every_character_shows_its_most_severe_covering_finding(
        text: str, spans: list[tuple[int, int, str]]) -> None:
    findings = [Finding(rule=f"PM{100 + i}", name="x", severity=sev, message="m",  # type: ignore[arg-type]
                        start=min(a, b), end=max(a, b), line=1, col=1, text="")
                for i, (a, b, sev) in enumerate(spans)]
    p = CharSeverity()
    p.feed(highlight(text, findings))
    assert "".join(ch for ch, _, _ in p.out) == text
    rank = {"error": 0, "warning": 1, "info": 2}
    for pos, (_, cls, rules) in enumerate(p.out):
        cover = [f for f in findings if f.start <= pos < min(f.end, len(text))]
        if not cover:
            assert cls is None, (pos, cls)
            continue
        worst = min(cover, key=lambda f: rank[f.severity]).severity
        assert cls == f"pm-finding pm-sev-{worst}", (pos, cls)
        assert rules == " ".join(sorted({f.rule for f in cover}))


def test_not_a_postmortem_banner_and_missing_text() -> None:
    import dataclasses

    res = make_result("http://example.com/doc", [], score=0, grade=1)
    rep = dataclasses.replace(res.report, is_postmortem=False,  # type: ignore[arg-type]
                              not_postmortem_reason="link-only <b>x</b>", analysis=None)
    out = render_html([Result(path="link.txt", report=rep)])
    assert "<strong>Not a postmortem:</strong> link-only &lt;b&gt;x&lt;/b&gt;" in out
    assert "The document text is not available." in out
    assert "1/5 unusable" in out
