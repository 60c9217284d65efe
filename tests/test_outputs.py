"""Output files kept across builds (``site/outputs.py``) around MkDocs' real ``clean_directory``:
unchanged pages stay untouched, anything else ends as a cold build leaves it, and whatever goes
wrong (a killed build, a damaged manifest, no clean) never costs a page."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.utils import clean_directory

from deflect.site.outputs import ASIDE, PROBE, KeptOutputs


def build(outputs: KeptOutputs, site: Path, pages: dict[str, bytes], *, clean: bool = True,
          extra: tuple[str, ...] = ()) -> list[str]:
    """One build as MkDocs runs it with the hooks; the pages it wrote."""
    outputs.begin(site, site.parent / "docs")
    if clean:
        clean_directory(str(site))
    outputs.restore()
    written = []
    for rel, data in pages.items():
        if not outputs.unchanged(rel, data):
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_bytes(data)
            written.append(rel)
    for rel in extra:  # a static file MkDocs copies on every build
        (site / rel).write_bytes(b"asset")
    outputs.finish()
    return written


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_only_changed_pages_are_written_and_the_folder_ends_as_a_cold_build(tmp_path: Path) -> None:
    site, manifest = tmp_path / "site", tmp_path / "cache" / "m.json"
    (tmp_path / "docs").mkdir()
    pages = {"index.html": b"home", "a/index.html": b"a", "b/index.html": b"b", "c/d/index.html": b"d"}
    assert sorted(build(KeptOutputs(manifest), site, pages, extra=("style.css",))) == sorted(pages)
    (site / ".git").mkdir()  # a top-level dot-name: MkDocs' clean keeps it, so do we
    (site / "b" / "index.html").write_bytes(b"edited by hand")
    (site / "stray.txt").write_bytes(b"x")
    inode = (site / "a" / "index.html").stat().st_ino
    new = {"index.html": b"home 2", "a/index.html": b"a", "b/index.html": b"b"}  # c/d deleted
    assert sorted(build(KeptOutputs(manifest), site, new, extra=("style.css",))) == ["b/index.html", "index.html"]
    assert (site / "a" / "index.html").stat().st_ino == inode
    assert files(site) == {**new, "style.css": b"asset"} and (site / ".git").is_dir()
    assert not (site / "c").exists()


def test_a_damaged_manifest_a_killed_build_and_a_dirty_build_lose_nothing(tmp_path: Path) -> None:
    site, manifest = tmp_path / "site", tmp_path / "m.json"
    (tmp_path / "docs").mkdir()
    pages = {"index.html": b"home", "a/index.html": b"a"}
    build(KeptOutputs(manifest), site, pages)
    manifest.write_bytes(b"{not json")
    assert sorted(build(KeptOutputs(manifest), site, pages)) == sorted(pages)  # damaged: everything written
    killed = KeptOutputs(manifest)
    killed.begin(site, tmp_path / "docs")  # the process dies here: entries wait under dot-names
    assert (site / (ASIDE + "a")).is_dir() and not (site / "a").exists()
    assert sorted(build(KeptOutputs(manifest), site, pages)) == ["a/index.html", "index.html"]
    assert files(site) == pages and not [p for p in os.listdir(site) if p.startswith(".")]
    (site / "old.html").write_bytes(b"from an earlier build")
    assert build(KeptOutputs(manifest), site, {"index.html": b"home"}, clean=False) == []  # --dirty
    assert files(site) == {**pages, "old.html": b"from an earlier build"} and not (site / PROBE).exists()
    build(KeptOutputs(manifest), tmp_path / "new-site", pages)  # no folder yet: written as by MkDocs
    assert files(tmp_path / "new-site") == pages
