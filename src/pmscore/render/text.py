"""The readable terminal report (rich): score, grade, section table, findings, suggestions."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pmscore.render import Renderer
from pmscore.types import SECTION_LABELS, Result

_SEV_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class TextRenderer(Renderer):
    """Human-readable report; colour only on a terminal. Document text is always escaped."""

    name = "text"
    streaming = True

    def start(self) -> None:
        self.console = Console(file=self.out, highlight=False, soft_wrap=False,
                               force_terminal=None, width=self.options.get("width") or None)
        self._n = 0

    def row(self, result: Result) -> None:
        c = self.console
        if self._n:
            c.rule()
        self._n += 1
        if result.report is None:
            c.print(f"[bold red]error[/] {escape(result.error_message or '')}")
            return
        r = result.report
        c.print(f"[bold]{escape(result.path)}[/]  score [bold]{r.score:.0f}[/]/100  "
                f"grade [bold]{r.grade}[/]/5")
        if not r.is_postmortem:
            c.print(f"[red]not a postmortem[/]: {escape(r.not_postmortem_reason or '')}")
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("section")
        table.add_column("found")
        table.add_column("score", justify="right")
        present = {s.label for s in r.analysis.sections} if r.analysis else set()
        for label in (*SECTION_LABELS, "document"):
            if label not in r.section_scores:
                continue
            found = "yes" if label in present else ("-" if label == "document" else "no")
            table.add_row(label, found, f"{r.section_scores[label]:.0f}")
        c.print(table)
        if not r.findings:
            c.print("no findings")
        for f in r.findings:
            style = _SEV_STYLE.get(f.severity, "")
            snippet = f.text.strip().replace("\n", " ")
            if len(snippet) > 90:
                snippet = snippet[:87] + "..."
            c.print(f"{escape(result.path)}:{f.line}:{f.col}: [{style}]{f.severity}[/] "
                    f"{f.rule} {escape(f.name)} (-{f.points:g}) {escape(f.message)}")
            if snippet:
                c.print(f"    [dim]> {escape(snippet)}[/]")
            if f.suggestion:
                c.print(f"    suggestion: {escape(f.suggestion)}")
