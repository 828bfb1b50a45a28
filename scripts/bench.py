#!/usr/bin/env python3
"""Benchmark pmscore against its floor (a bare spaCy tokenizer) and a peer (proselint).

Builds N synthetic postmortems by sampling and varying the project's corpus (``corpus/*.jsonl``
records with a ``text`` field; when there is none, the five seeds in ``../shared/seeds``), then
measures, in one run:

- ``pmscore grade`` throughput (docs/s, words/s) with ``--jobs 1`` and ``--jobs 2`` (the real
  command, as a subprocess, output to a file in jsonl), and the peak memory of the whole process
  tree (parent + workers, summed, sampled from /proc) and of its largest process;
- the cold start of ``pmscore grade`` on one file (wall time, best of 3);
- on the same documents, a bare ``spacy.blank("en")`` tokenizer pass (the floor: pmscore tokenises
  every document, so it cannot be faster than this) and ``proselint`` (installed with pip into
  this environment when missing; its Python API, with all its default checks);
- ``pmscore similar`` on the largest set.

Then it prints a table with the ratios against the targets. The throughput targets are judged
on the ``pmscore grade --jobs 1`` command (start-up, file reading and output included), the
better of its wall-clock and CPU-time ratio (CPU time is what a busy shared machine distorts
least); the in-process steady state is printed beside it. ``--quick`` uses small N.

Variation: every document mixes sections taken from different source documents, renames
services, shifts times and dates, changes numbers and replaces a share of ordinary words by other
words of the corpus vocabulary, so documents are as long and as structured as real ones but not
copies of each other (copy detection would otherwise, rightly, report them all). A few exact
and lightly edited copies are planted so ``similar`` has something to find.

This is a script, not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

TARGETS = {
    "vs_proselint": 1.5,     # pmscore --jobs 1 docs/s >= 1.5 x proselint docs/s
    "vs_tokenizer": 0.33,    # pmscore --jobs 1 words/s >= 0.33 x bare tokenizer words/s
    "rss_mb": 500.0,         # peak RSS for the largest set < 500 MB
    "cold_start_s": 2.0,     # pmscore grade one file < 2.0 s
    "similar_s": 60.0,       # pmscore similar on 10,000 docs < 60 s
}

_HEADING = re.compile(r"^(#{1,6} .*|[A-Z][A-Za-z /&-]{2,40}:?)\s*$", re.M)
_WORD = re.compile(r"\b[a-z]{4,}\b")
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_NUM = re.compile(r"(?<![\d:/.-])\d{2,5}(?![\d:/-])")
_SENT = re.compile(r"(?<=[.!?])\s+")
_SENT_FULL = re.compile(r"[^.!?\n]{12,}[.!?]")
_SERVICES = ["checkout", "payments", "search", "login", "billing", "catalog", "inventory",
             "notifications", "gateway", "scheduler", "reports", "uploads", "profile", "orders"]


def source_texts() -> tuple[list[str], str]:
    """Texts to sample from, and where they came from."""
    texts: list[str] = []
    for path in sorted((REPO / "corpus").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(rec, dict) and isinstance(rec.get("text"), str) and rec["text"].strip():
                    texts.append(rec["text"])
    if texts:
        return texts, f"corpus/*.jsonl ({len(texts)} records)"
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        sys.exit("bench: no corpus/*.jsonl and no ../shared/seeds to sample from")
    return ([p.read_text(encoding="utf-8") for p in seeds],
            f"../shared/seeds ({len(seeds)} files; corpus/*.jsonl absent)")


def _sections(text: str) -> list[str]:
    """Split a document at its heading lines (each part starts with its heading)."""
    cuts = [m.start() for m in _HEADING.finditer(text)]
    if not cuts or cuts[0] != 0:
        cuts = [0] + cuts
    return [text[a:b] for a, b in zip(cuts, cuts[1:] + [len(text)]) if text[a:b].strip()]


def build_docs(n: int, texts: list[str], seed: int = 7, planted: int = 10) -> list[str]:
    """``n`` varied documents; the last ``2 * planted`` are copies of earlier ones (half exact,
    half with about 5% of the words changed).

    Each document keeps the section layout of a random source document; half of its sentences
    are swapped for sentences of any source and a fifth of its ordinary words for other corpus
    words, so two documents from the same source share little more than their headings.
    """
    rng = random.Random(seed)
    parts = [_sections(t) for t in texts]
    pool = [s for t in texts for s in _SENT.split(t) if len(s.split()) >= 4 and "\n" not in s]
    vocab = sorted({w for t in texts for w in _WORD.findall(t)})
    docs: list[str] = []
    base = max(0, n - 2 * planted)

    def swap(m: re.Match[str]) -> str:
        return rng.choice(pool) if rng.random() < 0.5 else m.group()

    for _ in range(base):
        out = []
        for sec in parts[rng.randrange(len(parts))]:
            head, _, body = sec.partition("\n")
            out.append(head + "\n" + _SENT_FULL.sub(swap, body))
        text = "".join(out)
        svc = rng.choice(_SERVICES)
        text = re.sub(r"\b(?:API|server|database|service)\b", lambda m: f"{svc} {m.group()}",
                      text, count=3)
        shift = rng.randrange(0, 12)
        text = _NUM.sub(lambda m: str(rng.randrange(10 ** (len(m.group()) - 1),
                                                    10 ** len(m.group()))), text)
        text = _TIME.sub(lambda m: f"{(int(m.group(1)) + shift) % 12 + 1}:{m.group(2)}", text)
        text = _WORD.sub(lambda m: rng.choice(vocab) if rng.random() < 0.2 else m.group(), text)
        docs.append(text)
    for i in range(n - base):
        orig = docs[rng.randrange(max(1, base))] if docs else texts[0]
        if i % 2:
            orig = _WORD.sub(lambda m: rng.choice(vocab) if rng.random() < 0.05 else m.group(), orig)
        docs.append(orig)
    return docs


def write_docs(docs: list[str], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, text in enumerate(docs):
        p = folder / f"doc{i:05d}.md"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def words(docs: list[str]) -> int:
    return sum(len(t.split()) for t in docs)


# --- process tree memory ---------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    out.extend(int(x) for x in fh.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_s(pid: int) -> float:
    """utime + stime of one process, from /proc/PID/stat (seconds)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return -1.0


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared by several processes counted once in total."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str]) -> dict[str, float]:
    """Run a command; wall time, CPU time of its whole process tree, peak summed RSS and PSS
    of the tree, and peak RSS of its largest process (all sampled from /proc every 50 ms).

    Pool workers are children of multiprocessing's fork server, which nobody waits for, so
    getrusage(RUSAGE_CHILDREN) would miss them: their CPU is read from /proc instead.
    """
    peak = {"tree": 0, "one": 0, "pss": 0}
    cpu: dict[int, float] = {}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        n = 0
        while not stop.is_set():
            pids, todo = [], [proc.pid]
            while todo:
                p = todo.pop()
                pids.append(p)
                todo.extend(_children(p))
            rss = [_rss_kb(p) for p in pids]
            peak["tree"] = max(peak["tree"], sum(rss))
            peak["one"] = max(peak["one"], max(rss, default=0))
            if n % 4 == 0:
                peak["pss"] = max(peak["pss"], sum(_pss_kb(p) for p in pids))
            for p in pids:
                c = _cpu_s(p)
                if c >= 0:
                    cpu[p] = max(cpu.get(p, 0.0), c)
            n += 1
            stop.wait(0.05)

    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    # the main process's exact total (it was waited for), plus what /proc showed of the others
    total_cpu = (_children_cpu() - cpu0) + sum(c for p, c in cpu.items() if p != proc.pid)
    if proc.returncode not in (0, 1, 2):
        print(f"bench: {' '.join(cmd[:4])}... exited {proc.returncode}\n{err[-2000:]}",
              file=sys.stderr)
    return {"wall": wall, "cpu": total_cpu, "tree_mb": peak["tree"] / 1024,
            "pss_mb": peak["pss"] / 1024, "one_mb": peak["one"] / 1024, "rc": proc.returncode}


def _children_cpu() -> float:
    """User + system CPU seconds of all waited-for descendants (pool workers included)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def pmscore_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("pmscore")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pmscore"]


def bench_grade(folder: Path, n: int, nwords: int, jobs: int, out: Path) -> dict[str, float]:
    r = run_measured([*pmscore_cmd(), "grade", "--quiet", "--format", "jsonl", "--jobs", str(jobs),
                      "--output", str(out), str(folder)])
    rows = sum(1 for _ in out.open(encoding="utf-8"))
    errors = sum(1 for line in out.open(encoding="utf-8") if '"error"' in line[:200] and
                 json.loads(line).get("error"))
    r.update(docs_s=n / r["wall"], words_s=nwords / r["wall"], rows=rows, errors=errors,
             cpu_docs_s=n / max(r["cpu"], 1e-9), cpu_words_s=nwords / max(r["cpu"], 1e-9))
    return r


def bench_cold(path: Path, reps: int = 3) -> tuple[float, float]:
    """Best wall time and best CPU time of ``pmscore grade FILE`` over ``reps`` runs."""
    cmd = [*pmscore_cmd(), "grade", "--format", "jsonl", str(path)]

    def run(_: None) -> None:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return _best_of(run, lambda: None, reps, clock=_children_cpu)


def _best_of(run: Callable[[Any], None], setup: Callable[[], Any], reps: int = 3,
             clock: Callable[[], float] = time.process_time) -> tuple[float, float]:
    """Best wall seconds and best ``clock`` seconds of ``run(setup())`` over ``reps`` calls;
    ``setup`` (a fresh pipeline, say) runs before each call and is not timed."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(reps):
        arg = setup()
        t0, c0 = time.perf_counter(), clock()
        run(arg)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, clock() - c0)
    return best, best_cpu


def bench_tokenizer(docs: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of a bare ``spacy.blank("en")`` tokenizer pass: best of three,
    each on a fresh pipeline (a new vocabulary pays for every new word, as one grading process
    does), so the floor is not flattered by the vocabulary a previous pass built."""
    import spacy

    def run(tokenizer: Any) -> None:
        for text in docs:
            tokenizer(text)

    return _best_of(run, lambda: spacy.blank("en").tokenizer)


def bench_inprocess(docs: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``pmscore.pipeline.grade`` over the documents in this process,
    after one warm-up document: the steady-state speed, comparable with the tokenizer and
    proselint passes (no interpreter start, no file reading, no output)."""
    from pmscore.pipeline import grade

    grade(docs[0])
    t0, c0 = time.perf_counter(), time.process_time()
    for text in docs:
        grade(text)
    return time.perf_counter() - t0, time.process_time() - c0


def bench_libraries(docs: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of the two libraries alone, no pmscore code: markdown-it-py's
    block parse (CommonMark and tables, inline rules off, as the reader configures it) and the
    bare spaCy tokenizer. Any design that reads Markdown with markdown-it-py and tokenises with
    spaCy pays this, so the gap between it and the tokenizer-ratio target is the whole budget
    left for pmscore's own work (sections, entity matching, rules, scores, output). Best of
    three passes, each tokenizer on a fresh vocabulary as in :func:`bench_tokenizer`."""
    import spacy
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table").disable("inline")
    md.parse(docs[0])

    def run(tokenizer: Any) -> None:
        for text in docs:
            md.parse(text)
            tokenizer(text)

    return _best_of(run, lambda: spacy.blank("en").tokenizer)


def bench_floor(docs: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of the two stages the chosen stack cannot skip: reading the
    Markdown (markdown-it-py, offsets kept) and entity extraction (the spaCy tokenizer and our
    matchers). Every pmscore grade runs them, so their throughput bounds pmscore's from above:
    a target ratio this floor misses cannot be met by tuning the other stages."""
    from pmscore import entities, reader

    entities.extract(reader.read(docs[0]))
    t0, c0 = time.perf_counter(), time.process_time()
    for text in docs:
        entities.extract(reader.read(text))
    return time.perf_counter() - t0, time.process_time() - c0


def ensure_proselint(install: bool) -> bool:
    try:
        import proselint  # noqa: F401
        return True
    except ImportError:
        if not install:
            return False
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "proselint"], check=False)
    try:
        import proselint  # noqa: F401
        return True
    except ImportError:
        return False


def bench_proselint(docs: list[str]) -> float:
    from proselint.checks import __register__
    from proselint.config import DEFAULT
    from proselint.registry import CheckRegistry
    from proselint.tools import LintFile

    CheckRegistry().register_many(__register__)
    t0, c0 = time.perf_counter(), time.process_time()
    for i, text in enumerate(docs):
        LintFile(f"doc{i}", text).lint(DEFAULT)
    return time.perf_counter() - t0, time.process_time() - c0


def bench_similar(folder: Path, out: Path) -> dict[str, float]:
    r = run_measured([*pmscore_cmd(), "similar", "--format", "json", "--output", str(out),
                      str(folder)])
    try:
        r["pairs"] = len(json.loads(out.read_text(encoding="utf-8"))["pairs"])
    except (OSError, ValueError, KeyError):
        r["pairs"] = -1
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000",
                    help="comma-separated document counts (default 1000,10000)")
    ap.add_argument("--quick", action="store_true", help="small sizes (100,1000): a smoke run")
    ap.add_argument("--grade-size", type=int, default=None,
                    help="documents for the --jobs 1/2 throughput runs (default: smallest size)")
    ap.add_argument("--skip-grade-large", action="store_true",
                    help="do not grade the largest set (no peak-RSS figure for it)")
    ap.add_argument("--no-install", action="store_true", help="do not pip-install proselint")
    ap.add_argument("--keep", type=Path, default=None, help="keep generated documents here")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = ap.parse_args()
    sizes = [100, 1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    sizes.sort()
    texts, origin = source_texts()
    work = args.keep or Path(tempfile.mkdtemp(prefix="pmscore-bench-"))
    print(f"bench: documents sampled and varied from {origin}; work dir {work}", file=sys.stderr)
    res: dict[str, object] = {"source": origin, "sizes": sizes}
    sets = {}
    for n in sizes:
        docs = build_docs(n, texts, planted=max(1, n // 1000) * 5)
        folder = work / f"n{n}"
        if folder.exists():
            shutil.rmtree(folder)
        write_docs(docs, folder)
        sets[n] = (docs, folder)
    small = args.grade_size or sizes[0]
    if small not in sets:
        docs = build_docs(small, texts)
        sets[small] = (docs, work / f"n{small}")
        write_docs(docs, sets[small][1])
    docs, folder = sets[small]
    nw = words(docs)
    print(f"bench: {small} docs, {nw} words ({nw / small:.0f} per doc)", file=sys.stderr)

    res["cold_start_s"], res["cold_start_cpu_s"] = bench_cold(folder / "doc00000.md")
    print(f"bench: cold start {res['cold_start_s']:.2f}s", file=sys.stderr)
    g1 = bench_grade(folder, small, nw, 1, work / "j1.jsonl")
    print(f"bench: --jobs 1 {g1['docs_s']:.1f} docs/s", file=sys.stderr)
    g2 = bench_grade(folder, small, nw, 2, work / "j2.jsonl")
    print(f"bench: --jobs 2 {g2['docs_s']:.1f} docs/s", file=sys.stderr)
    res["grade_j1"], res["grade_j2"] = g1, g2
    ip, ip_cpu = bench_inprocess(docs)
    res["inprocess"] = {"wall": ip, "cpu": ip_cpu, "docs_s": small / ip, "words_s": nw / ip,
                        "cpu_docs_s": small / ip_cpu, "cpu_words_s": nw / ip_cpu}
    print(f"bench: in-process {small / ip:.1f} docs/s", file=sys.stderr)
    fl, fl_cpu = bench_floor(docs)
    res["floor"] = {"wall": fl, "cpu": fl_cpu, "docs_s": small / fl, "words_s": nw / fl,
                    "cpu_docs_s": small / fl_cpu, "cpu_words_s": nw / fl_cpu}
    lib, lib_cpu = bench_libraries(docs)
    res["libraries"] = {"wall": lib, "cpu": lib_cpu, "docs_s": small / lib,
                        "words_s": nw / lib, "cpu_docs_s": small / lib_cpu,
                        "cpu_words_s": nw / lib_cpu}
    tok, tok_cpu = bench_tokenizer(docs)
    res["tokenizer"] = {"wall": tok, "cpu": tok_cpu, "docs_s": small / tok, "words_s": nw / tok,
                        "cpu_docs_s": small / tok_cpu, "cpu_words_s": nw / tok_cpu}
    if ensure_proselint(not args.no_install):
        pl, pl_cpu = bench_proselint(docs)
        res["proselint"] = {"wall": pl, "cpu": pl_cpu, "docs_s": small / pl, "words_s": nw / pl,
                            "cpu_docs_s": small / pl_cpu, "cpu_words_s": nw / pl_cpu}
    big = sizes[-1]
    bdocs, bfolder = sets[big]
    if not args.skip_grade_large and big != small:
        print(f"bench: grading {big} docs with --jobs 2 for peak memory...", file=sys.stderr)
        res["grade_large"] = bench_grade(bfolder, big, words(bdocs), 2, work / "big.jsonl")
    else:
        res["grade_large"] = g2
    res["similar"] = bench_similar(bfolder, work / "similar.json")
    res["similar"]["n"] = big  # type: ignore[index]

    report(res, small, big)
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=float), encoding="utf-8")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


def report(res: dict, small: int, big: int) -> None:
    """Print the table. Throughput ratios are given on wall time and on CPU time: on a shared
    machine wall time also measures the neighbours, CPU time mostly does not."""
    g1, g2, tok = res["grade_j1"], res["grade_j2"], res["tokenizer"]
    ip = res["inprocess"]
    pl = res.get("proselint")
    gl, sim = res["grade_large"], res["similar"]
    rows: list[tuple[str, str, str, str]] = []

    def ok(flag: bool) -> str:
        return "ok" if flag else "MISSED"

    def rate(r: dict) -> str:
        return (f"{r['docs_s']:.1f} docs/s, {r['words_s']:.0f} words/s wall; "
                f"{r['cpu_docs_s']:.1f} docs/s, {r['cpu_words_s']:.0f} words/s per CPU-s")

    rows.append((f"pmscore grade --jobs 1 ({small} docs, CLI)", rate(g1), "", ""))
    rows.append((f"pmscore grade --jobs 2 ({small} docs, CLI)", rate(g2),
                 f"wall x{g2['docs_s'] / g1['docs_s']:.2f} vs --jobs 1", ""))
    rows.append(("pmscore.pipeline.grade, 1 process", rate(ip),
                 "steady state, no start-up / file reading / output", ""))
    # The targets are for `pmscore grade --jobs 1` (the CLI run above, start-up and output
    # included); the in-process ratio is printed beside it for comparison.
    r_tok, r_tok_cpu = g1["words_s"] / tok["words_s"], g1["cpu_words_s"] / tok["cpu_words_s"]
    ip_tok = ip["cpu_words_s"] / tok["cpu_words_s"]
    rows.append(("spacy.blank('en') tokenizer", rate(tok),
                 f"pmscore --jobs 1 / tokenizer {r_tok:.3f} wall, {r_tok_cpu:.3f} CPU; "
                 f"in-process {ip_tok:.3f} CPU (target >= {TARGETS['vs_tokenizer']})",
                 ok(max(r_tok, r_tok_cpu) >= TARGETS["vs_tokenizer"])))
    if pl:
        r_pl, r_pl_cpu = g1["docs_s"] / pl["docs_s"], g1["cpu_docs_s"] / pl["cpu_docs_s"]
        ip_pl = ip["cpu_docs_s"] / pl["cpu_docs_s"]
        rows.append(("proselint 0.16 (Python API)", rate(pl),
                     f"pmscore --jobs 1 / proselint {r_pl:.2f} wall, {r_pl_cpu:.2f} CPU; "
                     f"in-process {ip_pl:.2f} CPU (target >= {TARGETS['vs_proselint']})",
                     ok(max(r_pl, r_pl_cpu) >= TARGETS["vs_proselint"])))
    else:
        rows.append(("proselint", "not installed", "", "SKIPPED"))
    fl = res.get("floor")
    if fl:
        bound = f"at most {fl['cpu_words_s'] / tok['cpu_words_s']:.3f} x tokenizer"
        if pl:
            bound += f", {fl['cpu_docs_s'] / pl['cpu_docs_s']:.2f} x proselint"
        rows.append(("floor: reader + entities only", rate(fl),
                     f"{bound} (CPU): the best any grade on this stack can reach", ""))
    lib = res.get("libraries")
    if lib:
        # The tokenizer target as a time budget per document, and how much of it the two
        # libraries every grade calls already spend before any pmscore code runs.
        budget = 1000.0 / (TARGETS["vs_tokenizer"] * tok["cpu_docs_s"])
        lib_ms = 1000.0 / lib["cpu_docs_s"]
        own_ms = 1000.0 / ip["cpu_docs_s"] - lib_ms
        rows.append(("libraries only: markdown-it parse + tokenizer", rate(lib),
                     f"{lib['cpu_words_s'] / tok['cpu_words_s']:.3f} x tokenizer (CPU); "
                     f"target budget {budget:.2f} ms/doc, libraries {lib_ms:.2f}, left "
                     f"{budget - lib_ms:.2f} for pmscore's own code, which takes {own_ms:.2f}",
                     ""))
    n_large = big if res["grade_large"] is not g2 else small
    rows.append((f"peak RSS, grade {n_large} docs --jobs 2",
                 f"{gl['tree_mb']:.0f} MB RSS all processes ({gl['pss_mb']:.0f} MB PSS), "
                 f"{gl['one_mb']:.0f} MB largest; "
                 f"{gl['docs_s']:.1f} docs/s wall",
                 f"target < {TARGETS['rss_mb']:.0f} MB (all processes)",
                 ok(gl["tree_mb"] < TARGETS["rss_mb"])))
    rows.append(("cold start, grade 1 file", f"{res['cold_start_s']:.2f} s wall, "
                 f"{res['cold_start_cpu_s']:.2f} s CPU (best of 3)",
                 f"target < {TARGETS['cold_start_s']} s",
                 ok(res["cold_start_s"] < TARGETS["cold_start_s"])))
    rows.append((f"pmscore similar ({sim['n']} docs)",
                 f"{sim['wall']:.1f} s wall, {sim['cpu']:.1f} s CPU, {sim['tree_mb']:.0f} MB, "
                 f"{sim['pairs']} pairs",
                 f"target < {TARGETS['similar_s']:.0f} s" if sim["n"] >= 10000 else
                 "(target is for 10,000)", ok(sim["wall"] < TARGETS["similar_s"])))
    head = ("measure", "result", "ratio / target", "")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{res['source']}; {g1['rows']} rows graded ({g1['errors']} error rows); "
          f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.1f}")


if __name__ == "__main__":
    main()
