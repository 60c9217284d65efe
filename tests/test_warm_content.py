"""Content work reused by a warm build (bodies scanned by earlier builds, kept in
``.deflect/scans.pickle`` and in the memory of the process) changes nothing: after edits that break,
mend and move link targets, a warm build equals a cold one byte for byte, and ``deflect check``
reports the same ``path:line`` problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import copy_example

from deflect.content.scancache import forget
from deflect.helpcenter import HelpCenter
from deflect.mkdocs_plugins.build import build_site
from test_incremental_build import assert_same_site

LOST_PARCEL = """\
---
title: Report a lost parcel
summary: What to do when the tracking page says delivered but the parcel never arrived.
type: howto
category: orders
reviewed: 2026-10-01
---
Check with your neighbours and the building's reception first.

## Report it {#report}

Tell us within fourteen days and we send a replacement.
"""


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _break_links(project: Path) -> None:
    """A link to an article not written yet, and a heading id renamed under a link to it."""
    articles = project / "articles" / "en"
    _replace(articles / "reset-password.md", "\n## ", "\nSee also [lost parcels](lost-parcel.md#report).\n\n## ")
    _replace(articles / "two-step-verification.md", "{#new-phone}", "{#replacement-phone}")


def _mend_and_move(project: Path) -> None:
    """The missing article is written, the anchor comes back, and a linked-to article is renamed."""
    articles = project / "articles" / "en"
    (articles / "lost-parcel.md").write_text(LOST_PARCEL, encoding="utf-8")
    _replace(articles / "two-step-verification.md", "{#replacement-phone}", "{#new-phone}")
    (articles / "return-policy.md").rename(articles / "returns-policy.md")


def _problems(project: Path) -> list[str]:
    return [problem.format() for problem in HelpCenter.open(project, history=False).check().problems]


@pytest.mark.slow
def test_warm_builds_and_checks_equal_cold_ones_after_link_targets_change(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config = copy_example(project)
    # Content work is what this test is about: leave out the search plugin (and its index) to keep it quick.
    _replace(config, '  - deflect/search:\n      collector_url: !ENV [DEFLECT_COLLECTOR_URL, ""]\n', "")
    build_site(config, tmp_path / "first", quiet=True)
    assert (project / ".deflect" / "scans.pickle").is_file()
    found = []
    for n, step in enumerate((_break_links, _mend_and_move)):
        step(project)
        warm_problems = _problems(project)
        build_site(config, tmp_path / f"warm{n}", quiet=True)
        shutil.rmtree(project / ".deflect")
        forget()
        cold_problems = _problems(project)
        build_site(config, tmp_path / f"cold{n}", quiet=True)
        assert warm_problems == cold_problems
        assert_same_site(tmp_path / f"warm{n}", tmp_path / f"cold{n}")
        found.append("\n".join(warm_problems))
    broken, mended = found
    assert "articles/en/reset-password.md:" in broken and "broken link 'lost-parcel.md#report'" in broken
    assert "broken anchor '#new-phone' in link to 'two-step-verification.md'" in broken
    assert "lost-parcel.md" not in mended and "#new-phone" not in mended
    assert "broken link 'return-policy.md#refunds'" in mended  # links to the renamed article now break
    page = (tmp_path / "warm1" / "en" / "account" / "reset-password" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../orders/lost-parcel/#report"' in page
