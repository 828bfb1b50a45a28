"""``--format github``: GitHub Actions workflow commands, which the runner turns into annotations.

Each finding becomes ``::warning file=F,line=L,endLine=L2,col=C,endColumn=C2,title=T::message``
(``error`` / ``warning`` / ``notice`` after the severity); each graded file gets a ``notice``
with its score, and each unreadable input an ``error``. Values are escaped exactly as the
Actions toolkit does (``@actions/core`` ``escapeData`` / ``escapeProperty``): ``%``, CR and LF
everywhere, plus ``:`` and ``,`` inside properties, so a submission's text can neither break
the line nor inject another command.
"""

from __future__ import annotations

from pmscore.render import Renderer
from pmscore.types import Finding, Result

COMMANDS: dict[str, str] = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(s: str) -> str:
    """Escape a command's message (after ``::``)."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    """Escape a property value (``file=``, ``title=``...)."""
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **props: object) -> str:
    """One workflow command line; properties with value None are left out."""
    ps = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{kind} {ps}::{escape_data(message)}" if ps else f"::{kind}::{escape_data(message)}"


def finding_line(path: str, f: Finding) -> str:
    """The annotation for one finding (the end position comes from the span text)."""
    from pmscore.render.sarif import end_position

    end_line, end_col = end_position(f)
    msg = f.message
    if f.suggestion:
        msg += f"\nSuggestion: {f.suggestion}"
    props: dict[str, object] = {"file": path, "line": f.line, "endLine": end_line}
    if end_line == f.line:  # GitHub only honours columns on single-line annotations
        props.update(col=f.col, endColumn=end_col)
    props["title"] = f"{f.rule} {f.name} (-{f.points:g})"
    return command(COMMANDS.get(f.severity, "warning"), msg, **props)


class GithubRenderer(Renderer):
    """Workflow command lines, streamed."""

    name = "github"
    streaming = True

    def row(self, result: Result) -> None:
        r = result.report
        if r is None:
            self.out.write(command("error", result.error_message or result.path,
                                   file=result.path, title=f"pmscore {result.error_code or 'error'}")
                           + "\n")
        else:
            for f in r.findings:
                self.out.write(finding_line(result.path, f) + "\n")
            verdict = "" if r.is_postmortem else f" (not a postmortem: {r.not_postmortem_reason})"
            self.out.write(command("notice", f"score {r.score:.1f}/100, grade {r.grade}/5{verdict}",
                                   file=result.path, title="pmscore score") + "\n")
        self.out.flush()
