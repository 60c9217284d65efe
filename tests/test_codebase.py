"""Rules of the codebase that a change can break without any feature test noticing: every module states
its one job, MkDocs plugin files stay small, the core never imports MkDocs, the entry points resolve, no
block of six lines is written twice in ``plugins/``, and the values declared once (feedback reasons,
export presets) are not declared again."""

from __future__ import annotations

import ast
import importlib
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "plugins"
PACKAGE = PLUGINS / "deflect"
MODULES = sorted(PACKAGE.rglob("*.py"))
CORE = ("content", "search", "insights", "collector", "site")
PLUGIN_FILE_MAX_LINES = 200


def _module_name(path: Path) -> str:
    parts = path.relative_to(PLUGINS).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_every_module_states_its_job() -> None:
    missing = []
    for path in MODULES:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not doc or len(doc.split("\n", 1)[0].strip()) < 20:
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"modules without a docstring that says what they are for: {missing}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "mkdocs_plugins").glob("*.py")),
                         ids=lambda p: p.name)
def test_mkdocs_plugin_files_are_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= PLUGIN_FILE_MAX_LINES, f"{path.name} is {lines} lines; the adapters stay thin"


def test_importing_resolves_relative_imports() -> None:
    """The helper the next test relies on: ``from ..x import y`` inside deflect.content.z is deflect.x.y."""
    assert "deflect.site.context.page_context" in _imports(PACKAGE / "mkdocs_plugins" / "content.py")
    assert "deflect.content.yamlsafe" in _imports(PACKAGE / "content" / "settings.py")


def _is_mkdocs(module: str) -> bool:
    return (module.split(".")[0] in ("mkdocs", "material", "properdocs")
            or module == "deflect.mkdocs_plugins" or module.startswith("deflect.mkdocs_plugins."))


@pytest.mark.parametrize("package", CORE)
def test_core_never_imports_mkdocs(package: str) -> None:
    offenders = {str(path.relative_to(ROOT)): sorted(filter(_is_mkdocs, _imports(path)))
                 for path in sorted((PACKAGE / package).rglob("*.py"))}
    assert not {path: names for path, names in offenders.items() if names}


def test_entry_points_resolve() -> None:
    from mkdocs.plugins import BasePlugin

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    plugins = project["entry-points"]["mkdocs.plugins"]
    assert set(plugins) == {"deflect/content", "deflect/search"}
    for value in plugins.values():
        module, _, name = value.partition(":")
        assert issubclass(getattr(importlib.import_module(module), name), BasePlugin), value
    module, _, name = project["scripts"]["deflect"].partition(":")
    assert callable(getattr(importlib.import_module(module), name))


# ----- no block written twice ---------------------------------------------------------------------
SOURCE_SUFFIXES = (".py", ".js", ".html", ".css")
BLOCK = 6


def repeated_blocks(files: list[Path], root: Path = ROOT, size: int = BLOCK) -> list[list[str]]:
    """Places where the same ``size`` lines stand more than once (whitespace aside; blank lines and lines of
    punctuation alone, such as ``)`` or ``});``, do not count). Same shape with other names is not looked for:
    the ``duplicates`` tool does that, with judgement this test cannot have."""
    places: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for path in files:
        kept = [(number, " ".join(line.split()))
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)]
        kept = [(number, text) for number, text in kept if text and not re.fullmatch(r"[\W_]*", text)]
        for i in range(len(kept) - size + 1):
            places[tuple(text for _, text in kept[i:i + size])].append(f"{path.relative_to(root)}:{kept[i][0]}")
    return [found for found in places.values() if len(found) > 1]


def test_repeated_blocks_are_found(tmp_path: Path) -> None:
    block = "".join(f"value_{i} = compute({i})\n" for i in range(BLOCK))
    (tmp_path / "a.py").write_text("import x\n" + block, encoding="utf-8")
    (tmp_path / "b.py").write_text(block.replace("\n", "\n\n    )\n"), encoding="utf-8")  # blanks, indents, ")" aside
    (tmp_path / "c.py").write_text(block.replace("5", "6"), encoding="utf-8")
    assert repeated_blocks(sorted(tmp_path.glob("*.py")), tmp_path) == [["a.py:2", "b.py:1"]]


def test_no_block_is_written_twice_in_plugins() -> None:
    files = sorted(p for p in PACKAGE.rglob("*") if p.suffix in SOURCE_SUFFIXES and p.is_file())
    assert len(files) > 50
    assert not repeated_blocks(files)


# ----- declared once ------------------------------------------------------------------------------
def test_feedback_reasons_are_declared_once() -> None:
    from deflect.collector.app import VoteIn
    from deflect.collector.report import to_csv
    from deflect.feedback_reasons import FEEDBACK_REASONS

    schema = VoteIn.model_json_schema()["properties"]["reason"]
    assert [option for option in schema["anyOf"] if "enum" in option][0]["enum"] == list(FEEDBACK_REASONS)
    header = to_csv({"articles": []}).splitlines()[0]
    assert header.split(",")[5:5 + len(FEEDBACK_REASONS)] == [f"reason_{r}" for r in FEEDBACK_REASONS]
    # The widget's template and script take the list from the page; neither spells a reason out.
    spelled = re.compile("|".join(rf"[\"']{reason}[\"']" for reason in FEEDBACK_REASONS))
    for path in (PACKAGE / "theme").rglob("*"):
        if path.suffix in (".html", ".js"):
            assert not spelled.search(path.read_text(encoding="utf-8")), path


def test_export_presets_are_declared_once() -> None:
    import click

    from deflect.cli import main
    from deflect.insights.tickets import PRESETS

    for command in ("gaps", "impact"):
        [preset] = [p for p in main.commands[command].params if p.name == "preset"]
        assert isinstance(preset.type, click.Choice) and list(preset.type.choices) == list(PRESETS)
