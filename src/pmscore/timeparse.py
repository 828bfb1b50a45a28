"""Pure parsing of clock times and durations.

Consistency checks compare times written in many ways ("9:45 PM EST", "21:45", "1430 hrs",
"midnight") and durations ("3 hours", "an hour and a half", "1h30m", "three-hour"); they all go
through these functions so that the entity extractor and the checks agree on one reading.
Vocabulary (number words, unit spellings, timezone names) lives in ``data/lexicons``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pmscore.resources import read_json, read_lines

MINUTES_PER_DAY = 24 * 60

_AMPM = r"(?:(?P<ap>[AaPp])\.\s?[Mm]\.|(?P<ap2>[AaPp])\s?[Mm]\b)"


@lru_cache(maxsize=1)
def _numbers() -> dict[str, Any]:
    return read_json("lexicons", "numbers.json")


@lru_cache(maxsize=1)
def _units() -> dict[str, float]:
    return dict(read_json("lexicons", "duration_units.json")["units"])


# One alternative of a flat alternation: a first atom without a quantifier, then atoms, each
# with an optional ``?``/``+``/``*``. Atoms: a letter, digit or plain punctuation character, an
# escaped punctuation character (what ``re.escape`` gives) or ``\\s``/``\\d`` (not first).
_ATOM = r"(?:[A-Za-z0-9 ~,:;@%&#'_-]|\\[^A-Za-z0-9])"
_SIMPLE_ALTERNATIVE = re.compile(_ATOM + r"(?:(?:" + _ATOM + r"|\\[sd])[?+*]?)*")


def first_letter_alternation(alternatives: list[str]) -> str:
    """``(?:a|b|...)`` with the alternatives grouped under their first character, same matches.

    Why: ``re`` tries the alternatives of a group one after the other, and under ``(?i)`` it
    cannot skip one by its first character without a full attempt; the lexicon alternations
    (number words, timezones, quantifiers) have dozens of words, tried at every letter of the
    text. Grouped (``s(?:eventeen|ixteen|...)|t(?:hirteen|...)``) only the words of one
    character are tried. The order of tries among words that can match at a position is
    unchanged (words with another first character never match there, even case-insensitively:
    no character matches two different ASCII characters), so the first success, and so every
    match, is the same. Falls back to the plain alternation when an alternative is not a
    simple sequence of literal atoms or two groups differ only in case (both would be live
    under ``(?i)``).
    """
    plain = "(?:" + "|".join(alternatives) + ")"
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        if not _SIMPLE_ALTERNATIVE.fullmatch(alt):
            return plain
        n = 2 if alt[0] == "\\" else 1
        groups.setdefault(alt[n - 1], []).append(alt[n:])
    if len({k.lower() for k in groups}) != len(groups):
        return plain
    return "(?:" + "|".join(re.escape(k) + "(?:" + "|".join(rest) + ")"
                            for k, rest in groups.items()) + ")"


# A non-capturing group holding no other group, class or escaped "|" (its content flat).
_FLAT_GROUP = re.compile(r"\(\?:((?:[^()\[\]\\]|\\[^|])*\|(?:[^()\[\]\\]|\\[^|])*)\)")


_CLASS = re.compile(r"\[\^?\]?(?:[^\]\\]|\\.)*\]")


def factor_alternations(source: str) -> str:
    """``source`` with every flat ``(?:a|b|...)`` group grouped by first character (see
    :func:`first_letter_alternation`): the same regex, matching the same spans, tried faster.
    Groups inside a character class or opened by an escaped ``(`` are left alone."""
    classes: list[tuple[int, int]] = []
    i = 0
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == "[":
            m = _CLASS.match(source, i)
            if m is None:
                return source  # not a class we can delimit: leave the regex as written
            classes.append(m.span())
            i = m.end()
            continue
        i += 1

    def repl(m: re.Match[str]) -> str:
        s = m.start()
        escaped = (len(source[:s]) - len(source[:s].rstrip("\\"))) % 2 == 1
        if escaped or any(a <= s < b for a, b in classes):
            return m.group(0)
        return first_letter_alternation(m.group(1).split("|"))
    return _FLAT_GROUP.sub(repl, source)


@lru_cache(maxsize=1)
def timezone_regex() -> str:
    """Regex source matching one timezone mention (abbreviation with optional offset, or name).

    Abbreviations are case-sensitive (written in capitals in the lexicon), names are not.
    Longest alternatives come first so "Pacific Standard Time" wins over "Pacific Time".
    """
    abbrevs, names = [], []
    for line in read_lines("lexicons", "timezones.txt"):
        (abbrevs if line.isupper() else names).append(line)
    abbrevs.sort(key=len, reverse=True)
    names.sort(key=len, reverse=True)
    # "+1", " + 1", "-5", "+01:00"; a spaced dash is a separator ("PST - 23:00"), not an offset
    offset = (r"(?:(?:\s?\+\s?|\s?[\-\u2212](?=\d))(?:1[0-4]|0?\d)(?::?[0-5]\d)?"
              r"(?!\d|:\d))?")
    abbr = (r"(?<![A-Za-z])" + first_letter_alternation([re.escape(a) for a in abbrevs])
            + r"(?![A-Za-z])" + offset)
    name = r"(?i:\b" + first_letter_alternation(
        [re.escape(n).replace(r"\ ", r"\s+") for n in names]) + r"\b)"
    return f"(?:{abbr}|{name})"


@lru_cache(maxsize=1)
def _tz_re() -> re.Pattern[str]:
    return re.compile(timezone_regex())


_CLOCK_RE = re.compile(
    r"^(?P<h>\d{1,2})\s?(?P<sep>[:.])\s?(?P<m>\d{2})(?::\s?(?P<s>\d{2})(?:\.\d+)?)?"
    r"\s?(?:" + _AMPM + r")?$"
)
_HOUR_AMPM_RE = re.compile(r"^(?P<h>\d{1,2})\s?" + _AMPM + "$")
_MILITARY_RE = re.compile(r"^(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\s?(?:hrs|hours|h)?\.?$", re.I)
_NAMED = {"midnight": 0, "noon": 12 * 60, "midday": 12 * 60}


@lru_cache(maxsize=4096)  # pure, and the same few strings recur
def parse_clock(text: str) -> tuple[int, bool, str | None] | None:
    """Read a clock time: ``(minutes since midnight, AM/PM written, timezone text or None)``.

    Accepts "8:00 PM", "15:00", "01:20 AM", "9:45 PM EST", "14:30 UTC", "1430 hrs", "6pm",
    "2.30PM", "13:00:56", "midnight"; a leading date ("2024-03-15 14:30") is ignored.
    12 AM is midnight and 12 PM noon. Returns None for anything that is not a valid time.
    """
    s = " ".join(text.strip().split())
    if not s:
        return None
    tz: str | None = None
    m_tz = None
    for m_tz in _tz_re().finditer(s):
        pass
    if m_tz is not None and m_tz.end() >= len(s.rstrip(" )]")) - 0:
        tz = m_tz.group(0).strip()
        s = s[: m_tz.start()].rstrip(" ([-,")
    # drop a leading date part: keep the last whitespace/T separated chunk(s) that look like time
    m_date = re.match(r"^.*?(?:\d{4}-\d{2}-\d{2}[T ]?|\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\s+)", s)
    if m_date:
        s = s[m_date.end():].strip(" ,-")
    low = s.lower().strip(" .")
    if low in _NAMED:
        return _NAMED[low], False, tz
    m = _CLOCK_RE.match(s)
    if m:
        if m.group("sep") == "." and not (m.group("ap") or m.group("ap2")):
            return None  # "1.30" alone is a decimal, not a time
        h, mi = int(m.group("h")), int(m.group("m"))
    else:
        m = _HOUR_AMPM_RE.match(s)
        if m:
            h, mi = int(m.group("h")), 0
        else:
            m = _MILITARY_RE.match(s)
            if not m or not re.search(r"[a-z]", s, re.I):
                return None  # a bare four-digit number is a year or a count, not a time
            h, mi = int(m.group("h")), int(m.group("m"))
    ap = m.groupdict().get("ap") or m.groupdict().get("ap2")
    if mi > 59:
        return None
    if ap:
        if h == 0 and ap.lower() == "a":
            return mi, True, tz  # "00:30 AM"
        if not 1 <= h <= 12:
            if h == 0 or h > 23:
                return None
            # "13:00 PM": the 24h reading is unambiguous; keep it
            return h * 60 + mi, True, tz
        h = h % 12 + (12 if ap.lower() == "p" else 0)
        return h * 60 + mi, True, tz
    if h > 24 or (h == 24 and mi):
        return None
    return (h % 24) * 60 + mi, False, tz


_NUM_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+")


def _word_number(words: list[str]) -> float | None:
    """Value of a run of number words ("one hundred", "twenty five", "a couple"), else None."""
    nums = _numbers()
    units, scales = nums["units"], nums["scales"]
    total, current, seen = 0.0, 0.0, False
    for w in words:
        if w in ("and", "of"):
            continue
        if re.fullmatch(r"\d+(?:\.\d+)?", w):
            current += float(w)
            seen = True
        elif w in units:
            current += units[w]
            seen = True
        elif w in scales:
            current = max(current, 1) * scales[w]
            if scales[w] >= 1000:
                total, current = total + current, 0.0
            seen = True
        else:
            return None
    return total + current if seen else None


_DUR_PIECE = re.compile(
    r"(?P<num>(?:\d+(?:\.\d+)?|[a-z]+)(?:[\s-]+(?:and\s+)?(?:a\s+)?(?:half|[a-z]+))*?)"
    r"[\s-]*(?P<unit>[a-z]+)\b(?P<andhalf>\s+and\s+a\s+half)?"
)


@lru_cache(maxsize=4096)  # pure, and the same few strings recur
def parse_duration(text: str) -> int | None:
    """Length in whole minutes of a duration phrase, or None if it has no definite length.

    "3 hours" -> 180, "an hour" -> 60, "half an hour" -> 30, "1.5 hours" -> 90,
    "2 hours and 15 minutes" -> 135, "1h30m" -> 90, "three-hour" -> 180, "2 and half hours" -> 150.
    Vague amounts ("several hours", "a few minutes") give None.
    """
    units = _units()
    s = text.lower().replace("\u2013", "-").strip()
    s = re.sub(r"(\d)([a-z])", r"\1 \2", s)          # 1h30m -> 1 h30m
    s = re.sub(r"([a-z])(\d)", r"\1 \2", s)          # h30 -> h 30
    s = s.replace("-", " ").replace(",", " ")
    tokens = s.split()
    vague = set(_numbers()["vague"])
    total = 0.0
    found = False
    pending: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in units:
            if tok in ("s", "m", "h") and not (pending and re.fullmatch(r"[\d.]+", pending[-1])):
                pending = []
                i += 1
                continue
            if any(p in vague for p in pending):
                return None
            words = [p for p in pending if p not in ("period", "long", "about", "approximately",
                                                      "around", "over", "nearly", "almost",
                                                      "roughly", "just", "under", "more", "than",
                                                      "less", "for", "the", "within", "after")]
            half = False
            if words[:1] == ["half"] and words[1:2] in (["an"], ["a"]):
                value: float | None = 0.5
            else:
                if words and words[-1] == "half":
                    half = True
                    words = words[:-1]
                    if words and words[-1] in ("a", "and"):
                        words = words[:-1]
                    if words and words[-1] == "and":
                        words = words[:-1]
                value = _word_number(words) if words else (0.5 if half else None)
                if value is not None and half and words:
                    value += 0.5
            if value is None:
                if not words and not half:
                    # bare unit ("hours") has no definite length
                    pending = []
                    i += 1
                    continue
                return None
            mult = units[tok]
            # "an hour and a half"
            if tokens[i + 1:i + 4] == ["and", "a", "half"]:
                value += 0.5
                i += 3
            total += value * mult
            found = True
            pending = []
        elif tok == "and" and not pending:
            pass
        else:
            pending.append(tok)
        i += 1
    if not found:
        return None
    return int(round(total))


def minutes_between(a: int, b: int) -> int:
    """Minutes from clock time ``a`` to clock time ``b`` (both minutes since midnight).

    A later-looking ``a`` means the interval crossed midnight: 23:30 -> 00:15 is 45 minutes.
    """
    return (b - a) % MINUTES_PER_DAY


_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUM_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_WORD_DATE = re.compile(
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>[a-z]+)\.?"
    r"|(?P<m2>[a-z]+)\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?)(?:,?\s+(?P<y>\d{4}))?$")


@lru_cache(maxsize=4096)  # pure, and the same few strings recur
def parse_date(text: str) -> tuple[int | None, int, int] | None:
    """Read a calendar date: ``(year or None, month, day)``, or None if unreadable/ambiguous.

    "2024-03-15", "March 15, 2024", "15th of March", "23rd Nov 2020", "13-01-2023". For
    all-number dates the order is taken from whichever part cannot be a month
    ("13-01-2023" is day-first); "01/02/2023" could be either and gives None rather than a
    guess, so checks never compare dates on a coin toss.
    """
    s = " ".join(text.lower().replace(",", ", ").split())
    s = re.sub(r"^(?:the\s+)?(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?:the\s+)?", "", s)
    s = s.replace(" ,", ",")
    m = _ISO_DATE.fullmatch(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return (y, mo, d) if 1 <= mo <= 12 and 1 <= d <= 31 else None
    m = _NUM_DATE.fullmatch(s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
        if a > 12 and 1 <= b <= 12 and a <= 31:
            return y, b, a
        if b > 12 and 1 <= a <= 12 and b <= 31:
            return y, a, b
        if a == b and 1 <= a <= 12:
            return y, a, a
        return None
    m = _WORD_DATE.fullmatch(s)
    if m:
        month_word = m.group("m1") or m.group("m2")
        day = int(m.group("d1") or m.group("d2"))
        month = _MONTHS.get(month_word[:3])
        if month is None or not 1 <= day <= 31:
            return None
        return (int(m.group("y")) if m.group("y") else None), month, day
    return None
