"""Stage 5: find the root-cause statement and grade how specific it is.

Why rules first: the annotation guide defines the grades by what a statement *names*
(a failing component or change, and a mechanism), which lexicons and patterns can see and
explain ("names nginx.conf and a typo"). The ML classifier of issue 3 can add a vote through
``pmscore.features.rootcause_features`` (the same evidence as these rules).

Grades (annotation guide): ``specific`` names component/change AND mechanism; ``partial`` one
of the two is missing or generic; ``vague`` neither ("some framework problem", "a glitch");
``missing`` no root cause at all. Specificity is judged on the whole document (hard-cases
section), so cues in the rest of the root-cause section and in the rest of the document count.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from pmscore.features import Cue, find_specifics, find_vague
from pmscore.resources import read_json
from pmscore.types import Block, Document, Entity, RootCause, Section

__all__ = ["assess", "find_statement", "grade_statement", "hedged"]

# Kinds of cue that name *what* failed (component or change) with checkable detail.
_NAMED = frozenset({"component", "file", "path", "version", "config_key", "code", "ip", "port",
                    "error_code", "quoted"})
_DETAIL = frozenset({"file", "path", "version", "config_key", "code", "ip", "port"})
_QUOTES = "`'\"“”‘’ "  # stripped from a quoted cue before reading what it names

_CAUSE_STRONG = re.compile(r"\broot[\s-]*causes?\b|\bRCA\b", re.IGNORECASE)
_CAUSE_WEAK = re.compile(
    r"\b(?:caused\s+by|was\s+caused|due\s+to|because(?:\s+of)?|stemmed\s+from|"
    r"resulted\s+from|traced\s+(?:back\s+)?to|attributed\s+to|triggered\s+by)\b",
    re.IGNORECASE,
)
# Sentence ends: ., !, ? followed by space, or a line break; keeps offsets.
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[`A-Z0-9])|\n\s*\n|\n(?=\s*[-*+•]|\s*\d+[.)])")


def _sentences(text: str, base: int) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets) of ``text`` starting at ``base``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for s, e in spans:
        seg = text[s:e]
        ls = len(seg) - len(seg.lstrip())
        rs = len(seg.rstrip())
        if rs > ls:
            out.append((base + s + ls, base + s + rs))
    return out


def _body_spans(doc: Document, section: Section) -> list[tuple[int, int]]:
    """Text spans of a section without its heading (label blocks: the part after the label)."""
    spans: list[tuple[int, int]] = []
    for i in section.block_indices:
        if not 0 <= i < len(doc.blocks):
            continue
        b: Block = doc.blocks[i]
        if b.kind == "heading":
            continue
        start = b.body_start if (b.kind == "label" and b.body_start is not None) else b.start
        if start < b.end:
            spans.append((start, b.end))
    if not spans and section.end > section.start and not section.block_indices:
        spans.append((section.start, section.end))
    return spans


def _trim(doc: Document, s: int, e: int) -> tuple[int, int]:
    """Shrink a span so it starts and ends on visible text of ``doc.clean``."""
    while s < e and not doc.clean[s].strip():
        s += 1
    while e > s and not doc.clean[e - 1].strip():
        e -= 1
    return s, e


def _sentence_score(text: str, index: int) -> float:
    """How much a sentence reads like the cause: cue words, named things, early position; a
    short title-like fragment loses points."""
    score = 0.0
    if _CAUSE_STRONG.search(text) and len(text.split()) > 5:
        score += 3.0
    if _CAUSE_WEAK.search(text):
        score += 1.5
    cues = find_specifics(text)
    score += min(2.0, 0.5 * len(cues))
    if any(c.kind == "mechanism" for c in cues):
        score += 0.5
    if re.search(r"\b(?:will|should|going forward|in the future|to prevent)\b", text, re.I):
        score -= 1.5
    # a title-like fragment ("Connection pool exhaustion") names a topic, not the cause
    w = _weights()
    if len(text.split()) < w["fragment_below_words"] and not text.rstrip().endswith(
            (".", "!", ":")):
        score += w["fragment"]
    return score - 0.25 * index


def _section_sentences(doc: Document, sec: Section) -> list[tuple[int, int, int]]:
    """(start, end, block number) of each sentence of a section body."""
    bodies = [_trim(doc, s, e) for s, e in _body_spans(doc, sec)]
    sents = [(a, z, bi) for bi, (s, e) in enumerate(bodies) if e > s
             for a, z in _sentences(doc.clean[s:e], s)]
    return [sp for sp in sents if re.search(r"[A-Za-z]{2}", doc.clean[sp[0]:sp[1]])]


def find_statement(doc: Document, sections: Sequence[Section]
                   ) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(statement span, following-context span) of the root cause, or (None, None).

    Order of preference: the best sentence of a ``root_cause`` section (cause words, named
    things, early position; a short statement takes the next sentence too); a labelled
    "Root cause:" line elsewhere; the best sentence saying "root cause" / "caused by" /
    "due to" / "because" outside the timeline. The context span is the next two sentences of
    the same section: people state the cause, then explain it.
    """
    sents: list[tuple[int, int, int]] = []
    for si, sec in enumerate(sections):
        if sec.label == "root_cause":
            sents.extend((a, z, si * 10_000 + bi) for a, z, bi in _section_sentences(doc, sec))
    summary_cause = _summary_cause_over_factors(doc, sections)
    if summary_cause is not None and sents:
        # the factors that follow explain the summary's cause: they are its context
        follow = sents[:2]
        return summary_cause, (follow[0][0], follow[-1][1])
    if not sents:
        for b in doc.blocks:  # a "Root Cause: ..." label the section classifier did not mark
            if b.kind == "label" and b.heading and _CAUSE_STRONG.search(b.heading):
                s, e = _trim(doc, b.body_start if b.body_start is not None else b.start, b.end)
                if e > s:
                    sents.extend((a, z, b.index) for a, z in _sentences(doc.clean[s:e], s))
    if sents:
        scored = [(_sentence_score(doc.clean[s:e], i), i) for i, (s, e, _) in enumerate(sents)]
        best = max(scored)[1]
        s0, e0, blk = sents[best]
        nxt = best + 1
        opener = doc.clean[s0:e0].rstrip().endswith(":")
        # a short statement takes the next sentence of the same block (or the list it opens)
        if nxt < len(sents) and (opener or (
                sents[nxt][2] == blk
                and len(doc.clean[s0:e0].split()) < _weights()["extend_below_words"])):
            e0 = sents[nxt][1]
            blk = sents[nxt][2]
            nxt += 1
        # context: the two sentences that follow (people state the cause, then explain it)
        follow = sents[nxt:nxt + 2]
        ctx = (follow[0][0], follow[-1][1]) if follow else None
        return (s0, e0), ctx
    timeline = [(sec.start, sec.end) for sec in sections if sec.label == "timeline"]
    cands: list[tuple[float, int, int]] = []
    for b in doc.blocks:
        if b.kind in ("heading", "code") or any(a <= b.start < z for a, z in timeline):
            continue
        for s, e in _sentences(doc.clean[b.start:b.end], b.start):
            seg = doc.clean[s:e]
            if len(seg.split()) >= 5 and (_CAUSE_STRONG.search(seg) or _CAUSE_WEAK.search(seg)):
                cands.append((_sentence_score(seg, 0), -s, e))
    if not cands:
        # no cause words at all: the sentence naming the most (a file and a mistake...) is the
        # best candidate, if it scores at least ``fallback_min`` points
        w = _weights()
        for b in doc.blocks:
            if b.kind in ("heading", "code") or any(a <= b.start < z for a, z in timeline):
                continue
            for s, e in _sentences(doc.clean[b.start:b.end], b.start):
                pts = _points(find_specifics(doc.clean[s:e]), w)
                if pts >= w["fallback_min"]:
                    cands.append((pts, -s, e))
    if cands:
        _, ms, e = max(cands)
        return (-ms, e), None
    return None, None


@lru_cache(maxsize=1)
def _factor_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """rootcause.json ``factor_headings`` (regexes) and ``summary_cause_verbs`` (phrases)."""
    heads = read_json("lexicons", "rootcause.json")["factor_headings"]["patterns"]
    return (re.compile("|".join(f"(?:{h})" for h in heads), re.IGNORECASE),
            re.compile(rf"\b(?:{_phrases_alternation('summary_cause_verbs')})\b", re.IGNORECASE))


def _summary_cause_over_factors(doc: Document, sections: Sequence[Section]
                                ) -> tuple[int, int] | None:
    """The summary's cause sentence, when every root-cause section is a list of contributing
    factors.

    Why: a "Contributing factors" list holds several partial causes, one per item, and its
    first item is rarely the cause itself ("No version lock on the component"); such write-ups
    state the cause in their summary ("An unplanned version bump of X removed Y, so ...").
    The guide takes that sentence as the root-cause text and judges it on the whole document.
    """
    rc = [sec for sec in sections if sec.label == "root_cause"]
    heads, verbs = _factor_res()
    if not rc or not all(sec.heading and heads.search(sec.heading.strip()) for sec in rc):
        return None
    best: tuple[float, int, int] | None = None
    for sec in sections:
        if sec.label != "summary":
            continue
        for i, (a, z, _) in enumerate(_section_sentences(doc, sec)):
            seg = doc.clean[a:z]
            if len(seg.split()) < 6 or not verbs.search(seg):
                continue
            cand = (_sentence_score(seg, i), -a, z)
            if best is None or cand > best:
                best = cand
    return None if best is None else (-best[1], best[2])


def _weights() -> dict:
    """Root-cause scoring weights (data: rootcause.json ``weights``)."""
    return read_json("lexicons", "rootcause.json")["weights"]


@lru_cache(maxsize=1)
def _hedge_re() -> re.Pattern[str]:
    """Words of a guess ("likely", "may have"): data rootcause.json ``hedges``."""
    return re.compile(rf"\b(?:{_phrases_alternation('hedges')})\b", re.IGNORECASE)


def _phrases_alternation(key: str) -> str:
    """rootcause.json ``key.phrases`` as a regex alternation, longest first, any spacing."""
    phrases = read_json("lexicons", "rootcause.json")[key]["phrases"]
    return "|".join(re.escape(p).replace(r"\ ", r"\s+")
                    for p in sorted(phrases, key=len, reverse=True))


def hedged(statement: str) -> bool:
    """Whether a statement only guesses at its cause.

    Why: the guide grades what the text *says*; "this error likely involved a wrong path or a
    faulty edit" offers candidates, not a mechanism one could check, so it is at most partial.
    """
    return bool(_hedge_re().search(statement))


def _points(cues: Sequence[Cue], w: dict) -> float:
    """Capped points for distinct named details, components and mechanisms."""
    def n(kinds: frozenset[str] | set[str]) -> int:
        return len({c.text.lower().strip("`'\"“”‘’ ") for c in cues if c.kind in kinds})
    return (w["detail"] * min(n(_DETAIL), w["detail_cap"])
            + w["component"] * min(n({"component"}), w["component_cap"])
            + w["mechanism"] * min(n({"mechanism"}), w["mechanism_cap"])
            + w["mechanism_class"] * min(n({"mechanism_class"}), w["mechanism_cap"]))


def _specifics(text: str, services: Sequence[str] = ()) -> list[Cue]:
    """:func:`find_specifics`, with a quoted name read as what it quotes.

    Why: ``find_specifics`` keeps the longer of two overlapping cues, so "‘wp-settings.php’"
    comes back as ``quoted`` and hides the ``file`` inside, which is the checkable detail the
    guide asks for. The quoted cue is replaced by the cues found inside it (same offsets).
    """
    out: list[Cue] = []
    for c in find_specifics(text, services):
        if c.kind == "quoted":
            inner = [k for k in find_specifics(c.text.strip(_QUOTES)) if k.kind != "quoted"]
            if inner:
                out.append(Cue(inner[0].kind, c.text, c.start, c.end, c.score))
                continue
        out.append(c)
    return out


def _decisive(text: str, w: dict) -> bool:
    """A sentence that names a file/path/port and a decisive mechanism (typo, wrong port...).

    The guide's hard case: "a timeline that names the file and typo makes it specific".
    """
    mechanisms = w["decisive_mechanisms"]
    for sent in re.split(r"(?<=[.!?])\s+|\n", text):
        sl = sent.lower()
        # a mechanism word must be in the sentence before its cues are worth finding (the
        # test below needs both): most sentences of a document name none
        if not any(m in sl for m in mechanisms):
            continue
        ks = _specifics(sent)
        if any(k.kind in ("file", "path", "port", "code") for k in ks):
            if any(re.search(rf"\b{re.escape(m)}", sl) for m in mechanisms):
                return True
    return False


@lru_cache(maxsize=1)
def _prompt_opener_re() -> re.Pattern[str]:
    """Openers of an instruction to the writer (data: rootcause.json ``prompt_openers``)."""
    return re.compile(rf"^\W*(?:{_phrases_alternation('prompt_openers')})\b", re.IGNORECASE)


def _prompt_only(statement: str) -> bool:
    """Whether every sentence is a question or an instruction to the writer.

    Why: a template or pasted assignment ("Try to understand why... Was it a lack of
    resources?") fills the root-cause place without stating any cause: the guide's ``missing``.
    """
    sents = [x for x in re.split(r"(?<=[.!?])\s+|\n+", statement.strip()) if x.strip()]
    rx = _prompt_opener_re()
    return bool(sents) and all(x.rstrip().endswith("?") or rx.search(x) for x in sents)


@lru_cache(maxsize=1)
def _generic_adjective_re() -> re.Pattern[str]:
    words = read_json("lexicons", "rootcause.json")["generic_adjectives"]["words"]
    return re.compile(rf"\b(?:{'|'.join(re.escape(x) for x in words)})\b", re.IGNORECASE)


def _generic_adjectives(statement: str, known: Sequence[Cue]) -> list[Cue]:
    """Generic cues for an evaluative adjective on a part ("an outdated WordPress plugin").

    Why: the guide's partial examples say *that* a part was bad, not *how*; the fuzzy lexicon of
    :func:`find_vague` misses them once a name sits in the phrase. Words: rootcause.json
    ``generic_adjectives``; not counted where a known vague/generic cue already covers them.
    """
    out = []
    for m in _generic_adjective_re().finditer(statement):
        if any(c.start <= m.start() < c.end for c in known):
            continue
        out.append(Cue("generic", m.group(0), m.start(), m.end()))
    return out


def grade_statement(statement: str, local: str = "", rest: str = "",
                    services: Sequence[str] = ()) -> tuple[str, list[Cue], list[Cue], str]:
    """Grade a root-cause statement: (specificity, specific cues, vague cues, reason).

    ``local`` is the text right after the statement in the root-cause section (its cues count
    at ``local_factor``), ``rest`` the rest of the document (a sentence naming a file and a
    decisive mechanism counts there, and so do ``doc_details_min`` distinct checkable details).
    """
    if not statement.strip():
        return "missing", [], [], "no root-cause statement found"
    if _prompt_only(statement):
        return "missing", [], [], "the root-cause part only asks questions or gives instructions"
    w = _weights()
    spec = _specifics(statement, services)
    vague = find_vague(statement)
    vague = vague + _generic_adjectives(statement, vague)
    loc = [c for c in _specifics(local, services) if c.kind != "quoted"] if local else []
    n_vague = sum(c.kind == "vague" for c in vague)
    n_generic = sum(c.kind == "generic" for c in vague)
    score = (_points(spec, w) + w["local_factor"] * _points(loc, w)
             + w["generic"] * n_generic + w["vague"] * n_vague)
    names = ", ".join(dict.fromkeys(c.text for c in spec)) or "nothing checkable"
    guess = hedged(statement)
    if score >= w["specific_min"] and not guess:
        return "specific", spec, vague, f"names what failed and how: {names}"
    if rest and not n_vague and not guess and (spec or loc) and _decisive(rest, w):
        return "specific", spec, vague, (
            f"statement names {names}; elsewhere the document names the file and the mistake")
    # the guide judges the whole document: one naming many checkable details is specific
    if rest and not n_vague and not guess and (spec or loc):
        det = {c.text.lower().strip(_QUOTES) for c in _specifics(rest) if c.kind in _DETAIL}
        if len(det) >= w["doc_details_min"]:
            return "specific", spec, vague, (
                f"statement names {names}; the document names {len(det)} checkable details")
    if n_vague and score <= w["vague_max"] and not any(
            c.kind in _DETAIL | {"component", "component_class", "mechanism", "mechanism_class"}
            for c in spec):
        return "vague", spec, vague, (
            "names neither component nor mechanism: "
            + ", ".join(c.text for c in vague if c.kind == "vague"))
    if not spec:
        why = ("only a mechanism class: " + ", ".join(c.text for c in vague)) if vague else \
            "names no component, file or mechanism"
        return "partial", spec, vague, why
    gen = [c.text for c in vague]
    if guess and score >= w["specific_min"]:
        return "partial", spec, vague, f"names {names} but only as a guess"
    return "partial", spec, vague, (
        f"names {names}" + (f" but stays generic: {', '.join(gen)}" if gen
                            else " but not both the failing part and the mechanism"))


def _phrase_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a vague/generic cue to the noun phrase it heads, as a reviewer quotes it.

    Why: "a misconfiguration" says little on its own; the guide's phrases carry their
    attachment ("a misconfiguration in the load balancer settings", "a misconfigured firewall
    rule"). Words come from rootcause.json ``phrase_extent``: a participle cue takes up to
    ``max_nouns`` following words and its article, another cue takes one prepositional phrase
    of up to ``max_pp_words`` words; both stop at punctuation and at ``stop_words`` (verbs, clause
    openers), so the phrase never runs into the rest of the sentence.
    """
    cfg = read_json("lexicons", "rootcause.json")["phrase_extent"]
    stop = set(cfg["stop_words"])
    preps = set(cfg["prepositions"])
    dets = set(cfg["determiners"])
    word = re.compile(r"[ \t]+([\w'’-]+)")

    def take(pos: int, limit: int, allow: set[str] | None = None) -> tuple[int, list[str]]:
        got: list[str] = []
        while len(got) < limit:
            m = word.match(text, pos)
            if not m or m.group(1).lower() in stop or (allow is not None
                                                       and m.group(1).lower() not in allow):
                break
            got.append(m.group(1).lower())
            pos = m.end()
        return pos, got

    cue = text[start:end].lower().split()
    if cue and cue[-1].endswith("ed") and len(cue) == 1:
        new_end, nouns = take(end, cfg["max_nouns"])
        nouns_ok = [w for w in nouns if w not in preps and w not in dets]
        if nouns and len(nouns_ok) == len(nouns):
            end = new_end
            before = text[:start].rstrip()
            m = re.search(r"(?:^|\s)(\w+)$", before)
            if m and m.group(1).lower() in dets:
                start = before.rfind(m.group(1))
            return start, end  # "a misconfigured firewall rule": the noun phrase is complete
    pos, prep = take(end, 1, preps)
    if prep:
        pos2, _det = take(pos, 1, dets)
        pos3, rest = take(pos2, cfg["max_pp_words"])
        rest_ok = [w for w in rest if w not in preps]
        if rest and len(rest_ok) == len(rest):
            end = pos3
    return start, end


def assess(doc: Document, sections: Sequence[Section], entities: Sequence[Entity] = ()
           ) -> RootCause:
    """Find the root-cause statement in ``doc`` and grade it (see module docstring)."""
    span, ctx = find_statement(doc, sections)
    if span is None:
        return RootCause(text="", start=0, end=0, specificity="missing",
                         reason="no root-cause section or cause sentence found")
    s, e = span
    services = tuple(dict.fromkeys(en.text for en in entities if en.label == "SERVICE"))
    # Graded on the raw text: ``clean`` blanks backticks and quotes that mark code names.
    stmt = doc.text[s:e]
    local = doc.text[ctx[0]:ctx[1]] if ctx else ""
    rest = doc.text[:s] + "\n" + doc.text[e:]
    grade, spec, vague, reason = grade_statement(stmt, local, rest, services)
    # the guide's vague_phrases are what makes a cause vague or partial: a specific cause has
    # none ("a critical error in wp-settings.php" is the symptom of a named mistake)
    shown = [] if grade == "specific" else (
        [c for c in vague if c.kind == "vague"] or [c for c in vague if c.kind == "generic"])
    return RootCause(
        text=doc.text[s:e],
        start=s,
        end=e,
        specificity=grade,  # type: ignore[arg-type]
        vague_phrases=tuple(dict.fromkeys(
            doc.text[s + a:s + z]
            for a, z in (_phrase_extent(stmt, c.start, c.end) for c in shown))),
        specifics=tuple(dict.fromkeys(c.text for c in spec)),
        reason=reason,
    )
