"""The example help center builds with every supported engine: MkDocs 1.6 (the other whole-site tests)
and ProperDocs, the continuation of MkDocs 1.x, run here through its own command line with the same
``mkdocs.yml`` and the same ``deflect/content`` and ``deflect/search`` plugins."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_example_builds_with_properdocs(tmp_path: Path) -> None:
    pytest.importorskip("properdocs", reason="ProperDocs is in the test extras: pip install -e '.[test]'")
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DEFLECT_AUDIENCE": "public"}
    run = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    home = (site / "en" / "index.html").read_text(encoding="utf-8")
    # The engine stamps its name into the generator tag, so this proves ProperDocs (not MkDocs) built the site.
    generator = re.search(r'<meta name="generator" content="([^"]*)"', home)
    assert generator and "ProperDocs" in generator.group(1), generator
    page = (site / "hr" / "account" / "reset-password" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="hr"' in page
    assert 'hreflang="et"' in page
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["languages"]) == {"en", "hr", "et", "tl"}
    for lang in ("en", "hr", "et", "tl"):
        assert (site / lang / "index.html").is_file()
        assert (site / "search" / lang).is_dir()
    assert not list(site.rglob("refund-exceptions*")), "an internal article reached the public ProperDocs build"
