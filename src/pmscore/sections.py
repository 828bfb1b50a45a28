"""Stage 2: label every block with a section and merge blocks into sections.

Students name the same part in dozens of ways ("Issue Summary", "ssue Summary", "RCA", "What
went wrong", "Corrective And Preventative Measures", "TODO"), so headings and inline labels
are matched fuzzily (rapidfuzz) against the lexicon ``data/lexicons/section_headings.tsv``;
key words from the same file catch combined or decorated headings ("Root Cause and
Resolution" opens both sections). Text that no heading places gets a label from content cues
(``data/lexicons/section_cues.tsv``) or, when one is given, from a content classifier (the ML
model of the corpus issue) through the ``content_classifier`` hook.

A section runs from its start (a heading or inline label that maps to a label) to the next
start. Sections may overlap: a combined heading yields two sections with the same span, and a
block whose content clearly plays another role (impact figures inside the summary, the fix
inside "Root Cause") adds a one-block section with ``source="content"``; the bars for those
are data too (``extra`` / ``spread`` rows of the cues file). The annotation guide's hard cases
shape a few rules: the opening part is the summary even without a heading (an opening Impact
section included), a run of timestamped lines is a timeline wherever it stands, pasted
assignment instructions ("... must contain:") are never a section, and inline labels under a
closing heading ("Postmortem Review", "Conclusion") open nothing.

``block_labels`` holds one label per block: the section the block's start placed it in, or
its content label when no start placed it. Sections, not block labels, say which parts are
present.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz, process

from pmscore.features import first_char_guarded, prefilter_text, required_literals
from pmscore.resources import read_lines
from pmscore.types import SECTION_LABELS, Block, Document, Section

__all__ = ["classify", "heading_labels", "content_scores", "ContentClassifier"]

ContentClassifier = Callable[[list[str]], Sequence[tuple[str, float]]]
"""Takes block texts, returns one ``(label, confidence)`` per text (label may be ``other``)."""

_LABELS = frozenset(SECTION_LABELS) | {"other"}
_WHOLE_CUTOFF = 88.0  # fuzz.ratio against a whole lexicon variant (typos, lost first letter)
_KEY_CUTOFF = 86.0  # fuzz.ratio of a heading word n-gram against a key word
_CONTENT_MIN = 2.0  # cue score for labelling an unheaded block
_EXTRA_MIN = 3.0  # cue score for an extra section inside a differently headed section
_MODEL_MIN = 0.5  # classifier confidence above which it overrides the cue rules
_MAX_HEADING_CHARS = 120
_MAX_CUE_CHARS = 5000
_CLOSING = "other:closing"  # marker for "inside a heading the lexicon maps to other"
_PROMPT_MIN = 3.0  # "prompt" cue score that marks pasted assignment instructions
_MIN_TIMELINE_RUN = 3  # consecutive timestamped blocks that make a timeline wherever they stand
_NUMBERING = re.compile(
    r"^\s*(?:(?:step|part|section|phase)\s+)?(?:\d+(?:\.\d+)*|[ivx]{1,4}|[a-h])[.):\-]\s*", re.I)
_NON_WORD = re.compile(r"[^a-z0-9' ]+")
_PROMPT_TAIL = re.compile(r"\b(?:must contain|should contain|that is often).*$", re.I)


@dataclass(frozen=True)
class _Lexicon:
    variants: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    keys: tuple[tuple[str, str], ...]  # (normalised keyword, label)


def _normalise(heading: str) -> str:
    """Lower case, numbering / prompt tails / punctuation removed, spaces collapsed."""
    h = heading.strip().lower()
    h = _NUMBERING.sub("", h, count=1)
    h = _PROMPT_TAIL.sub("", h)
    h = h.replace("’", "'").replace("-", " ").replace("_", " ")
    h = _NON_WORD.sub(" ", h)
    return " ".join(h.split())


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    variants: list[str] = []
    labels: list[tuple[str, ...]] = []
    keys: list[tuple[str, str]] = []
    for line in read_lines("lexicons", "section_headings.tsv"):
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        labs = tuple(l.strip() for l in parts[1].split(",") if l.strip() in _LABELS)
        if not labs:
            continue
        v = _normalise(parts[0])
        variants.append(v)
        labels.append(labs)
        if len(parts) > 2 and parts[2].strip() == "key":
            keys.append((v, labs[0]))
    return _Lexicon(tuple(variants), tuple(labels), tuple(keys))


@dataclass(frozen=True)
class _Bars:
    """Cue-score bars from section_cues.tsv: extra one-block parts and spread parts."""

    extra: dict[str, dict[str, float]]  # enclosing label ("*" = any) -> part -> block bar
    spread: dict[tuple[str, str], float]  # (enclosing, part) -> whole-section bar


@lru_cache(maxsize=1)
def _bars() -> _Bars:
    extra: dict[str, dict[str, float]] = {}
    spread: dict[tuple[str, str], float] = {}
    for line in read_lines("lexicons", "section_cues.tsv"):
        parts = line.split("\t")
        if len(parts) != 4 or parts[2] not in _LABELS:
            continue
        if parts[0] == "extra":
            extra.setdefault(parts[1], {})[parts[2]] = float(parts[3])
        elif parts[0] == "spread":
            spread[(parts[1], parts[2])] = float(parts[3])
    return _Bars(extra, spread)


@lru_cache(maxsize=1)
def _cues() -> tuple[tuple[str, float, re.Pattern[str], tuple[str, ...] | None], ...]:
    """(label, weight, regex, literals one of which the regex needs; see required_literals)."""
    out = []
    for line in read_lines("lexicons", "section_cues.tsv"):
        parts = line.split("\t")
        if len(parts) != 3 or parts[0] not in _LABELS | {"prompt"}:
            continue
        rx = re.compile(parts[2], re.I | re.M)
        # behind a first-character look-ahead (the same matches): most cues open with \b and
        # an alternation, which re would otherwise try in full at every position of a block
        out.append((parts[0], float(parts[1]), first_char_guarded(rx), required_literals(rx)))
    return tuple(out)


@lru_cache(maxsize=4096)
def heading_labels(heading: str) -> tuple[tuple[str, ...], float]:
    """Section labels a heading / inline label names, with a 0-1 match confidence.

    Tries an exact lexicon entry, then a fuzzy whole-heading match (typos, a lost first
    letter), then key words anywhere in the heading, which also splits combined headings.
    Returns ``((), 0.0)`` when nothing matches.
    """
    if not heading or len(heading) > _MAX_HEADING_CHARS:
        return (), 0.0
    h = _normalise(heading)
    if not h:
        return (), 0.0
    lex = _lexicon()
    try:
        i = lex.variants.index(h)
        return lex.labels[i], 1.0
    except ValueError:
        pass
    words = h.split()
    # Key words anywhere in the heading ("Timeline of the incident", "Impact and Root Cause").
    found: list[tuple[int, str]] = []
    if len(words) <= 20:
        for pos, label in _find_keys(words):
            if all(l != label for _, l in found):
                found.append((pos, label))
    whole = process.extractOne(h, lex.variants, scorer=fuzz.ratio, score_cutoff=_WHOLE_CUTOFF)
    if whole is not None:
        labs = lex.labels[whole[2]]
        extra = tuple(l for _, l in sorted(found) if l not in labs)
        return labs + (extra if len(labs) == 1 and labs[0] != "other" and len(found) > 1 else ()), \
            whole[1] / 100.0
    if found:
        found.sort()
        return tuple(l for _, l in found), 0.8
    return (), 0.0


@lru_cache(maxsize=1)
def _keys_by_length() -> dict[int, tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]]:
    """Key words grouped by word count: (exact map, fuzzy-matchable keys, their labels)."""
    groups: dict[int, tuple[dict[str, str], list[str], list[str]]] = {}
    for key, label in _lexicon().keys:
        exact, fuzzy, labs = groups.setdefault(len(key.split()), ({}, [], []))
        exact.setdefault(key, label)
        if len(key) > 4:
            fuzzy.append(key)
            labs.append(label)
    return {n: (e, tuple(f), tuple(l)) for n, (e, f, l) in groups.items()}


def _find_keys(words: list[str]) -> list[tuple[int, str]]:
    """(word position, label) of every key word found in ``words`` (fuzzily if > 4 letters)."""
    out: list[tuple[int, str]] = []
    for n, (exact, fuzzy, labs) in _keys_by_length().items():
        for i in range(len(words) - n + 1):
            gram = " ".join(words[i:i + n])
            if gram in exact:
                out.append((i, exact[gram]))
            elif len(gram) > 4 and fuzzy:
                m = process.extractOne(gram, fuzzy, scorer=fuzz.ratio, score_cutoff=_KEY_CUTOFF)
                if m is not None and abs(len(m[0]) - len(gram)) <= 2:
                    out.append((i, labs[m[2]]))
    out.sort()
    return out


def content_scores(text: str) -> dict[str, float]:
    """Summed cue weights per label for one block of clean text.

    Only the first few thousand characters are scored: cues sit near a block's start, and a
    pathological one-paragraph megabyte must not cost seconds.
    """
    return dict(_content_scores(text[:_MAX_CUE_CHARS]))


@lru_cache(maxsize=8192)
def _content_scores(text: str) -> tuple[tuple[str, float], ...]:
    scores: dict[str, float] = {}
    low = prefilter_text(text)
    for label, weight, rx, need in _cues():
        if need is not None and not any(map(low.__contains__, need)):
            continue  # cannot match: skipping keeps the scores exactly the same
        if rx.search(text):
            scores[label] = scores.get(label, 0.0) + weight
    return tuple(scores.items())


def _best(scores: dict[str, float]) -> tuple[str, float]:
    scores = {k: v for k, v in scores.items() if k in _LABELS}
    if not scores:
        return "other", 0.0
    label = max(scores, key=lambda k: (scores[k], -SECTION_LABELS.index(k)
                                       if k in SECTION_LABELS else -99))
    return label, scores[label]


def _is_start_candidate(b: Block) -> bool:
    """Blocks whose own text may be a heading: headings, labels, short title-like items."""
    if b.kind in ("heading", "label") or _is_prompt(b.text):
        return True
    if b.kind in ("list_item", "paragraph", "html", "table_row"):
        t = b.text.rstrip(":").strip()
        return 0 < len(t.split()) <= 6 and not t.endswith(".") and len(t) <= 60
    return False


def _is_prompt(text: str) -> bool:
    """Whether a block is the assignment's pasted instructions (cue label ``prompt``)."""
    return content_scores(text).get("prompt", 0.0) >= _PROMPT_MIN


def _start_labels(b: Block) -> tuple[tuple[str, ...], float]:
    if _is_prompt(b.text):
        # The assignment's own requirement list pasted in ("Root cause and resolution must
        # contain: ..."): it names sections but is not one; it ends the previous section.
        return ("other",), 1.0
    if b.kind == "heading":
        return heading_labels(b.heading or b.text)
    if b.kind == "label":
        return heading_labels(b.heading or "")
    # A short list item / paragraph only counts as a heading on a close whole match.
    labs, conf = heading_labels(b.text.rstrip(":").strip())
    return (labs, conf) if conf >= 0.9 else ((), 0.0)


def classify(
    doc: Document, content_classifier: ContentClassifier | None = None
) -> tuple[tuple[str, ...], tuple[Section, ...]]:
    """A label for every block of ``doc`` and the merged sections.

    ``content_classifier`` (optional) labels blocks that no heading placed; its answer wins
    over the cue rules when its confidence is at least 0.5.
    """
    blocks = doc.blocks
    n = len(blocks)
    if n == 0:
        return (), ()
    # 1. Section starts from headings and inline labels.
    starts: list[tuple[int, tuple[str, ...], float, str]] = []  # (block, labels, conf, source)
    overlays: list[Section] = []
    current_head: str | None = None
    for b in blocks:
        if b.kind == "code" or not _is_start_candidate(b):
            continue
        labs, conf = _start_labels(b)
        if not labs:
            if b.kind == "heading" and b.level and b.level <= 2 and starts:
                # An unknown top-level heading ends the previous section.
                starts.append((b.index, ("other",), 0.5, "heading"))
                current_head = "other"
            continue
        source = "label" if b.kind == "label" else "heading"
        if source == "label" and current_head == _CLOSING:
            continue  # "Summary of the Review:" under "Postmortem Review" is not the summary
        if source == "label" and current_head == "timeline" and "timeline" not in labs:
            # "- Resolution: service restored" inside a timeline annotates an entry.
            for lab in labs:
                if lab != "other":
                    overlays.append(Section(lab, b.start, b.end, (b.index,), b.heading, "label",
                                            conf))
            continue
        if starts and starts[-1][1] == labs and source == "label" and starts[-1][3] == "heading":
            continue  # "Root Cause:" under "Root Cause" continues the same section
        starts.append((b.index, labs, conf, source))
        if source == "heading":
            # A heading the lexicon names "other" (Conclusion, Review, References) closes the
            # graded part; labels under it do not open sections.
            current_head = _CLOSING if labs == ("other",) and not _is_prompt(b.text) else labs[0]
    # 2. Primary block labels from the starts.
    block_labels = ["other"] * n
    owner: list[int | None] = [None] * n  # index into starts
    for si, (bi, labs, _conf, _src) in enumerate(starts):
        end = starts[si + 1][0] if si + 1 < len(starts) else n
        for j in range(bi, end):
            block_labels[j] = labs[0]
            owner[j] = si
    # 3. Content labels for blocks no start placed, or placed under "other".
    unplaced = [b.index for b in blocks if b.kind not in ("code",)
                and (owner[b.index] is None or block_labels[b.index] == "other")
                and b.kind != "heading" and not _is_prompt(b.text)]
    model_out: dict[int, tuple[str, float]] = {}
    if content_classifier is not None and unplaced:
        try:
            preds = list(content_classifier([blocks[i].text for i in unplaced]))
        except Exception:  # noqa: BLE001 - a broken model must not stop grading
            preds = []
        for i, p in zip(unplaced, preds):
            if p and p[0] in _LABELS and p[1] >= _MODEL_MIN:
                model_out[i] = (p[0], float(p[1]))
    content: dict[int, tuple[str, float, str]] = {}
    seen_cause = False
    first_prose_done = False
    for i in unplaced:
        b = blocks[i]
        if i in model_out:
            content[i] = (model_out[i][0], model_out[i][1], "model")
            continue
        scores = content_scores(b.text)
        if seen_cause and b.kind == "list_item" and scores.get("corrective_actions", 0) >= 1.5:
            scores["corrective_actions"] = scores["corrective_actions"] + 1.0
        if not first_prose_done and owner[i] is None and b.kind in ("paragraph", "html") and \
                len(b.text.split()) >= 12:
            first_prose_done = True
            if scores.get("summary", 0) + scores.get("impact", 0) >= 1.5:
                content[i] = ("summary", 0.6, "content")
                continue
        label, score = _best(scores)
        threshold = _CONTENT_MIN if owner[i] is None else _EXTRA_MIN
        if score >= threshold:
            content[i] = (label, min(0.95, 0.3 + score / 10), "content")
            if label == "root_cause":
                seen_cause = True
    for i, (lab, _c, _s) in content.items():
        block_labels[i] = lab
    # 4. Sections: one per start (two or more for combined headings), then content runs.
    sections: list[Section] = []
    for si, (bi, labs, conf, src) in enumerate(starts):
        end_b = (starts[si + 1][0] if si + 1 < len(starts) else n) - 1
        idx = tuple(j for j in range(bi, end_b + 1) if j not in content)
        if not idx:
            continue
        span_start, span_end = blocks[bi].start, blocks[idx[-1]].end
        for lab in labs:
            if lab == "other":
                continue
            sections.append(Section(lab, span_start, span_end, idx,
                                    blocks[bi].heading or blocks[bi].text, src, conf))
    run: list[int] = []
    for i in sorted(content):
        if run and (content[run[-1]][0] != content[i][0] or i != run[-1] + 1):
            sections.append(_content_section(blocks, content, run))
            run = []
        run.append(i)
    if run:
        sections.append(_content_section(blocks, content, run))
    sections = [s for s in sections if s.label != "other"]
    # 5. Extra one-block sections for content that plays another role inside a section.
    have = {s.label for s in sections}
    bars = _bars()
    for b in blocks:
        if b.kind in ("code", "heading") or (owner[b.index] is None and b.index not in content) \
                or _is_prompt(b.text):
            continue
        enclosing = block_labels[b.index]
        allowed = {**bars.extra.get("*", {}), **bars.extra.get(enclosing, {})}
        allowed.pop(enclosing, None)
        scores = content_scores(b.text)
        for lab, bar in allowed.items():
            if scores.get(lab, 0.0) >= bar and lab not in have:
                sections.append(Section(lab, b.start, b.end, (b.index,), None, "content",
                                        min(0.9, 0.3 + scores[lab] / 10)))
                have.add(lab)
    # 5b. Some parts are spread over another section rather than held by one block: impact
    #     inside the summary (annotation guide), the fix across timeline entries. Judge the
    #     whole enclosing section's cue score and point at its strongest block.
    for (enclosing, lab), bar in bars.spread.items():
        if lab in have:
            continue
        for sec in [s for s in sections if s.label == enclosing]:
            idx = [i for i in sec.block_indices if blocks[i].kind != "code"]
            if not idx or content_scores(" ".join(blocks[i].text for i in idx)).get(lab, 0.0) < bar:
                continue
            best = max(idx, key=lambda i: content_scores(blocks[i].text).get(lab, 0.0))
            sections.append(Section(lab, blocks[best].start, blocks[best].end, (best,), None,
                                    "content", 0.5))
            have.add(lab)
            break
    # 6. Every postmortem opens with some overview: without a summary section, the first
    #    unplaced blocks that carry summary or impact cues before any other start are one.
    if "summary" not in have:
        first_start = starts[0][0] if starts else n
        run = []
        for b in blocks:
            if b.index >= first_start and owner[b.index] is not None and \
                    block_labels[b.index] != "other":
                break
            if b.kind in ("code", "heading"):
                if run:
                    break
                continue
            sc = content_scores(b.text)
            if not run and sc.get("summary", 0.0) + sc.get("impact", 0.0) < 1.0:
                continue
            run.append(b.index)
        if run:
            sections.append(Section("summary", blocks[run[0]].start, blocks[run[-1]].end,
                                    tuple(run), None, "content", 0.5))
            for i in run:
                block_labels[i] = "summary"
            have.add("summary")
        elif sections:
            # "Summary part: the opening part before the timeline, an Impact section near the
            # top included" (annotation guide): an opening Impact section is the summary.
            first = min(sections, key=lambda s: s.start)
            if first.label == "impact":
                sections.append(replace(first, label="summary", source="content",
                                        confidence=0.5))
                have.add("summary")
    # 7. A run of timestamped entries outside any timeline section is a timeline.
    if "timeline" not in have:
        run = []
        for b in list(blocks) + [None]:  # type: ignore[list-item]
            if b is not None and b.kind not in ("code", "heading") and \
                    content_scores(b.text).get("timeline", 0.0) >= _EXTRA_MIN:
                run.append(b.index)
                continue
            if len(run) >= _MIN_TIMELINE_RUN:
                sections.append(Section("timeline", blocks[run[0]].start, blocks[run[-1]].end,
                                        tuple(run), None, "content", 0.7))
                have.add("timeline")
                break
            run = []
    sections.extend(overlays)
    sections.sort(key=lambda s: (s.start, SECTION_LABELS.index(s.label)
                                 if s.label in SECTION_LABELS else 99))
    return tuple(block_labels), tuple(sections)


def _content_section(blocks: Sequence[Block], content: dict[int, tuple[str, float, str]],
                     run: list[int]) -> Section:
    label, _c, src = content[run[0]]
    conf = sum(content[i][1] for i in run) / len(run)
    return Section(label, blocks[run[0]].start, blocks[run[-1]].end, tuple(run), None,
                   "model" if src == "model" else "content", conf)
