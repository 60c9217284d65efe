"""Writing the static export's files: new files are created in place, existing ones replaced only
when their bytes change, and every file is readable by a web server whatever the umask."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from deflect.cachefiles import write_new
from deflect.search.static import write_tree


def export(files: dict[str, bytes]) -> dict[str, tuple[str, bytes]]:
    manifest = json.dumps({"languages": {"en": {"terms": 2, "forms": 1}}}).encode()
    return {rel: (hashlib.sha256(data).hexdigest(), data) for rel, data in {**files, "manifest.json": manifest}.items()}


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def private_umask():
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_new_files_hold_their_bytes_with_mode_644_under_a_private_umask(tmp_path: Path, private_umask: None) -> None:
    files = export({"en/t/a.json.gz": b"\x1f\x8b" + bytes(range(256)) * 40, "en/d/0.json.gz": b"doc\n"})
    stats = write_tree(files, tmp_path / "search")
    assert tree(tmp_path / "search") == {rel: data for rel, (_, data) in files.items()}  # no temporary file left
    for rel in files:
        info = (tmp_path / "search" / rel).stat()
        assert info.st_mode & 0o777 == 0o644, rel
        assert stats.written[rel] == (info.st_size, info.st_mtime_ns)
    assert (stats.files, stats.terms, stats.forms) == (3, 2, 1)


def test_existing_files_are_rewritten_only_when_their_bytes_change(tmp_path: Path) -> None:
    out = tmp_path / "search"
    write_tree(export({"en/t/a.json.gz": b"same", "en/t/b.json.gz": b"old", "en/t/gone.json.gz": b"stale"}), out)
    past = 1_000_000_000_000_000_000
    for path in out.rglob("*.gz"):
        os.utime(path, ns=(past, past))
    files = export({"en/t/a.json.gz": b"same", "en/t/b.json.gz": b"new bytes", "en/t/c.json.gz": b"added"})
    stats = write_tree(files, out)
    assert tree(out) == {rel: data for rel, (_, data) in files.items()}
    assert (out / "en/t/a.json.gz").stat().st_mtime_ns == past
    assert (out / "en/t/b.json.gz").stat().st_mtime_ns != past
    assert stats.written["en/t/b.json.gz"][0] == len(b"new bytes")


def test_write_new_leaves_an_existing_file_and_removes_a_file_it_could_not_fill(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"there")
    assert write_new(path, b"other") is None
    assert path.read_bytes() == b"there"
    with pytest.raises(TypeError):
        write_new(tmp_path / "half", "not bytes")  # type: ignore[arg-type]
    assert not (tmp_path / "half").exists()
    info = write_new(tmp_path / "new", b"bytes")
    assert info is not None and info.st_size == 5 and (tmp_path / "new").read_bytes() == b"bytes"
