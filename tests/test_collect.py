"""Input collection: files, folders, globs, --pattern submissions, --from-list; order and errors."""

from __future__ import annotations

import io
import os
from pathlib import Path


from pmscore.collect import collect, read_list


def _touch(p: Path, text: str = "# Summary\nx\n") -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_folder_is_searched_recursively_sorted_and_filtered(tmp_path):
    _touch(tmp_path / "b.md")
    _touch(tmp_path / "a" / "z.txt")
    _touch(tmp_path / "a" / "y.markdown")
    _touch(tmp_path / "A.MD")  # suffix match is case-insensitive
    _touch(tmp_path / "notes.py")
    _touch(tmp_path / ".git" / "HEAD.md")  # hidden folders are never submissions
    _touch(tmp_path / ".hidden.md")
    items = collect([str(tmp_path)])
    assert [i.id for i in items] == ["A.MD", "a/y.markdown", "a/z.txt", "b.md"]
    assert all(i.error_code is None for i in items)
    assert items[1].path == str(tmp_path / "a" / "y.markdown")


def test_arguments_keep_their_order_and_duplicates_are_dropped(tmp_path):
    a = _touch(tmp_path / "d" / "a.md")
    b = _touch(tmp_path / "d" / "b.md")
    items = collect([str(b), str(tmp_path / "d"), str(a)])
    assert [i.path for i in items] == [str(b), str(a)]


def test_missing_file_passes_through_for_load_path_to_report(tmp_path):
    items = collect([str(tmp_path / "missing.md")])
    assert len(items) == 1 and items[0].error_code is None


def test_empty_folder_and_unmatched_glob_become_error_items(tmp_path):
    (tmp_path / "empty").mkdir()
    _touch(tmp_path / "empty" / "image.png")
    items = collect([str(tmp_path / "empty"), str(tmp_path / "*.nothing")])
    assert [i.error_code for i in items] == ["is-directory", "no-match"]
    assert "no *.md" in items[0].error_message


def test_glob_expands_sorted_and_recursive(tmp_path):
    for name in ("c.md", "a.md", "sub/b.md", "x.txt"):
        _touch(tmp_path / name)
    items = collect([str(tmp_path / "**" / "*.md")])
    assert [Path(i.path).relative_to(tmp_path).as_posix() for i in items] == \
        ["a.md", "c.md", "sub/b.md"]


def test_pattern_picks_one_file_per_submission_with_folder_name_as_id(tmp_path):
    root = tmp_path / "subs"
    _touch(root / "bob" / "0x19-postmortem" / "README.md")
    _touch(root / "alice" / "0x19-postmortem" / "README.md")
    _touch(root / "alice" / "old" / "0x19-postmortem" / "README.md")
    _touch(root / "carol" / "README.md")  # no postmortem project
    items = collect([str(root)], pattern="**/0x19-postmortem/README.md")
    assert [i.id for i in items] == ["alice", "bob", "carol"]
    # the shallowest match wins over a copy further down
    assert items[0].path == str(root / "alice" / "0x19-postmortem" / "README.md")
    assert items[2].error_code == "no-match" and "carol" in items[2].error_message


def test_from_list_file_and_stdin(tmp_path):
    a = _touch(tmp_path / "a.md")
    weird = _touch(tmp_path / "we[ir]d.md")  # listed paths are literal, never globs
    lst = tmp_path / "list.txt"
    lst.write_text(f"# graded on monday\n{a}\n\n  {weird}  \n", encoding="utf-8")
    assert [i.path for i in collect(from_list=str(lst))] == [str(a), str(weird)]
    stdin = io.StringIO(f"{weird}\n{a}\n")
    assert [i.path for i in collect(from_list="-", stdin=stdin)] == [str(weird), str(a)]
    assert read_list("-", stdin=io.StringIO("\n#x\n")) == []


def test_unreadable_folder_is_an_error_item(tmp_path, monkeypatch):
    """A folder os.walk cannot list (permissions; simulated, as tests may run as root)."""
    _touch(tmp_path / "a.md")
    import pmscore.collect as collect_mod

    real_walk = os.walk

    def walk(top, onerror=None, followlinks=False):
        onerror(PermissionError(13, "Permission denied", str(tmp_path / "locked")))
        yield from real_walk(top, onerror=onerror, followlinks=followlinks)

    monkeypatch.setattr(collect_mod.os, "walk", walk)
    items = collect([str(tmp_path)])
    assert [(i.id, i.error_code) for i in items] == [
        ("a.md", None), (str(tmp_path / "locked"), "unreadable")]
    assert "Permission denied" in items[1].error_message


def test_symlinked_folders_are_not_followed(tmp_path):
    _touch(tmp_path / "outside" / "secret.md")
    sub = tmp_path / "subs"
    _touch(sub / "a.md")
    (sub / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert [i.id for i in collect([str(sub)])] == ["a.md"]


def test_clashing_ids_fall_back_to_paths(tmp_path):
    a = _touch(tmp_path / "one" / "README.md")
    b = _touch(tmp_path / "two" / "README.md")
    c = _touch(tmp_path / "two" / "other.md")
    items = collect([str(tmp_path / "one"), str(tmp_path / "two")])
    assert [i.id for i in items] == [str(a), str(b), "other.md"]
