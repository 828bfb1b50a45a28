#!/usr/bin/env python3
"""Grade a postmortem, write its HTML report and a PNG screenshot taken by headless Chromium.

Usage::

    python scripts/screenshot_report.py                 # seed 001 from ../shared/seeds
    python scripts/screenshot_report.py my.md -o out/   # any file, any output directory

So anyone can look at what a reviewer sees without opening a browser. Needs Debian's
``chromium`` (``apt-get install -y chromium``); without it the HTML is still written.
The document path is passed to Chromium only as a ``file://`` URI of the report we wrote, as
an argument list (no shell), so nothing from the input reaches a command line.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--hide-scrollbars", "--mute-audio"]


def default_input() -> Path:
    seeds = sorted((SHARED / "seeds").glob("001_*.txt"))
    if not seeds:
        raise SystemExit(f"no seed 001 under {SHARED / 'seeds'}; pass a file to grade")
    return seeds[0]


def write_report(src: Path, out_dir: Path) -> Path:
    """Grade ``src`` with the real pipeline and write ``<stem>.html`` to ``out_dir``."""
    import pmscore
    from pmscore.inputs import load_path
    from pmscore.render.html import render_html
    from pmscore.types import Result

    text = load_path(str(src))
    report = pmscore.grade(text, path=str(src))
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"report-{src.stem}.html"
    html_path.write_text(render_html([Result(path=src.name, report=report, text=text)]),
                         encoding="utf-8")
    return html_path


def screenshot(html_path: Path, png_path: Path, width: int, height: int) -> bool:
    """Screenshot the page with headless Chromium; False when no browser is available."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found (apt-get install -y chromium); wrote the HTML only",
              file=sys.stderr)
        return False
    with tempfile.TemporaryDirectory(prefix="pmscore-chromium-") as profile:
        done = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             f"--screenshot={png_path.resolve()}", f"--window-size={width},{height}",
             html_path.resolve().as_uri()],
            capture_output=True, timeout=120)
    if done.returncode != 0 or not png_path.exists():
        print(done.stderr.decode(errors="replace")[-2000:], file=sys.stderr)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, help="postmortem to grade (default: seed 001)")
    ap.add_argument("-o", "--out-dir", type=Path, default=Path("out"),
                    help="output directory (default: out/)")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=2000)
    args = ap.parse_args(argv)
    src = args.path or default_input()
    html_path = write_report(src, args.out_dir)
    print(html_path)
    png_path = html_path.with_suffix(".png")
    if not screenshot(html_path, png_path, args.width, args.height):
        return 1
    print(png_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
