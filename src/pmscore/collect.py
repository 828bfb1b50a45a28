"""Turning command-line arguments into the list of documents to grade.

Graders point pmscore at whatever they have: single files, a folder of cloned student
repositories, a shell glob they quoted, or a list of paths produced by another tool. This
module expands all of those into :class:`Item` values, one per document, in a deterministic
order (arguments in the order given, the files found inside a folder or by a glob sorted), so two
runs over the same tree produce the same gradebook row order.

Nothing here reads a document: an argument that cannot be expanded (a glob matching nothing, a
folder without postmortems, a submission folder without a file matching ``--pattern``) becomes an
item that already carries its error, so the batch writes an error row for it and goes on.
A missing plain file is passed through untouched: ``inputs.load_path`` reports it.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

DEFAULT_EXTENSIONS: tuple[str, ...] = (".md", ".markdown", ".txt")
"""File suffixes taken from a folder when no ``--pattern`` is given (case-insensitive)."""

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Item:
    """One document to grade.

    ``id`` is what a gradebook shows: the submission folder name with ``--pattern``, the path
    relative to the given folder for files found in a folder, else the path as given. An item
    with ``error_code`` set is not read at all; it becomes an error row.
    """

    id: str
    path: str
    error_code: str | None = None
    error_message: str | None = None


def _is_glob(arg: str) -> bool:
    return any(c in _GLOB_CHARS for c in arg)


def _hidden(name: str) -> bool:
    """Dot-folders (``.git``, ``.venv``) and dot-files are never submissions."""
    return name.startswith(".")


_SKIP_DIRS = frozenset({"node_modules", "__pycache__"})


def _walk_files(root: Path, extensions: Sequence[str]) -> tuple[list[Path], list[Item]]:
    """Files under ``root`` with one of ``extensions``, sorted; unreadable folders as errors.

    Symbolic links to folders are not followed (a submission could link to ``/``); symbolic
    links to files are kept and read like files.
    """
    found: list[Path] = []
    errors: list[Item] = []
    exts = tuple(e.lower() for e in extensions)

    def onerror(exc: OSError) -> None:
        name = exc.filename or str(root)
        errors.append(Item(id=str(name), path=str(name), error_code="unreadable",
                           error_message=f"{name}: cannot list folder ({exc.strerror or exc})"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _hidden(d) and d not in _SKIP_DIRS)
        for fn in filenames:
            if not _hidden(fn) and fn.lower().endswith(exts):
                found.append(Path(dirpath) / fn)
    found.sort(key=lambda p: p.as_posix())
    return found, errors


def _pattern_items(root: Path, pattern: str) -> list[Item]:
    """One item per submission folder directly under ``root``: the file matching ``pattern``.

    When several files match, the shallowest (then alphabetically first) wins: a repository may
    hold both ``0x19-postmortem/README.md`` and a copy in an ``old/`` folder, and the one at the
    expected place is the one to grade.
    """
    items: list[Item] = []
    try:
        subs = sorted((p for p in root.iterdir() if p.is_dir() and not _hidden(p.name)),
                      key=lambda p: p.name)
    except OSError as exc:
        return [Item(id=root.name, path=str(root), error_code="unreadable",
                     error_message=f"{root}: cannot list folder ({exc.strerror or exc})")]
    for sub in subs:
        try:
            matches = [m for m in sub.glob(pattern) if m.is_file() or m.is_symlink()]
        except (OSError, ValueError) as exc:
            items.append(Item(id=sub.name, path=str(sub), error_code="unreadable",
                              error_message=f"{sub}: cannot search folder ({exc})"))
            continue
        if not matches:
            items.append(Item(id=sub.name, path=str(sub), error_code="no-match",
                              error_message=f"{sub}: no file matches --pattern {pattern!r}"))
            continue
        best = min(matches, key=lambda m: (len(m.relative_to(sub).parts), m.as_posix()))
        items.append(Item(id=sub.name, path=str(best)))
    if not subs:
        items.append(Item(id=root.name or str(root), path=str(root), error_code="no-match",
                          error_message=f"{root}: no submission folders to apply --pattern to"))
    return items


def _expand(arg: str, pattern: str | None, extensions: Sequence[str],
            literal: bool = False) -> list[Item]:
    """Items for one argument (a file, a folder or a glob)."""
    p = Path(arg)
    if p.is_dir():
        if pattern:
            return _pattern_items(p, pattern)
        files, errors = _walk_files(p, extensions)
        items = [Item(id=f.relative_to(p).as_posix(), path=str(f)) for f in files]
        if not files and not errors:
            exts = "/".join(f"*{e}" for e in extensions)
            errors.append(Item(id=arg, path=arg, error_code="is-directory",
                               error_message=f"{arg}: is a directory with no {exts} files"))
        return items + errors
    if not literal and not p.exists() and _is_glob(arg):
        matches = sorted(glob.glob(arg, recursive=True))
        if not matches:
            return [Item(id=arg, path=arg, error_code="no-match",
                         error_message=f"{arg}: no file matches this pattern")]
        out: list[Item] = []
        for m in matches:
            out.extend(_expand(m, pattern, extensions, literal=True))
        return out
    # A file, or something that does not exist: load_path gives the precise error.
    return [Item(id=arg, path=arg)]


def read_list(source: str, stdin: TextIO | None = None) -> list[str]:
    """Paths listed one per line in a file (or ``-`` for standard input).

    Blank lines and lines starting with ``#`` are skipped; surrounding whitespace is stripped
    (a path with leading or trailing spaces cannot be listed: rare, and the usual producers
    ``find``/``ls`` never emit them on purpose).
    """
    if source == "-":
        text = (stdin or sys.stdin).read()
    else:
        text = Path(source).read_text(encoding="utf-8", errors="surrogateescape")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def collect(paths: Iterable[str] = (), pattern: str | None = None,
            from_list: str | None = None, extensions: Sequence[str] = DEFAULT_EXTENSIONS,
            stdin: TextIO | None = None) -> list[Item]:
    """Expand arguments (and the paths of ``from_list``) into items, without duplicates.

    Arguments keep the order given; what a folder or glob expands to is sorted. A file reached
    twice (named and inside a named folder, or by two globs) is graded once, at its first place.
    Listed paths (``--from-list``) are taken literally, never as globs: they come from a tool,
    and a file name may contain ``[``.
    """
    args: list[tuple[str, bool]] = [(a, False) for a in paths]
    if from_list is not None:
        args.extend((a, True) for a in read_list(from_list, stdin=stdin))
    seen: set[str] = set()
    items: list[Item] = []
    for arg, literal in args:
        for item in _expand(arg, pattern, extensions, literal=literal):
            key = os.path.normpath(item.path) if item.error_code is None else f"\0{item.path}"
            if key in seen:
                continue
            seen.add(key)
            items.append(item)
    return _unique_ids(items)


def _unique_ids(items: list[Item]) -> list[Item]:
    """Ids must tell rows apart (gradebook, --similar): two folders given on the command line
    may both hold ``README.md``; such clashing ids fall back to the path."""
    from collections import Counter
    from dataclasses import replace

    counts = Counter(it.id for it in items)
    return [replace(it, id=it.path) if counts[it.id] > 1 else it for it in items]


def iter_paths(items: Iterable[Item]) -> Iterator[str]:
    """The paths of readable items (convenience for ``similar``)."""
    for it in items:
        if it.error_code is None:
            yield it.path
