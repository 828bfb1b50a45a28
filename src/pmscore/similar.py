"""Copy detection: pairs of near-identical submissions, with a similarity figure and the passages
they share.

Comparing every pair is quadratic (50 million pairs for 10,000 submissions), so the search runs
in two steps, the usual way for near-duplicate detection:

1. Candidates: each document becomes the set of its word ``k``-shingles (after normalising:
   lower case, markup and punctuation dropped, so re-formatting hides nothing); a MinHash
   signature of that set is computed with numpy for all documents at once, and locality-
   sensitive hashing over bands of the signature puts documents whose shingle sets overlap a lot
   in the same bucket. Only pairs that share a bucket are looked at.
2. Verification: rapidfuzz's normalised Indel similarity (``fuzz.ratio``) of the two normalised
   texts decides, against ``threshold``; the shared passages of the pairs kept are found with
   ``difflib.SequenceMatcher`` over word tokens and mapped back to the original text, with
   small edits inside a copied passage (a renamed service, a changed time) bridged.

A bucket holding very many documents (hundreds of copies of one published example) would make
step 2 quadratic again; such a group is compared against its first member only, so it is still
reported, as a star.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

_WORD = re.compile(r"[^\W_]+")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)

DEFAULT_THRESHOLD = 0.8
SHINGLE = 3
"""Words per shingle: 3 survives light edits (a changed word breaks only 3 shingles) while
unrelated postmortems share few 3-word sequences beyond their headings."""
NUM_PERM = 64
BANDS = 32
"""32 bands of 2 rows: documents whose shingle sets have Jaccard similarity 0.2 (about what a
copy with a third of its words changed keeps) become candidates with probability 0.73, at 0.3
with 0.95. Unrelated postmortems share almost no 3-word sequences (median Jaccard about 0.002)."""
MIN_JACCARD = 0.1
"""Candidates whose signatures estimate a Jaccard similarity under this are dropped before the
(much dearer) text comparison: a fuzz.ratio of 0.8 keeps about 0.2."""
MIN_WORDS = 20
"""Documents shorter than this are not compared: too little text to call anything a copy."""
MAX_GROUP = 200
"""Buckets with more documents than this are compared against their first member only."""
MIN_PASSAGE_WORDS = 8
MAX_COMPARE_CHARS = 200_000
"""Normalised text compared by ``fuzz.ratio`` is cut here (it is O(n*m/64))."""


@dataclass(frozen=True)
class Passage:
    """A run of text both documents contain (small edits inside it bridged)."""

    a_start: int
    a_end: int
    a_line: int
    b_start: int
    b_end: int
    b_line: int
    words: int
    text: str  # the passage as it stands in document a, whitespace collapsed

    def to_dict(self) -> dict[str, Any]:
        return {"a": {"start": self.a_start, "end": self.a_end, "line": self.a_line},
                "b": {"start": self.b_start, "end": self.b_end, "line": self.b_line},
                "words": self.words, "text": self.text}


@dataclass(frozen=True)
class Pair:
    """Two near-identical documents. ``a`` comes first in input order (a reference comes last)."""

    a: str
    b: str
    similarity: float  # 0-1, normalised Indel similarity of the normalised texts
    shared_words: int  # words of a inside the shared passages
    a_words: int
    b_words: int
    passages: tuple[Passage, ...] = field(default=())
    b_is_reference: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "similarity": round(self.similarity, 3),
                "shared_words": self.shared_words, "a_words": self.a_words,
                "b_words": self.b_words, "b_is_reference": self.b_is_reference,
                "passages": [p.to_dict() for p in self.passages]}


def normalise(text: str) -> list[str]:
    """Word tokens, lower-cased: markup, punctuation and layout do not count."""
    return _WORD.findall(text.lower())


def _splitmix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads shingle codes over all 64 bits (uint64 arithmetic wraps)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return x


def signatures(token_ids: Sequence[np.ndarray], k: int = SHINGLE, num_perm: int = NUM_PERM,
               seed: int = 1, block: int = 2_000_000) -> np.ndarray:
    """MinHash signatures (n_docs x num_perm, uint32) of the word-k-shingle sets.

    Shingle codes are built vectorised over all documents at once; the permutations are the
    multiply-shift family ``(a*x + b) >> 32`` with random odd ``a``. Documents with fewer than
    ``k`` words get an all-max signature (and are not compared by :func:`find_similar`).
    Work is done in blocks of about ``block`` shingles so memory stays bounded.
    """
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    n = len(token_ids)
    sig = np.full((n, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    start = 0
    while start < n:
        stop, total = start, 0
        while stop < n and (total == 0 or total + len(token_ids[stop]) <= block):
            total += max(0, len(token_ids[stop]) - k + 1)
            stop += 1
        _block_signatures(token_ids, start, stop, k, a, b, sig)
        start = stop
    return sig


def _block_signatures(token_ids: Sequence[np.ndarray], start: int, stop: int, k: int,
                      a: np.ndarray, b: np.ndarray, sig: np.ndarray) -> None:
    docs = [i for i in range(start, stop) if len(token_ids[i]) >= k]
    if not docs:
        return
    arrays = [token_ids[i].astype(np.uint64) for i in docs]
    lens = np.array([len(x) for x in arrays])
    flat = np.concatenate(arrays)
    m = len(flat) - k + 1
    with np.errstate(over="ignore"):
        code = np.zeros(m, dtype=np.uint64)
        for j in range(k):
            code = code * np.uint64(0x100000001B3) + flat[j:j + m] + np.uint64(1)
    # keep shingles that do not cross a document boundary
    doc_start = np.concatenate(([0], np.cumsum(lens)[:-1]))
    n_sh = lens - k + 1
    idx = np.concatenate([np.arange(s, s + c) for s, c in zip(doc_start, n_sh)])
    code = _splitmix(code[idx])
    offsets = np.concatenate(([0], np.cumsum(n_sh)[:-1]))
    rows = np.array(docs)
    with np.errstate(over="ignore"):
        for p in range(len(a)):
            h = ((code * a[p] + b[p]) >> np.uint64(32)).astype(np.uint32)
            sig[rows, p] = np.minimum.reduceat(h, offsets)


def candidate_pairs(sig: np.ndarray, bands: int = BANDS, eligible: np.ndarray | None = None,
                    max_group: int = MAX_GROUP) -> np.ndarray:
    """Index pairs (i < j) whose signatures agree on all rows of at least one band.

    Returns an (m, 2) int64 array, sorted and without duplicates.
    """
    n, num_perm = sig.shape
    r = num_perm // bands
    if eligible is None:
        eligible = np.ones(n, dtype=bool)
    ids = np.flatnonzero(eligible)
    if len(ids) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    found: list[np.ndarray] = []
    for band in range(bands):
        part = sig[ids, band * r:(band + 1) * r].astype(np.uint64)
        key = np.zeros(len(ids), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for c in range(r):
                key = _splitmix(key * np.uint64(0x9E3779B97F4A7C15) + part[:, c])
        order = np.argsort(key, kind="stable")
        sk = key[order]
        cut = np.flatnonzero(np.diff(sk)) + 1
        starts = np.concatenate(([0], cut))
        ends = np.concatenate((cut, [len(sk)]))
        for s, e in zip(starts[ends - starts >= 2], ends[ends - starts >= 2]):
            members = ids[order[s:e]]
            if len(members) > max_group:
                first = members.min()
                others = members[members != first]
                found.append(np.stack([np.full(len(others), first), others], axis=1))
            else:
                ii, jj = np.triu_indices(len(members), k=1)
                found.append(np.stack([members[ii], members[jj]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    allp = np.concatenate(found).astype(np.int64)
    allp.sort(axis=1)
    keys = np.unique(allp[:, 0] * n + allp[:, 1])
    return np.stack([keys // n, keys % n], axis=1)


def shared_passages(a_text: str, b_text: str, min_words: int = MIN_PASSAGE_WORDS,
                    bridge: int = 3, max_tokens: int = 20_000) -> list[Passage]:
    """Passages of at least ``min_words`` words that both texts contain, in order of ``a``.

    Matching runs separated by at most ``bridge`` differing words on both sides are merged, so
    a copied paragraph with one word changed is one passage, not two.
    """
    am = list(_WORD.finditer(a_text))[:max_tokens]
    bm = list(_WORD.finditer(b_text))[:max_tokens]
    at = [m.group().lower() for m in am]
    bt = [m.group().lower() for m in bm]
    blocks = [blk for blk in difflib.SequenceMatcher(None, at, bt, autojunk=False)
              .get_matching_blocks() if blk.size]
    merged: list[list[int]] = []  # [a0, b0, a1, b1] token ranges (end exclusive)
    for blk in blocks:
        if merged:
            last = merged[-1]
            if 0 <= blk.a - last[2] <= bridge and 0 <= blk.b - last[3] <= bridge:
                last[2], last[3] = blk.a + blk.size, blk.b + blk.size
                continue
        merged.append([blk.a, blk.b, blk.a + blk.size, blk.b + blk.size])
    out: list[Passage] = []
    for a0, b0, a1, b1 in merged:
        words = a1 - a0
        if words < min_words:
            continue
        s, e = am[a0].start(), am[a1 - 1].end()
        bs, be = bm[b0].start(), bm[b1 - 1].end()
        out.append(Passage(a_start=s, a_end=e, a_line=a_text.count("\n", 0, s) + 1,
                           b_start=bs, b_end=be, b_line=b_text.count("\n", 0, bs) + 1,
                           words=words, text=" ".join(a_text[s:e].split())))
    return out


def find_similar(docs: Sequence[tuple[str, str]], threshold: float = DEFAULT_THRESHOLD,
                 reference: Sequence[tuple[str, str]] = (), *, shingle: int = SHINGLE,
                 num_perm: int = NUM_PERM, bands: int = BANDS, min_words: int = MIN_WORDS,
                 max_group: int = MAX_GROUP, min_jaccard: float = MIN_JACCARD,
                 passages: bool = True) -> list[Pair]:
    """Near-identical pairs among ``docs`` (``(id, text)``), and between docs and ``reference``.

    Pairs of two reference documents are not reported. Pairs are sorted by decreasing
    similarity, then input order. ``threshold`` is the minimum similarity (0-1).
    """
    if num_perm % bands:
        raise ValueError("num_perm must be a multiple of bands")
    all_docs = list(docs) + list(reference)
    n_sub = len(docs)
    vocab: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    token_ids: list[np.ndarray] = []
    norm: list[str] = []
    for _, text in all_docs:
        toks = normalise(text)
        token_ids.append(np.array(list(map(vocab.__getitem__, toks)), dtype=np.uint32))
        norm.append(" ".join(toks)[:MAX_COMPARE_CHARS])
    del vocab
    lens = np.array([len(t) for t in token_ids], dtype=np.int64)
    eligible = lens >= max(min_words, shingle)
    sig = signatures(token_ids, k=shingle, num_perm=num_perm)
    del token_ids
    cands = candidate_pairs(sig, bands=bands, eligible=eligible, max_group=max_group)
    if len(cands):
        cands = cands[cands[:, 0] < n_sub]  # i < j, so i is a submission: no reference pairs
    if len(cands) and min_jaccard > 0:
        est = np.empty(len(cands))
        for s in range(0, len(cands), 100_000):  # bounded memory for huge candidate sets
            c = cands[s:s + 100_000]
            est[s:s + 100_000] = (sig[c[:, 0]] == sig[c[:, 1]]).mean(axis=1)
        cands = cands[est >= min_jaccard]
    from rapidfuzz import fuzz

    cutoff = threshold * 100
    pairs: list[Pair] = []
    for i, j in cands.tolist():
        sim = fuzz.ratio(norm[i], norm[j], score_cutoff=cutoff)
        if not sim or sim < cutoff:
            continue
        ps = shared_passages(all_docs[i][1], all_docs[j][1]) if passages else []
        pairs.append(Pair(a=all_docs[i][0], b=all_docs[j][0], similarity=sim / 100,
                          shared_words=sum(p.words for p in ps), a_words=int(lens[i]),
                          b_words=int(lens[j]), passages=tuple(ps), b_is_reference=j >= n_sub))
    order = {d[0]: k for k, d in enumerate(all_docs)}
    pairs.sort(key=lambda p: (-p.similarity, order[p.a], order[p.b]))
    return pairs


def load_docs(items: Iterable[Any], max_bytes: int | None = None
              ) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """Read collected items (``pmscore.collect.Item``) as ``(id, text)``; unreadable ones are
    returned apart as ``(id, code, message)``."""
    from pmscore.errors import PmscoreError
    from pmscore.inputs import DEFAULT_MAX_BYTES, load_path

    docs: list[tuple[str, str]] = []
    errors: list[tuple[str, str, str]] = []
    for it in items:
        if it.error_code is not None:
            errors.append((it.id, it.error_code, it.error_message or it.path))
            continue
        try:
            docs.append((it.id, load_path(it.path, max_bytes=max_bytes or DEFAULT_MAX_BYTES)))
        except PmscoreError as exc:
            errors.append((it.id, exc.code, exc.message))
    return docs, errors


def find_similar_items(items: Iterable[Any], threshold: float = DEFAULT_THRESHOLD,
                       max_bytes: int | None = None, reference: Iterable[Any] = ()) -> list[Pair]:
    """:func:`find_similar` over collected items (unreadable ones are skipped here; the
    grading run reports them)."""
    docs, _ = load_docs(items, max_bytes)
    refs, _ = load_docs(reference, max_bytes)
    return find_similar(docs, threshold=threshold, reference=refs)


def by_document(pairs: Iterable[Pair]) -> dict[str, tuple[tuple[str, float], ...]]:
    """For each document id, the ids it is near-identical to, most similar first."""
    out: dict[str, list[tuple[str, float]]] = {}
    for p in pairs:
        out.setdefault(p.a, []).append((p.b, p.similarity))
        out.setdefault(p.b, []).append((p.a, p.similarity))
    return {k: tuple(sorted(v, key=lambda x: -x[1])) for k, v in out.items()}


def render_text(pairs: Sequence[Pair], out: TextIO, max_passages: int = 3,
                width: int = 160) -> None:
    """Readable report: one block per pair with its strongest shared passages."""
    if not pairs:
        out.write("similar: no near-identical pairs\n")
        return
    out.write(f"similar: {len(pairs)} near-identical pair(s)\n")
    for p in pairs:
        ref = " (reference)" if p.b_is_reference else ""
        out.write(f"{p.similarity:.2f}  {p.a}  ~  {p.b}{ref}  "
                  f"({p.shared_words} of {p.a_words} words in {len(p.passages)} shared "
                  f"passage(s))\n")
        for ps in sorted(p.passages, key=lambda x: -x.words)[:max_passages]:
            text = ps.text if len(ps.text) <= width else ps.text[:width - 3] + "..."
            out.write(f"    {p.a}:{ps.a_line} ~ {p.b}:{ps.b_line} ({ps.words} words) "
                      f"\"{text}\"\n")


def to_json(pairs: Sequence[Pair], threshold: float) -> str:
    return json.dumps({"schema": "pmscore.similar/1", "threshold": threshold,
                       "pairs": [p.to_dict() for p in pairs]}, ensure_ascii=False, indent=2)
