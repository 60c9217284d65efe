"""The docs are kept honest by tests: every front-matter key is in CONTENT_GUIDE.md (checked against
the pydantic schema), every command and option is in README.md (checked against click), the JSON
that four commands print matches the JSON Schemas in ``schemas/`` (run on real data), and nothing
outside ``tests/`` points into ``../shared``, which a user's clone does not have."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import click
import jsonschema  # a test dependency (pyproject.toml): missing, the run fails instead of skipping
import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from conftest import article, make_help_center, write
from deflect.cli import main
from deflect.content.frontmatter import split_front_matter
from deflect.content.loader import load_categories
from deflect.content.model import Category, CategoryText
from deflect.content.schema import ArticleFrontMatter, FaqFrontMatter, validate_front_matter
from deflect.content.settings import ContentSettings, Language


ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDE = ROOT / "CONTENT_GUIDE.md"
SCHEMAS = ROOT / "schemas"
SITE = "https://help.example.com"


# ----- Markdown helpers -----------------------------------------------------------------------
def section(text: str, heading: str) -> str:
    """The text under the first heading that starts with ``heading`` (e.g. ``### Categories``), up
    to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if line.startswith(heading):
            end = next((i for i in range(start + 1, len(lines))
                        if re.match(rf"#{{1,{level}}} ", lines[i])), len(lines))
            return "\n".join(lines[start + 1:end])
    raise AssertionError(f"no heading {heading!r}")


def sections(text: str, level: int) -> list[tuple[str, str]]:
    """(heading text, body) of every heading of ``level`` (the body ends at the next heading of
    that level or a higher one)."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = re.match(r"(#+) (.*)", line)
        if match and len(match.group(1)) <= level:
            out.append((match.group(2), []) if len(match.group(1)) == level else ("", []))
        elif out:
            out[-1][1].append(line)
    return [(heading, "\n".join(body)) for heading, body in out if heading]


def table_rows(text: str) -> list[list[str]]:
    """The cells of every body row of the Markdown tables in ``text`` (header and rule left out)."""
    rows = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("|") or re.match(r"\|[-| :]+\|$", line):
            continue
        if i + 1 < len(lines) and re.match(r"\|[-| :]+\|$", lines[i + 1]):
            continue  # a header row
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def fenced(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def unquote(cell: str) -> str:
    return cell.strip().strip("`")


# ----- front matter: CONTENT_GUIDE.md against the schema ------------------------------------------
MODELS: dict[str, type[BaseModel]] = {"articles, how-tos, guides": ArticleFrontMatter, "FAQ entries": FaqFrontMatter}


def guide_key_table() -> dict[str, dict[str, str]]:
    """key → column title → cell, from CONTENT_GUIDE.md's "Every front-matter key" table."""
    body = section(GUIDE.read_text(encoding="utf-8"), "### Every front-matter key")
    header = next(line for line in body.splitlines() if line.startswith("|"))
    columns = [cell.strip() for cell in header.strip().strip("|").split("|")]
    return {unquote(row[0]): dict(zip(columns, row)) for row in table_rows(body)}


def test_every_front_matter_key_is_in_the_content_guide() -> None:
    documented = set(guide_key_table())
    schema = set().union(*(model.model_fields for model in MODELS.values()))
    assert not schema - documented, (
        f"CONTENT_GUIDE.md: front-matter key(s) {sorted(schema - documented)} are in "
        "plugins/deflect/content/schema.py but not in the table under '### Every front-matter key'")
    assert not documented - schema, (
        f"CONTENT_GUIDE.md documents key(s) {sorted(documented - schema)} that the schema rejects")


def test_the_content_guide_says_which_keys_each_kind_requires_and_their_choices() -> None:
    table = guide_key_table()
    for column, model in MODELS.items():
        for key, row in table.items():
            field = model.model_fields.get(key)
            expected = "—" if field is None else "required" if field.is_required() else "optional"
            assert row[column].startswith(expected), f"CONTENT_GUIDE.md: '{key}' for {column} should say {expected}"
            if field is not None and isinstance(field.default, enum.Enum):
                assert f"`{field.default.value}`" in row[column], f"'{key}': default `{field.default.value}` not given"
            choices = _enum_of(field.annotation) if field is not None else None
            for member in choices or ():
                assert f"`{member.value}`" in row["what it does"], f"'{key}': value `{member.value}` not described"


def _enum_of(annotation: Any) -> type[enum.Enum] | None:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation
    for arg in getattr(annotation, "__args__", ()):  # Optional[...] and the like
        found = _enum_of(arg)
        if found:
            return found
    return None


@pytest.mark.parametrize(("heading", "model"), [("### Article front matter", ArticleFrontMatter),
                                                ("### FAQ entry front matter", FaqFrontMatter)])
def test_the_content_guide_examples_are_valid_front_matter(heading: str, model: type[Any]) -> None:
    text = section(GUIDE.read_text(encoding="utf-8"), heading)
    (example,) = fenced(text, "yaml")
    source, problems = split_front_matter(example, "CONTENT_GUIDE.md")
    assert source is not None and not problems, problems
    front, problems = validate_front_matter(model, source, "CONTENT_GUIDE.md")
    assert front is not None and not problems, [p.format() for p in problems]


# Fields of the category model that are not keys under a category: the slug *is* the top-level key,
# the texts are the language keys, and the line is where the category starts in the file.
CATEGORY_STRUCTURE = {"slug", "texts", "line"}


def test_every_categories_key_is_in_the_content_guide() -> None:
    fields = {f.name for f in dataclasses.fields(Category)}
    assert CATEGORY_STRUCTURE <= fields, "Category changed: update CATEGORY_STRUCTURE and the guide"
    keys = (fields - CATEGORY_STRUCTURE) | {f.name for f in dataclasses.fields(CategoryText)} | {"<lang>"}
    body = section(GUIDE.read_text(encoding="utf-8"), "### Categories (`articles/categories.yml`)")
    documented = {unquote(row[0]) for row in table_rows(body)}
    assert documented == keys, f"CONTENT_GUIDE.md categories table: missing {sorted(keys - documented)}, " \
                               f"unknown {sorted(documented - keys)}"


def test_the_content_guide_categories_example_loads_and_other_keys_are_refused(tmp_path: Path) -> None:
    body = section(GUIDE.read_text(encoding="utf-8"), "### Categories (`articles/categories.yml`)")
    (example,) = fenced(body, "yaml")
    settings = ContentSettings(root=tmp_path, languages=[Language("en", "English"), Language("hr", "Hrvatski")])
    write(tmp_path, "articles/categories.yml", example)
    categories, problems = load_categories(settings)
    assert problems == []
    (category,) = categories.values()
    assert category.icon and category.texts["en"].title and category.texts["en"].description
    assert category.texts["hr"].title == "Dostava"  # a plain string is a title

    write(tmp_path, "articles/categories.yml", example.replace("  icon:", "  colour: blue\n  icon:"))
    _, problems = load_categories(settings)
    assert [p.message for p in problems] == ["category 'shipping': 'colour' is neither 'icon' nor a language in mkdocs.yml"]


# ----- commands and options: README.md against click --------------------------------------------
def _long_options(params: list[click.Parameter]) -> list[str]:
    return [opt for p in params if isinstance(p, click.Option) for opt in p.opts + p.secondary_opts
            if opt.startswith("--")]


def _mentions(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def _reference() -> tuple[str, list[tuple[str, str]]]:
    body = section(README.read_text(encoding="utf-8"), "## Command reference")
    return body, sections(body, 3)


def _command_text(name: str) -> str:
    """Every README reference section whose heading names ``deflect <name>``, with its heading."""
    _, parts = _reference()
    return "\n".join(f"{heading}\n{text}" for heading, text in parts if re.search(rf"`deflect {name}\b", heading))


def test_every_command_and_option_is_in_the_readme() -> None:
    body, _ = _reference()
    missing = [f"deflect {opt}" for opt in _long_options(main.params) if not _mentions(body, opt)]
    for name, command in sorted(main.commands.items()):
        text = _command_text(name)
        if not text:
            missing.append(f"deflect {name} (no '### `deflect {name} …`' section)")
            continue
        missing += [f"deflect {name} {opt}" for opt in _long_options(command.params) if not _mentions(text, opt)]
        for param in command.params:
            if isinstance(param, click.Argument) and param.nargs == 1:
                if not re.search(rf"\b{param.human_readable_name}\b", text):
                    missing.append(f"deflect {name} argument {param.human_readable_name}")
            for choice in getattr(param.type, "choices", None) or ():
                if f"`{choice}`" not in text:
                    missing.append(f"deflect {name} {'/'.join(param.opts)} value `{choice}`")
    assert not missing, ("README.md '## Command reference' lacks (add a row to the command's table): "
                         + "; ".join(missing))


def test_the_readme_documents_no_option_that_does_not_exist() -> None:
    _, parts = _reference()
    wrong = []
    for heading, text in parts:
        names = re.findall(r"`deflect (\w[\w-]*)", heading)
        assert names and all(n in main.commands for n in names), f"README.md: unknown command in {heading!r}"
        known = {opt for n in names for opt in _long_options(main.commands[n].params)}
        wrong += [f"{heading}: {opt}" for opt in re.findall(r"(?<![\w-])--[a-z][\w-]*", text) if opt not in known]
    assert not wrong, f"README.md documents options that do not exist: {wrong}"


def test_the_readme_keeps_its_two_first_commands_at_the_top() -> None:
    text = README.read_text(encoding="utf-8")
    (first, *_) = fenced(text, "bash")
    assert first.splitlines()[:2] == [
        "pip install -e . && deflect preview                      # the example help center at http://127.0.0.1:8000/ + its feedback collector",
        "bash .ci/run                                             # install everything (test deps, chromium) and run the tests",
    ]
    assert text.index("```bash") < text.index("\n## ")


# ----- nothing points outside the repository ------------------------------------------------------
def _repository_files() -> list[Path]:
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                                cwd=ROOT, capture_output=True, check=True).stdout.decode()
        return [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # not a Git checkout (e.g. an unpacked sdist)
        skip = {".git", "site", "site-internal", ".deflect", "node_modules", "__pycache__"}
        return [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]


def test_nothing_outside_tests_points_into_shared() -> None:
    offenders = []
    for path in _repository_files():
        rel = path.relative_to(ROOT)
        if rel.parts[0] == "tests" or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if "../shared" in line or "shared/DESIGN" in line:
                offenders.append(f"{rel.as_posix()}:{number}: {line.strip()[:120]}")
    assert not offenders, "a user's clone has no ../shared:\n" + "\n".join(offenders)


def test_the_readme_links_to_the_contracts_page() -> None:
    text = README.read_text(encoding="utf-8")
    assert "](CONTRACTS.md)" in text
    contracts = (ROOT / "CONTRACTS.md").read_text(encoding="utf-8")
    for name in ("search", "gaps", "impact", "feedback"):
        assert f"](schemas/{name}.schema.json)" in contracts and (SCHEMAS / f"{name}.schema.json").is_file()


# ----- JSON contracts: the schemas against real output ---------------------------------------------
def schema_of(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def assert_valid(name: str, instance: Any) -> None:
    """Validate ``instance`` against ``schemas/<name>.schema.json`` (formats such as dates checked too)."""
    validator_class = jsonschema.Draft202012Validator
    validator = validator_class(schema_of(name), format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, f"deflect {name} --json breaks schemas/{name}.schema.json:\n" + "\n".join(
        f"  {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:300]}" for e in errors[:10])


def documented_paths(schema: dict, node: dict | None = None, path: str = "") -> set[str]:
    """Every field path a schema documents (``topics[].best_article.url``); maps are not entered."""
    node = schema if node is None else node
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    paths: set[str] = set()
    for branch in node.get("oneOf", []) + node.get("anyOf", []):
        paths |= documented_paths(schema, branch, path)
    for key, sub in node.get("properties", {}).items():
        paths.add(f"{path}.{key}".lstrip("."))
        paths |= documented_paths(schema, sub, f"{path}.{key}".lstrip("."))
    if isinstance(node.get("items"), dict):
        paths |= documented_paths(schema, node["items"], f"{path}[]")
    return paths


def seen_paths(instance: Any, path: str = "") -> set[str]:
    paths: set[str] = set()
    if isinstance(instance, dict):
        for key, value in instance.items():
            paths.add(f"{path}.{key}".lstrip("."))
            paths |= seen_paths(value, f"{path}.{key}".lstrip("."))
    elif isinstance(instance, list):
        for item in instance:
            paths |= seen_paths(item, f"{path}[]")
    return paths


def assert_every_documented_field_seen(name: str, *outputs: Any) -> None:
    """The test data must show every documented field, so that none is documented but never written."""
    seen = set().union(*(seen_paths(output) for output in outputs))
    unseen = documented_paths(schema_of(name)) - seen
    assert not unseen, f"schemas/{name}.schema.json documents fields the test output never had: {sorted(unseen)}"


@pytest.mark.parametrize("name", ["search", "gaps", "impact", "feedback"])
def test_every_schema_is_valid_and_describes_every_field(name: str) -> None:
    schema = schema_of(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    problems: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}/{i}")
            return
        if not isinstance(node, dict):
            return
        kinds = node.get("type")
        if "object" in (kinds if isinstance(kinds, list) else [kinds]):
            if "additionalProperties" not in node:
                problems.append(f"{where}: an object must say additionalProperties (false: undocumented fields fail)")
            if "properties" in node and set(node.get("required", [])) - set(node["properties"]):
                problems.append(f"{where}: requires a field it does not describe")
        for key, sub in node.get("properties", {}).items():
            if "description" not in sub:
                problems.append(f"{where}/properties/{key}: no description")
        for key, sub in node.items():
            if key not in ("enum", "required", "description", "title"):
                walk(sub, f"{where}/{key}")

    walk(schema, "#")
    assert not problems, problems


def test_undocumented_fields_fail_the_schema() -> None:
    """additionalProperties is false everywhere: a field added to the output without a schema
    change fails the contract tests."""
    validator = jsonschema.Draft202012Validator(schema_of("search"))
    result = {"url": "en/a/b/", "title": "T", "score": 1.0, "snippet": "", "lang": "en", "kind": "faq"}
    good = {"query": "q", "lang": None, "results": [result]}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "took_ms": 3})
    assert not validator.is_valid({**good, "results": [{**result, "rank": 1}]})
    assert not validator.is_valid({**good, "lang": 5})


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_search_json_matches_its_schema(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    everywhere = json.loads(invoke("search", "reset link", "--json", "--config", str(config)))
    english = json.loads(invoke("search", "reset link", "--lang", "en", "--limit", "1", "--json", "--config", str(config)))
    assert {r["kind"] for r in everywhere["results"]} >= {"article", "faq"}
    assert english["lang"] == "en" and len(english["results"]) == 1
    for output in (everywhere, english):
        assert_valid("search", output)
    assert_every_documented_field_seen("search", everywhere, english)


def fill_collector(db_url: str, article: str) -> None:
    """Votes, comments, searches, page views and contact events through the collector's HTTP API."""
    from fastapi.testclient import TestClient

    from deflect.collector.app import create_app

    with TestClient(create_app(db_url, [SITE], rate=0)) as client:
        def post(path: str, body: dict) -> None:
            response = client.post(path, json=body, headers={"Origin": SITE})
            assert response.status_code in (201, 202), response.text

        for i in range(6):  # mostly "not helpful", with reasons and comments
            post("/api/votes", {"article": article, "voter": f"reader-{i:04}", "helpful": i == 0, "lang": "en",
                                "reason": None if i == 0 else ("outdated", "unclear")[i % 2],
                                "comment": "The steps <b>changed</b>." if i < 3 else None})
        post("/api/votes", {"article": "en/account/faq/#forgot-password", "voter": "reader-0100", "helpful": True})
        for query, results, clicked in (("replace camera battery", 0, None), ("zxqv gizmo", 0, None),
                                        ("reset password", 3, article)):
            post("/api/events", {"type": "search", "query": query, "lang": "en", "results": results,
                                 "clicked": clicked, "page": "en/"})
        post("/api/events", {"type": "pageview", "page": article, "lang": "en"})
        post("/api/events", {"type": "pageview", "page": "en/shipping/track-order/", "lang": "en"})
        post("/api/events", {"type": "contact", "action": "deflected", "article": article, "query": "password"})
        post("/api/events", {"type": "contact", "action": "contacted", "channel": "email"})


def test_feedback_json_matches_its_schema(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'feedback.db'}"
    fill_collector(db_url, "en/account/reset-password/")
    report = json.loads(invoke("feedback", "--db", db_url, "--json"))
    by_page = {a["article"]: a for a in report["articles"]}
    assert by_page["en/account/reset-password/"]["reasons"] == {"outdated": 2, "unclear": 3}
    assert by_page["en/shipping/track-order/"]["helpful_pct"] is None
    assert report["contact"] == {"deflected": 1, "contacted": 1}
    assert_valid("feedback", report)
    assert_every_documented_field_seen("feedback", report)


@pytest.mark.slow
def test_gaps_json_matches_its_schema(tmp_path: Path) -> None:
    """The example help center and its sample export, one malformed row added, with a collector
    database: zero-result searches (one fits a topic, one fits none) and "not helpful" votes."""
    tickets = tmp_path / "tickets.csv"
    tickets.write_text((ROOT / "examples" / "tickets.csv").read_text(encoding="utf-8").rstrip("\n")
                       + "\n9999,not a date,Broken row,<p>No date.</p>,password-reset,someone\n", encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'feedback.db'}"
    fill_collector(db_url, "en/account/reset-password/")
    out = tmp_path / "gaps.json"
    invoke("gaps", "--tickets", str(tickets), "--db", db_url, "--json", str(out), "--config", str(ROOT / "mkdocs.yml"))
    report = json.loads(out.read_text(encoding="utf-8"))
    sources = {row["source"] for row in report["topics"]}
    assert {"tags", "search"} <= sources and report["import"]["malformed"] == 1
    assert {s["topic"] is None for s in report["searches"]["zero_results"]} == {True, False}
    assert_valid("gaps", report)
    renamed = _renamed_topics_report(tmp_path / "renamed")
    assert_valid("gaps", renamed)
    assert_every_documented_field_seen("gaps", report, renamed)


def _renamed_topics_report(root: Path) -> dict:
    """A help desk that renamed two categories over 12 weeks: topics.yml merges one pair, the
    report flags the other and suggests its alias."""
    config = make_help_center(root)
    write(root, "topics.yml", "aliases:\n  sync-old: sync\n")
    rows, start = ["id,created,subject,body,topic"], dt.date(2026, 3, 2)
    for week in range(12):
        counts = {"refund": 8, "sync-old" if week < 6 else "sync": 6, "install" if week < 6 else "setup": 6}
        for topic, count in counts.items():
            for i in range(count):
                day = start + dt.timedelta(days=7 * week + i % 7)
                rows.append(f"{len(rows)},{day.isoformat()} 10:00,Question on {topic},Ticket text.,{topic}")
    (root / "tickets.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = root / "gaps.json"
    invoke("gaps", "--tickets", str(root / "tickets.csv"), "--json", str(out), "--config", str(config))
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["taxonomy"]["aliases"] == [{"old": "sync-old", "new": "sync", "tickets": 36}]
    assert [s["line"] for s in report["taxonomy"]["suggested_aliases"]] == ["install: setup"]
    return report


def _weekly_tickets(start: dt.date, weeks: int, published_week: int) -> str:
    """A CSV export: four topics over ``weeks`` weeks; password-reset drops after its article."""
    rows = ["id,created,subject,body,topic"]
    number = 0
    for week in range(weeks):
        counts = {"password-reset": 9 + week % 3 if week < published_week else 3 + week % 2,
                  "delivery-delay": 7 + week % 2, "refund": 5 + week % 3, "sign-in-trouble": 4 + week % 2}
        for topic, count in counts.items():
            for i in range(count):
                number += 1
                day = start + dt.timedelta(days=7 * week + i % 7)
                rows.append(f"{number},{day.isoformat()} 10:00,Help with {topic.replace('-', ' ')},Ticket text.,{topic}")
    return "\n".join(rows) + "\n"


def test_impact_json_matches_its_schema(tmp_path: Path) -> None:
    """A measured article (published mid-export, declares its topic), one published before the
    export and one without a date: both listed as skipped."""
    config = make_help_center(tmp_path)
    start = dt.date(2026, 3, 2)  # a Monday
    write(tmp_path, "articles/en/reset-password.md", article(
        "Reset your password", extra="topics: [password-reset]\npublished: 2026-05-13",
        body="Use the reset link.\n\n## Ask for a link {#link}\n\nTap **Forgot password**.\n"))
    write(tmp_path, "articles/en/sign-in.md", article(
        "Sign in", extra="topics: [sign-in-trouble]\npublished: 2025-01-05",
        body="How to sign in.\n\n## Use a passkey {#passkeys}\n\nTap **Passkey**.\n"))
    write(tmp_path, "articles/en/refunds.md", article(
        "Refunds", extra="topics: [refund]", body="Refunds take a week.\n"))
    tickets = tmp_path / "tickets.csv"
    tickets.write_text(_weekly_tickets(start, 22, published_week=10), encoding="utf-8")
    out = tmp_path / "impact.json"
    invoke("impact", "--tickets", str(tickets), "--json", str(out), "--config", str(config))
    report = json.loads(out.read_text(encoding="utf-8"))
    (measured,) = report["articles"]
    assert measured["topic"] == "password-reset" and measured["published_source"] == "front matter"
    assert measured["change_per_week"] < 0 and measured["significant"]
    assert sorted(s["topic"] for s in report["skipped"]) == ["refund", "sign-in-trouble"]
    assert_valid("impact", report)
    assert_every_documented_field_seen("impact", report)
