"""Whole-file reads and writes with few system calls behave as Python's own open() does."""

from __future__ import annotations

import os

import pytest

from dateline.fileio import read_bytes, write_new


@pytest.mark.parametrize("size", [0, 1, 4096, (1 << 18) - 1, 1 << 18, (1 << 18) * 3 + 5])
def test_a_file_written_new_reads_back_whole(tmp_path, size):
    data = os.urandom(size)
    path = tmp_path / "page.html"
    write_new(path, data)
    assert path.read_bytes() == data == read_bytes(path) == read_bytes(str(path))
    assert (path.stat().st_mode & 0o777) == (0o666 & ~current_umask())


def test_writing_new_never_replaces_nor_follows_what_is_there(tmp_path):
    existing = tmp_path / "existing.html"
    existing.write_bytes(b"published")
    outside = tmp_path / "outside.txt"
    dangling = tmp_path / "dangling.html"
    dangling.symlink_to(outside)  # a planted link to a file that does not exist yet
    linked = tmp_path / "linked.html"
    linked.symlink_to(existing)
    for path in (existing, dangling, linked):
        with pytest.raises(FileExistsError):
            write_new(path, b"new")
    assert existing.read_bytes() == b"published"
    assert not outside.exists()


def test_reading_what_is_not_a_file_fails_as_open_does(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_bytes(tmp_path / "missing.md")
    with pytest.raises(IsADirectoryError):
        read_bytes(tmp_path)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
