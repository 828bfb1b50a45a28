"""Package exceptions. The CLI turns these into a one-line message and an exit code."""

from __future__ import annotations


class PmscoreError(Exception):
    """Base class for every error pmscore raises on purpose."""

    code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InputError(PmscoreError):
    """An input that cannot be graded: missing, a directory, empty, binary, undecodable..."""

    code = "input-error"


class ModelError(PmscoreError):
    """A model directory that cannot be trusted or loaded (hash mismatch, missing manifest...)."""

    code = "model-error"
