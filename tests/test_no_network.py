"""Code safety: grading needs no network, and the package holds no eval/exec/shell/unpickling.

Submissions are untrusted and graders run pmscore on their own machines: a grader that phoned
home (a model download, a telemetry call) would leak student work and break offline use, and
eval/exec/a shell/unpickling outside the verified model store would turn a crafted document or
file into code execution.
"""

from __future__ import annotations

import ast
import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "src" / "pmscore"
GOOD = (Path(__file__).resolve().parent / "adversarial" / "good.md").read_text(encoding="utf-8")


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Every way to open a socket raises (and would fail the test)."""

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "socketpair", refuse)
    yield


def test_fixture_really_blocks_sockets(no_network):
    """The guard itself works (otherwise the tests below prove nothing)."""
    import urllib.request

    with pytest.raises(Exception):
        urllib.request.urlopen("http://example.com", timeout=1)
    with pytest.raises(NetworkUsed):
        socket.create_connection(("127.0.0.1", 9))


def test_api_grades_offline_with_models(no_network):
    """The full pipeline (packaged models included, when present) works without sockets."""
    from pmscore.pipeline import grade

    report = grade(GOOD, path="good.md")
    assert report.is_postmortem and report.score >= 80


def test_cli_grades_offline(no_network, tmp_path):
    """The CLI in-process (jsonl and html renderers) works without sockets."""
    from pmscore.cli import _load_commands, app

    _load_commands()
    p = tmp_path / "good.md"
    p.write_text(GOOD, encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["grade", "-f", "jsonl", "-j", "1", "-q", str(p)])
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)
    assert row["score"] >= 80
    res = runner.invoke(app, ["grade", "-f", "html", "-j", "1", "-q", str(p)])
    assert res.exit_code == 0, res.output
    assert "<html" in res.stdout.lower()


_FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
_FORBIDDEN_ATTRS = {("os", "system"), ("os", "popen"), ("pickle", "load"), ("pickle", "loads"),
                    ("joblib", "load"), ("marshal", "loads"), ("yaml", "load"),
                    ("subprocess", "getoutput"), ("subprocess", "getstatusoutput")}
_UNPICKLE_ALLOWED = {PKG / "ml" / "store.py"}


def _violations(path: Path) -> list[str]:
    """Dangerous calls in one module, found on its syntax tree (comments and strings ignored)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func
        rel = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
        where = f"{rel}:{node.lineno}"
        if isinstance(fn, ast.Name) and fn.id in _FORBIDDEN_CALLS:
            out.append(f"{where}: {fn.id}(")
        if isinstance(fn, ast.Attribute) and isinstance(fn.value, ast.Name):
            pair = (fn.value.id, fn.attr)
            if pair in _FORBIDDEN_ATTRS:
                if pair[1].startswith("load") and pair[0] in {"pickle", "joblib"} \
                        and path in _UNPICKLE_ALLOWED:
                    continue
                out.append(f"{where}: {pair[0]}.{pair[1]}(")
        for kw in node.keywords:
            if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant)
                                          and kw.value.value is False):
                out.append(f"{where}: shell=...")
    return out


def test_package_has_no_eval_exec_shell_or_stray_unpickling():
    """No eval/exec, os.system, shell=True, and pickle/joblib loading only in ml/store.py
    (which verifies model files before loading them)."""
    files = sorted(PKG.rglob("*.py"))
    assert len(files) > 10
    bad = [v for f in files for v in _violations(f)]
    assert not bad, "\n".join(bad)


def test_scanner_catches_planted_calls(tmp_path):
    """The scanner finds each forbidden form (so an empty result above means something)."""
    src = ("import os, pickle, subprocess, joblib\n"
           "eval('1')\nexec('x=1')\nos.system('ls')\n"
           "subprocess.run('ls', shell=True)\npickle.load(open('f','rb'))\njoblib.load('m')\n")
    p = tmp_path / "planted.py"
    p.write_text(src, encoding="utf-8")
    found = _violations(p)
    assert len(found) == 6, found


def test_model_store_verifies_before_loading():
    """ml/store.py, the one place allowed to unpickle, checks a hash before joblib.load."""
    src = (PKG / "ml" / "store.py").read_text(encoding="utf-8")
    load_at = src.find("joblib.load(")
    if load_at < 0:
        pytest.skip("ml/store.py does not unpickle")
    before = src[:load_at]
    assert "sha256" in before or "hashlib" in before, "no hash check before joblib.load"
