"""Whether a short text states an incident at all.

The reader calls a short file with links a pointer ("link-only") and a very short file
"near-empty", and the pipeline calls a file with no incident section, time or root cause "not a
postmortem". All three are right for a README that points to a blog post, and wrong for a terse
incident summary ("A bad config push took the API down for most users."): the annotation guide
makes ``is_postmortem`` false only for a file that holds no incident at all. This module is the
test that tells the two apart; its wording lists are data (``lexicons/incident_statement.json``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pmscore.resources import read_json

# A run up to the next sentence mark or line end, and that mark: one linear pass (a pattern
# that must end in a mark would rescan a long unpunctuated line from every start position).
_SEGMENT = re.compile(r"([^.!?\n]*+)([.!?\n]?)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern[str], re.Pattern[str], int]:
    data = read_json("lexicons", "incident_statement.json")

    def alternation(key: str) -> re.Pattern[str]:
        return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in data[key]) + r")\b", re.I)

    return alternation("event"), alternation("pointer"), int(data["min_words"])


def states_incident(prose: str) -> bool:
    """True when ``prose`` (links and URLs already removed) reports a failure and is not about
    a write-up kept elsewhere.

    A sentence (ended by ``.`` or ``!``: a title line or a question states nothing) of at least
    ``min_words`` words must hold an event cue (something went down,
    failed, was deleted...) and no pointer cue ("read the article", "this repository", "I
    wrote"): a sentence that describes a write-up ("In this project I wrote about how I fixed a
    crashed server") is about the file, not the incident; a plain statement of what failed, even
    beside a link to the full report, is the incident.
    """
    event, pointer, min_words = _cues()
    for sentence in _sentences(prose):
        if (event.search(sentence) and not pointer.search(sentence)
                and len(_WORD.findall(sentence)) >= min_words):
            return True
    return False


def _sentences(prose: str) -> list[str]:
    """The sentences of ``prose`` that end with ``.`` or ``!`` (a decimal point or a dotted
    name does not end one); text cut by a ``?`` or a line end without a mark is dropped."""
    out: list[str] = []
    buf: list[str] = []
    for m in _SEGMENT.finditer(prose):
        run, mark = m.group(1), m.group(2)
        if not run and not mark:
            continue
        buf.append(run)
        if mark in (".", "!"):
            nxt = prose[m.end():m.end() + 1]
            if nxt and (nxt.isalnum() or nxt == "_"):
                buf.append(mark)  # "2.3", "example.com": not the end of a sentence
                continue
            out.append("".join(buf) + mark)
        buf = []
    return out
