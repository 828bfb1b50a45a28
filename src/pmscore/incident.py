"""Whether a text states an incident at all.

The reader calls a short file with links a pointer ("link-only") and a very short file
"near-empty", and the pipeline calls a file with no incident section, time or root cause "not a
postmortem". All three are right for a README that points to a blog post, and wrong for a terse
incident summary ("A bad config push took the API down for most users."): the annotation guide
makes ``is_postmortem`` false only for a file that holds no incident at all. This module is the
test that tells the two apart; its wording lists are data (``lexicons/incident_statement.json``).
The same test, read block by block, tells a template of prompts or a guide to writing
postmortems (no clock time, no sentence that reports a failure) from a terse postmortem.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pmscore.resources import read_json
from pmscore.types import Document

# A run up to the next sentence mark or line end, and that mark: one linear pass (a pattern
# that must end in a mark would rescan a long unpunctuated line from every start position).
_SEGMENT = re.compile(r"([^.!?\n]*+)([.!?\n]?)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")


@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern[str], re.Pattern[str], int, re.Pattern[str]]:
    data = read_json("lexicons", "incident_statement.json")

    def alternation(key: str, prefix: str = r"\b") -> re.Pattern[str]:
        return re.compile(prefix + r"(?:" + "|".join(f"(?:{p})" for p in data[key]) + r")\b",
                          re.I)

    return (alternation("event"), alternation("pointer"), int(data["min_words"]),
            alternation("instruction_start", prefix=r"^\W*"))


def states_incident(prose: str) -> bool:
    """True when ``prose`` (links and URLs already removed) reports a failure and is not about
    a write-up kept elsewhere.

    A sentence (ended by ``.`` or ``!``: a title line or a question states nothing) of at least
    ``min_words`` words must hold an event cue (something went down, failed, was deleted...)
    and no pointer cue ("read the article", "this repository", "I wrote"): a sentence that
    describes a write-up ("In this project I wrote about how I fixed a crashed server") is about
    the file, not the incident; a plain statement of what failed, even beside a link to the
    full report, is the incident. Instructions and the assignment's voice state nothing either.
    """
    return any(_is_statement(sentence) for sentence in _sentences(prose))


def document_states_incident(doc: Document) -> bool:
    """True when a paragraph, list item or label body of ``doc`` states an incident.

    Block by block, so the end of a block ends a sentence (students often leave the full stop
    out), and a sentence that opens like a template's prompt or an instruction ("list the
    duration", "give a detailed explanation", a lowercase "when the outage began") does not
    count. The pipeline uses it on documents with no clock time of their own: a template, a
    guide to writing postmortems or a project README states no incident anywhere.
    """
    for block in doc.blocks:
        if block.kind == "heading":
            continue
        start = block.body_start if block.kind == "label" and block.body_start else block.start
        text = " ".join(doc.clean[start:block.end].split())
        if not text:
            continue
        if text[-1] not in ".!":
            text += "."
        if any(_is_statement(s) for s in _sentences(text)):
            return True
    return False


@lru_cache(maxsize=1)
def _assignment_voice() -> re.Pattern[str]:
    """One regex for the assignment's voice (the review's ``assignment_voice.txt`` patterns):
    instructions, the writing task, what a postmortem is, truisms about failure. "After any
    outage the team writes a summary" names an outage but states none."""
    from pmscore.review import voice_patterns  # imported late: review is heavier than reader

    return re.compile("|".join(f"(?:{p.rx.pattern})" for p in voice_patterns()),
                      re.IGNORECASE | re.MULTILINE)


def _is_statement(sentence: str) -> bool:
    event, pointer, min_words, instruction = _cues()
    return (event.search(sentence) is not None and pointer.search(sentence) is None
            and instruction.match(sentence) is None
            and len(_WORD.findall(sentence)) >= min_words
            and _assignment_voice().search(sentence) is None)


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
