"""The Markdown review comment: structure, and no Markdown/HTML from the document taking effect.

The output is rendered with markdown-it-py (CommonMark with raw HTML *enabled* and GFM tables),
as a pull-request page would, and the resulting HTML is checked for anything the input added.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pmscore.render import get_renderer
from pmscore.render.markdown import MarkdownRenderer, md_escape, render_markdown
from pmscore.types import Analysis, Document, Finding, Report, Result, RootCause, Section

HOSTILE = (
    "# Summary\n"
    "<script>alert(1)</script> happened at 10:00 UTC.\n"
    "<img src=x onerror=alert(1)> **bold** _em_ `code` ~~strike~~ $x^2$ @oncall-team\n"
    "[click](javascript:alert(1)) ![i](http://x/y.png) <https://evil.example> | a | b |\n"
    "# Root cause\n"
    "1. \"><svg onload=alert(1)> - the junior engineer's careless mistake\n"
)


def md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def make_result(text: str, spans: list[tuple[str, str, str]], path: str = "doc.md",
                score: float = 48.0, grade: int = 2,
                sections: tuple[Section, ...] = ()) -> Result:
    doc = Document(text=text, clean=text, blocks=(), path=path)
    findings = []
    for rule, sev, sub in spans:
        start = text.index(sub)
        line, col = doc.line_col(start)
        findings.append(Finding(rule=rule, name=f"rule-{rule.lower()}", severity=sev,  # type: ignore[arg-type]
                                message=f"Problem with “{sub}”", start=start, end=start + len(sub),
                                line=line, col=col, text=sub, section="root_cause",
                                suggestion=f"Instead of {sub}, name the system.",
                                why="A reviewer cannot check it.", points=3.0))
    analysis = Analysis(document=doc, sections=sections, block_labels=(), entities=(),
                        root_cause=RootCause(text="", start=0, end=0, specificity="missing"),
                        action_items=())
    rep = Report(path=path, is_postmortem=True, score=score, grade=grade,
                 section_scores={"summary": 50.0, "root_cause": 25.0},
                 findings=tuple(findings), labels={}, analysis=analysis)
    return Result(path=path, report=rep, text=text)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def rendered(markdown_text: str) -> tuple[list, Tags]:
    tokens = md().parse(markdown_text)
    tree = Tags()
    tree.feed(md().render(markdown_text))
    return tokens, tree


def all_tokens(tokens: list) -> list:
    out = []
    for t in tokens:
        out.append(t)
        out.extend(all_tokens(t.children or []))
    return out


def test_hostile_document_produces_no_markup_html_links_or_mentions() -> None:
    res = make_result(HOSTILE, [
        ("PM601", "error", "the junior engineer's careless mistake"),
        ("PM701", "warning", "<img src=x onerror=alert(1)> **bold** _em_ `code`"),
        ("PM702", "warning", "[click](javascript:alert(1)) ![i](http://x/y.png)"),
        ("PM703", "info", "1. \"><svg onload=alert(1)>"),
    ], path="<script>x</script>|.md",
        sections=(Section(label="summary", start=0, end=10, block_indices=(0,),
                          heading="<b>Summary</b> | [x](javascript:1)"),))
    out = render_markdown([res])
    tokens, tree = rendered(out)
    kinds = {t.type for t in all_tokens(tokens)}
    assert not kinds & {"html_inline", "html_block", "link_open", "image", "code_inline",
                        "s_open", "code_block", "fence"}, kinds
    # Emphasis only where the renderer itself puts it, around its own labels.
    flat = all_tokens(tokens)
    for i, t in enumerate(flat):
        if t.type == "em_open":
            assert flat[i + 1].content in {"Why:", "Suggestion:"}, flat[i + 1].content
        if t.type == "strong_open":
            assert re.fullmatch(r"PM\d+|line \d+:\d+|missing|Not graded|Score .*",
                                flat[i + 1].content), flat[i + 1].content
    tags = {t for t, _ in tree.tags}
    assert not tags & {"script", "img", "svg", "a", "code", "s", "b"}, tags
    for _, attrs in tree.tags:
        assert not any(k.startswith("on") for k in attrs)
    text = "".join(tree.text)
    # The hostile content is shown verbatim as text (modulo folded whitespace).
    for needle in ("<img src=x onerror=alert(1)> **bold** _em_ `code`",
                   "[click](javascript:alert(1)) ![i](http://x/y.png)",
                   "1. \"><svg onload=alert(1)>", "<script>x</script>|.md",
                   "<b>Summary</b> | [x](javascript:1)"):
        assert needle in text, needle
    assert "@oncall" not in out  # no mention pings


def test_comment_structure_groups_by_severity_with_locations() -> None:
    text = "Summary\nService down.\nRoot cause: human error.\nActions: be careful\n"
    res = make_result(text, [("PM301", "warning", "human error"),
                             ("PM601", "error", "human error."),
                             ("PM401", "info", "be careful")], score=61.5, grade=3,
                      sections=(Section(label="summary", start=0, end=22, block_indices=(0,),
                                        heading="Summary"),))
    out = render_markdown([res])
    lines = out.splitlines()
    assert lines[0] == "### pmscore review: doc.md"
    assert "**Score 61.5/100 · grade 3/5 (adequate)**" in out
    assert "1 error, 1 warning, 1 info" in out
    heads = [l for l in lines if l.startswith("####")]
    assert heads == ["#### Errors (1)", "#### Warnings (1)", "#### Info (1)"]
    err = out[out.index("#### Errors"):out.index("#### Warnings")]
    assert "**PM601**" in err and "line 3:13" in err and "> human error." in err
    assert "*Why:* A reviewer cannot check it." in err
    assert "*Suggestion:* Instead of human error., name the system." in err
    # Section table: a real GFM table with a row per guide section.
    tokens = md().parse(out)
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 1 + 7
    assert "| Timeline | **missing** |" in out and "| Summary | line 1 “Summary” | 50 |" in out


def test_batch_overview_first_errors_listed_and_separated() -> None:
    a = make_result("alpha text", [], path="a.md", score=90, grade=5)
    b = make_result("beta text", [], path="b.md", score=20, grade=1)
    e = Result(path="c.md", error_code="input-error", error_message="binary <file>")
    out = render_markdown([a, b, e])
    head, *docs = out.split("\n---\n\n")
    assert len(docs) == 3
    order = re.findall(r"^\| (\d) \|", head, flags=re.M)
    assert order == ["3", "2", "1"]
    assert "binary &lt;file&gt;" in head
    assert docs[2].startswith("### pmscore review: c\\.md") or "c.md" in docs[2]
    assert "**Not graded** (input-error): binary &lt;file&gt;" in docs[2]
    assert get_renderer("markdown") is MarkdownRenderer


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 .#*_`[]()<>&!|~-+=>\\\"'$@:\n")), max_size=30))
def test_escaped_text_renders_back_to_itself(s: str) -> None:
    """Whatever the text, md_escape's output renders to exactly that text, as plain text."""
    escaped = md_escape(s, line_start=True)
    tokens = md().parse(f"> {escaped}")
    inline = [t for t in all_tokens(tokens) if t.type not in
              ("blockquote_open", "blockquote_close", "paragraph_open", "paragraph_close",
               "inline", "text")]
    assert not inline, [t.type for t in inline]
    html_out = md().render(f"> {escaped}")
    tree = Tags()
    tree.feed(html_out)
    expected = re.sub(r"\s+", " ", s).strip().replace("@", "@\u200b")
    assert "".join(tree.text).strip() == expected


def test_grade_command_markdown_on_hostile_file_is_inert(tmp_path) -> None:
    """End to end through ``pmscore grade -f markdown`` with the real pipeline."""
    from typer.testing import CliRunner

    from pmscore.cli import _load_commands, app

    _load_commands()
    src = tmp_path / "hostile.md"
    src.write_text(HOSTILE, encoding="utf-8")
    res = CliRunner().invoke(app, ["grade", "-f", "markdown", str(src)])
    assert res.exit_code in (0, 1), res.output
    tokens, tree = rendered(res.stdout)
    kinds = {t.type for t in all_tokens(tokens)}
    assert not kinds & {"html_inline", "html_block", "link_open", "image"}, kinds
    assert not {t for t, _ in tree.tags} & {"script", "img", "svg", "a"}
    assert res.stdout.startswith("### pmscore review: ")
    assert "**Score " in res.stdout and "| Section | Found |" in res.stdout


def test_related_spans_are_quoted() -> None:
    import dataclasses

    text = "Summary: started 8:00 PM.\nTimeline:\n- 8:00 AM *alert* fired\n"
    res = make_result(text, [("PM504", "warning", "8:00 PM")])
    rep = res.report
    other = text.index("8:00 AM")
    f = dataclasses.replace(rep.findings[0], related=((other, other + 15),))
    res = dataclasses.replace(res, report=dataclasses.replace(rep, findings=(f,)))
    out = render_markdown([res])
    assert "   Compared with line 3:3:\n   > 8:00 AM \\*alert\\*\n" in out


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1 .#*_`[]()<>&!|~-+=\\$@:\n")), max_size=30))
def test_escaped_text_mid_line_renders_back_to_itself(s: str) -> None:
    """Mid-line (after a label, in a list item or a table cell) the text stays plain too."""
    escaped = md_escape(s)
    expected = re.sub(r"\s+", " ", s).strip().replace("@", "@\u200b")
    for wrapper, prefix in ((f"1. **PM1** at: {escaped}", "PM1 at: "),
                            (f"| a |\n|---|\n| x {escaped} |", "a x ")):
        tokens = md().parse(wrapper)
        bad = {t.type for t in all_tokens(tokens)} & {"em_open", "code_inline", "link_open",
                                                       "image", "html_inline", "s_open"}
        assert not bad, (wrapper, bad)
        tree = Tags()
        tree.feed(md().render(wrapper))
        got = re.sub(r"\s+", " ", "".join(tree.text)).strip()
        assert got == re.sub(r"\s+", " ", prefix + expected).strip(), wrapper


def test_long_spans_are_cut_and_not_a_postmortem_is_said() -> None:
    import dataclasses

    from pmscore.render.markdown import MAX_QUOTE

    text = "x" * 1000
    res = make_result(text, [("PM801", "error", text)])
    rep = dataclasses.replace(res.report, is_postmortem=False, not_postmortem_reason="filler")
    out = render_markdown([dataclasses.replace(res, report=rep)])
    quote = next(l for l in out.splitlines() if l.startswith("   > "))
    assert len(quote) == len("   > ") + MAX_QUOTE and quote.endswith("\u2026")
    assert "> **Not a postmortem:** filler" in out
