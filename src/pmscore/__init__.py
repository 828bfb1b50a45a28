"""pmscore: an NLP-assisted scorer for incident postmortems.

``pmscore.grade(text)`` reads a postmortem, finds its sections and entities, runs the rubric
checks and returns a :class:`pmscore.types.Report` with a 0-100 score, a 1-5 grade, the
explained findings and the prediction in the annotation-guide label schema.
"""

from __future__ import annotations

__version__ = "0.1.0"

from pmscore.types import Report

__all__ = ["Report", "__version__", "grade"]


def grade(text: str, path: str | None = None, models: object = "default") -> Report:
    """Grade one postmortem given as text. See :func:`pmscore.pipeline.grade`.

    ``models``: ``"default"`` (the packaged models), None (rules only), or loaded models.
    """
    from pmscore.pipeline import grade as _grade

    return _grade(text, path=path, models=models)
