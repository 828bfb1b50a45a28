"""The input functions of the learned models, importable without scikit-learn.

Why a module of its own: the fitted pipelines call these through ``FunctionTransformer`` at
training time, and the compiled models (:mod:`pmscore.ml.linear`) call the same functions at
grading time, by name (``FEATURE_FUNCTIONS``), without importing scikit-learn. One definition
serves both, so a model sees the same inputs when it is trained and when it is used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

_STARTS_WITH_TIME = re.compile(r"\s*(\d{1,2}[:.h]\d{2}|\d{1,2}\s*[ap]\.?m)", re.I)
_HAS_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")


def _texts(X: Sequence[Any]) -> list[str]:
    return [x["text"] if isinstance(x, dict) else str(x) for x in X]


def _rc_dicts(X: Sequence[Any]) -> list[dict[str, float]]:
    from pmscore.features import rootcause_features

    out = []
    for x in X:
        if isinstance(x, dict):
            out.append(rootcause_features(x["text"], x.get("context", ""),
                                          tuple(x.get("services", ()))))
        else:
            out.append(rootcause_features(str(x)))
    return out


def _ai_dicts(X: Sequence[Any]) -> list[dict[str, float]]:
    from pmscore.actionfeatures import action_features

    return [action_features(t) for t in _texts(X)]


def _block_dicts(X: Sequence[Any]) -> list[dict[str, float]]:
    """Shape features of a block: where a timestamp is, list item or not, length."""
    out = []
    for x in X:
        t = x["text"] if isinstance(x, dict) else str(x)
        out.append({
            "starts_with_time": float(bool(_STARTS_WITH_TIME.match(t))),
            "has_time": float(bool(_HAS_TIME.search(t))),
            "log_words": math.log1p(len(t.split())),
            "list_item": float(bool(x.get("list_item")) if isinstance(x, dict) else 0.0),
            "position": float(x.get("position", 0.0)) if isinstance(x, dict) else 0.0,
        })
    return out


def _identity(X: Sequence[Any]) -> list[Any]:
    return list(X)


#: name -> function; a compiled model names its input functions with these keys
FEATURE_FUNCTIONS: dict[str, Callable[[Sequence[Any]], list[Any]]] = {
    "texts": _texts,
    "rootcause": _rc_dicts,
    "action": _ai_dicts,
    "block": _block_dicts,
    "identity": _identity,
}


def function_name(func: Callable[..., Any]) -> str | None:
    """The registry name of ``func`` (None when it is not one of ours)."""
    for name, f in FEATURE_FUNCTIONS.items():
        if f is func:
            return name
    return None
