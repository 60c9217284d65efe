"""The real Thunderbird knowledge base of ../shared/data/sumo-thunderbird as a Deflect help center.

Each KB article becomes ``articles/en/<slug>.md``: its title and summary, its SUMO topics as
``topics:``, the date of its first approved revision as ``published:`` and its plain text as the
body. Nothing is copied into the repository: tests write the help center into ``tmp_path``.
"""
from __future__ import annotations

import csv
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

# The shared data sit beside the repository; DEFLECT_TEST_DATA points elsewhere (e.g. from a git worktree).
DATA = Path(os.environ.get("DEFLECT_TEST_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")
SUMO = DATA / "sumo-thunderbird"
QUESTIONS = SUMO / "thunderbird-questions.csv"
ARTICLES = SUMO / "thunderbird-kb-articles.csv"
REVISIONS = SUMO / "thunderbird-revisions.csv"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def kb_rows() -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    with open(ARTICLES, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def first_approved() -> dict[str, str]:
    """slug → date (YYYY-MM-DD) of the article's first approved revision."""
    first: dict[str, str] = {}
    with open(REVISIONS, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["status"] not in ("approved", "current"):
                continue
            match = re.search(r"/kb/([^/]+)/revision/", row["revision"])
            if match:
                slug, day = match.group(1), row["datetime"][:10]
                if slug not in first or day < first[slug]:
                    first[slug] = day
    return first


def _paragraphs(text: str) -> str:
    lines = [line.strip() for line in text.splitlines()]
    return "\n\n".join(line.replace("<", "&lt;").replace("](", "] (") for line in lines if line)


def write_sumo_help_center(root: Path, keep: Callable[[dict], bool] = lambda row: True) -> list[dict]:
    """Write the help center below ``root``; return the KB rows written (``keep`` filters them)."""
    dates = first_approved()
    rows = [row for row in kb_rows() if keep(row) and SLUG_RE.match(row["slug"])]
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "articles" / "en").mkdir(parents=True, exist_ok=True)
    categories: dict[str, dict] = {}
    for row in rows:
        topics = [t for t in row["topics_str"].split(";") if SLUG_RE.match(t)]
        category = topics[0] if topics else "general"
        row["category"] = category
        categories.setdefault(category, {"icon": "material/help-circle-outline",
                                         "en": {"title": category.replace("-", " ").capitalize(),
                                                "description": "Thunderbird help."}})
        front = {"title": row["title"].strip(), "summary": (row["summary"].strip() or row["title"].strip())[:300],
                 "category": category, "topics": topics}
        if row["slug"] in dates:
            front["published"] = dates[row["slug"]]
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + _paragraphs(
            row["text"]) + "\n"
        (root / "articles" / "en" / f"{row['slug']}.md").write_text(text, encoding="utf-8")
    (root / "articles" / "categories.yml").write_text(yaml.safe_dump(categories, sort_keys=False), encoding="utf-8")
    (root / "mkdocs.yml").write_text("""site_name: Thunderbird Help (test)
site_url: https://help.thunderbird.test/
docs_dir: docs
theme:
  name: material
plugins:
  - deflect/content:
      languages:
        - code: en
          name: English
  - deflect/search
""", encoding="utf-8")
    return rows
