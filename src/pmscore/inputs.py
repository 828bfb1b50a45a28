"""Turning a path into document text, with a clear error for everything that is not text.

A submission is untrusted: it may be binary, huge, in another encoding, a directory, a dangling
symlink. ``load_path`` either returns the decoded text or raises :class:`InputError` with a
stable code, so a batch can write an error row and go on.
"""

from __future__ import annotations

import os
from pathlib import Path

from pmscore.errors import InputError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""Inputs larger than this are refused (configurable with ``--max-bytes``)."""

_BINARY_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (docx/xlsx?)"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable"),
)


def decode(data: bytes, name: str = "<input>") -> str:
    """Decode bytes as UTF-8 (BOM-aware), UTF-16 with BOM, else refuse with a clear error.

    Latin-1 would decode anything, so it is only accepted when the bytes are not valid UTF-8
    and contain no control characters other than whitespace: that is what a Latin-1 text file
    looks like, while a binary file is refused.
    """
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: is {what}, not a text postmortem", "binary")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: invalid UTF-16 text ({exc.reason})", "decode") from None
    if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 100:
        raise InputError(f"{name}: looks binary (NUL bytes), not a text postmortem", "binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if any(b < 32 and b not in (9, 10, 12, 13) for b in data):
            raise InputError(f"{name}: not UTF-8 text and looks binary", "decode") from None
        text = data.decode("latin-1")
    return text


def load_path(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read one input file and return its text, or raise InputError (never OSError)."""
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise InputError(f"{name}: is a directory", "is-directory")
        if not p.exists():
            if p.is_symlink():
                raise InputError(f"{name}: broken symbolic link", "not-found")
            raise InputError(f"{name}: no such file", "not-found")
        if not p.is_file():
            # A FIFO would block the whole batch in open() until a writer appears; a device
            # (/dev/zero) never ends. Only regular files are submissions.
            raise InputError(f"{name}: not a regular file (a FIFO, socket or device)",
                             "unreadable")
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{name}: {size} bytes is over the {max_bytes}-byte limit (--max-bytes)", "too-large")
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except InputError:
        raise
    except PermissionError:
        raise InputError(f"{name}: permission denied", "unreadable") from None
    except FileNotFoundError:
        raise InputError(f"{name}: no such file (it disappeared)", "not-found") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})", "unreadable") from None
    if len(data) > max_bytes:
        raise InputError(f"{name}: over the {max_bytes}-byte limit (--max-bytes)", "too-large")
    text = decode(data, name)
    if not text.strip():
        raise InputError(f"{name}: empty file" if not text else f"{name}: only whitespace", "empty")
    return text
