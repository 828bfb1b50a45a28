"""Entity extraction: typed mentions (TIME, TIMEZONE, DATE, DURATION, PERCENT, COUNT, MONEY,
SERVICE, TEAM) with normalised values, found by the spaCy pipeline of :mod:`pmscore.nlp`.

The pipeline runs on ``Document.clean`` (markup blanked, same offsets as ``Document.text``) with
code blocks blanked too: the annotation guide leaves timestamps of pasted logs and command
output out of the entity lists, and checks must not compare them with the narrative.
A TIME gets the timezone written right after it ("9:45 PM EST", "14:30 (UTC)"); a time with
none takes the single timezone stated on its own line ("from 8:00 PM to 11:20 AM GMT+1").
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from pmscore.nlp import USER_DATA_KEY, annotate
from pmscore.resources import read_lines
from pmscore.timeparse import parse_clock, parse_date, parse_duration
from pmscore.types import Document, Entity

# Text allowed between a time and the timezone that belongs to it.
_TZ_GAP = re.compile(r"^[\s(\[]*(?:in\s+|at\s+)?$", re.I)
_PERCENT_NUM = re.compile(r"\d+(?:\.\d+)?")


@lru_cache(maxsize=1)
def _pasted_output_re() -> re.Pattern[str]:
    alts = read_lines("patterns", "pasted_output.txt")
    return re.compile(r"^[ \t]*(?:" + "|".join(f"(?:{a})" for a in alts) + r")[^\n]*",
                      re.I | re.M)


_NOT_NEWLINE = re.compile(r"[^\n]+")


def masked_text(doc: Document) -> str:
    """``doc.clean`` with code blocks and pasted-output lines blanked (same length).

    Built from slices of the spans to blank (most documents have none and get the text back
    as is) rather than a list of every character: the same string, without a Python-level
    step per character.
    """
    text = doc.clean if len(doc.clean) == len(doc.text) else doc.text
    n = len(text)
    spans = [(max(0, b.start), min(b.end, n)) for b in doc.blocks if b.kind == "code"]
    spans += [m.span() for m in _pasted_output_re().finditer(text)]
    spans = sorted((s, e) for s, e in spans if s < e)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for s, e in spans:
        if e <= pos:
            continue  # inside a span blanked already
        s = max(s, pos)
        out.append(text[pos:s])
        out.append(_NOT_NEWLINE.sub(lambda m: " " * len(m.group(0)), text[s:e]))
        pos = e
    out.append(text[pos:])
    return "".join(out)


def _time_entity(start: int, end: int, text: str) -> Entity | None:
    parsed = parse_clock(text)
    if parsed is None:
        return None
    minutes, ampm, tz = parsed
    norm = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return Entity("TIME", start, end, text, norm=norm, minutes=minutes, ampm=ampm, timezone=tz)


def _with_tz(ent: Entity, tz: str) -> Entity:
    return replace(ent, timezone=tz, norm=f"{ent.norm} {tz}")


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _attach_timezones(text: str, ents: list[Entity]) -> list[Entity]:
    """Give each TIME the timezone written right after it, or else the one of its line."""
    tzs = [e for e in ents if e.label == "TIMEZONE"]
    out = []
    for ent in ents:
        if ent.label != "TIME" or ent.timezone:
            out.append(ent)
            continue
        following = next((z for z in tzs if z.start >= ent.end), None)
        if following is not None and _TZ_GAP.match(text[ent.end:following.start]):
            out.append(_with_tz(ent, following.text))
            continue
        ls, le = _line_bounds(text, ent.start)
        on_line = {z.text for z in tzs if ls <= z.start < le}
        if len(on_line) == 1:
            out.append(_with_tz(ent, on_line.pop()))
        else:
            out.append(ent)
    return out


def _make(label: str, start: int, end: int, text: str) -> Entity | None:
    if label == "TIME":
        return _time_entity(start, end, text)
    if label == "DURATION":
        minutes = parse_duration(text)
        return Entity(label, start, end, text, norm=None if minutes is None else str(minutes),
                      minutes=minutes)
    if label == "DATE":
        parsed = parse_date(text)
        if parsed is None:
            return Entity(label, start, end, text)
        y, mo, d = parsed
        return Entity(label, start, end, text,
                      norm=f"{y:04d}-{mo:02d}-{d:02d}" if y else f"--{mo:02d}-{d:02d}")
    if label == "PERCENT":
        m = _PERCENT_NUM.search(text)
        return Entity(label, start, end, text, norm=m.group(0) if m else None)
    return Entity(label, start, end, text)


# Runs of this many non-space characters (base64, minified code, long URLs) hold no entity
# we want, and spaCy's tokenizer is quadratic on them: they are blanked before the pipeline.
_LONG_RUN = re.compile(r"\S{200,}")


# What may stand before a word that opens a list item or line: indentation, bullet marks,
# check marks and other symbols, item numbers ("- ", "* ", "1. ", "2) ", "- [x] ").
_LINE_OPENING = re.compile(r"(?:[^\w\n]|\d{1,3}[.)]|\[[ xX]\])*")
_FIRST_WORD = re.compile(r"\S+\s+")
_NAME_LABELS = frozenset({"SERVICE", "TEAM"})


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Lower-case words of the service and team lexicons (the pipeline's own sets)."""
    from pmscore.nlp import get_nlp

    lex = get_nlp().get_pipe("pmscore_lexattrs")
    return frozenset(lex.svc_mods | lex.svc_names | lex.svc_heads | lex.svc_weak
                     | lex.team_mods | lex.team_heads | lex.team_solo)


def _opens_item(text: str, pos: int) -> bool:
    ls = text.rfind("\n", 0, pos) + 1
    return _LINE_OPENING.fullmatch(text, ls, pos) is not None


def _trim_item_verb(text: str, ent: Entity) -> Entity | None:
    """A SERVICE/TEAM mention without the capitalised word that opens its list item.

    Why: the ruler lets a Title-case word build a name ("Acme support team") except at the
    start of a line or sentence, but a bullet mark before it hides the line start, so the
    imperative of an action item joins the mention ("- Configure failover servers", "- Train
    engineers"). A lexicon word (or an acronym) there is kept; otherwise the word is dropped
    and the rest kept only if the pipeline alone reads it as the same kind of mention.
    """
    if ent.label not in _NAME_LABELS or not _opens_item(text, ent.start):
        return ent
    m = _FIRST_WORD.match(ent.text)
    if m is None:
        return ent
    word = m.group(0).strip()
    if not word[:1].isupper() or word.isupper() or word.lower() in _known_words():
        return ent
    rest = ent.text[m.end():]
    found = [e for e in _extract_raw(rest) if e.label == ent.label and e.start == 0
             and e.end == len(rest)]
    if not found:
        return None
    return replace(ent, start=ent.start + m.end(), text=rest)


_CONJUNCTION = re.compile(r"\s+(?:and|&)\s+", re.I)


def _split_coordinated_teams(ent: Entity) -> list[Entity]:
    """Two TEAM mentions for "X team and Y engineer"; one for "X and Y teams".

    Why: the coordination pattern joins modifiers that share the final head ("network and
    security teams"), but "team" is also a modifier ("team members"), so two whole mentions
    joined by "and" match as one. When the part before the conjunction is a team mention on
    its own, each part is its own mention.
    """
    if ent.label != "TEAM":
        return [ent]
    m = _CONJUNCTION.search(ent.text)
    if m is None:
        return [ent]
    left = ent.text[:m.start()]
    if not left.strip():
        return [ent]
    # the left part is a whole mention: it ends on a head ("database team") or reads as a
    # team alone ("on-call SRE", a phrase of teams.txt)
    if not any(e.label == "TEAM" and e.end == len(left) for e in _extract_raw(left)):
        return [ent]
    right_start = ent.start + m.end()
    return [replace(ent, end=ent.start + len(left), text=left),
            replace(ent, start=right_start, text=ent.text[m.end():])]


def _extract_raw(text: str) -> list[Entity]:
    sdoc = annotate(text)
    ents: list[Entity] = []
    for start, end, label in sdoc.user_data.get(USER_DATA_KEY, ()):
        ent = _make(label, start, end, text[start:end])
        if ent is not None:
            ents.append(ent)
    return ents


def extract_text(text: str) -> tuple[Entity, ...]:
    """Entities of a plain string (offsets into ``text``); :func:`extract` for documents."""
    if _LONG_RUN.search(text):
        text = _LONG_RUN.sub(lambda m: " " * len(m.group(0)), text)
    ents = [part for e in _extract_raw(text) for part in _split_coordinated_teams(e)]
    ents = [t for t in (_trim_item_verb(text, e) for e in ents) if t is not None]
    ents.sort(key=lambda e: (e.start, e.end))
    return tuple(_attach_timezones(text, ents))


def extract(doc: Document) -> tuple[Entity, ...]:
    """All entities of the document outside code blocks, sorted by start offset."""
    return extract_text(masked_text(doc))
