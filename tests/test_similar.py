"""Copy detection: a planted copy is found among many unrelated documents, unrelated ones are not.

The documents are generated here from a small vocabulary with a seeded random generator, so they
share words (as postmortems do) but not passages.
"""

from __future__ import annotations

import json
import random
import re

import numpy as np
from typer.testing import CliRunner

from pmscore.cli import _load_commands, app
from pmscore.similar import (by_document, candidate_pairs, find_similar, normalise,
                             shared_passages, signatures)

_load_commands()
runner = CliRunner()

_WORDS = ("the database service alert outage customers engineer rollback deploy config timeout "
          "cache queue latency error users minutes team fixed restarted checked monitoring page "
          "we our was were after before during because of to and a in on at for with from by "
          "replica primary network certificate disk memory cpu load balancer dns api request "
          "retry release change review runbook owner deadline root cause impact summary").split()


def _doc(rng: random.Random, n_words: int = 250) -> str:
    sents = []
    while sum(len(s.split()) for s in sents) < n_words:
        k = rng.randint(8, 18)
        sents.append(" ".join(rng.choice(_WORDS) for _ in range(k)).capitalize() + ".")
    return "# Summary\n\n" + " ".join(sents[: len(sents) // 2]) + "\n\n## Root cause\n\n" + \
        " ".join(sents[len(sents) // 2:]) + "\n"


def _edit(rng: random.Random, text: str, rate: float) -> str:
    return re.sub(r"\b[a-z]{3,}\b", lambda m: rng.choice(_WORDS) if rng.random() < rate
                  else m.group(), text)


def test_planted_copies_found_among_many_unrelated():
    rng = random.Random(3)
    docs = [(f"s{i:03d}", _doc(rng)) for i in range(300)]
    # s300: exact copy of s010 reformatted; s301: s050 with 8% of words changed
    reformatted = docs[10][1].replace("# Summary", "**SUMMARY**").replace(".", " .").upper()
    docs.append(("s300", reformatted))
    docs.append(("s301", _edit(rng, docs[50][1], 0.08)))
    pairs = find_similar(docs, threshold=0.8)
    found = {(p.a, p.b) for p in pairs}
    assert found == {("s010", "s300"), ("s050", "s301")}
    exact = next(p for p in pairs if p.b == "s300")
    assert exact.similarity > 0.99
    assert exact.passages and exact.shared_words >= 0.95 * exact.a_words
    edited = next(p for p in pairs if p.b == "s301")
    assert 0.8 <= edited.similarity < 0.99


def test_partial_rewrite_under_threshold_is_not_reported():
    rng = random.Random(5)
    a = _doc(rng)
    b = _edit(rng, a, 0.6)  # most words rewritten: same layout, different text
    assert find_similar([("a", a), ("b", b)], threshold=0.8) == []


def test_reference_pairs_only_with_submissions():
    rng = random.Random(7)
    ref = _doc(rng)
    subs = [("alice", ref), ("bob", _doc(rng))]
    refs = [("published", ref), ("published-copy", ref)]
    pairs = find_similar(subs, reference=refs)
    assert sorted((p.a, p.b, p.b_is_reference) for p in pairs) == [
        ("alice", "published", True), ("alice", "published-copy", True)]


def test_short_documents_are_not_compared():
    assert find_similar([("a", "server down fixed it"), ("b", "server down fixed it")]) == []


def test_shared_passages_bridge_small_edits_and_map_to_original_text():
    a = "Intro line.\nThe primary database ran out of disk at 14:02 UTC and every write failed " \
        "for nineteen minutes until the on-call engineer freed space.\nOther text here."
    b = "Something else entirely first.\n\nThe PRIMARY database ran out of **disk** at 15:02 " \
        "UTC and every write failed for nineteen minutes until the on call engineer freed space."
    ps = shared_passages(a, b)
    assert len(ps) == 1
    p = ps[0]
    assert p.a_line == 2 and p.b_line == 3
    assert a[p.a_start:p.a_end].startswith("The primary database")
    assert a[p.a_start:p.a_end].endswith("freed space")
    assert b[p.b_start:p.b_end].startswith("The PRIMARY")


def test_normalise_ignores_markup_and_case():
    assert normalise("## Root **Cause**: the `DB`, mostly.") == ["root", "cause", "the", "db",
                                                                  "mostly"]


def test_lsh_candidates_include_identical_and_exclude_disjoint():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 10_000, size=300).astype(np.uint32)
    other = rng.integers(10_000, 20_000, size=300).astype(np.uint32)
    sig = signatures([base, other, base.copy()])
    assert (sig[0] == sig[2]).all() and (sig[0] == sig[1]).mean() < 0.1
    assert candidate_pairs(sig).tolist() == [[0, 2]]


def test_big_group_is_reported_as_a_star():
    sig = np.zeros((50, 64), dtype=np.uint32)  # 50 identical signatures
    pairs = candidate_pairs(sig, max_group=10)
    assert len(pairs) == 49 and set(pairs[:, 0].tolist()) == {0}


def test_by_document():
    rng = random.Random(9)
    t = _doc(rng)
    idx = by_document(find_similar([("x", t), ("y", t), ("z", _doc(rng))]))
    assert idx["x"][0][0] == "y" and idx["y"][0][0] == "x" and "z" not in idx


def test_cli_similar_json_and_csv(tmp_path):
    rng = random.Random(11)
    t = _doc(rng)
    (tmp_path / "a.md").write_text(t, encoding="utf-8")
    (tmp_path / "b.md").write_text(t + "\nThanks.\n", encoding="utf-8")
    (tmp_path / "c.md").write_text(_doc(rng), encoding="utf-8")
    res = runner.invoke(app, ["similar", "-f", "json", str(tmp_path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(p["a"], p["b"]) for p in data["pairs"]] == [("a.md", "b.md")]
    assert data["pairs"][0]["passages"][0]["words"] >= 100
    res = runner.invoke(app, ["similar", "-f", "csv", "--threshold", "0.99", str(tmp_path)])
    assert res.stdout.splitlines()[0].startswith("a,b,similarity")
    assert len(res.stdout.splitlines()) == 2
    res = runner.invoke(app, ["similar", str(tmp_path), str(tmp_path / "missing.md")])
    assert res.exit_code == 2 and "a.md  ~  b.md" in res.stdout
