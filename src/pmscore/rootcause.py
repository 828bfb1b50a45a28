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
from typing import Sequence

from pmscore.features import Cue, find_specifics, find_vague
from pmscore.types import Block, Document, Entity, RootCause, Section

__all__ = ["assess", "find_statement", "grade_statement"]

# Kinds of cue that name *what* failed (component or change) with checkable detail.
_NAMED = frozenset({"component", "file", "path", "version", "config_key", "code", "ip", "port",
                    "error_code", "quoted"})
_DETAIL = frozenset({"file", "path", "version", "config_key", "code", "ip", "port"})

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


def find_statement(doc: Document, sections: Sequence[Section]
                   ) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(statement span, local-context span) of the root cause, or (None, None).

    Order of preference: the sentence of a ``root_cause`` section that carries a cause cue
    (else its first sentence); a labelled "Root cause:" line elsewhere; the first sentence
    saying "root cause"; the first "caused by" / "due to" / "because" sentence.
    """
    for sec in sections:
        if sec.label != "root_cause":
            continue
        bodies = [_trim(doc, s, e) for s, e in _body_spans(doc, sec)]
        bodies = [(s, e) for s, e in bodies if e > s]
        if not bodies:
            continue
        sents = [sp for s, e in bodies for sp in _sentences(doc.clean[s:e], s)]
        sents = [sp for sp in sents if re.search(r"[A-Za-z]{2}", doc.clean[sp[0]:sp[1]])]
        if not sents:
            continue
        pick = next((sp for sp in sents if _CAUSE_STRONG.search(doc.clean[sp[0]:sp[1]])
                     and len(doc.clean[sp[0]:sp[1]].split()) > 5), None)
        pick = pick or next((sp for sp in sents if _CAUSE_WEAK.search(doc.clean[sp[0]:sp[1]])),
                            None)
        pick = pick or sents[0]
        idx = sents.index(pick)
        # A short opener ("The root cause was:") says nothing alone: take the next sentence too.
        if len(doc.clean[pick[0]:pick[1]].split()) < 8 and idx + 1 < len(sents):
            pick = (pick[0], sents[idx + 1][1])
        return pick, (bodies[0][0], bodies[-1][1])
    for b in doc.blocks:  # a "Root Cause: ..." label the section classifier did not mark
        if b.kind == "label" and b.heading and _CAUSE_STRONG.search(b.heading):
            s, e = _trim(doc, b.body_start if b.body_start is not None else b.start, b.end)
            if e > s:
                return (s, e), (s, e)
    for rx in (_CAUSE_STRONG, _CAUSE_WEAK):
        for b in doc.blocks:
            if b.kind in ("heading", "code"):
                continue
            for s, e in _sentences(doc.clean[b.start:b.end], b.start):
                seg = doc.clean[s:e]
                if rx.search(seg) and len(seg.split()) >= 5:
                    return (s, e), (s, e)
    return None, None


def _names(cues: Sequence[Cue]) -> tuple[bool, bool, bool]:
    named = any(c.kind in _NAMED for c in cues)
    detail = any(c.kind in _DETAIL for c in cues)
    mech = any(c.kind == "mechanism" for c in cues)
    return named, detail, mech


def grade_statement(statement: str, local: str = "", rest: str = "",
                    services: Sequence[str] = ()) -> tuple[str, list[Cue], list[Cue], str]:
    """Grade a root-cause statement: (specificity, specific cues, vague cues, reason).

    ``local`` is the rest of the root-cause section, ``rest`` the rest of the document.
    """
    if not statement.strip():
        return "missing", [], [], "no root-cause statement found"
    spec = find_specifics(statement, services)
    vague = find_vague(statement)
    loc = find_specifics(local, services) if local else []
    named, detail, mech = _names(spec)
    l_named, l_detail, l_mech = _names(loc)
    n_vague = sum(c.kind == "vague" for c in vague)
    names = ", ".join(dict.fromkeys(c.text for c in spec)) or "nothing checkable"
    if named and mech:
        return "specific", spec, vague, f"names component and mechanism: {names}"
    if (named or l_named) and (mech or l_mech) and (detail or l_detail):
        return "specific", spec + loc, vague, (
            f"the root-cause section names component and mechanism: "
            f"{', '.join(dict.fromkeys(c.text for c in spec + loc))}")
    if rest:
        far = find_specifics(rest, services)
        f_named, f_detail, f_mech = _names(far)
        # the guide's hard case: a timeline naming the file and the typo makes it specific
        if (named or mech or detail) and f_detail and f_mech and not n_vague:
            return "specific", spec, vague, (
                f"statement names {names}; the document adds "
                f"{', '.join(dict.fromkeys(c.text for c in far if c.kind in _DETAIL))}")
    if n_vague and not (named or mech or l_detail):
        return "vague", spec, vague, (
            f"names neither component nor mechanism: "
            f"{', '.join(c.text for c in vague if c.kind == 'vague')}")
    if not (named or mech or l_named or l_mech):
        if vague:
            return "vague", spec, vague, "only generic wording: " + ", ".join(c.text for c in vague)
        return "partial", spec, vague, "names no component, file or mechanism"
    what = "mechanism" if not (mech or l_mech) else "component or change"
    return "partial", spec, vague, f"names {names} but no specific {what}"


def assess(doc: Document, sections: Sequence[Section], entities: Sequence[Entity] = ()
           ) -> RootCause:
    """Find the root-cause statement in ``doc`` and grade it (see module docstring)."""
    span, local_span = find_statement(doc, sections)
    if span is None:
        return RootCause(text="", start=0, end=0, specificity="missing",
                         reason="no root-cause section or cause sentence found")
    s, e = span
    services = tuple(dict.fromkeys(en.text for en in entities if en.label == "SERVICE"))
    stmt = doc.clean[s:e]
    local = ""
    if local_span is not None:
        ls, le = local_span
        local = doc.clean[ls:s] + "\n" + doc.clean[e:le]
    rest = doc.clean[:local_span[0]] + "\n" + doc.clean[local_span[1]:] if local_span else ""
    grade, spec, vague, reason = grade_statement(stmt, local, rest, services)
    shown = [c for c in vague if c.kind == "vague"] or (
        [c for c in vague if c.kind == "generic"] if grade != "specific" else [])
    return RootCause(
        text=doc.text[s:e],
        start=s,
        end=e,
        specificity=grade,  # type: ignore[arg-type]
        vague_phrases=tuple(dict.fromkeys(doc.text[s + c.start:s + c.end] for c in shown)),
        specifics=tuple(dict.fromkeys(c.text for c in spec)),
        reason=reason,
    )
