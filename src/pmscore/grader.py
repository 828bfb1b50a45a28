"""A picklable grading function bound to a model choice, importable without spaCy.

Why a module of its own: the parent of a worker pool only checks the models and hands this
object to the workers; importing :mod:`pmscore.pipeline` there would load spaCy (and its
memory) into a process that never grades. The pipeline is imported on the first call.
"""

from __future__ import annotations

from typing import Any

from pmscore.types import Report



class Grader:
    """A picklable ``grade(text, path)`` bound to a model choice, for worker processes.

    ``model_dir`` None means the packaged models; ``use_models`` False means rules only. The
    models are loaded (verified first, see :mod:`pmscore.ml.store`) once per process, on the
    first call or on :meth:`load`.
    """

    def __init__(self, model_dir: str | None = None, use_models: bool = True,
                 trust: bool = False) -> None:
        self.model_dir = model_dir
        self.use_models = use_models
        self.trust = trust
        self._models: Any = None
        self._loaded = False

    def __getstate__(self) -> dict[str, Any]:
        # workers load (and verify) the models themselves; never ship them pickled
        return {"model_dir": self.model_dir, "use_models": self.use_models,
                "trust": self.trust, "_models": None, "_loaded": False}

    def check(self) -> None:
        """Verify the chosen models (manifest, versions, SHA-256) without loading them."""
        if not self.use_models:
            return
        from pmscore.ml.runtime import default_model_dir, verify_models

        d = self.model_dir if self.model_dir is not None else default_model_dir()
        if d is not None:
            verify_models(d, trust=self.trust)

    def load(self) -> Any:
        """Load the chosen models now (raises ModelError with a clear message)."""
        if not self._loaded:
            if not self.use_models:
                self._models = None
            elif self.model_dir is not None:
                from pmscore.ml.runtime import load_models

                self._models = load_models(self.model_dir, trust=self.trust)
            else:
                from pmscore.ml.runtime import default_models

                self._models = default_models()
            self._loaded = True
        return self._models

    def __call__(self, text: str, path: str | None = None) -> Report:
        from pmscore.pipeline import grade

        return grade(text, path=path, models=self.load())
