"""Build-time and output-size benchmark: Deflect against a plain Material site with the same articles.

    python bench/build.py              # sizes 1000 and 5000
    python bench/build.py 200 1000     # other sizes (English articles; ~30% translated into hr, et, tl)
    python bench/build.py --keep 200   # keep the generated projects and sites (path printed on stderr)
    python bench/build.py --no-search  # skip the third build with Deflect's own search plugin

Rows: the anchor (plain Material with its built-in search), ``deflect`` (deflect/content only) and,
when the ``deflect/search`` plugin is installed, ``deflect+search`` (the same project with Deflect's
search, the counterpart of the anchor's search index). For each size the sites are generated in a temporary folder (bench/_synth.py), built with
``mkdocs build -q -f ... -d ...`` and measured. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _synth import make_help_center, make_plain_material  # noqa: E402

DEFAULT_SIZES = (1000, 5000)


@dataclass
class Result:
    size: int
    tool: str
    seconds: float
    bytes: int
    files: int
    pages: int
    largest: int
    largest_name: str
    largest_page: int


def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def measure(site: Path) -> tuple[int, int, int, int, str, int]:
    total = files = pages = largest = largest_page = 0
    largest_name = ""
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        files += 1
        if path.suffix == ".html":
            pages += 1
            largest_page = max(largest_page, size)
        if size > largest:
            largest, largest_name = size, path.relative_to(site).as_posix()
    return total, files, pages, largest, largest_name, largest_page


def build(config: Path, site: Path) -> float:
    # Measure this checkout's Deflect even if the installed editable copy points elsewhere.
    plugins = str(Path(__file__).resolve().parent.parent / "plugins")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [plugins, os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
                          env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"mkdocs build failed for {config} (exit {proc.returncode})")
    return seconds


def has_plugin(name: str) -> bool:
    return any(ep.name == name for ep in entry_points(group="mkdocs.plugins"))


def run_size(size: int, work: Path, search: bool) -> list[Result]:
    results = []
    tools = [("material", lambda root: make_plain_material(root, size)),
             ("deflect", lambda root: make_help_center(root, size))]
    if search:
        tools.append(("deflect+search", lambda root: make_help_center(root, size, search=True)))
    for tool, make in tools:
        root = work / f"{tool.replace('+', '-')}-{size}"
        progress(f"{size}: generating {tool} project in {root}")
        start = time.perf_counter()
        make(root)
        sources = sum(1 for _ in root.rglob("*.md"))
        progress(f"{size}: {sources} Markdown files in {time.perf_counter() - start:.1f}s; building {tool} …")
        site = work / f"site-{tool.replace('+', '-')}-{size}"
        seconds = build(root / "mkdocs.yml", site)
        total, files, pages, largest, largest_name, largest_page = measure(site)
        progress(f"{size}: {tool} built in {seconds:.1f}s: {pages} pages, {total / 1e6:.1f} MB, "
                 f"largest {largest_name} ({largest / 1024:.0f} KB)")
        results.append(Result(size, tool, seconds, total, files, pages, largest, largest_name, largest_page))
    return results


def table(results: list[Result]) -> str:
    header = ("size", "tool", "build s", "output MB", "files", "html pages", "ms/page", "largest KB",
              "largest page KB", "time x anchor", "MB x anchor", "largest file")
    rows = []
    for result in results:
        anchor = next(r for r in results if r.size == result.size and r.tool == "material")
        rows.append((
            str(result.size), result.tool if result.tool != "material" else "material (anchor)",
            f"{result.seconds:.1f}", f"{result.bytes / 1e6:.1f}", str(result.files), str(result.pages),
            f"{result.seconds * 1000 / result.pages:.1f}", f"{result.largest / 1024:.0f}",
            f"{result.largest_page / 1024:.0f}", f"{result.seconds / anchor.seconds:.2f}",
            f"{result.bytes / anchor.bytes:.2f}", result.largest_name,
        ))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = set(range(len(header) - 1)) - {1}

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    search = "--no-search" not in argv and has_plugin("deflect/search")
    args = [a for a in argv if a not in ("--keep", "--no-search")]
    if any(not a.isdigit() or int(a) < 3 for a in args):
        print(__doc__, file=sys.stderr)
        return 2
    sizes = [int(a) for a in args] or list(DEFAULT_SIZES)
    work = Path(tempfile.mkdtemp(prefix="deflect-bench-"))
    results: list[Result] = []
    try:
        for size in sizes:
            results += run_size(size, work, search)
            # Each size's sites can be large: free the disk before the next one.
            if not keep:
                for path in work.iterdir():
                    shutil.rmtree(path)
    finally:
        if keep:
            progress(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    print("\nSizes are English articles; ~30% are translated into each of hr, et, tl, plus n/10 FAQ entries."
          "\nDeflect writes every article in every language (fallback pages); the anchor only the written ones.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
