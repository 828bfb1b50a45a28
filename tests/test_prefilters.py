"""The speed prefilters change no result: property tests against the plain regexes / spaCy.

Several stages skip regex searches with a literal test (``features.required_literals`` +
``prefilter_text``) or put a first-character look-ahead in front of a regex
(``features.guarded_source`` / ``first_char_guarded``), and ``nlp.PatternRuler`` replaced spaCy's
``span_ruler``. Each is only allowed because it gives exactly the same matches; these tests
check that on random texts made of the project's own cue words (from the real lexicons and
pattern files, loaded the way the stages load them), in mixed case, with Unicode look-alikes
that Python's case-insensitive ``re`` equates with ASCII letters (U+0130, U+0131, U+017F,
U+212A), other odd Unicode, digits and punctuation.

The reference is always computed independently of the prefilter: the plain regex without its
guard, or spaCy's own ``span_ruler`` built here with the same patterns.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable, Sequence
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st, target

from pmscore import facts, features, nlp as N, reader, review, sections
from pmscore.resources import read_json, read_lines

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Characters Python's re.IGNORECASE equates with an ASCII letter, and other odd Unicode.
LOOKALIKES = {"i": ["\u0130", "\u0131"], "s": ["\u017f"], "k": ["\u212a"]}
ODD = ["\u0130", "\u0131", "\u017f", "\u212a", "\u212b", "\u00c9", "\u00e9", "\u00df", "\ufb01",
       "\u03a3", "\u03c2", "\u2019", "\u201c", "\u201d", "\u2014", "\u2013", "\u00a0", "\u2009",
       "\u200b", "\u0663", "\u2168", "\u01c5", "\U0001f600", "\u0301"]
PUNCT = list(".,;:!?()[]{}'\"-_/\\`*#@%$&+=<>~|") + [
    "\n", "\t", "  ", "\n\n", "- ", "* ", "1. ", "0", "7", "12", "3.4", "v2", "0x1f", "404",
    "12:30", "9:05", "2024-03-05", "5/6", "14h", "AM", "pm", "UTC", "%"]
SEPARATORS = [" ", " ", " ", "", "\n", "-", ", ", ". ", "  ", "\t", ": "]

_GUARD = re.compile(r"^\(\?=\(\?-i:\[\^[^\]]*\]\)\)")


# --------------------------------------------------------------------------- text strategies


def _lookalike(word: str, which: int = 0) -> str:
    """Every i/s/k replaced by a character re.IGNORECASE matches it with (not ASCII)."""
    return "".join(LOOKALIKES[c.lower()][which % len(LOOKALIKES[c.lower()])]
                   if c.lower() in LOOKALIKES else c for c in word)


def _lookalike2(word: str) -> str:
    return _lookalike(word, 1)


def _alternate_case(word: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(word))


CASES: list[Callable[[str], str]] = [str, str, str.lower, str.upper, str.title, str.swapcase,
                                     _alternate_case, _lookalike, _lookalike2]


def _vocabulary(patterns: Iterable[str]) -> list[str]:
    """Words and space-separated phrases written in regex sources (their own vocabulary)."""
    out: set[str] = set()
    for src in patterns:
        s = re.sub(r"\\[sW][+*]?|\\s\{[^}]*\}|\[\\s-\][+*]?|\[-\\s\][+*]?", " ", src)
        s = re.sub(r"\\[bBdDwWAZ]|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}", " ", s)
        s = s.replace("\\", "")
        for phrase in re.findall(r"[A-Za-z0-9][\w'.-]*(?: [A-Za-z0-9][\w'.-]*)*", s):
            out.add(phrase)
            out.update(phrase.split())
    return sorted(w for w in out if len(w) < 60)


@st.composite
def salads(draw: st.DrawFn, vocab: Sequence[str], max_pieces: int = 40,
           regexes: Sequence[re.Pattern[str]] = ()) -> str:
    """Random text: the vocabulary's words (mostly), punctuation, odd Unicode, in mixed case,
    and strings generated from the regexes themselves (``st.from_regex``) so that the
    multi-word patterns match too, not only single-word alternations."""
    word = st.sampled_from(list(vocab))
    options = [word, word, word, word, st.sampled_from(PUNCT), st.sampled_from(ODD),
               st.text(max_size=3)]
    if regexes:
        options.append(st.sampled_from(list(regexes)).flatmap(st.from_regex))
    piece = st.one_of(*options)
    parts = draw(st.lists(piece, max_size=max_pieces))
    out = []
    for p in parts:
        out.append(draw(st.sampled_from(CASES))(p))
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


# --------------------------------------------------------------------------- the real regexes


def _unguard(pattern: str) -> str:
    """A guarded pattern without its first-character look-ahead (``guarded_source`` wraps the
    original in ``(?:...)`` after it; ``features._alternation`` puts it right before)."""
    m = _GUARD.match(pattern)
    return pattern[m.end():] if m else pattern


@lru_cache(maxsize=1)
def literal_cases() -> tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]:
    """(name, regex, required literals) as the stages use them, for regexes that have some."""
    out: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = []
    for label, _w, rx, need in sections._cues():
        if need is not None:
            out.append((f"sections:{label}:{rx.pattern[:30]}", rx, need))
    cues = features._cues()
    for kind, need in cues["needs"].items():
        if need is not None:
            rx = cues[kind] if kind in features._SPECIFIC_LEXICONS else cues["patterns"][kind]
            out.append((f"features:{kind}", rx, need))
    for name in ("blame_phrases.txt", "filler_phrases.txt"):
        for p in review._fast_kind_patterns(name):
            if p.needs is not None:
                out.append((f"review:{p.kind}:{p.rx.pattern[:30]}", p.rx, p.needs))
    for vp, need in review._voice_patterns_needs():
        if need is not None:
            out.append((f"voice:{vp.kind}:{vp.rx.pattern[:30]}", vp.rx, need))
    return tuple(out)


@lru_cache(maxsize=1)
def guard_cases() -> tuple[tuple[str, str, int, re.Pattern[str]], ...]:
    """(name, plain source, flags, guarded regex as the stage compiled it)."""
    out: list[tuple[str, str, int, re.Pattern[str]]] = []
    for r in N.compile_numeric_patterns("numeric.jsonl", "defs.json"):
        src = _unguard(r.regex.pattern)
        if src != r.regex.pattern:
            assert src.startswith("(?:") and src.endswith(")")
            src = src[3:-1]
        # the reference flags are the stage's intended ones, not the guarded regex's: a guard
        # compiled with other flags is then caught (numeric patterns: no flags, inline only)
        out.append((f"numeric:{r.label}", src, 0, r.regex))
    names = [f"detection.{k}" for k in read_json("lexicons", "detection_cues.json")
             if not k.startswith("_")]
    names += [f"summary.{k}" for k in ("cause", "prompt_markers")]
    names += ["misleading", "escalation", "resolution"]
    for name in names:
        rx = facts._cue(name)
        src = _unguard(rx.pattern)
        if src != rx.pattern:
            src = src[3:-1]
        out.append((f"facts:{name}", src, re.IGNORECASE, rx))  # facts cues: case-insensitive
    cues = features._cues()
    alts = {k: cues[k] for k in ("component", "component_class", "generic_re", "mechanism",
                                 "mechanism_class")}
    verbs, objects, _first = features._verbs()
    alts.update({"verbs": verbs, "objects": objects})
    for name, rx in alts.items():
        out.append((f"features:{name}", _unguard(rx.pattern), re.IGNORECASE, rx))
    for name in ("blame_phrases.txt", "filler_phrases.txt"):
        for p in review._fast_kind_patterns(name):
            out.append((f"review:{p.kind}:{p.rx.pattern[:30]}", p.rx.pattern,
                        p.rx.flags & ~re.UNICODE, p.guarded))
    for label, _w, rx, _need in sections._cues():
        src = _unguard(rx.pattern)
        if src != rx.pattern:
            src = src[3:-1]
        # sections compiles its cues with re.I | re.M: the reference does not take the flags
        # from the guarded regex, so a guard compiled with other flags is caught
        out.append((f"sections:{label}:{src[:30]}", src, re.I | re.M, rx))
    return tuple(out)


def _spans(rx: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def _prefiltered_spans(rx: re.Pattern[str], need: tuple[str, ...], text: str
                       ) -> list[tuple[int, int]]:
    """What a stage gets: no search at all when none of the literals is in the text."""
    low = features.prefilter_text(text)
    if not any(n in low for n in need):
        return []
    return _spans(rx, text)


_LIT_VOCAB = _vocabulary(rx.pattern for _n, rx, _need in literal_cases())
_GUARD_VOCAB = _vocabulary(src for _n, src, _f, _rx in guard_cases())
_LIT_REGEXES = [rx for _n, rx, _need in literal_cases()]
_GUARD_REGEXES = [re.compile(src, flags) for _n, src, flags, _rx in guard_cases()]


# --------------------------------------------------------------------------- sanity


def test_the_cases_are_real_and_the_vocabulary_reaches_them() -> None:
    """Guards against vacuous properties: many regexes, most matched by their own words."""
    lits = literal_cases()
    guards = guard_cases()
    assert len(lits) >= 60 and len(guards) >= 30
    assert sum(rx.pattern != src for _n, src, _f, rx in guards) >= 25  # guards really in use
    # a plain dump of the words already matches many of them (the rest need word sequences,
    # which the strategies also draw from the regexes themselves)
    text = " . ".join(_LIT_VOCAB)
    assert sum(bool(rx.search(text)) for _n, rx, _need in lits) >= 0.3 * len(lits)
    text = " . ".join(_GUARD_VOCAB + ["12:30 PM", "3 hours", "2024-03-05", "45%", "$300"])
    assert sum(bool(re.compile(src, f).search(text)) for _n, src, f, _rx in guards) \
        >= 0.3 * len(guards)


def test_guard_removal_gives_back_the_source() -> None:
    """The test's reference sources are the ones the stages guarded (checks ``_unguard``)."""
    for name, src, flags, rx in guard_cases():
        if name.startswith(("numeric:", "facts:", "review:", "sections:")):
            assert features.guarded_source(src, flags) == rx.pattern, name


# --------------------------------------------------------------------------- prefilter_text


def test_prefilter_text_keeps_every_ascii_letter_re_would_match() -> None:
    """For every code point re.IGNORECASE matches with an ASCII letter or digit, the
    prefilter text of that character is that letter: a required literal can then never be
    missed because the text spelled it with a look-alike."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for a in "abcdefghijklmnopqrstuvwxyz0123456789":
        for ch in re.findall(re.escape(a), every, flags=re.IGNORECASE):
            assert features.prefilter_text(ch) == a, (a, hex(ord(ch)))
            assert features.prefilter_text("x" + ch + "\u00e9") == "x" + a + "\u00e9"


# --------------------------------------------------------------------------- required literals


@SETTINGS
@given(st.data())
@example(None)
def test_literal_prefilter_finds_the_same_matches(data: st.DataObject | None) -> None:
    """For every cue regex with required literals: skipping the search when no literal is in
    ``prefilter_text(text)`` gives exactly the plain regex's matches."""
    if data is None:  # the look-alike spellings of every literal, always checked
        texts = [" ".join(_lookalike(w).upper() for w in _LIT_VOCAB),
                 " ".join(_lookalike2(w) for w in _LIT_VOCAB),
                 " ".join(_alternate_case(w) for w in _LIT_VOCAB)]
    else:
        texts = [data.draw(salads(_LIT_VOCAB, max_pieces=60, regexes=_LIT_REGEXES))]
    found = 0
    for text in texts:
        for name, rx, need in literal_cases():
            plain = _spans(rx, text)
            found += bool(plain)
            assert _prefiltered_spans(rx, need, text) == plain, (name, need, text)
    target(float(found))


@pytest.mark.parametrize("pattern, flags, text", [
    (r"\bnegligen(?:t|ce)\b", re.I, "NEGLIGENT"),
    (r"(?:time|clock)\s+to\s+detect", re.I, "TIME  TO DETECT"),
    (r"(?-i:(?<![\w-])TB[DA](?![\w-]))|\bto\s+be\s+determined\b", re.I, "To Be Determined"),
    (r"\bkubernetes\b", re.I, "\u212aubernete\u017f"),
    (r"root\s+cause(?:s)?", re.I | re.M, "ROOT \u0130S CAUSE"),
])
def test_required_literals_on_hand_written_patterns(pattern: str, flags: int, text: str) -> None:
    """Edge cases of the literal analysis (optional groups, scoped flags, look-alikes)."""
    rx = re.compile(pattern, flags)
    need = features.required_literals(rx, min_len=1)
    if need is not None:
        assert _prefiltered_spans(rx, need, text) == _spans(rx, text)


# --------------------------------------------------------------------------- first-char guards


def _windows(text: str) -> list[tuple[int, int]]:
    n = len(text)
    return [(a, min(n, a + w)) for a in range(0, n + 1, max(1, n // 5)) for w in (1, 7, 80)]


@SETTINGS
@given(st.data())
def test_guarded_regexes_find_the_same_matches(data: st.DataObject) -> None:
    """Every guarded regex (numeric patterns, facts cues, feature alternations, review
    phrases) gives the plain regex's matches: ``finditer`` and windowed ``search``."""
    text = data.draw(salads(_GUARD_VOCAB, max_pieces=60, regexes=_GUARD_REGEXES))
    found = 0
    for name, src, flags, guarded in guard_cases():
        plain = re.compile(src, flags)
        spans = _spans(plain, text)
        found += bool(spans)
        assert _spans(guarded, text) == spans, (name, text)
        for a, b in _windows(text):
            m1, m2 = plain.search(text, a, b), guarded.search(text, a, b)
            assert (m1 and m1.span()) == (m2 and m2.span()), (name, a, b, text)
    target(float(found))


@SETTINGS
@given(st.data())
def test_first_char_guarded_and_guarded_source_agree_with_the_plain_regex(
        data: st.DataObject) -> None:
    """Guards built by the public functions from the plain sources (with their flags)."""
    case = data.draw(st.sampled_from(guard_cases() + tuple(
        (n, rx.pattern, rx.flags & ~re.UNICODE, rx) for n, rx, _need in literal_cases())))
    name, src, flags, _rx = case
    plain = re.compile(src, flags)
    vocab = _vocabulary([src]) or ["x"]
    text = data.draw(salads(vocab, regexes=[plain]))
    guarded = re.compile(features.guarded_source(src, flags), flags)
    assert _spans(guarded, text) == _spans(plain, text), (name, text)
    assert _spans(features.first_char_guarded(plain), text) == _spans(plain, text), (name, text)


# --------------------------------------------------------------------------- PatternRuler


@lru_cache(maxsize=1)
def _rulers() -> tuple[object, object]:
    """(our pipeline up to PatternRuler, the same with spaCy's span_ruler and the patterns)."""
    import spacy

    ours = spacy.blank("en")
    ours.add_pipe("pmscore_lexattrs")
    ours.add_pipe("pmscore_pattern_ruler", name="pmscore_ruler")
    ref = spacy.blank("en")
    ref.add_pipe("pmscore_lexattrs")
    ruler = ref.add_pipe("span_ruler", name="reference_ruler", config={
        "spans_key": "reference", "phrase_matcher_attr": "LOWER", "validate": False})
    tokens, phrases = N._ruler_patterns()
    ruler.add_patterns(tokens + phrases)  # type: ignore[attr-defined]
    for nlp in (ours, ref):
        nlp.get_pipe("pmscore_lexattrs").initialize(nlp=nlp)  # type: ignore[attr-defined]
    return ours, ref


@lru_cache(maxsize=1)
def _ruler_vocab() -> list[str]:
    words: list[str] = []
    for name in ("service_terms.json", "team_terms.json"):
        for key, value in read_json("lexicons", name).items():
            if not key.startswith("_") and isinstance(value, list):
                words += [str(v) for v in value]
    for name in ("services.txt", "teams.txt", "not_entities.txt"):
        words += list(read_lines("lexicons", name))
    words += ["the", "was", "down", "and", "v2", "1.2.3", "on-call", "CI/CD", "e-commerce",
              "API", "DB", "Internal", "Server", "Error", "EST", "PM", ".", "\n", "'s"]
    return sorted(set(words))


def _ruler_spans(text: str) -> tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]:
    ours, ref = _rulers()
    a = ours(text)  # type: ignore[operator]
    b = ref(text)  # type: ignore[operator]
    return ({(s.start, s.end, s.label_) for s in a.spans[N.RULER_KEY]},
            {(s.start, s.end, s.label_) for s in b.spans["reference"]})


@SETTINGS
@given(salads(_ruler_vocab(), max_pieces=40))
@example("Payment Service was down; the Checkout API and the On-Call SRE Team")
def test_pattern_ruler_spans_equal_spacy_span_ruler(text: str) -> None:
    ours, ref = _ruler_spans(text)
    target(float(len(ref)))
    assert ours == ref, (text, ours ^ ref)


def test_pattern_ruler_reference_is_not_empty() -> None:
    """The comparison means something: the reference finds services, teams and blocks."""
    text = " ".join(w.title() for w in _ruler_vocab()[:400])
    _ours, ref = _ruler_spans(text)
    assert {"SERVICE", "TEAM"} <= {label for _s, _e, label in ref}
    assert len(ref) >= 20


# --------------------------------------------------------------------------- phrase index


@lru_cache(maxsize=1)
def phrase_cases() -> tuple[tuple[str, features.PhraseRegex], ...]:
    """Every :class:`features.PhraseRegex` the stages use, by name."""
    cues = features._cues()
    out = [(f"features:{k}", cues["indexed"][k]) for k in features._SPECIFIC_LEXICONS]
    verbs, objects = features._verbs_indexed()
    out += [("features:verbs", verbs), ("features:objects", objects)]
    out += [(f"non_actionable:{k}", p) for k, p in features._non_actionable_indexed().items()]
    return tuple(out)


_PHRASE_VOCAB = _vocabulary(p.rx.pattern for _n, p in phrase_cases()) + [
    "e-commerce", "node.js", "re-set", "reset", "set-up", "_set", "set_", "x-api", "api-"]


def test_phrase_index_is_in_use_and_its_reference_is_the_plain_regex() -> None:
    """The comparison below means something: the stages' lexicons are indexed (not the
    plain-regex fallback) and their own words match."""
    cases = phrase_cases()
    assert len(cases) >= 6
    assert all(p.heads for _n, p in cases)
    cues = features._cues()
    for k in features._SPECIFIC_LEXICONS:
        assert cues["indexed"][k].rx is cues[k]
    text = " . ".join(_PHRASE_VOCAB)
    assert all(p.rx.search(text) for _n, p in cases)


@SETTINGS
@given(st.data())
@example(None)
def test_phrase_index_finds_the_same_matches(data: st.DataObject | None) -> None:
    """``PhraseRegex.finditer`` / ``search`` (tried only where a phrase's first word is a
    ``[\\w-]+`` run of the text) give exactly the plain regex's ``finditer`` / ``search``:
    look-alike letters, hyphens and underscores glued to the words, odd Unicode."""
    if data is None:
        texts = [" ".join(_lookalike(w).upper() for w in _PHRASE_VOCAB),
                 "-".join(_lookalike2(w) for w in _PHRASE_VOCAB),
                 "".join(_alternate_case(w) for w in _PHRASE_VOCAB),
                 "\u00e9".join(_PHRASE_VOCAB), "\u0130".join(_PHRASE_VOCAB)]
    else:
        texts = [data.draw(salads(_PHRASE_VOCAB, max_pieces=60,
                                  regexes=[p.rx for _n, p in phrase_cases()]))]
    found = 0
    for text in texts:
        for name, p in phrase_cases():
            plain = _spans(p.rx, text)
            found += bool(plain)
            assert [m.span() for m in p.finditer(text)] == plain, (name, text)
            m1, m2 = p.rx.search(text), p.search(text)
            assert (m1 and m1.span()) == (m2 and m2.span()), (name, text)
    target(float(found))


# --------------------------------------------------------------------------- vague phrases


def _random_edits(draw: st.DrawFn, chars: list[str], per: int) -> str:
    """``chars`` with up to one random insertion, deletion or substitution per ``per``
    characters (at least one allowed): the typos that put fuzzy scores near a cutoff."""
    for _ in range(draw(st.integers(0, max(1, len(chars) // per)))):
        op = draw(st.sampled_from("dis"))
        pos = draw(st.integers(0, max(0, len(chars) - 1)))
        if op == "i":
            chars.insert(pos, draw(st.sampled_from(_EDIT_CHARS)))
        elif chars and op == "d":
            del chars[pos]
        elif chars:
            chars[pos] = draw(st.sampled_from(_EDIT_CHARS))
    return "".join(chars)


@st.composite
def near_vague_text(draw: st.DrawFn) -> str:
    """Vague-lexicon phrases with random edits inside other words: fuzzy scores around the
    cutoff of ``features.find_vague``."""
    phrases = [p for _k, p in features._vague_lexicon()[0]]
    out = []
    for _ in range(draw(st.integers(1, 4))):
        chars = list(draw(st.sampled_from(CASES[:7]))(draw(st.sampled_from(phrases))))
        out.append(_random_edits(draw, chars, per=5))
        out.append(draw(st.sampled_from(["", " the ", " was down because of ", ". ", "\n"])))
    return "".join(out)


@SETTINGS
@given(st.one_of(near_vague_text(), st.text(max_size=30)), st.sampled_from([90.0, 85.0, 95.5]))
@example("a glitchs in teh sytem", 90.0)
def test_vague_candidate_filter_keeps_every_phrase(text: str, cutoff: float) -> None:
    """``find_vague`` with its one-call ``process.cdist`` phrase filter gives the hits of the
    loop that aligns every phrase."""
    fast = features.find_vague(text, cutoff)
    with mock.patch.object(features, "_vague_candidates",
                           lambda low, cut: [True] * len(features._vague_phrase_texts())):
        slow = list(features._find_vague.__wrapped__(text, cutoff))  # not the cached result
    target(float(len(slow)))
    assert fast == slow, text
    assert features.find_vague(text, cutoff) == fast  # the cached result is the same again


def test_find_vague_cache_returns_fresh_lists() -> None:
    """find_vague is cached per text; a caller changing its list changes no later result."""
    text = "There was some kind of glitch and a technical issue in the system."
    first = features.find_vague(text)
    assert first
    first.clear()
    assert features.find_vague(text) == list(features._find_vague.__wrapped__(text, 90.0))
    long_text = text + " " * features._CACHE_MAX_CHARS + text
    assert len(features.find_vague(long_text)) == 2 * len(features.find_vague(text))


# --------------------------------------------------------------------------- review: rubric lines


_EDIT_CHARS = "abcdefghijklmnopqrstuvwxyz  .,:()-/'"


@st.composite
def near_rubric_lines(draw: st.DrawFn) -> str:
    """A rubric item (``data/rubric_text.txt``) with random edits, bullets and extra words:
    fuzzy scores around the 88 / 92 cutoffs of ``review._pasted``."""
    text = draw(st.sampled_from([u.text for u in review._rubric()]))
    chars = list(draw(st.sampled_from(CASES[:7]))(text))
    edited = _random_edits(draw, chars, per=6)
    prefix = draw(st.sampled_from(["", "- ", "1. ", "## ", "**", "Note: ", "We explain "]))
    suffix = draw(st.sampled_from(["", ":", ".", " and a few more words after it", " (below)"]))
    return prefix + edited + suffix


@SETTINGS
@given(st.lists(st.one_of(near_rubric_lines(), near_rubric_lines(),
                          salads(_LIT_VOCAB, max_pieces=12)), min_size=1, max_size=8),
       st.integers(1, 4))
def test_rubric_candidate_filter_keeps_every_flagged_line(lines: list[str], batch: int) -> None:
    """``review._pasted`` with its ``process.cdist`` line filter (in batches of lines) gives
    the same hits as the exact per-line loop run on every line."""
    doc = reader.read("\n".join(line.replace("\n", " ") for line in lines))
    code = review._code_ranges(doc)
    with mock.patch.object(review, "_CDIST_LINES", batch):
        fast = review._pasted(doc, code)
    with mock.patch.object(review, "_pasted_candidates",
                           lambda lows, bares: [True] * len(lows)):
        slow = review._pasted(doc, code)
    target(float(len(slow)))
    assert fast == slow, lines


# --------------------------------------------------------------------------- review: voice


_VOICE_REGEXES = [p.rx for p in review.voice_patterns()]
_VOICE_VOCAB = _vocabulary(rx.pattern for rx in _VOICE_REGEXES)


def _voice_reference(doc: object, code: list[tuple[int, int]], opening_end: int
                     ) -> list[review.Hit]:
    """``review._voice`` without prefilters: every pattern searched in every sentence."""
    hits = []
    for s, e in review._sentence_spans(doc, code):  # type: ignore[arg-type]
        sent = doc.clean[s:e]  # type: ignore[attr-defined]
        for p in review.voice_patterns():
            if p.opening and s >= opening_end:
                continue
            m = p.rx.search(sent)
            if m:
                hits.append(review.Hit("voice", s, e, doc.text[s:e], score=100.0,  # type: ignore
                                       matched=f"{p.kind}: {m.group(0).strip()}"))
                break
    return hits


@SETTINGS
@given(st.lists(salads(_VOICE_VOCAB, max_pieces=12, regexes=_VOICE_REGEXES), min_size=1,
                max_size=6), st.sampled_from([". ", "\n", "! ", ". A ", "\n- ", " "]),
       st.floats(0, 1))
def test_voice_prefilters_find_the_same_sentences(parts: list[str], joiner: str,
                                                  opening: float) -> None:
    """The assignment-voice hits (literal index per sentence, literal tests, per-document
    skips) equal those of the plain search of every pattern in every sentence."""
    text = joiner.join(parts)
    doc = reader.read(text)
    code = review._code_ranges(doc)
    opening_end = int(len(text) * opening)
    expected = _voice_reference(doc, code, opening_end)
    target(float(len(expected)))
    assert review._voice(doc, code, opening_end) == expected, text


# --------------------------------------------------------------------------- review: bounded scans


def _sentence_bounds_reference(text: str, pos: int) -> tuple[int, int]:
    """``review._sentence_bounds`` with unbounded searches (its original form)."""
    s = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos), text.rfind("! ", 0, pos),
            text.rfind("? ", 0, pos))
    s = 0 if s < 0 else s + 1
    ends = [i for i in (text.find(". ", pos), text.find("\n", pos)) if i >= 0]
    return s, (min(ends) + 1 if ends else len(text))


@SETTINGS
@given(st.lists(st.sampled_from(list("ab .!?\n\r\t\u2028") + [". ", "\n", "? ", "! ", "ab"]),
                max_size=60).map("".join), st.data())
def test_sentence_bounds_stopping_at_newlines_agree(text: str, data: st.DataObject) -> None:
    """The newline-bounded searches give the sentence the whole-text searches gave."""
    pos = data.draw(st.integers(0, len(text)))
    assert review._sentence_bounds(text, pos) == _sentence_bounds_reference(text, pos)


# --------------------------------------------------------------------------- numeric entities


@lru_cache(maxsize=1)
def _numeric_vocab() -> list[str]:
    """Words the numeric entity patterns are written around (lexicons and pattern defs)."""
    words = list(read_json("lexicons", "numbers.json")["units"])
    words += [str(u) for u in read_json("lexicons", "duration_units.json")["units"]]
    words += list(read_lines("lexicons", "timezones.txt"))
    for key, value in read_json("patterns", "defs.json").items():
        if not key.startswith("_"):
            words += re.findall(r"[A-Za-z]{2,}", value)
    words += ["noon", "midnight", "percent", "per cent", "$", "\u20ac", "hrs", "k", "www.a.com",
              "web-01", "the", "of", "and", "a", "half", "15th", "10k"]
    return sorted(set(words))


def _numeric_candidates(text: str, use_needs: bool) -> list[tuple[int, int, str, int]]:
    from dataclasses import replace

    from spacy.tokens import Doc

    matcher = N.NumericMatcher("numeric.jsonl", "defs.json")
    matcher.initialize()
    if not use_needs:
        matcher.patterns = tuple(replace(p, needs=None) for p in matcher.patterns)
    doc = N.get_nlp().make_doc(text)
    assert isinstance(doc, Doc)
    return list(matcher(doc).user_data[N.CANDIDATES_KEY])


@lru_cache(maxsize=1)
def _numeric_regexes() -> list[re.Pattern[str]]:
    return [re.compile(_GUARD.sub("", p.regex.pattern))
            for p in N.compile_numeric_patterns("numeric.jsonl", "defs.json")]


@SETTINGS
@given(st.data())
@example(None)
def test_numeric_literal_prefilter_finds_the_same_candidates(data: st.DataObject | None) -> None:
    """Skipping a numeric pattern in a document without its required literals changes no
    candidate: the same list (order included) as scanning with every pattern."""
    if data is None:
        text = "Down from noon to 1:30 PM EST (90 minutes, 40% of 10k users, $2 million)."
    else:
        text = data.draw(salads(_numeric_vocab(), regexes=_numeric_regexes()))
    with_needs = _numeric_candidates(text, True)
    assert with_needs == _numeric_candidates(text, False)
    if data is None:  # the example means something: every family is found in it
        assert {"TIME", "TIMEZONE", "DURATION", "PERCENT", "COUNT", "MONEY"} <= {
            c[2] for c in with_needs}


def test_numeric_digit_scan_is_used_and_agrees_on_overlaps() -> None:
    """The comparison above means something: the combined digit scan covers several patterns
    (so the reference, which scans each pattern alone, is a different path), and where one
    pattern's matches overlap another's ("2024-03-15 14:30", "1430 hrs") both are kept."""
    scan = N._digit_scan("numeric.jsonl", "defs.json")
    assert len(scan.indices) >= 2
    text = ("On 2024-03-15 14:30-15:45 UTC, then 1430 hrs, 13.01.2023, 1h30m, 1h 30m, "
            "1 hour 2 min 3 s and 12:00:05 PM.")
    assert _numeric_candidates(text, True) == _numeric_candidates(text, False)
    labels = [c[2] for c in _numeric_candidates(text, True)]
    assert labels.count("DATE") >= 2 and labels.count("TIME") >= 3


@lru_cache(maxsize=1)
def _unfactored_numeric() -> tuple[re.Pattern[str], ...]:
    """The numeric patterns compiled with plain alternations (no first-character grouping)."""
    from pmscore import timeparse

    def plain(alts: list[str]) -> str:
        return "(?:" + "|".join(alts) + ")"
    with mock.patch.object(timeparse, "first_letter_alternation", plain), \
            mock.patch.object(N, "first_letter_alternation", plain):
        tz = timeparse.timezone_regex.__wrapped__()
        with mock.patch.object(N, "timezone_regex", lambda: tz):
            pats = N.compile_numeric_patterns.__wrapped__("numeric.jsonl", "defs.json")
    return tuple(p.regex for p in pats)


@SETTINGS
@given(salads(_numeric_vocab(), regexes=_numeric_regexes()))
@example("over one hundred users; fifteen percent; two and a half hours; 10 min and 23 s, "
         "Pacific Standard Time, thousands of ETB, several hours, 3 million USD")
def test_numeric_alternation_grouping_finds_the_same_matches(text: str) -> None:
    """Every numeric pattern finds the same spans with its word alternations grouped by first
    character as with the plain alternations the data files spell out."""
    grouped = N.compile_numeric_patterns("numeric.jsonl", "defs.json")
    plain = _unfactored_numeric()
    assert [p.regex.pattern for p in grouped] != [p.pattern for p in plain]
    for g, p in zip(grouped, plain):
        assert [m.span() for m in g.regex.finditer(text)] == \
            [m.span() for m in p.finditer(text)], g.label


@SETTINGS
@given(st.text(alphabet="aw0-./@_ \ncomrgnetapiwlbd1.", max_size=60))
@example("see www.example.com, api.shop.co.uk and web-01 or db-7.example.org.")
def test_service_host_pattern_possessive_runs_find_the_same_hosts(text: str) -> None:
    """The SERVICE host pattern's possessive label runs (``*+``, ``++``) find the same spans
    as the same pattern with ordinary greedy runs."""
    pat = next(p for p in N.compile_numeric_patterns("numeric.jsonl", "defs.json")
               if p.label == "SERVICE")
    assert "*+" in pat.source
    greedy = re.compile(pat.source.replace("*+", "*").replace("++", "+"))
    assert [m.span() for m in pat.regex.finditer(text)] == \
        [m.span() for m in greedy.finditer(text)]


# ---------------------------------------------------------------- look-behind anchored scans
# actions._BULLET and reader._URL gained look-behinds so that a long digit / [\w.-] run is not
# rescanned from each of its positions (quadratic). The plain patterns below are the old ones:
# the anchored ones must find the same things.

_SYM_REF = "[✔✓✅☑➤►▶→◦▪●○■□✗✘❌🔹🔸🔷👉📌⚡⭐]\ufe0f?"
_BULLET_REF = re.compile(r"\s*(?:(?:[-*+•—–]|\d+[.)]|\[[ xX]\]|" + _SYM_REF + r")\s+)+")
_URL_REF = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|io|org|net|dev|app)/\S*", re.I)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123 .)-*\n\tx[]✅a")), max_size=40))
def test_bullet_scan_same_as_plain(text: str) -> None:
    from pmscore.actions import _BULLET

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))

    assert _BULLET.sub(blank, text, count=1) == _BULLET_REF.sub(blank, text, count=1)
    a, b = _BULLET.match(text), _BULLET_REF.match(text)
    assert (a and a.end()) == (b and b.end())


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab.-_/ x1cA") + ["com", ".com/", "io", "https://",
                                                        "www.", ".io/", "é"]),
                max_size=20).map("".join))
def test_bare_domain_scan_same_as_plain(text: str) -> None:
    from pmscore.reader import _URL, _WORD

    assert len(_URL.findall(text)) == len(_URL_REF.findall(text))
    assert _WORD.findall(_URL.sub(" ", text)) == _WORD.findall(_URL_REF.sub(" ", text))


_FILE_REF = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:php|phpp|conf|cfg|ini|ya?ml|json|py|js|ts|sh|rb|go|"
                       r"java|xml|toml|env|sql|log|html?|css|txt|pem|crt|key|lock|service|d)\b")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "nginx", "-", ".", "conf", "yml", " ", "/", "x1", "d"]),
                max_size=25).map("".join))
def test_file_pattern_bounds_change_nothing_on_real_names(text: str) -> None:
    """The "file" pattern's bounded repeats (no quadratic scan of 'a.a.a...') find the same
    names as the unbounded pattern wherever names are of real length."""
    rx = re.compile(read_json("lexicons", "specific_cues.json")["patterns"]["file"])
    assert [m.span() for m in rx.finditer(text)] == [m.span() for m in _FILE_REF.finditer(text)]


_FENCED_REF = re.compile(r"(?ms)^\s*(```|~~~).*?^\s*\1")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["```", "~~~", "\n", " ", "x", "\t", "10:00"]),
                max_size=25).map("".join))
def test_fenced_code_covers_the_same_text(text: str) -> None:
    """review's fenced-code scan: the same non-blank characters are inside code as with the
    old pattern (which also swallowed the blank lines before a fence)."""
    def inside(rx: re.Pattern[str]) -> set[int]:
        return {i for m in rx.finditer(text) for i in range(*m.span()) if not text[i].isspace()}

    assert inside(review._FENCED) == inside(_FENCED_REF)


_FOLD_REF = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ODD + ["a", "I", "K", "S", " ", "x\u00e9", "\u0130\u0130"]),
                max_size=20).map("".join) | st.text())
@example("\u0130")
@example("\u212a\u00e9")
@example("\u00e9\u017f")
def test_prefilter_text_skips_the_fold_table_only_when_it_changes_nothing(text: str) -> None:
    """prefilter_text translates only texts holding one of the folded characters: the same
    string as always translating then lower-casing."""
    assert features.prefilter_text(text) == text.translate(_FOLD_REF).lower()


# --------------------------------------------------------------------------- pattern prescans


def _prescan_cases() -> list[tuple[str, re.Pattern[str], re.Pattern[str], bool]]:
    cues = features._cues()
    return [(k, cues["patterns"][k], scan, on_low) for k, (scan, on_low) in cues["prescan"].items()]


_PRESCAN_VOCAB = _vocabulary([rx.pattern for _k, rx, _s, _l in _prescan_cases()]
                             + ["nginx.conf", "app.yml", "10.0.0.1", "v1.2.3", "HTTP 503",
                                "ECONNREFUSED", "SIGKILL", "0xdeadbeef", "/etc/nginx/", "port 8080",
                                "Ports 80, 443", "version 2", "release v3.1", "OOM"])


def test_pattern_prescans_are_in_use() -> None:
    """Every prescan's pattern is still the one in specific_cues.json (else it is dropped)."""
    assert sorted(features._cues()["prescan"]) == ["error_code", "file", "ip", "path", "port",
                                                   "version"]


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
@example(None)
def test_pattern_prescans_find_something_wherever_the_pattern_matches(
        data: st.DataObject | None) -> None:
    """A text where a prescan finds nothing holds no match of its pattern, so skipping the
    pattern's scan there gives the same cues; find_specifics with and without prescans agree."""
    cases = _prescan_cases()
    if data is None:
        texts = [" ".join(_PRESCAN_VOCAB), _lookalike(" ".join(_PRESCAN_VOCAB)).upper(),
                 "Release V2 on PORT 443 and VERSION 3", "\u212aPORTs 22"]
    else:
        texts = [data.draw(salads(_PRESCAN_VOCAB, max_pieces=30,
                                  regexes=[rx for _k, rx, _s, _l in cases]))]
    found = 0
    for text in texts:
        low = features.prefilter_text(text)
        for kind, rx, scan, on_low in cases:
            if rx.search(text) is not None:
                found += 1
                assert scan.search(low if on_low else text) is not None, (kind, text)
        fast = features._find_specifics.__wrapped__(text, ())
        with mock.patch.dict(features._cues(), {"prescan": {}}):
            slow = features._find_specifics.__wrapped__(text, ())
        assert fast == slow, text
    target(float(found))
    if data is None:
        assert found >= len(cases)


# --------------------------------------------------------------------------- specifics + services


def _specifics_reference(text: str, services: tuple[str, ...]) -> tuple[features.Cue, ...]:
    """find_specifics as one pass: every lexicon, pattern and service cue, deduplicated once."""
    cfg = features._cues()
    text = features._URL.sub(lambda m: " " * len(m.group(0)), text)
    found: list[features.Cue] = []
    for kind in features._SPECIFIC_LEXICONS:
        for m in cfg[kind].finditer(text):
            found.append(features.Cue(kind, m.group(0), m.start(), m.end()))
    for kind, rx in cfg["patterns"].items():
        for m in rx.finditer(text):
            s = m.group(0).strip()
            if not s or (kind == "quoted" and len(s.split()) > 4):
                continue
            found.append(features.Cue(kind, m.group(0), m.start(), m.end()))
    low = text.lower()
    for svc in services:
        name = svc.strip()
        if not name or all(w in cfg["generic"] for w in re.findall(r"[a-z0-9]+", name.lower())):
            continue
        i = low.find(name.lower())
        if i >= 0:
            found.append(features.Cue("component", text[i:i + len(name)], i, i + len(name)))
    return tuple(features._dedupe(found))


_SERVICE_NAMES = ["nginx", "Nginx proxy", "web server", "database", "api gateway", "db-01",
                  "payment service", "redis", "redis cache", "auth", "config", "x", " ", "",
                  "nginx.conf", "port 80", "MySQL database", "load balancer"]


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
@example(None)
def test_specifics_with_services_equal_one_pass(data: st.DataObject | None) -> None:
    """find_specifics(text, services) (the cached service-less cues plus the service mentions,
    deduplicated again) equals deduplicating every cue at once, with and without the cache
    (texts longer than _CACHE_MAX_CHARS take the uncached path)."""
    if data is None:
        cases = [("The Nginx proxy on db-01 read nginx.conf; redis cache and Redis died.",
                  ("Nginx proxy", "nginx", "redis", "redis cache", "web server")),
                 ("web server: database timeout in MySQL database",
                  ("MySQL database", "database", "web server"))]
    else:
        text = data.draw(salads(_PRESCAN_VOCAB + _SERVICE_NAMES, max_pieces=30))
        services = tuple(data.draw(st.lists(st.sampled_from(_SERVICE_NAMES), max_size=5)))
        cases = [(text, services)]
        if data.draw(st.booleans()):
            cases.append((text + " " * features._CACHE_MAX_CHARS + text, services))
    hits = 0
    for text, services in cases:
        ref = _specifics_reference(text, services)
        hits += sum(c.kind == "component" for c in ref)
        assert tuple(features.find_specifics(text, services)) == ref, (text, services)
        assert tuple(features.find_specifics(text)) == _specifics_reference(text, ()), text
    target(float(hits))
    if data is None:
        assert hits >= 3


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["http", "https", "ftp", ":", "/", "//", "://", "www", ".",
                                 "w", "]", "(", ")", "![", "!", "[", "x", " ", "\n", "a.com",
                                 "\u212a", "WWW."]), max_size=25).map("".join))
@example("see https://x.y/z and [a](b) ![img]")
def test_url_blanking_skips_only_texts_without_an_address(text: str) -> None:
    """_blank_urls returns the text unchanged only when _URL finds nothing to blank."""
    ref = features._URL.sub(lambda m: " " * len(m.group(0)), text)
    assert features._blank_urls(text) == ref


@pytest.mark.parametrize("text", [
    "Add an alert on p99 latency (Owner: @alice, due 2024-05-01)",
    "SRE team will patch Nginx by Friday",
    "Patch Nginx", "", "Assignee: Bob; ETA: 2 weeks"])
def test_task_cue_cache_gives_the_pattern_result(text: str) -> None:
    """Owner and deadline are cached per text: the same cue as the pattern search, again."""
    for kind in ("owner", "deadline"):
        plain = features._task_cue_uncached(kind, text)
        assert features._task_cue(kind, text) == plain
        assert features._task_cue(kind, text) == plain
        long_text = text + " " * features._CACHE_MAX_CHARS
        assert features._task_cue(kind, long_text) == features._task_cue_uncached(kind, long_text)
    assert features.find_owner("SRE team will patch Nginx by Friday") is not None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["http", "HTTPS", "ftp", ":", "/", "//", "://", "www", "WWW",
                                 ".", "w", "]", "(", ")", "![", "!", "[", "x", " ", "\n",
                                 "a.com", "b.IO", "c.\u0131o", ".org", ".net", ".dev", "app",
                                 "\u212a", "\u0130", "-", "see [docs](x.md)", "[a]", "(b)"]),
                max_size=25).map("".join))
@example("see https://x.y/z and [a](b) ![img](c.png) example.COM/x")
@example("ex.\u0131o/x")
def test_reader_link_removal_skips_only_texts_without_links(text: str) -> None:
    """The reader's prose (links and URLs replaced) is the same with the literal prefilters."""
    ref = reader._URL.sub(" ", reader._LINK_PUNCT.sub(" ", text))
    assert reader._prose_without_links(text) == ref


# --------------------------------------------------------------------------- numeric char scans


def test_numeric_char_scans_are_used_and_agree_with_the_plain_patterns() -> None:
    """Some letter-first patterns (dates opening with a capitalised month or weekday) are found
    by a scan of their exact first characters; the candidates equal the plain scans'."""
    scans = N._char_scans("numeric.jsonl", "defs.json")
    pats = N.compile_numeric_patterns("numeric.jsonl", "defs.json")
    assert len(scans) >= 2 and {pats[i].label for i in scans} >= {"DATE"}
    assert not set(scans) & set(N._digit_scan("numeric.jsonl", "defs.json").indices)
    text = ("On Monday, March 15th, 2024 and Tue, Nov 23rd 2020; the 10th of May 2023, 23rd Nov "
            "2020, 15 March; bathe 5th of May; LeMon, March 5; at midnight or NOON; M\u0130dnight; "
            "\u212aMarch 3; 2024-03-15 14:30 UTC; Sept. 9, Sep 10; March31")
    assert _numeric_candidates(text, True) == _numeric_candidates(text, False)
    labels = [c[2] for c in _numeric_candidates(text, True)]
    assert labels.count("DATE") >= 6 and "TIME" in labels


@SETTINGS
@given(salads(_numeric_vocab() + ["Monday", "March", "Nov", "the", "5th", "of", "Lemon",
                                  "midnight", "Tues", "Sept."], regexes=_numeric_regexes()))
@example("Lemon, March 5 and bathe 5th of May at NOON")
def test_numeric_char_scans_find_every_match(text: str) -> None:
    """Each char scan gives its pattern's finditer spans exactly (the class may only leave out
    characters no match starts with: case-sensitive literals, look-alikes included)."""
    pats = N.compile_numeric_patterns("numeric.jsonl", "defs.json")
    found = 0
    for i, scan in N._char_scans("numeric.jsonl", "defs.json").items():
        plain = _spans(pats[i].regex, text)
        found += len(plain)
        assert scan.find(text)[0] == plain, (i, text)
    target(float(found))
