"""The action-item model's features (pmscore.actionfeatures) and its hand-written training set.

The feature tests use the annotation guide's own examples and hard cases: each pair differs in
exactly the property a feature is meant to see, so a feature that stops seeing it fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pmscore.actionfeatures import action_features, model_cues
from pmscore.corpus_schema import validate_sentence_record
from pmscore.resources import read_json

REPO = Path(__file__).resolve().parents[1]
HANDWRITTEN = REPO / "corpus" / "sentences" / "action_items_handwritten.jsonl"
GENERATED = REPO / "corpus" / "sentences" / "action_items.jsonl"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _rows(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


# ----------------------------------------------------------------------------- features


@pytest.mark.parametrize("vague, concrete", [
    ("Improve monitoring.", "Add an alert on p99 latency above 800 ms."),
    ("Enhance security measures across the platform.", "Rotate the leaked Stripe API key."),
    ("Strengthen our testing practices.", "Write a unit test for the currency rounding."),
])
def test_broad_verb_with_generic_object_is_seen(vague: str, concrete: str) -> None:
    v, c = action_features(vague), action_features(concrete)
    assert v["am_broad_generic"] == 1.0 and v["am_broad_first"] == 1.0
    assert c["am_broad_generic"] == 0.0 and c["am_broad_first"] == 0.0
    assert c["am_concrete_first"] == 1.0 and v["am_concrete_first"] == 0.0


def test_verb_found_after_label_and_subject() -> None:
    """Real lists put a label ("Monitoring:") or a subject ("We will") before the verb."""
    assert action_features("Monitoring: improve monitoring coverage.")["am_broad_first"] == 1.0
    assert action_features("Monitoring: add a disk alert at 90% on db-1.")["am_concrete_first"] == 1.0
    assert action_features("We will enhance our alerting.")["am_broad_generic"] == 1.0
    assert action_features("The platform team will pin redis-py to 4.6.0.")["am_concrete_first"] == 1.0


def test_single_session_is_not_general_training() -> None:
    """Guide, hard cases: a single session on a named topic is a task; regular training is not."""
    general = action_features("Conduct regular training for engineers.")
    session = action_features("Hold a one-hour session on Terraform state locking for the SRE team.")
    assert general["am_training"] == 1.0 and general["am_periodic"] == 1.0
    assert session["am_single_session"] == 1.0 and session["am_training"] == 0.0
    assert session["am_periodic"] == 0.0


def test_tense_and_purpose_markers() -> None:
    past = action_features("We added an alert on the signup error rate above 2%.")
    future = action_features("The team will add an alert on the signup error rate.")
    plain = action_features("Add an alert on the signup error rate.")
    assert past["am_past"] == 1.0 and plain["am_past"] == 0.0
    assert future["am_future"] == 1.0 and plain["am_future"] == 0.0
    assert action_features("Add more tests to prevent future outages.")["am_purpose"] == 1.0
    assert plain["am_purpose"] == 0.0


def test_hedges_and_jokes_are_counted() -> None:
    hedged = action_features("Implement a more robust and comprehensive backup approach.")
    assert hedged["am_hedges"] >= 3.0
    assert action_features("Patch Nginx server")["am_hedges"] == 0.0
    assert action_features("Sacrifice a rubber duck to the server gods.")["am_joke"] == 1.0
    assert action_features("Patch Nginx server")["am_joke"] == 0.0


def test_words_inside_other_words_do_not_match() -> None:
    """'set' must not fire inside 'settings', 'monitor' not inside 'monitoring-agent' alone."""
    f = action_features("Settings page redesign.")
    assert f["am_concrete_first"] == 0.0 and f["am_broad_first"] == 0.0


def test_features_are_finite_floats_for_odd_input() -> None:
    for text in ("", "   ", "-", "**TODO**:", "🚀🚀", "a" * 5000, "Add\nalert\ton disk"):
        feats = action_features(text)
        assert feats and all(isinstance(v, float) and v == v and abs(v) < 1e9 for v in feats.values())


def test_lexicon_lists_are_clean() -> None:
    data = read_json("lexicons", "action_model_cues.json")
    lists = {k: v for k, v in data.items() if not k.startswith("_")}
    used = {"broad_verbs", "concrete_verbs", "generic_objects", "periodic", "hedges",
            "single_session", "training_words", "jokes", "past_markers", "future_markers",
            "purpose_clauses"}
    assert used <= set(lists), used - set(lists)
    for key, words in lists.items():
        assert words, key
        assert all(isinstance(w, str) and w == w.strip() and w for w in words), key
    assert set(model_cues()) == set(lists)


# ----------------------------------------------------------------------------- training data


def test_handwritten_items_are_valid_unique_and_balanced() -> None:
    rows = _rows(HANDWRITTEN)
    errs = [e for i, r in enumerate(rows, 1) for e in validate_sentence_record(r, "actionable", None, i)]
    assert errs == []
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts)
    assert len(rows) >= 300
    share = sum(r["actionable"] for r in rows) / len(rows)
    assert 0.35 <= share <= 0.65, share
    # new items, not copies of the generated set
    assert not set(texts) & {r["text"] for r in _rows(GENERATED)}


def test_handwritten_items_follow_the_guide_examples() -> None:
    """Spot checks of the guide's wording on items of the file (labels, not model output)."""
    labels = {r["text"]: r["actionable"] for r in _rows(HANDWRITTEN)}
    broad_generic = [t for t, a in labels.items()
                     if re.match(r"(?i)(improve|enhance|strengthen) (our )?(monitoring|security|"
                                 r"testing|documentation|alerting)\b", t)]
    assert broad_generic and not any(labels[t] for t in broad_generic)
    periodic = [t for t in labels if re.search(r"(?i)\bregular(ly)? (audits?|reviews?|training)\b", t)]
    assert periodic and not any(labels[t] for t in periodic)
    sessions = [t for t in labels if re.search(r"(?i)\b(one|single|one-hour|a one-hour)\b.*\bsession\b", t)]
    assert sessions and all(labels[t] for t in sessions)


def test_structural_features_separate_the_handwritten_items() -> None:
    """The am_* features alone carry signal on held-out hand-written items (5-fold CV)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    rows = _rows(HANDWRITTEN)
    X = [{k: v for k, v in action_features(r["text"]).items() if k.startswith("am_")} for r in rows]
    y = [r["actionable"] for r in rows]
    model = make_pipeline(DictVectorizer(), LogisticRegression(max_iter=2000, random_state=0))
    acc = cross_val_score(model, X, y, cv=5).mean()
    assert acc >= 0.75, acc


@pytest.mark.shared
def test_handwritten_items_share_no_ten_word_run_with_realworld() -> None:
    root = SHARED / "realworld"
    if not root.exists():
        pytest.skip("../shared/realworld absent")

    def words(s: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", s.lower())

    # the whole file, JSON keys included, as a file-by-file shingle comparison sees it
    w = words(HANDWRITTEN.read_text(encoding="utf-8"))
    ours = {" ".join(w[i:i + 10]) for i in range(len(w) - 9)}
    hits = set()
    for path in root.rglob("*"):
        if path.is_file():
            w = words(path.read_text(encoding="utf-8", errors="ignore"))
            hits.update(s for s in (" ".join(w[i:i + 10]) for i in range(len(w) - 9)) if s in ours)
    assert hits == set()
