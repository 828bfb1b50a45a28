"""Features of one action item for the learned actionability model.

Why a module of its own: these features feed only the scikit-learn action-item classifier
(:func:`pmscore.ml.estimators.action_classifier`); the rules in :mod:`pmscore.actions` use the
cue finders of :mod:`pmscore.features` directly. Keeping the model's feature set here lets it
grow without touching the shared cue finders.

Why the ``am_*`` features: the model is trained on the project's corpus only, and its word
weights transfer poorly to real task lists (long, padded sentences; label prefixes; passive
future). The guide's distinction is structural rather than lexical: a broad verb ("improve",
"review", "ensure", "monitor") is a task only when its object is concrete; a single session on a
named topic is a task while regular or general training is not; a measure already taken counts
when it names what was done. These features describe that structure (which kind of verb opens
the task, whether a generic object follows it, whether anything checkable is named, periodic
words, hedges, tense, length) so that the model can learn it from few examples. Their word lists
are data: ``data/lexicons/action_model_cues.json``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pmscore.features import (
    _kind_counts,
    find_deadline,
    find_non_actionable,
    find_owner,
    find_specifics,
    has_action_verb,
    has_threshold,
    leading_verb,
    object_cues,
    task_body_start,
    word_count,
)
from pmscore.resources import read_json

__all__ = ["action_features", "model_cues"]

_CUES_FILE = ("lexicons", "action_model_cues.json")

# A short label before the task ("Monitoring: ...", "Short-term: ...", "Enhanced Logging: ...").
# The word run is possessive (*+): without it a long word can be split into 1-4 pieces in
# O(n^4) ways before the match fails (300 x's took 40 s; tests/test_compiled.py found it).
_LABEL = re.compile(r"^\W*(?:[A-Za-z][\w/&-]*+\s*){1,4}:\s+")
# The subject a real list puts before the verb ("We will", "I", "The team", "DevOps team to").
_SUBJECT = re.compile(
    r"^(?:we|i|the\s+\w+(?:\s+team)?|our\s+\w+(?:\s+team)?|\w+\s+team)\s+"
    r"(?:will\s+|shall\s+|should\s+|need\s+to\s+|plan\s+to\s+|to\s+|have\s+|has\s+|must\s+)?",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'-]*")


@lru_cache(maxsize=1)
def model_cues() -> dict[str, re.Pattern[str]]:
    """One word-bounded, case-insensitive regex per list of ``action_model_cues.json``."""
    data = read_json(*_CUES_FILE)
    out: dict[str, re.Pattern[str]] = {}
    for key, words in data.items():
        if key.startswith("_"):
            continue
        alts = sorted({w.lower() for w in words}, key=len, reverse=True)
        out[key] = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in alts) + r")(?![\w-])",
                              re.IGNORECASE)
    return out


def _body(text: str) -> str:
    """The task without bullets, a short label and a leading subject ("We will ...")."""
    body = text[task_body_start(text):].strip()
    m = _LABEL.match(body)
    if m and len(body) > m.end():
        body = body[m.end():]
    m = _SUBJECT.match(body)
    if m and len(body) > m.end():
        body = body[m.end():]
    return body


def _opens_with(rx: re.Pattern[str], body: str) -> bool:
    m = rx.match(body)
    return m is not None


def _count(rx: re.Pattern[str], text: str) -> float:
    return float(sum(1 for _ in rx.finditer(text)))


def _broad_structure(cues: dict[str, re.Pattern[str]], body: str) -> dict[str, float]:
    """Which kind of verb opens the task and whether a generic object follows it."""
    broad = _opens_with(cues["broad_verbs"], body)
    concrete = _opens_with(cues["concrete_verbs"], body)
    words = _WORDS.findall(body)
    head = " ".join(words[1:6])  # the object region right after the verb
    generic_head = cues["generic_objects"].search(head) is not None
    return {
        "am_broad_first": float(broad),
        "am_concrete_first": float(concrete and not broad),
        "am_generic_after_verb": float(generic_head),
        "am_broad_generic": float(broad and generic_head),
        "am_concrete_generic": float(concrete and not broad and generic_head),
        "am_no_verb_first": float(not broad and not concrete),
    }


def action_features(text: str) -> dict[str, float]:
    """Flat numeric features of one action item (verb first, object, cues, blockers, length)."""
    na = find_non_actionable(text)
    spec = find_specifics(text)
    feats: dict[str, float] = {
        "ai_words": float(word_count(text)),
        "ai_verb_first": float(leading_verb(text) is not None),
        "ai_verb_any": float(has_action_verb(text)),
        "ai_n_object": float(len(object_cues(text))),
        "ai_n_specific": float(len(spec)),
        "ai_threshold": float(has_threshold(text)),
        "ai_owner": float(find_owner(text) is not None),
        "ai_deadline": float(find_deadline(text) is not None),
        "ai_n_non_actionable": float(len(na)),
    }
    feats.update(_kind_counts(na, "ai_na_"))
    feats.update(_kind_counts(spec, "ai_spec_"))
    feats.update(_model_features(text))
    return feats


def _model_features(text: str) -> dict[str, float]:
    """The structural ``am_*`` features (see the module docstring for why).

    Left out on purpose (measured with scripts/tune_ml.py, model alone on dev): length buckets,
    a label prefix, counts of named things and "broad verb / blocker with nothing specific"
    crosses. The corpus templates make them near-perfect separators in training, so the model
    leaned on them and real text, where long padded tasks are both actionable and not, paid for
    it (non-actionable F1 0.74 with them, 0.80 without).
    """
    cues = model_cues()
    body = _body(text)
    n_words = max(1, word_count(text))
    feats = _broad_structure(cues, body)
    training = cues["training_words"].search(text) is not None
    session = cues["single_session"].search(text) is not None
    feats.update({
        "am_n_generic": float(min(_count(cues["generic_objects"], text), 4)),
        "am_periodic": float(cues["periodic"].search(text) is not None),
        "am_hedges": float(min(_count(cues["hedges"], text), 4)),
        "am_hedge_density": _count(cues["hedges"], text) / n_words,
        "am_training": float(training and not session),
        "am_single_session": float(session),
        "am_joke": float(cues["jokes"].search(text) is not None),
        "am_past": float(cues["past_markers"].search(text) is not None),
        "am_future": float(cues["future_markers"].search(text) is not None),
        "am_purpose": float(cues["purpose_clauses"].search(text) is not None),
    })
    return feats
