"""Features of one action item for the learned actionability model.

Why a module of its own: these features feed only the scikit-learn action-item classifier
(:func:`pmscore.ml.estimators.action_classifier`); the rules in :mod:`pmscore.actions` use the
cue finders of :mod:`pmscore.features` directly. Keeping the model's feature set here lets it
grow without touching the shared cue finders.
"""

from __future__ import annotations

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
    word_count,
)

__all__ = ["action_features"]


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
    return feats
