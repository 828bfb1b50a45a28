"""The HTML report in a real browser: highlights are in the DOM and nothing from the input ran.

Uses Debian's ``chromium`` in headless mode (``--dump-dom`` prints the DOM after scripts ran).
Where it is missing, the test installs it with apt-get when it runs as root under CI (or with
``PMSCORE_INSTALL_BROWSER=1``); otherwise it is skipped with the reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pmscore.render.html import render_html
from pmscore.types import Analysis, Document, Finding, Report, Result, RootCause

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-extensions", "--mute-audio"]

# Each payload would change the page title (or add an element) if it were ever executed.
PAYLOADS = (
    "Summary: the API failed at 10:00 UTC.\n"
    "<script>document.title='pwned-script'</script>\n"
    "<img src=x onerror=\"document.title='pwned-img'\">\n"
    "</pre></mark><svg onload=\"document.title='pwned-svg'\"></svg>\n"
    "\"><body onload=\"document.title='pwned-body'\">\n"
    "[click](javascript:document.title='pwned-link')\n"
    "<iframe srcdoc=\"<script>parent.document.title='pwned-frame'</script>\"></iframe>\n"
    "Root cause: the junior engineer made a careless mistake.\n"
)


def _find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    wants_install = (os.environ.get("CI", "").lower() in ("1", "true", "yes")
                     or os.environ.get("PMSCORE_INSTALL_BROWSER") == "1")
    if not wants_install:
        pytest.skip("chromium is not installed (set PMSCORE_INSTALL_BROWSER=1 or CI to let "
                    "the test apt-get install it)")
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and cannot be installed here "
                    "(needs root and apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "chromium"]
    if subprocess.run(cmd, env=env, capture_output=True, timeout=900).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
        done = subprocess.run(cmd, env=env, capture_output=True, timeout=900)
        if done.returncode != 0:
            pytest.skip("apt-get install chromium failed: "
                        + done.stderr.decode(errors="replace")[-300:])
    path = shutil.which("chromium")
    if not path:
        pytest.skip("chromium still not found after apt-get install")
    return path


@pytest.fixture(scope="module")
def chromium() -> str:
    return _find_chromium()


def dump_dom(chromium: str, page: Path, tmp: Path) -> str:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout.decode("utf-8")


def hostile_result(path: str = "payloads.md") -> Result:
    text = PAYLOADS
    doc = Document(text=text, clean=text, blocks=(), path=path)
    findings = []
    for rule, sev, sub in (("PM601", "error", "careless mistake"),
                           ("PM702", "warning", "<img src=x onerror=\"document.title='pwned-img'\">"),
                           ("PM210", "info", "10:00 UTC")):
        start = text.index(sub)
        line, col = doc.line_col(start)
        findings.append(Finding(rule=rule, name="x", severity=sev, message=f"About {sub}",  # type: ignore[arg-type]
                                start=start, end=start + len(sub), line=line, col=col, text=sub,
                                suggestion=f"Replace {sub}"))
    analysis = Analysis(document=doc, sections=(), block_labels=(), entities=(),
                        root_cause=RootCause(text="", start=0, end=0, specificity="missing"),
                        action_items=())
    rep = Report(path=path, is_postmortem=True, score=31.0, grade=2, section_scores={},
                 findings=tuple(findings), labels={}, analysis=analysis)
    return Result(path=path, report=rep, text=text)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def test_report_highlights_render_and_input_never_runs(chromium: str, tmp_path: Path) -> None:
    single = tmp_path / "single.html"
    single.write_text(render_html([hostile_result()]), encoding="utf-8")
    batch = tmp_path / "batch.html"
    batch.write_text(render_html([hostile_result("a.md"), hostile_result("b.md"),
                                  Result(path="<script>x</script>", error_code="input-error",
                                         error_message="<img src=x onerror=alert(1)>")]),
                     encoding="utf-8")
    for page, title, n_reports in ((single, "pmscore: payloads.md", 1),
                                   (batch, "pmscore report", 3)):
        dom = dump_dom(chromium, page, tmp_path)
        assert "pwned" not in re.sub(r"<pre.*?</pre>|<li.*?</li>|<mark[^>]*>", "", dom,
                                     flags=re.S)
        tree = Elements()
        tree.feed(dom)
        assert tree.title == title
        names = [t for t, _ in tree.tags]
        for bad in ("img", "svg", "iframe"):
            assert bad not in names
        marks = [a for t, a in tree.tags if t == "mark"
                 and "pm-finding" in (a.get("class") or "")]
        assert len(marks) == 3 * (n_reports if n_reports == 1 else 2)
        assert {a["class"] for a in marks} == {"pm-finding pm-sev-error",
                                              "pm-finding pm-sev-warning",
                                              "pm-finding pm-sev-info"}
        for _, attrs in tree.tags:
            assert not any(k.startswith("on") for k in attrs)
    # The index's own script is allowed by the CSP hash and did run (it marks <html>).
    dom = dump_dom(chromium, batch, tmp_path)
    assert re.search(r'<html[^>]*data-pmjs="1"', dom)
    for element in ('<input[^>]*id="pm-q"', '<span[^>]*id="pm-sort-hint"'):
        assert re.search(element, dom) and not re.search(element + "[^>]*hidden", dom)
