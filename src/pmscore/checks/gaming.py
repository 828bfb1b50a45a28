"""Rules PM85x: documents built to collect points without describing an incident.

Students learn what a grader rewards. The section and rubric rules look for the right things
(a root cause section, times, percentages, a task list); these rules catch the shapes that
satisfy those checks with no content behind them:

* PM851: a section whose text is mostly the assignment's own wording. The section "exists",
  so its group would otherwise keep most of its points; here it earns none.
* PM852: the prose is a list of keywords or technical words, not sentences (almost no
  function words: "the", "was", "to"...), e.g. "root cause timeline 40% UTC detected".
* PM853: most of the text is the same paragraph pasted again and again.

Thresholds are data (``data/gaming.json``); the function-word list is spaCy's English stop
words, a maintained list, not one of ours.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from pmscore import review as review_mod
from pmscore.checks import CheckContext, register
from pmscore.resources import read_json
from pmscore.review import Review
from pmscore.types import Finding

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@lru_cache(maxsize=1)
def _config() -> dict:
    return read_json("gaming.json")


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(w.lower() for w in STOP_WORDS)


def _group_weight(label: str) -> float:
    return float(read_json("rubric.json")["groups"].get(label, 0.0))


def _applies(ctx: CheckContext) -> bool:
    """Only postmortems: a non-postmortem already scores 0 with its own PM801 reason."""
    from pmscore.pipeline import is_postmortem

    return is_postmortem(ctx.analysis)[0]


def _review(ctx: CheckContext) -> Review:
    if isinstance(ctx.review, Review):
        return ctx.review
    return review_mod.detect(ctx.analysis)


def _covered(start: int, end: int, spans: list[tuple[int, int]]) -> int:
    """Characters of [start, end) inside any of ``spans`` (spans may overlap)."""
    marks = bytearray(end - start)
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if a < b:
            marks[a - start:b - start] = b"\x01" * (b - a)
    return sum(marks)


@register("PM851")
def section_is_assignment(ctx: CheckContext) -> Iterator[Finding]:
    """A section made mostly of the pasted assignment text loses its whole group."""
    if not _applies(ctx):
        return
    cfg = _config()["pasted_section"]
    rev = _review(ctx)
    spans = [(h.start, h.end) for h in rev.pasted_spans]
    if not spans:
        return
    doc = ctx.analysis.document
    text = doc.text
    done: set[str] = set()
    for sec in ctx.analysis.sections:
        if sec.label not in cfg["sections"] or sec.label in done:
            continue
        body = [(m.start() + sec.start, m.end() + sec.start)
                for m in re.finditer(r"\S+", text[sec.start:sec.end])]
        # the heading line itself is the section name, which is allowed to match the prompt
        nl = text.find("\n", sec.start, sec.end)
        if sec.heading and nl > 0:
            body = [(a, b) for a, b in body if a > nl]
        chars = sum(b - a for a, b in body)
        if chars < cfg["min_chars"]:
            continue
        pasted = sum(_covered(a, b, spans) for a, b in body)
        if pasted / chars < cfg["min_pasted_share"]:
            continue
        done.add(sec.label)
        share = round(100 * pasted / chars)
        yield ctx.finding(
            "PM851", sec.start, sec.end, section=sec.label, points=_group_weight(sec.label),
            message=(f"This {sec.label.replace('_', ' ')} section is the assignment's wording "
                     f"({share}% of its text), not a description of your incident."))


def _prose_words(ctx: CheckContext) -> list[str]:
    """Letter-only words of the prose: code, markup and times are blanked in ``clean``."""
    # findall (no groups in _WORD): the same strings as the matches, without Match objects
    return [w.lower() for w in _WORD.findall(ctx.analysis.document.clean)]


@register("PM852")
def no_sentences(ctx: CheckContext) -> Iterator[Finding]:
    """Almost no function words: a keyword list or word salad, not an explanation."""
    if not _applies(ctx):
        return
    cfg = _config()["no_sentences"]
    words = _prose_words(ctx)
    if len(words) < cfg["min_words"]:
        return
    fw = _function_words()
    share = sum(1 for w in words if w in fw) / len(words)
    if share > cfg["max_function_word_share"]:
        return
    doc = ctx.analysis.document
    yield ctx.finding(
        "PM852", 0, len(doc.text.rstrip()),
        message=(f"The text is a list of keywords, not sentences: only {round(100 * share)}% "
                 f"of its {len(words)} words are words like 'the', 'was', 'to' "
                 f"(English prose has about 40%)."))


@register("PM853")
def repeated_text(ctx: CheckContext) -> Iterator[Finding]:
    """Most of the document is copies of the same paragraph(s)."""
    if not _applies(ctx):
        return
    cfg = _config()["repeated_text"]
    doc = ctx.analysis.document
    clean = doc.clean
    paras: list[tuple[int, int, str]] = []
    pos = 0
    for m in [*re.finditer(r"\n[^\S\n]*\n", clean), None]:
        end = len(clean) if m is None else m.start()
        key = " ".join(clean[pos:end].split()).lower()
        if len(key) >= cfg["min_paragraph_chars"]:
            lead = len(clean[pos:end]) - len(clean[pos:end].lstrip())
            paras.append((pos + lead, len(clean[:end].rstrip()), key))
        pos = end if m is None else m.end()
    if len(paras) < 3:
        return
    counts = Counter(p[2] for p in paras)
    total = sum(len(p[2]) for p in paras)
    repeated = sum(len(key) * (n - 1) for key, n in counts.items() if n > 1)
    if repeated / total < cfg["max_repeated_share"]:
        return
    first_copy: dict[str, int] = {}
    copies = []
    for s, e, key in paras:
        if key in first_copy:
            copies.append((s, e))
        else:
            first_copy[key] = s
    s, e = copies[0]
    yield ctx.finding(
        "PM853", s, e, related=tuple(copies[1:6]),
        message=(f"{round(100 * repeated / total)}% of the text repeats paragraphs already "
                 f"written ({len(copies)} copies)."))
