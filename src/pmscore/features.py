"""Shared text features for root-cause and action-item judgements.

Why a module of its own: the rule-based stages (``pmscore.rootcause``, ``pmscore.actions``)
and the later scikit-learn classifiers (issue 3) must look at the same evidence, so a model
score and a rule finding can be explained with the same words. Every public function here is
a plain, stateless function of a string that returns plain values; the ``*_features`` functions
return flat ``dict[str, float]`` so a ``FunctionTransformer`` + ``DictVectorizer`` can use them
directly::

    FunctionTransformer(lambda xs: [rootcause_features(x) for x in xs]) | DictVectorizer()

All lexicons and patterns are package data (``data/lexicons/*.txt``,
``data/lexicons/specific_cues.json``), read once and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Sequence

from rapidfuzz import fuzz, process

from pmscore.resources import read_json, read_lines

__all__ = [
    "Cue",
    "find_specifics",
    "find_vague",
    "find_non_actionable",
    "find_owner",
    "find_deadline",
    "leading_verb",
    "has_action_verb",
    "object_cues",
    "has_threshold",
    "rootcause_features",
    "word_count",
    "task_pattern",
    "task_body_start",
]

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_URL = re.compile(r"(?:https?|ftp)://\S+|\bwww\.\S+|\]\([^)\s]*\)|!\[[^\]]*\]")
# A literal every _URL match holds (one per alternative): a text holding none of them, most
# sentences, is left as it is without the scan (which tries four alternatives at every position).
_URL_LITERALS = ("://", "www.", "](", "![")


def _blank_urls(text: str) -> str:
    """``text`` with every :data:`_URL` match blanked (same length): addresses, not names."""
    if not any(map(text.__contains__, _URL_LITERALS)):
        return text
    return _URL.sub(lambda m: " " * len(m.group(0)), text)


@dataclass(frozen=True)
class Cue:
    """A typed mention found in a text: ``kind`` names the lexicon or pattern that matched.

    ``start``/``end`` are offsets into the string that was searched (callers add their own
    base offset). ``score`` is 100 for exact matches and the rapidfuzz score for fuzzy ones.
    """

    kind: str
    text: str
    start: int
    end: int
    score: float = 100.0


# --------------------------------------------------------------------------- regex prefilters

# Non-ASCII characters that a case-insensitive ASCII letter matches in Python's ``re``
# (U+0130, U+0131, U+017F, U+212A): folded to that letter before a literal prefilter test so
# the test stays a necessary condition (found by trying every code point against [a-z0-9]).
_RE_I_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


_RE_I_FOLD_CHARS = ("\u0130", "\u0131", "\u017f", "\u212a")


def prefilter_text(text: str) -> str:
    """``text`` as :func:`required_literals` strings are looked up in (folded, lower-case).

    ``str.translate`` walks a non-ASCII text character by character through the table (a
    dict look-up each, ~50 ns); the four characters are rare, so it runs only when one of
    them is there (substring tests are C scans): the same string either way.
    """
    if text.isascii() or not any(map(text.__contains__, _RE_I_FOLD_CHARS)):
        return text.lower()
    return text.translate(_RE_I_FOLD).lower()


def _literal_requirement(items: Any) -> frozenset[str] | None:
    """Strings one of which every match of the parsed sequence ``items`` contains, or None."""
    from re import _constants as sre  # type: ignore[attr-defined]

    options: list[frozenset[str]] = []
    run: list[str] = []

    def end_run() -> None:
        if run:
            options.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is sre.LITERAL:
            ch = chr(av)
            if ch.isascii():
                run.append(ch.lower())
                continue
            end_run()
            continue
        end_run()
        sub: frozenset[str] | None = None
        if op is sre.SUBPATTERN:
            sub = _literal_requirement(av[3])
        elif op is sre.ATOMIC_GROUP:
            sub = _literal_requirement(av)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _literal_requirement(av[2])
        elif op is sre.BRANCH:
            alts = [_literal_requirement(b) for b in av[1]]
            if all(a is not None for a in alts):
                sub = frozenset().union(*alts)  # type: ignore[arg-type]
        if sub:
            options.append(sub)
    end_run()
    options = [o for o in options if o and all(o)]
    if not options:
        return None
    return max(options, key=lambda o: (min(len(x) for x in o), -len(o)))


def required_literals(rx: re.Pattern[str], min_len: int = 3) -> tuple[str, ...] | None:
    """Lower-case strings, one of which is in ``prefilter_text(t)`` whenever ``rx`` matches ``t``.

    Why: many cue regexes are run against every block or sentence and most do not match; a
    substring test of a literal the regex cannot match without is far cheaper than the search,
    and skipping only when none is present keeps the results exactly the same. Only ASCII
    literals are used (case folding of other characters is not a simple lower-casing); None
    when the regex has no required literal of at least ``min_len`` characters.
    """
    from re import _parser  # type: ignore[attr-defined]

    if rx.flags & re.LOCALE:
        return None
    req = _literal_requirement(_parser.parse(rx.pattern, rx.flags))
    if req is None or min(len(x) for x in req) < min_len:
        return None
    return tuple(sorted(req))


_ASCII = tuple(chr(i) for i in range(128))


_NODE_CHARS: dict[tuple[str, int], frozenset[str]] = {}


def _node_ascii_chars(node: Any, flags: int, exact: bool = False) -> frozenset[str]:
    """ASCII characters one single-character node (literal, class, ``.``) may match: exact
    for classes (tried on all 128), both cases for an ASCII literal (a superset is safe);
    ``exact``: literals tried on all 128 too (a case-sensitive "M" is only "M")."""
    from re import _compiler, _constants as sre, _parser  # type: ignore[attr-defined]

    op, av = node
    if op is sre.LITERAL and av < 128 and not exact:
        c = chr(av)
        return frozenset((c, c.swapcase()))
    key = (repr(node), flags)
    found = _NODE_CHARS.get(key)
    if found is None:
        state = _parser.State()
        state.flags = flags
        rx = _compiler.compile(_parser.SubPattern(state, [node]), flags)
        found = _NODE_CHARS[key] = frozenset(c for c in _ASCII if rx.match(c))
    return found


def _first_chars(items: Any, flags: int, exact: bool = False
                 ) -> tuple[frozenset[str] | None, bool]:
    """(ASCII characters a match of the parsed sequence can start with, or None for any;
    whether it can match the empty string). Over-approximates where unsure; ``exact``: a
    literal adds only the characters it matches under its flags (see _node_ascii_chars)."""
    from re import _constants as sre  # type: ignore[attr-defined]

    single = (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN)
    zero_width = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
    out: set[str] = set()
    for node in items:
        op, av = node
        if op in single:
            out |= _node_ascii_chars(node, flags, exact)
            return frozenset(out), False
        if op in zero_width:
            continue
        if op is sre.SUBPATTERN:
            sub, nullable = _first_chars(av[3], (flags | av[1]) & ~av[2], exact)
        elif op is sre.ATOMIC_GROUP:
            sub, nullable = _first_chars(av, flags, exact)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            sub, nullable = _first_chars(av[2], flags, exact)
            nullable = nullable or av[0] == 0
        elif op is sre.BRANCH:
            parts = [_first_chars(b, flags, exact) for b in av[1]]
            if any(p[0] is None for p in parts):
                return None, True
            sub = frozenset().union(*(p[0] for p in parts))  # type: ignore[arg-type]
            nullable = any(p[1] for p in parts)
        else:  # back references, conditionals, anything new: assume anything
            return None, True
        if sub is None:
            return None, True
        out |= sub
        if not nullable:
            return frozenset(out), False
    return frozenset(out), True


def start_chars(source: str, flags: int = 0, exact: bool = False
                ) -> tuple[frozenset[str] | None, bool, int]:
    """(ASCII characters a match of ``source`` can start with, or None for any; whether it can
    match the empty string; the pattern's own inline flags). The analysis behind the guards,
    for stages that build their own scans (``pmscore.nlp``). Raises whatever ``re``'s parser
    raises: callers fall back to the plain pattern, so an internal-API change costs speed only.
    """
    from re import _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(source, flags)
    chars, nullable = _first_chars(parsed.data, flags | parsed.state.flags, exact)
    return chars, nullable, parsed.state.flags


def first_char_guarded(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` with the look-ahead of :func:`guarded_source` (``rx`` itself when none)."""
    src = guarded_source(rx.pattern, rx.flags)
    return rx if src == rx.pattern else re.compile(src, rx.flags)


@lru_cache(maxsize=1024)
def guarded_source(pattern: str, flags: int = 0) -> str:
    """``pattern`` behind a look-ahead on the characters a match can start with.

    Why: Python's ``re`` tries the whole pattern at every position; for patterns that open
    with a look-behind and long alternations (the numeric entity patterns) most positions fail
    only after many alternatives. The look-ahead class holds every ASCII character a match can
    start with (both cases of letters) and every non-ASCII character, so it never rejects a
    position where ``pattern`` matches: ``finditer`` yields exactly the same matches.
    Returns ``pattern`` itself when no useful guard exists (a pattern that can match empty,
    starts with a literal or class, or has global inline flags).
    """
    from re import _constants as sre, _parser  # type: ignore[attr-defined]

    try:
        parsed = _parser.parse(pattern, flags)
        if not parsed.data or parsed.data[0][0] in (sre.LITERAL, sre.IN):
            return pattern  # re already scans for a leading literal or class itself
        chars, nullable = _first_chars(parsed.data, flags | parsed.state.flags)
    except Exception:  # an internal-API change must cost speed, never correctness
        return pattern
    if chars is None or nullable or re.match(r"\(\?[aiLmsux]+\)", pattern):
        return pattern  # global inline flags must stay at the very start
    return f"{_first_char_lookahead(chars)}(?:{pattern})"


def _first_char_lookahead(chars: Iterable[str]) -> str:
    """A look-ahead accepting ``chars``, their other case and every non-ASCII character.

    Written as a negated class of the ASCII characters left out, outside case-insensitive
    mode (both cases are listed already): a class spelling out all of Unicode as a range costs
    milliseconds to compile, and case folding in a negated class could reject a start."""
    allowed = set(chars)
    allowed |= {c.swapcase() for c in allowed if c.isascii() and c.isalpha()}
    excluded = [c for c in _ASCII if c not in allowed]
    if not excluded:
        return ""
    cls = "".join(c if c.isalnum() else f"\\x{ord(c):02x}" for c in excluded)
    return f"(?=(?-i:[^{cls}]))"


# --------------------------------------------------------------------------- data loading


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive word-bounded regex for a phrase list, longest phrases first.

    A look-ahead on the phrases' first letters (see :func:`first_char_guarded`) lets ``re``
    skip most positions without trying every phrase; it changes no match.
    """
    items = sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)
    guard = _first_char_lookahead(w[0] for w in items) if items else ""
    return re.compile(rf"{guard}(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


def _alternation_needs(words: Iterable[str]) -> tuple[str, ...] | None:
    """:func:`required_literals` of an :func:`_alternation` regex, read off its phrases
    (cheaper than parsing the regex): a match of a phrase contains every ASCII run of its
    words, lower-cased. None when a phrase has no ASCII letter run or there are no phrases."""
    out: set[str] = set()
    for w in {w.strip().lower() for w in words if w.strip()}:
        runs = [r for piece in w.split() for r in re.findall(r"[\x00-\x7f]+", piece)]
        if not runs:
            return None
        out.add(max(runs, key=len))
    return tuple(sorted(out)) if out else None


# Texts longer than this are not kept in the per-text caches: those exist for the sentences
# and items several stages ask about, and must not hold whole (possibly huge) documents.
_CACHE_MAX_CHARS = 2000


# A run of the characters the alternation's word-boundary look-arounds test for.
_RUN = re.compile(r"[\w-]+")
_ASCII_WORD_START = re.compile(r"[A-Za-z0-9_-]")


class PhraseRegex:
    """An :func:`_alternation` regex that is only tried where one of its phrases can start.

    Why: Python's ``re`` tries the whole alternation (hundreds of phrases) at every position of
    every sentence; most sentences hold none of the phrases. An alternation match starts right
    after a character that is not ``[\\w-]`` and its first word is then a whole ``[\\w-]+`` run
    of the text (the phrase's next character is a space or punctuation, or the closing
    look-ahead forbids ``[\\w-]``), which case-folds (:func:`prefilter_text`) to the phrase's
    first run. So the runs of the text are indexed once (:func:`_run_index`, shared by every
    lexicon searched in the same text) and ``rx.match`` is tried only at runs that are the
    first run of some phrase, in order: exactly the matches of ``rx.finditer``. Lexicons with a
    phrase that is not ASCII or does not start with a word character use plain ``rx``.
    """

    __slots__ = ("rx", "heads")

    def __init__(self, rx: re.Pattern[str], words: Iterable[str]) -> None:
        """``rx`` is ``_alternation(words)``."""
        self.rx = rx
        items = {w.strip().lower() for w in words if w.strip()}
        heads: set[str] | None = set()
        for w in items:
            first = _RUN.match(w)
            if not w.isascii() or first is None or not _ASCII_WORD_START.match(w):
                heads = None
                break
            heads.add(first.group(0))
        self.heads: frozenset[str] | None = None if heads is None else frozenset(heads)

    def _starts(self, text: str, index: dict[str, list[int]] | None = None
                ) -> list[int] | None:
        """Ascending offsets where a match may start (None: no index, try everywhere).
        ``index`` is ``_run_index(text)`` when the caller has it already."""
        if self.heads is None:
            return None
        if index is None:
            index = _run_index(text)
        found = self.heads.intersection(index)
        if not found:
            return []
        if len(found) == 1:
            return index[next(iter(found))]
        return sorted(p for run in found for p in index[run])

    def finditer(self, text: str, index: dict[str, list[int]] | None = None
                 ) -> list[re.Match[str]]:
        """The matches ``rx.finditer(text)`` yields, as a list."""
        starts = self._starts(text, index)
        if starts is None:
            return list(self.rx.finditer(text))
        out: list[re.Match[str]] = []
        match = self.rx.match
        end = 0
        for p in starts:
            if p < end:
                continue
            m = match(text, p)
            if m is not None:
                out.append(m)
                end = m.end()  # phrases are never empty
        return out

    def search(self, text: str) -> re.Match[str] | None:
        """What ``rx.search(text)`` returns."""
        starts = self._starts(text)
        if starts is None:
            return self.rx.search(text)
        match = self.rx.match
        for p in starts:
            m = match(text, p)
            if m is not None:
                return m
        return None


def _run_index(text: str) -> dict[str, list[int]]:
    """Case-folded ``[\\w-]+`` runs of ``text`` -> their start offsets, ascending.

    Cached for sentence-sized texts: the judging of one sentence or action item asks several
    lexicons about it (see ``_CACHE_MAX_CHARS``; the result must not be modified).
    """
    if len(text) > _CACHE_MAX_CHARS:
        return _build_run_index(text)
    return _cached_run_index(text)


@lru_cache(maxsize=64)
def _cached_run_index(text: str) -> dict[str, list[int]]:
    return _build_run_index(text)


def _build_run_index(text: str) -> dict[str, list[int]]:
    """:func:`_run_index` without the cache. Folding is :func:`prefilter_text` (every
    character ``re.IGNORECASE`` equates with an ASCII letter becomes that letter), per run
    when folding changes the text's length."""
    low = prefilter_text(text)
    index: dict[str, list[int]] = {}
    if len(low) == len(text):
        for m in _RUN.finditer(text):
            s, e = m.span()
            run = low[s:e]
            got = index.get(run)
            if got is None:
                index[run] = [s]
            else:
                got.append(s)
    else:
        for m in _RUN.finditer(text):
            index.setdefault(prefilter_text(m.group(0)), []).append(m.start())
    return index


_SPECIFIC_LEXICONS = ("component", "component_class", "mechanism", "mechanism_class")


@lru_cache(maxsize=1)
def _cues() -> dict:
    data = read_json("lexicons", "specific_cues.json")
    cues: dict[str, Any] = {
        "component": _alternation(data["components"]),
        "component_class": _alternation(data.get("component_classes", [])),
        "generic": {w.lower() for w in data["generic_components"]},
        "generic_re": _alternation(data["generic_components"]),
        "mechanism": _alternation(data["mechanisms"]),
        "mechanism_class": _alternation(data.get("mechanism_classes", [])),
        "patterns": {k: re.compile(v) for k, v in data["patterns"].items()},
        "task": {k: re.compile(v, re.IGNORECASE | re.MULTILINE)
                 for k, v in data.get("task_patterns", {}).items() if not k.startswith("_")},
    }
    # find_specifics runs on every candidate sentence; most sentences hold none of a lexicon's
    # words, and a substring test of the literals a regex needs is much cheaper than the search.
    lists = {"component": data["components"], "component_class": data.get("component_classes", []),
             "mechanism": data["mechanisms"], "mechanism_class": data.get("mechanism_classes", [])}
    needs = {k: _alternation_needs(lists[k]) for k in _SPECIFIC_LEXICONS}
    # ... and the lexicon regexes are tried only where a phrase's first word is (PhraseRegex)
    cues["indexed"] = {k: PhraseRegex(cues[k], lists[k]) for k in _SPECIFIC_LEXICONS}
    needs.update({k: required_literals(rx, min_len=1) for k, rx in cues["patterns"].items()})
    cues["needs"] = needs
    cues["prescan"] = {k: (re.compile(scan), on_low)
                       for k, (src, scan, on_low) in _PATTERN_PRESCANS.items()
                       if k in data["patterns"] and data["patterns"][k] == src}
    return cues


# Per pattern kind of specific_cues.json: (the pattern source it was written for, a regex that
# finds something in every text the pattern matches in, whether it searches the prefilter_text
# of the text instead of the text). Why: the patterns open with \b, so ``re`` runs the whole
# pattern at every position of every sentence; each of these opens with a literal or a
# character class, which ``re`` skips to with its fast scan, and most sentences have no hit, so
# the pattern's own scan is skipped with the same (empty) result. A prescan is used only while
# the pattern is the one it was written for (a changed pattern loses its prescan, not a match).
# Each is a piece every match contains: file ".ext" at its end; path "/run/"; version "1.2" or
# the word and its number; error_code the status digits, the E.../SIG... name, OOM or 0x....;
# ip "d.d.d"; port "port(s) NN". On the prefilter_text (lower-case, re.IGNORECASE look-alikes
# folded) a case-insensitive match is still found by a case-sensitive lower-case prescan.
_PATTERN_PRESCANS: dict[str, tuple[str, str, bool]] = {
    "file": (r"\b[\w-]{1,64}(?:\.[\w-]{1,64}){0,8}\.(?:php|phpp|conf|cfg|ini|ya?ml|json|py|js|ts|sh|"
             r"rb|go|java|xml|toml|env|sql|log|html?|css|txt|pem|crt|key|lock|service|d)\b",
             r"\.(?:php|phpp|conf|cfg|ini|ya?ml|json|py|js|ts|sh|rb|go|java|xml|toml|env|sql|log|"
             r"html?|css|txt|pem|crt|key|lock|service|d)\b", False),
    "path": (r"(?<![\w:/.])(?:~|\.)?/(?:[\w.@-]+/)+[\w.@-]*", r"/[\w.@-]+/", False),
    "version": (r"(?i)(?:\bv\d+(?:\.\d+)+\b|\b(?:version|ver\.?|release)\s*v?\d+(?:\.\d+)*\b|"
                r"\b[a-z][\w-]*\s+\d+\.\d+(?:\.\d+)*\b)",
                r"\d\.\d|(?:version|ver\.?|release)\s*v?\d", True),
    "error_code": (r"(?:\b(?:HTTP|status|error|code|returned?|returning|responded with|response)"
                   r"\s*(?:code\s*)?[45]\d\d\b|\b[45]\d\d\s*(?:error|errors|status|response|"
                   r"internal|bad gateway|service unavailable|not found)\b|\bE[A-Z]{3,}\b|\bOOM\b|"
                   r"\bSIG[A-Z]{3,}\b|\b0x[0-9a-fA-F]{4,}\b)",
                   r"[45]\d\d|E[A-Z]{3}|OOM|SIG[A-Z]{3}|0x[0-9a-fA-F]{4}", False),
    "ip": (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", r"\d\.\d+\.\d", False),
    "port": (r"(?i)\bports?\s+\d{2,5}(?:\s*(?:,|and|or|/)\s*\d{2,5})*\b", r"ports?\s+\d\d", True),
}


@lru_cache(maxsize=1)
def _vague_lexicon() -> tuple[tuple[tuple[str, str], ...], re.Pattern[str]]:
    phrases: list[tuple[str, str]] = []
    heads: list[str] = []
    for line in read_lines("lexicons", "vague_phrases.txt"):
        kind, _, value = line.partition(":")
        kind, value = kind.strip(), value.strip().lower()
        if kind == "head":
            heads.append(value)
        elif kind in ("vague", "generic") and value:
            phrases.append((kind, value))
    head_alt = "|".join(sorted((re.escape(h) for h in heads), key=len, reverse=True))
    # "some/a/an [up to 3 words] HEAD": the determiner makes it indefinite, i.e. unnamed.
    head_re = re.compile(
        rf"\b(?:some|a|an|an?\s+unknown|certain)\s+(?:[\w'-]+\s+){{0,3}}?(?:{head_alt})\b",
        re.IGNORECASE,
    )
    return tuple(phrases), head_re


def _verb_forms(v: str) -> list[str]:
    """The inflected forms of a lexicon verb (phrase) the verb regex matches."""
    head, *rest = v.split(" ")
    tail = (" " + " ".join(rest)) if rest else ""
    stem = head[:-1] if head.endswith("e") else head
    return [f + tail for f in (head, head + "s", head + "es", stem + "ed", stem + "ing",
                               head + "d", head + head[-1] + "ed", head + head[-1] + "ing")]


@lru_cache(maxsize=1)
def _verb_lexicon() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """action_verbs.txt as (verbs, every inflected form of them, ``object:`` lines)."""
    verbs, objects = [], []
    for line in read_lines("lexicons", "action_verbs.txt"):
        if line.startswith("object:"):
            objects.append(line.split(":", 1)[1].strip())
        else:
            verbs.append(line)
    forms = [w for v in verbs for w in _verb_forms(v)]
    return tuple(verbs), tuple(forms), tuple(objects)


@lru_cache(maxsize=1)
def _verbs() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    verbs, forms, objects = _verb_lexicon()
    first = frozenset(v.split(" ")[0].lower() for v in verbs)
    return _alternation(forms), _alternation(objects), first


@lru_cache(maxsize=1)
def _verbs_indexed() -> tuple[PhraseRegex, PhraseRegex]:
    """The verb and object regexes of :func:`_verbs` as :class:`PhraseRegex` (same matches)."""
    verbs_re, objects_re, _first = _verbs()
    _verbs_list, forms, objects = _verb_lexicon()
    return PhraseRegex(verbs_re, forms), PhraseRegex(objects_re, objects)


@lru_cache(maxsize=1)
def _non_actionable() -> tuple[tuple[str, str], ...]:
    out = []
    for line in read_lines("lexicons", "non_actionable.txt"):
        kind, _, value = line.partition(":")
        if value.strip():
            out.append((kind.strip(), value.strip().lower()))
    return tuple(out)


@lru_cache(maxsize=1)
def _non_actionable_re() -> dict[str, re.Pattern[str]]:
    by_kind: dict[str, list[str]] = {}
    for kind, phrase in _non_actionable():
        by_kind.setdefault(kind, []).append(phrase)
    return {k: _alternation(v) for k, v in by_kind.items()}


@lru_cache(maxsize=1)
def _non_actionable_indexed() -> dict[str, PhraseRegex]:
    """:func:`_non_actionable_re` as :class:`PhraseRegex` (same matches, fewer tries)."""
    by_kind: dict[str, list[str]] = {}
    for kind, phrase in _non_actionable():
        by_kind.setdefault(kind, []).append(phrase)
    regexes = _non_actionable_re()
    return {k: PhraseRegex(regexes[k], v) for k, v in by_kind.items()}


# --------------------------------------------------------------------------- finders


def _dedupe(cues: list[Cue]) -> list[Cue]:
    """Drop cues contained in a longer cue already kept; keep text order."""
    cues = sorted(cues, key=lambda c: (c.start, -(c.end - c.start)))
    out: list[Cue] = []
    for c in cues:
        if any(o.start <= c.start and c.end <= o.end for o in out):
            continue
        out.append(c)
    return out


def find_specifics(text: str, services: Sequence[str] = ()) -> list[Cue]:
    """What a statement names that an engineer could check (see :func:`_find_specifics`).

    A fresh list each call; the work is cached per (text, services) because the root-cause
    and action stages ask about the same sentences several times per document.
    """
    if len(text) > _CACHE_MAX_CHARS:  # a whole document as context: not worth keeping
        return list(_with_services(_specifics_of(text), text, tuple(services)))
    return list(_find_specifics(text, tuple(services)))


@lru_cache(maxsize=512)
def _find_specifics(text: str, services: tuple[str, ...]) -> tuple[Cue, ...]:
    """:func:`_specifics_of` ``text`` with the ``services`` found in it.

    Why in two steps: the stages ask about the same sentence with and without the document's
    services (rules with them, the model features without), and the lexicon and pattern cues
    do not depend on them. The cues with services are the service-less cues (cached) plus the
    service mentions, deduplicated: :func:`_dedupe` keeps a cue unless one sorted before it
    contains it, and a cue the service-less deduplication dropped is contained in one it kept,
    which sorts before it too, so the result is the same as deduplicating all of them at once.
    """
    if services:
        return _with_services(_find_specifics(text, ()), text, services)
    return _specifics_of(text)


def _with_services(base: tuple[Cue, ...], text: str, services: tuple[str, ...]
                   ) -> tuple[Cue, ...]:
    """``base`` (the service-less cues of ``text``) with the SERVICE names ``text`` mentions."""
    if not services:
        return base
    cfg = _cues()
    text = _blank_urls(text)
    found: list[Cue] = []
    low = text.lower()
    # "İ".lower() is two characters: offsets found in ``low`` would then be shifted in ``text``
    aligned = len(low) == len(text)
    for svc in services:
        name = svc.strip()
        # "web application", "database server": every word generic, so it names nothing
        if not name or all(w in cfg["generic"] for w in re.findall(r"[a-z0-9]+", name.lower())):
            continue
        if aligned:
            i = low.find(name.lower())
            span = (i, i + len(name)) if i >= 0 else None
        else:
            m = re.search(re.escape(name), text, re.IGNORECASE)
            span = m.span() if m else None
        if span is not None:
            found.append(Cue("component", text[span[0]:span[1]], span[0], span[1]))
    if not found:
        return base
    return tuple(_dedupe(list(base) + found))


def _specifics_of(text: str) -> tuple[Cue, ...]:
    """What a statement names that an engineer could check.

    Kinds: ``component`` (named technology or component from the lexicon, or a SERVICE entity
    that is not made of generic words like "web server"), ``component_class`` (a kind of part,
    "load balancer", "database": names *where* but not *which*), ``mechanism`` (a mistake one
    can check: typo, wrong port, expired certificate...), ``mechanism_class`` (a kind of failure
    that still needs its why: memory leak, deadlock, disk full...), and the pattern kinds ``file``, ``path``, ``version``, ``error_code``,
    ``config_key``, ``code``, ``ip``, ``port``, ``quoted``.
    """
    cfg = _cues()
    # URLs and link targets are addresses, not names of what failed: blank them (same length).
    text = _blank_urls(text)
    found: list[Cue] = []
    needs = cfg["needs"]
    indexed = cfg["indexed"]
    index = _run_index(text)  # built once for the four lexicons (uncached for long texts)
    for kind in _SPECIFIC_LEXICONS:
        for m in indexed[kind].finditer(text, index):
            found.append(Cue(kind, m.group(0), m.start(), m.end()))
    low = prefilter_text(text)
    prescans = cfg["prescan"]
    for kind, rx in cfg["patterns"].items():
        need = needs[kind]
        if need is not None and not any(map(low.__contains__, need)):
            continue
        pre = prescans.get(kind)
        if pre is not None and pre[0].search(low if pre[1] else text) is None:
            continue
        for m in rx.finditer(text):
            s = m.group(0).strip()
            if not s:
                continue
            if kind == "quoted" and len(s.split()) > 4:
                continue  # a quoted sentence is speech, not a name
            found.append(Cue(kind, m.group(0), m.start(), m.end()))
    return tuple(_dedupe(found))


def _word_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a fuzzy alignment to whole words, so the reported phrase is readable."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def _vague_candidates(low: str, cutoff: float) -> list[bool]:
    """Per vague-lexicon phrase, whether its alignment with ``low`` may reach ``cutoff``.

    Why: one ``process.cdist`` call scores every phrase in C instead of one Python call per
    phrase. ``partial_ratio`` is the score ``partial_ratio_alignment`` returns; cdist keeps it
    in float32, so a point of margin below the cutoff keeps every phrase that can reach it.
    """
    phrases = _vague_phrase_texts()
    if not phrases:
        return []
    scores = process.cdist(phrases, [low], scorer=fuzz.partial_ratio,
                           score_cutoff=max(0.0, cutoff - 1.0), workers=1)[:, 0]
    return (scores >= cutoff - 1.0).tolist()


@lru_cache(maxsize=1)
def _vague_phrase_texts() -> list[str]:
    return [phrase for _kind, phrase in _vague_lexicon()[0]]


def find_vague(text: str, cutoff: float = 90.0) -> list[Cue]:
    """Vague (``kind="vague"``) and generic-mechanism (``kind="generic"``) phrases, verbatim.

    Lexicon phrases are aligned with ``rapidfuzz.fuzz.partial_ratio_alignment`` so spelling
    slips ("glitchs", "mis-configuration") still match; the pattern "some/a/an [..] HEAD" finds
    unnamed problems ("some framework problem") unless a specific cue sits inside the phrase.

    A fresh list each call; the work is cached per (text, cutoff) for sentence-sized texts
    (the root-cause rules and the root-cause model's features both ask about the statement).
    """
    if len(text) > _CACHE_MAX_CHARS:
        return list(_find_vague.__wrapped__(text, cutoff))
    return list(_find_vague(text, cutoff))


@lru_cache(maxsize=64)
def _find_vague(text: str, cutoff: float) -> tuple[Cue, ...]:
    """:func:`find_vague` (cached; the cues are frozen)."""
    phrases, head_re = _vague_lexicon()
    low = text.lower()
    hits: list[Cue] = []
    reach = _vague_candidates(low, cutoff)
    for (kind, phrase), maybe in zip(phrases, reach):
        if not maybe or len(low) < len(phrase) - 2:
            continue  # no alignment reaches the cutoff: the same hits without the call
        al = fuzz.partial_ratio_alignment(phrase, low, score_cutoff=cutoff)
        if al is None:
            continue
        s, e = _word_span(text, al.dest_start, al.dest_end)
        # short phrases must match whole words, not a piece of a longer word
        if e - s > len(phrase) + 6:
            continue
        hits.append(Cue(kind, text[s:e], s, e, al.score))
    specifics = find_specifics(text)
    for m in head_re.finditer(text):
        inner = [c for c in specifics if m.start() <= c.start < m.end()]
        if inner:
            continue
        hits.append(Cue("vague", m.group(0), m.start(), m.end(), 100.0))
    hits = sorted(hits, key=lambda c: (c.start, -(c.end - c.start)))
    out: list[Cue] = []
    for c in hits:
        clash = [o for o in out if c.start < o.end and o.start < c.end]
        if clash:
            # overlapping: keep the vague reading over the generic one, else the longer
            o = clash[0]
            if (c.kind == "vague" and o.kind == "generic") or (
                    c.kind == o.kind and c.end - c.start > o.end - o.start):
                out[out.index(o)] = c
            continue
        out.append(c)
    return tuple(out)


def find_non_actionable(text: str) -> list[Cue]:
    """Attitude / goal / periodic / catch-all phrases of a task (kinds from the lexicon)."""
    out: list[Cue] = []
    for kind, rx in _non_actionable_indexed().items():
        for m in rx.finditer(text):
            out.append(Cue(kind, m.group(0), m.start(), m.end()))
    return sorted(out, key=lambda c: c.start)


def _task_cue(kind: str, text: str) -> Cue | None:
    """The first match of task pattern ``kind``, reduced to its first non-empty group (the
    patterns are alternations, each with one group holding the owner or date itself).

    Cached for sentence-sized texts (a Cue is frozen): the action rules and the action
    model's features both ask for the owner and deadline of every item, and these patterns
    are long alternations tried at every position.
    """
    if len(text) > _CACHE_MAX_CHARS:
        return _task_cue_uncached(kind, text)
    return _cached_task_cue(kind, text)


@lru_cache(maxsize=256)
def _cached_task_cue(kind: str, text: str) -> Cue | None:
    return _task_cue_uncached(kind, text)


def _task_cue_uncached(kind: str, text: str) -> Cue | None:
    """:func:`_task_cue` without the cache."""
    rx = _cues()["task"].get(kind)
    m = rx.search(text) if rx is not None else None
    if not m:
        return None
    g = next((i for i in range(1, (m.lastindex or 0) + 1) if m.group(i)), 0)
    return Cue(kind, m.group(g).strip(), m.start(g), m.end(g))


def find_owner(text: str) -> Cue | None:
    """An owner: "(Owner: X)", "@alice", "Assignee: X", "SRE team will", "X team to ..."."""
    return _task_cue("owner", text)


def find_deadline(text: str) -> Cue | None:
    """A deadline: a date, "by Friday", "within 2 weeks", "ETA: 2 weeks", "Q3"..."""
    return _task_cue("deadline", text)


_LEAD_NOISE = re.compile(
    r"\s*(?:(?:\[[ xX]\]|[-*+•]|\(?\d+[.)]|[a-z][.)])\s*)*"
    r"(?:(?:we|i|they|the team|our team)\s+(?:will|shall|should|must|need to|plan to|are going to)"
    r"\s+|(?:will|to|please)\s+)?",
    re.IGNORECASE,
)


def task_body_start(text: str) -> int:
    """Offset where the task itself starts: after bullets, "We will"/"To", and a short label.

    "Monitoring: add an alert..." starts at "add"; "- We will patch Nginx" at "patch".
    """
    pos = 0
    head, sep, rest = text.partition(":")
    if sep and len(head.split()) <= 6 and rest.strip():
        pos = len(head) + 1
    m = _LEAD_NOISE.match(text, pos)
    return m.end() if m else pos


def leading_verb(text: str) -> str | None:
    """The action verb that opens a task ("Patch Nginx" -> "Patch"), if any.

    Skips bullets, checkboxes, a leading "We will"/"To", one -ly adverb ("Programmatically
    enforce ...") and a short label ("Monitoring: add an alert..." -> "add").
    """
    verbs_re, _, _ = _verbs()
    start = task_body_start(text)
    body = text[start:]
    adv = re.match(r"[A-Za-z]+ly\s+", body)
    for cand in (body, body[adv.end():] if adv else None):
        if cand is None:
            continue
        v = verbs_re.match(cand)
        if v:
            return v.group(0)
    return None


def has_action_verb(text: str) -> bool:
    """Whether any lexicon action verb appears in the text (not only first)."""
    return _verbs_indexed()[0].search(text) is not None


def object_cues(text: str) -> list[Cue]:
    """Concrete deliverable nouns of a task (alert, check, script, runbook...)."""
    return [Cue("object", m.group(0), m.start(), m.end()) for m in _verbs_indexed()[1].finditer(text)]


_THRESHOLD = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:%|percent|ms|milliseconds?|s|sec|seconds?|min|minutes?|h|hours?|days?|"
    r"mb|gb|tb|kb|rps|qps|req/s|connections?|requests?|errors?)\b"
    r"|\b(?:above|below|over|under|exceeds?|more than|less than|at least|at most|>|<)\s*\d+",
    re.IGNORECASE,
)


def has_threshold(text: str) -> bool:
    """A number with a unit or a comparison ("above 800 ms", "5%", "every 30 minutes")."""
    return _THRESHOLD.search(text) is not None


def task_pattern(name: str) -> re.Pattern[str] | None:
    """A compiled pattern of ``specific_cues.json`` ``task_patterns`` (headings, intros...)."""
    return _cues()["task"].get(name)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


# --------------------------------------------------------------------------- feature dicts


def _kind_counts(cues: Iterable[Cue], prefix: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for c in cues:
        out[f"{prefix}{c.kind}"] = out.get(f"{prefix}{c.kind}", 0.0) + 1.0
    return out


def rootcause_features(text: str, context: str = "", services: Sequence[str] = ()
                       ) -> dict[str, float]:
    """Flat numeric features of a root-cause statement (and optionally its whole document).

    ``context`` is the rest of the document: the annotation guide judges specificity on the
    whole document, so cues found there are counted separately (``doc_*``).
    """
    spec = find_specifics(text, services)
    vague = find_vague(text)
    feats: dict[str, float] = {
        "rc_words": float(word_count(text)),
        "rc_empty": float(not text.strip()),
        "rc_n_specific": float(len(spec)),
        "rc_n_vague": float(sum(c.kind == "vague" for c in vague)),
        "rc_n_generic": float(sum(c.kind == "generic" for c in vague)),
        "rc_vague_score": max((c.score for c in vague if c.kind == "vague"), default=0.0) / 100,
        "rc_causal": float(bool(re.search(r"\b(because|caused|due to|led to|leading to|result"
                                          r"(?:ed|ing) in|so that|which made|made)\b",
                                          text, re.I))),
        "rc_has_number": float(bool(re.search(r"\d", text))),
    }
    feats.update(_kind_counts(spec, "rc_spec_"))
    if context:
        dspec = find_specifics(context, services)
        feats["doc_n_specific"] = float(len(dspec))
        feats.update(_kind_counts(dspec, "doc_spec_"))
    return feats
