"""Output formats. One module per format, each a :class:`Renderer` subclass registered by name.

Renderers consume :class:`pmscore.types.Result` values in input order and write to a text
stream; they never import spaCy or scikit-learn. Streaming renderers (jsonl, csv, github) write
each row as it arrives so a large batch keeps memory flat.
"""

from __future__ import annotations

from typing import ClassVar, TextIO

from pmscore.types import Result

_REGISTRY: dict[str, type["Renderer"]] = {}


class Renderer:
    """Base class: ``start`` once, ``row`` per result (in input order), ``finish`` once."""

    name: ClassVar[str] = ""
    streaming: ClassVar[bool] = True

    def __init__(self, out: TextIO, **options: object) -> None:
        self.out = out
        self.options = options

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            _REGISTRY[cls.name] = cls

    def start(self) -> None:  # noqa: D401 - hook
        """Called before the first row."""

    def row(self, result: Result) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called after the last row."""


def get_renderer(name: str) -> type[Renderer]:
    """Look a renderer up by format name (importing the built-in ones on first use)."""
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}; choose from {', '.join(sorted(_REGISTRY))}")


def available() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def _load_builtins() -> None:
    import importlib
    import pkgutil

    import pmscore.render as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"pmscore.render.{mod.name}")
