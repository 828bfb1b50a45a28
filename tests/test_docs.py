"""Documentation that is generated or relied on by CI stays true."""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from pmscore.cli import _load_commands, app

_load_commands()
REPO = Path(__file__).resolve().parents[1]


def test_rules_reference_is_in_sync_with_rule_data():
    res = CliRunner().invoke(app, ["rules", "--format", "markdown"])
    assert res.exit_code == 0
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == res.stdout, (
        "docs/rules.md is stale: run `pmscore rules --format markdown > docs/rules.md`")


def test_ci_runs_the_readme_test_command():
    """.ci/run extracts the block after <!-- test-command --> and runs it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in readme and "<!-- main-command -->" in readme
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    awk = script.split("cmd=$(", 1)[1].split(" README.md)", 1)[0]
    out = subprocess.run(["bash", "-c", awk + " README.md"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert "pip install" in out and "pytest" in out
    block = readme.split("<!-- test-command -->", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert out == block.strip()
