"""The spaCy pipeline used for entity extraction: ``spacy.blank("en")`` plus our components.

No statistical model is downloaded; everything is patterns and lexicons from ``data/``:

* ``pmscore_lexattrs`` merges letter-hyphen-letter words ("on-call", "e-commerce") into one
  token so lexicon words match single tokens, and marks tokens that may build SERVICE / TEAM mentions (modifier, head,
  named system) from ``data/lexicons`` so the ruler patterns stay short and readable;
* ``span_ruler`` (spaCy's own) with token patterns from ``data/patterns/services.jsonl`` and
  ``teams.jsonl`` plus phrase patterns from ``services.txt`` / ``teams.txt``;
* ``pmscore_numeric`` runs the regular expressions of ``data/patterns/numeric.jsonl`` over the
  text for TIME, DATE, TIMEZONE, DURATION, PERCENT, COUNT, MONEY. Regexes, not token patterns,
  because these mentions often straddle token boundaries ("9:45PM", "2024-03-15T14:30Z");
  matches keep exact character offsets;
* ``pmscore_resolve`` picks one reading where candidates overlap (priority first, then length)
  and stores the result as ``doc.spans["pmscore"]`` and exact offsets in
  ``doc.user_data["pmscore_entities"]``.

``get_nlp()`` builds this once per process (cold start matters for the CLI).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from pmscore.resources import data_path, read_json, read_jsonl, read_lines
from pmscore.timeparse import timezone_regex

CANDIDATES_KEY = "pmscore_candidates"
RULER_KEY = "pmscore_ruler"
RESULT_KEY = "pmscore"
USER_DATA_KEY = "pmscore_entities"
# Label of ruler matches that only exist to stop a shorter wrong reading ("Internal Server
# Error" is not the service "Internal Server"); dropped after overlap resolution.
BLOCK_LABEL = "_BLOCK"

_TOKEN_FLAGS = ("pm_svc_mod", "pm_svc_head", "pm_svc_weak", "pm_svc_name", "pm_svc_tmod",
                "pm_svc_thead", "pm_team_mod", "pm_team_head", "pm_team_solo")
FLAGS_KEY = "pmscore_token_flags"


def _flag_getter(bit: int) -> Any:
    # Flags are computed once per doc into a list of ints (cheap); the extension reads a bit.
    # Setting nine Underscore values per token was the slowest step of the pipeline.
    def get(tok: Token) -> bool:
        flags = tok.doc.user_data.get(FLAGS_KEY)
        return bool(flags and flags[tok.i] & bit)
    return get


for _bit, _flag in enumerate(_TOKEN_FLAGS):
    if not Token.has_extension(_flag):
        Token.set_extension(_flag, getter=_flag_getter(1 << _bit))
_BIT = {name: 1 << i for i, name in enumerate(_TOKEN_FLAGS)}

# Ruler labels get a low priority: a numeric reading of the same characters wins a tie.
_RULER_PRIORITY = {BLOCK_LABEL: 50, "TEAM": 12, "SERVICE": 10}


@dataclass(frozen=True)
class _Regex:
    label: str
    priority: int
    regex: re.Pattern[str]


def _number_word_regex() -> str:
    nums = read_json("lexicons", "numbers.json")
    words = [w for w in nums["units"] if w not in ("a", "an", "half", "couple", "zero")]
    words.sort(key=len, reverse=True)
    return "(?:" + "|".join(words) + r")(?![a-z])"


def _unit_regex() -> str:
    units = sorted(read_json("lexicons", "duration_units.json")["units"], key=len, reverse=True)
    return "(?:" + "|".join(re.escape(u) for u in units if len(u) > 1) + ")"


@lru_cache(maxsize=None)
def compile_numeric_patterns(patterns_file: str, defs_file: str) -> tuple[_Regex, ...]:
    """Compile the numeric regex patterns, substituting ``{NAME}`` sub-patterns."""
    defs: dict[str, str] = {k: v for k, v in read_json("patterns", defs_file).items()
                            if not k.startswith("_")}
    defs["NUMWORD"] = _number_word_regex()
    defs["UNIT"] = _unit_regex()
    defs["TZ"] = timezone_regex()
    out = []
    for row in read_jsonl("patterns", patterns_file):
        src = re.sub(r"\{([A-Z]+)\}", lambda m: defs[m.group(1)], row["pattern"])
        out.append(_Regex(row["label"], int(row.get("priority", 0)), re.compile(src)))
    return tuple(out)


@Language.factory("pmscore_lexattrs", assigns=[f"token._.{f}" for f in _TOKEN_FLAGS],
                  default_config={
    "service_terms": "service_terms.json", "service_names": "services.txt",
    "team_terms": "team_terms.json"})
def make_lexattrs(nlp: Language, name: str, service_terms: str, service_names: str,
                  team_terms: str) -> "LexAttrs":
    return LexAttrs(service_terms, service_names, team_terms)


def _starts_line_or_sentence(tok: Token) -> bool:
    """True for the first word of a line or sentence, where capitals say nothing about names."""
    if tok.i == 0:
        return True
    prev = tok.doc[tok.i - 1]
    return "\n" in prev.text or "\n" in prev.whitespace_ or prev.text in {".", "!", "?"} or (
        prev.is_space and "\n" in prev.text)


class LexAttrs:
    """Set the ``Token._.pm_*`` flags the SERVICE/TEAM ruler patterns are written against."""

    def __init__(self, service_terms: str, service_names: str, team_terms: str) -> None:
        self.files = (service_terms, service_names, team_terms)
        self.ready = False

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        """Load the lexicons named in the config (called on first use if not before)."""
        service_terms, service_names, team_terms = self.files
        svc = read_json("lexicons", service_terms)
        team = read_json("lexicons", team_terms)
        names = [n.lower() for n in read_lines("lexicons", service_names)]
        self.svc_names = {n for n in names if " " not in n}
        self.svc_heads = {w.lower() for w in svc["heads"]}
        self.svc_weak = {w.lower() for w in svc["weak_heads"]}
        self.svc_mods = {w.lower() for w in svc["modifiers"]} | self.svc_names
        self.team_heads = {w.lower() for w in team["heads"]}
        self.team_solo = {w.lower() for w in team["standalone_heads"]}
        self.team_mods = {w.lower() for w in team["modifiers"]}
        self.tz_abbrevs = {t for t in read_lines("lexicons", "timezones.txt") if t.isupper()}
        self.ready = True

    def __call__(self, doc: Doc) -> Doc:
        if not self.ready:
            self.initialize()
        merge_hyphenated(doc)
        b = _BIT
        flags = [0] * len(doc)
        for tok in doc:
            low = tok.lower_
            text = tok.text
            ampm_or_tz = text in self.tz_abbrevs or low in ("am", "pm")
            alpha = tok.is_alpha
            acronym = (alpha and tok.is_upper and 2 <= len(text) <= 5 and not ampm_or_tz
                       and not tok.is_stop)
            # Title-case words build names only inside a Title-case run that ends on a
            # Title-case head ("User Authentication Service"), never before a lower-case head
            # ("Misconfigured database"); participles are descriptions, not names.
            capital = alpha and (tok.is_title or tok.is_upper) and len(text) > 1 and not ampm_or_tz
            title = (capital and not tok.is_stop and not low.endswith(("ed", "ing"))
                     and not _starts_line_or_sentence(tok))
            name = low in self.svc_names
            head = low in self.svc_heads
            weak = low in self.svc_weak
            parts = re.split(r"[-/]", low) if ("/" in low or "-" in low) else None
            mod = name or acronym or low in self.svc_mods or bool(
                parts and all(p in self.svc_mods for p in parts))
            f = 0
            if name:
                f |= b["pm_svc_name"]
            if head:
                f |= b["pm_svc_head"]
            if weak:
                f |= b["pm_svc_weak"]
            if mod:
                f |= b["pm_svc_mod"]
            if title or (capital and mod):
                f |= b["pm_svc_tmod"]
            if capital and (head or weak):
                f |= b["pm_svc_thead"]
            if low in self.team_heads:
                f |= b["pm_team_head"]
            if low in self.team_solo:
                f |= b["pm_team_solo"]
            if acronym or low in self.team_mods or (parts and all(
                    p in self.team_mods or p in self.team_heads for p in parts)):
                f |= b["pm_team_mod"]
            flags[tok.i] = f
        doc.user_data[FLAGS_KEY] = flags
        return doc


@Language.factory("pmscore_numeric", assigns=["doc.user_data"],
                  default_config={
    "patterns": "numeric.jsonl", "defs": "defs.json"})
def make_numeric(nlp: Language, name: str, patterns: str, defs: str) -> "NumericMatcher":
    return NumericMatcher(patterns, defs)


class NumericMatcher:
    """Regex matches for times, dates, timezones, durations, percents, counts and money."""

    def __init__(self, patterns: str, defs: str) -> None:
        self.files = (patterns, defs)
        self.patterns: tuple[_Regex, ...] = ()
        self.ready = False

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        """Compile the regex patterns named in the config (on first use if not before)."""
        self.patterns = compile_numeric_patterns(*self.files)
        self.ready = True

    def __call__(self, doc: Doc) -> Doc:
        if not self.ready:
            self.initialize()
        cands: list[tuple[int, int, str, int]] = []
        text = doc.text
        for pat in self.patterns:
            for m in pat.regex.finditer(text):
                s, e = m.span()
                # trim whitespace the regex may have swallowed at the edges
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e > s:
                    cands.append((s, e, pat.label, pat.priority))
        doc.user_data[CANDIDATES_KEY] = cands
        return doc


@Language.factory("pmscore_resolve", assigns=["doc.spans", "doc.user_data"],
                  default_config={"ruler_key": RULER_KEY})
def make_resolve(nlp: Language, name: str, ruler_key: str) -> "Resolver":
    return Resolver(ruler_key)


class Resolver:
    """Choose one reading per stretch of text: higher priority first, then the longest.

    Priorities come from ``numeric.jsonl`` (and ``_RULER_PRIORITY`` for ruler labels): a clock
    time beats a Title-case service guess over the same characters ("04:49 PM UTC Site").
    """

    def __init__(self, ruler_key: str) -> None:
        self.ruler_key = ruler_key

    def __call__(self, doc: Doc) -> Doc:
        cands = list(doc.user_data.get(CANDIDATES_KEY, ()))
        for span in doc.spans.get(self.ruler_key, ()):
            cands.append((span.start_char, span.end_char, span.label_,
                          _RULER_PRIORITY.get(span.label_, 0)))
        cands.sort(key=lambda c: (-c[3], -(c[1] - c[0]), c[0]))
        taken: list[tuple[int, int]] = []
        chosen: list[tuple[int, int, str]] = []
        for s, e, label, _prio in cands:
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            chosen.append((s, e, label))
        chosen = sorted(c for c in chosen if c[2] != BLOCK_LABEL)
        doc.user_data[USER_DATA_KEY] = chosen
        spans = []
        for s, e, label in chosen:
            span = doc.char_span(s, e, label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[RESULT_KEY] = spans
        return doc


_JOINERS = frozenset({"-", "/"})


def merge_hyphenated(doc: Doc) -> None:
    """Merge letter-hyphen-letter runs ("on-call", "e-commerce", "three-hour") into one token.

    Slash pairs of words ("CI/CD", "SRE/sysadmin") are merged the same way.

    Done per document instead of changing the tokenizer's infix rules, because rebuilding the
    tokenizer costs about half a second of cold start and documents are short.
    """
    text = doc.text
    spans = []
    i = 0
    n = len(doc)
    while i < n - 2:
        a = doc[i]
        if a.is_alpha and not a.whitespace_ and doc[i + 1].text in _JOINERS \
                and not doc[i + 1].whitespace_ and doc[i + 2].is_alpha:
            j = i + 2
            while j + 2 < n and not doc[j].whitespace_ and doc[j + 1].text in _JOINERS \
                    and not doc[j + 1].whitespace_ and doc[j + 2].is_alpha:
                j += 2
            spans.append(doc[i:j + 1])
            i = j + 1
        else:
            i += 1
    if spans and text:
        with doc.retokenize() as retok:
            for span in spans:
                retok.merge(span)


def _ruler_patterns() -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    patterns += read_jsonl("patterns", "services.jsonl")
    patterns += read_jsonl("patterns", "teams.jsonl")
    for line in read_lines("lexicons", "services.txt"):
        if " " in line:
            patterns.append({"label": "SERVICE", "pattern": line})
    for line in read_lines("lexicons", "teams.txt"):
        patterns.append({"label": "TEAM", "pattern": line})
    for line in read_lines("lexicons", "not_entities.txt"):
        patterns.append({"label": BLOCK_LABEL, "pattern": line})
    return patterns


def build_nlp() -> Language:
    """A fresh pipeline (use :func:`get_nlp` for the shared cached one)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("pmscore_lexattrs")
    ruler = nlp.add_pipe("span_ruler", name="pmscore_ruler",
                         config={"spans_key": RULER_KEY, "phrase_matcher_attr": "LOWER",
                                 "validate": False})
    ruler.add_patterns(_ruler_patterns())
    nlp.add_pipe("pmscore_numeric")
    nlp.add_pipe("pmscore_resolve")
    # Our components load their data here; nlp.initialize() is not called because it would
    # clear the span ruler's patterns.
    for _name, proc in nlp.pipeline:
        if isinstance(proc, (LexAttrs, NumericMatcher)):
            proc.initialize(nlp=nlp)
    return nlp


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The process-wide pipeline, built on first use."""
    return build_nlp()
