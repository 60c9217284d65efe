"""Build-time and output-size benchmark: Deflect against a plain Material site with the same articles.

    python bench/build.py                # the 1,000-article configuration (30% translated into hr, et, tl)
    python bench/build.py --langs12      # 400 articles in 12 languages, 20% translated
    python bench/build.py 200 10000      # other sizes (English articles; 30% translated into hr, et, tl)
    python bench/build.py --keep 200     # keep the generated projects and sites (path printed on stderr)
    python bench/build.py --no-search    # deflect/content only (no deflect/search)
    python bench/build.py --synthetic    # generated words only (no real article text)
    python bench/build.py --fallback full 1000   # another fallback mode (default: the plugin's default)
    python bench/build.py --unprepared   # leave Deflect's machine cache as it is (default: 'deflect prepare' first)
    python bench/build.py --repeat 3 --langs12   # each build 3 times, the tools taking turns: medians and ranges

Rows per configuration, all in one run on the same pages: the anchor (plain Material with
``navigation.prune`` and its built-in search) and ``deflect+search`` (deflect/content and
deflect/search), each built cold (no ``.deflect/`` cache, empty site folder) and then warm (one
article edited, rebuilt into the same site folder; for Material that is simply a second build).
Both cold builds run before either warm one, so that no cold build follows the deletion of a site's
files (see ``run_config``). Article text is realistic: each page gets a few paragraphs of a real knowledge-base article after
the generated text, the same paragraphs in both sites. The text comes from ``--kb FILE`` (a CSV
with a ``text`` column) or ``$DEFLECT_TEST_DATA/sumo-thunderbird/thunderbird-kb-articles.csv``;
without either (or with ``--synthetic``) the generated text of bench/_synth.py is used alone. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import csv
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _synth import LANGS, LANGS_12, make_help_center, make_plain_material  # noqa: E402

from deflect.cachefiles import machine_folder  # noqa: E402

# Real article text: any CSV with a ``text`` column (--kb FILE), or the SUMO knowledge-base export
# in the test data folder the tests use (DEFLECT_TEST_DATA).
KB_NAME = Path("sumo-thunderbird") / "thunderbird-kb-articles.csv"


@dataclass
class Result:
    size: str
    tool: str
    seconds: float
    cpu: float
    bytes: int
    files: int
    pages: int
    largest: int
    largest_name: str
    largest_page: int
    spread: tuple[float, float] | None = None  # the fastest and slowest of repeated runs (--repeat)


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


def checkout_env() -> dict[str, str]:
    """The environment that runs this checkout's Deflect, even if the installed editable copy points elsewhere."""
    plugins = str(Path(__file__).resolve().parent.parent / "plugins")
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [plugins, os.environ.get("PYTHONPATH")]))}


def build(config: Path, site: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``mkdocs build`` (CPU time is what a busy machine distorts least)."""
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
                          env=checkout_env(), capture_output=True, text=True)
    seconds, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"mkdocs build failed for {config} (exit {proc.returncode})")
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def has_plugin(name: str) -> bool:
    return any(ep.name == name for ep in entry_points(group="mkdocs.plugins"))


def kb_paragraphs(path: Path | None) -> list[list[str]]:
    """Paragraph lists of the real articles in ``path`` (Markdown-safe), or [] without the file."""
    if path is None or not path.is_file():
        return []
    csv.field_size_limit(sys.maxsize)
    articles = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            paragraphs = []
            for line in (row.get("text") or "").splitlines():
                line = " ".join(line.split())
                if len(line) < 40:
                    continue  # headings, menu paths and list fragments of the export
                # Plain prose: nothing in it may start a block, a link, HTML or an attribute list.
                line = re.sub(r"[<>\[\]{}*_`#|!]", " ", line)
                paragraphs.append(line)
            if paragraphs:
                articles.append(paragraphs)
    return articles


def add_real_text(root: Path, articles: list[list[str]], files: list[Path]) -> None:
    """Append ~1,500 characters of a real article to each page; the slug picks the article."""
    for path in files:
        paragraphs = articles[zlib.crc32(path.stem.encode()) % len(articles)]
        chosen, size = [], 0
        for paragraph in paragraphs:
            chosen.append(paragraph)
            size += len(paragraph)
            if size > 1500:
                break
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\n" + "\n\n".join(chosen) + "\n")


def article_files(root: Path, tool: str) -> list[Path]:
    if tool == "material":
        return sorted(p for p in (root / "docs").rglob("*.md") if p.name not in ("index.md", "faq.md"))
    return sorted((root / "articles").rglob("*.md"))


def edit_one(root: Path, tool: str) -> Path:
    """Edit one English article the way an author would: a sentence added to its text."""
    path = next(p for p in article_files(root, tool) if "/en/" in p.as_posix())
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\nThis sentence was added by the benchmark to measure a rebuild after one edit.\n")
    return path


@dataclass
class Config:
    name: str
    size: int
    languages: tuple[str, ...]
    share: float


def run_config(config: Config, work: Path, search: bool, kb: list[list[str]], fallback: str | None,
               prepare: bool = True, repeat: int = 1) -> list[Result]:
    """Both projects are generated, then both cold builds run, then both warm ones: a cold build never
    follows a build that deleted a site's files (MkDocs empties the site folder before a build). On a
    file system without a journal (ext4), creating a file steps over the inodes deleted in the last
    minute or more, which made the cold build after Material's warm build pay up to 0.5 ms a file.
    ``repeat``: each build that many times, the two tools taking turns (each cold run into a new site
    folder, Deflect's cache of the run before set aside), and the median of each reported."""
    makers = [("material", lambda root: make_plain_material(root, config.size, languages=config.languages,
                                                            translated_share=config.share)),
              ("deflect+search" if search else "deflect",
               lambda root: make_help_center(root, config.size, config.languages, config.share, search=search))]
    roots = {}
    for tool, make in makers:
        root = roots[tool] = work / f"{tool.replace('+', '-')}-{config.name}"
        progress(f"{config.name}: generating {tool} project in {root}")
        make(root)
        if kb:
            add_real_text(root, kb, article_files(root, tool))
        if fallback and tool != "material":
            text = (root / "mkdocs.yml").read_text(encoding="utf-8")
            (root / "mkdocs.yml").write_text(text.replace("      audience: public\n",
                                                          f"      audience: public\n      fallback: {fallback}\n"), "utf-8")
    if prepare and "deflect+search" in roots:
        # As on any machine after its first build, or a CI image where it ran (README, Speed): the lemma
        # dictionaries' pass, derived from the installed packages alone, is in Deflect's machine cache.
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", "from deflect.cli import main; main()", "prepare", "--config",
                               str(roots["deflect+search"] / "mkdocs.yml")], env=checkout_env(), capture_output=True,
                              text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit("deflect prepare failed: set DEFLECT_MACHINE_CACHE to a writable folder, or pass --unprepared")
        progress(f"{config.name}: deflect prepare (the machine's cache) in {time.perf_counter() - start:.1f}s, not timed")
    runs: dict[tuple[str, str], list[Result]] = {(tool, phase): [] for tool in roots for phase in ("cold", "warm")}
    sites: dict[str, Path] = {}
    for phase in ("cold", "warm"):
        for run in range(repeat):
            # Interleaved, the order turned each round: a slow minute of a shared host falls on both tools.
            for tool, root in (list(roots.items()) if run % 2 == 0 else list(roots.items())[::-1]):
                if phase == "cold":
                    # A new site folder, and the last cold build's cache set aside (renamed: deleting its
                    # files before a build is what the order above avoids).
                    sites[tool] = work / (f"site-{tool.replace('+', '-')}-{config.name}" + (f"-{run + 1}" if run else ""))
                    if (root / ".deflect").exists():
                        (root / ".deflect").rename(work / f"set-aside-{tool.replace('+', '-')}-{config.name}-{run}")
                else:
                    edited = edit_one(root, tool)
                    progress(f"{config.name}: edited {edited.relative_to(root)}")
                site = sites[tool]
                seconds, cpu = build(root / "mkdocs.yml", site)
                total, files, pages, largest, largest_name, largest_page = measure(site)
                again = f" (run {run + 1} of {repeat})" if repeat > 1 else ""
                progress(f"{config.name}: {tool} {phase}{again} in {seconds:.1f}s ({cpu:.1f}s CPU): {pages} pages, "
                         f"{total / 1e6:.1f} MB")
                runs[tool, phase].append(Result(config.name, f"{tool} {phase}", seconds, cpu, total, files, pages,
                                                largest, largest_name, largest_page))
    return [median_result(runs[tool, phase]) for tool in roots for phase in ("cold", "warm")]  # the table's order


def median_result(runs: list[Result]) -> Result:
    """One row for the runs of a build: the median time and CPU (each on its own), the sizes of the last
    run, and the range of the times (``spread``) when there was more than one run."""
    seconds, cpu = sorted(r.seconds for r in runs), sorted(r.cpu for r in runs)
    middle = len(runs) // 2

    def median(values: list[float]) -> float:
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    return replace(runs[-1], seconds=median(seconds), cpu=median(cpu),
                   spread=(seconds[0], seconds[-1]) if len(runs) > 1 else None)


def table(results: list[Result]) -> str:
    spread = any(result.spread for result in results)
    header = ("config", "tool", "build s", *(("range s",) if spread else ()), "CPU s", "output MB", "files",
              "html pages", "ms/page", "largest page KB", "time x anchor", "CPU x anchor", "MB x anchor")
    rows = []
    for result in results:
        phase = result.tool.rsplit(" ", 1)[1]
        anchor = next(r for r in results if r.size == result.size and r.tool == f"material {phase}")
        rows.append((
            str(result.size), result.tool if not result.tool.startswith("material") else f"{result.tool} (anchor)",
            f"{result.seconds:.1f}",
            *((f"{result.spread[0]:.1f}-{result.spread[1]:.1f}" if result.spread else "",) if spread else ()),
            f"{result.cpu:.1f}", f"{result.bytes / 1e6:.1f}", str(result.files), str(result.pages),
            f"{result.seconds * 1000 / result.pages:.1f}", f"{result.largest_page / 1024:.0f}",
            f"{result.seconds / anchor.seconds:.2f}", f"{result.cpu / anchor.cpu:.2f}", f"{result.bytes / anchor.bytes:.2f}",
        ))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = set(range(len(header))) - {0, 1}

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def main(argv: list[str]) -> int:
    flags = {"--keep", "--no-search", "--synthetic", "--langs12", "--unprepared"}
    keep, synthetic = "--keep" in argv, "--synthetic" in argv
    search = "--no-search" not in argv and has_plugin("deflect/search")
    prepare = "--unprepared" not in argv and machine_folder("lemmas") is not None
    args, kb_file, fallback, repeat = [], None, None, 1
    rest = iter(argv)
    for arg in rest:
        if arg == "--kb":
            kb_file = Path(next(rest, ""))
        elif arg == "--fallback":
            fallback = next(rest, "")
        elif arg == "--repeat":
            count = next(rest, "")
            repeat = int(count) if count.isdigit() and int(count) >= 1 else 0
        elif arg not in flags:
            args.append(arg)
    if (any(not a.isdigit() or int(a) < 3 for a in args) or fallback not in (None, "full", "light", "link")
            or not repeat):
        print(__doc__, file=sys.stderr)
        return 2
    configs = [Config(a, int(a), LANGS, 0.3) for a in args]
    if "--langs12" in argv:
        configs.append(Config("400x12", 400, LANGS_12, 0.2))
    configs = configs or [Config("1000", 1000, LANGS, 0.3)]
    if kb_file is None and os.environ.get("DEFLECT_TEST_DATA"):
        kb_file = Path(os.environ["DEFLECT_TEST_DATA"]) / KB_NAME
    kb = [] if synthetic else kb_paragraphs(kb_file)
    progress(f"article text: {'generated + real paragraphs from ' + str(kb_file) if kb else 'generated only'}")
    machine = machine_folder("lemmas")
    kept = sorted(path.name.split(".")[0] for path in machine.glob("*.pickle.zst")) if machine else []
    progress(f"machine cache of lemma dictionaries: {'off' if machine is None else machine}"
             + (f" (kept: {', '.join(kept) or 'none yet'})" if machine is not None else "")
             + ("; 'deflect prepare' fills it for each configuration before its builds" if prepare else
                "; left as it is (--unprepared): a machine's first build fills it"))
    work = Path(tempfile.mkdtemp(prefix="deflect-bench-"))
    results: list[Result] = []
    try:
        for config in configs:
            results += run_config(config, work, search, kb, fallback, prepare=prepare, repeat=repeat)
            # Each configuration's sites can be large: free the disk before the next one.
            if not keep:
                for path in work.iterdir():
                    shutil.rmtree(path)
    finally:
        if keep:
            progress(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    print(f"\nMachine load at the end (uptime): {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
          f" on {os.cpu_count()} CPUs")
    print("\nConfigurations count English articles. cold: no .deflect/ cache and an empty site folder; warm: one"
          "\nEnglish article edited, rebuilt into the same folder (Material has no cache: a full build again)."
          + ("\nDeflect's machine cache (lemma dictionaries) was filled by 'deflect prepare' first (--unprepared: not)."
             if prepare else "\nDeflect's machine cache was left as it was (--unprepared).")
          + (f"\nEach build ran {repeat} times, the tools taking turns: the median time and CPU, and the range of the"
             f"\ntimes (a shared host moves single runs by a quarter)." if repeat > 1 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
