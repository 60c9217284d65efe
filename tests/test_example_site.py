"""Whole-site build of the example help center, checked on the HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from deflect.cli import main
from deflect.mkdocs_plugins.build import build_site

ROOT = Path(__file__).resolve().parent.parent


def test_check_passes_on_example_content() -> None:
    result = CliRunner().invoke(main, ["check", "--config", str(ROOT / "mkdocs.yml")])
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_public_build_has_all_languages_and_no_internal(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(ROOT / "mkdocs.yml", site, strict=True, quiet=True)
    for lang in ("en", "hr", "et", "tl"):
        assert (site / lang / "index.html").is_file()
    page = (site / "hr" / "account" / "reset-password" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="hr"' in page
    assert 'hreflang="et"' in page
    internal_titles = ["Refund exceptions", "Escalating hardware faults"]
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for title in internal_titles:
            assert title not in text, html
    assert not list(site.rglob("refund-exceptions*"))
