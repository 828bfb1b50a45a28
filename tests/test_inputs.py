"""Input loading: every kind of unreadable input is a clear InputError, never OSError."""

from __future__ import annotations

import os

import pytest

from pmscore.errors import InputError
from pmscore.inputs import decode, load_path


def test_utf8_bom_removed(tmp_path):
    p = tmp_path / "a.md"
    p.write_bytes(b"\xef\xbb\xbf# Summary\nok")
    assert load_path(p) == "# Summary\nok"


def test_utf16_with_bom(tmp_path):
    p = tmp_path / "a.md"
    p.write_bytes("# Root cause\nDisk full".encode("utf-16"))
    assert load_path(p) == "# Root cause\nDisk full"


def test_latin1_text_accepted():
    assert decode("Caf\u00e9 outage".encode("latin-1")) == "Caf\u00e9 outage"


@pytest.mark.parametrize("data,code", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "binary"),
    (b"%PDF-1.7\n%\xe2\xe3", "binary"),
    (b"abc\x00\x00\x00\x00def" * 10, "binary"),
])
def test_binary_refused(tmp_path, data, code):
    p = tmp_path / "x.md"
    p.write_bytes(data)
    with pytest.raises(InputError) as ei:
        load_path(p)
    assert ei.value.code == code


@pytest.mark.parametrize("content,code", [(b"", "empty"), (b"  \n\t\n", "empty")])
def test_empty_and_whitespace(tmp_path, content, code):
    p = tmp_path / "e.md"
    p.write_bytes(content)
    with pytest.raises(InputError) as ei:
        load_path(p)
    assert ei.value.code == code


def test_missing_directory_and_too_large(tmp_path):
    with pytest.raises(InputError) as ei:
        load_path(tmp_path / "nope.md")
    assert ei.value.code == "not-found"
    with pytest.raises(InputError) as ei:
        load_path(tmp_path)
    assert ei.value.code == "is-directory"
    big = tmp_path / "big.md"
    big.write_text("x" * 2000)
    with pytest.raises(InputError) as ei:
        load_path(big, max_bytes=1000)
    assert ei.value.code == "too-large"


def test_broken_symlink(tmp_path):
    link = tmp_path / "l.md"
    os.symlink(tmp_path / "gone.md", link)
    with pytest.raises(InputError) as ei:
        load_path(link)
    assert ei.value.code == "not-found"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable(tmp_path):
    p = tmp_path / "u.md"
    p.write_text("x")
    p.chmod(0)
    with pytest.raises(InputError) as ei:
        load_path(p)
    assert ei.value.code == "unreadable"
