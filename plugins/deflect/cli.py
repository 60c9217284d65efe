"""The ``deflect`` command: thin click commands over the core library."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from .content import SettingsError

if TYPE_CHECKING:
    from .helpcenter import HelpCenter
    from .insights.prepare import Prepared


def _project(path: Path | None = None, *, internal: bool = False, history: bool = True,
             long_running: bool = False) -> HelpCenter:
    """The help center of ``path`` (``--config``, or a folder: its ``mkdocs.yml`` is the nearest one there or
    in a parent; default: the current folder), or a one-line error. Every command opens its project here.
    A command that ends once its work is done (not ``long_running``) keeps the cycle collector off the
    content and search it holds until the command ends (``processes.pause_full_collections``,
    ``quick_exit``): at 10,000 articles, ``deflect search`` took 13 s, 9 s so."""
    from .helpcenter import HelpCenter, NoProject
    from .processes import pause_full_collections, quick_exit, resume_full_collections

    if not long_running:
        pause_full_collections()
        click.get_current_context().call_on_close(resume_full_collections)  # (a test runs many commands)
        quick_exit()

    try:
        project = HelpCenter.open(path, internal=internal, history=history)
    except NoProject as exc:
        raise click.ClickException(f"{exc}, or pass --config FILE") from None
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    project.progress = lambda said: click.echo(f"deflect: {said}", err=True)  # a large load says how far it is
    return project


@contextmanager
def _one_line(*errors: type[Exception]) -> Iterator[None]:
    """``errors`` raised inside become one-line messages (the core's messages say what to fix), not tracebacks."""
    try:
        yield
    except errors as exc:
        raise click.ClickException(str(exc)) from None


def _search_errors() -> tuple[type[Exception], ...]:
    """What opening or querying the search can fail with: a bad synonyms or glossary file, a busy cache."""
    from .search.service import CacheBusy, GlossaryError, SynonymError

    return SettingsError, SynonymError, GlossaryError, CacheBusy


@click.group()
@click.version_option(package_name="deflect")
def main() -> None:
    """Deflect: a static, multilingual self-service help center."""


@main.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The help center's mkdocs.yml (default: found from PATH upwards).")
@click.option("--strict", is_flag=True, help="Treat warnings (overdue reviews, stale translations) as errors.")
def check(path: Path | None, config_file: Path | None, strict: bool) -> None:
    """Validate content: front matter, slugs, links and anchors, translations, reviews.

    Prints one 'path:line: message' per problem and exits 1 if there is an error.
    PATH limits the report to the files below it.
    """
    project = _project(config_file or (path.parent if path is not None and path.is_file() else path))
    report = project.check()  # content and search files; no search index is built
    scope = _scope(path, project.root)
    problems = [p for p in report.problems if p.path == scope or p.path.startswith(scope + "/") or not scope]
    for problem in problems:
        click.echo(problem.format())
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    coverage = ", ".join(f"{lang} {count}/{report.sources}" for lang, count in report.translated.items())
    click.echo(
        f"{report.documents} files checked: {errors} error(s), {warnings} warning(s)"
        + (f"; translated articles: {coverage}" if coverage else ""),
        err=True,
    )
    if errors or (strict and warnings):
        sys.exit(1)


def _scope(path: Path | None, root: Path) -> str:
    if path is None:
        return ""
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel


@main.command()
@click.argument("kind", type=click.Choice(["article", "troubleshooting", "howto", "faq"]))
@click.argument("title")
@click.option("--lang", "lang", help="Language code (default: the default language).")
@click.option("--category", "category", help="Category slug from articles/categories.yml (a translation: the source's).")
@click.option("--translation-of", "translation_of", metavar="SLUG",
              help="Write a translation of this default-language article or FAQ entry (same file name).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def new(kind: str, title: str, lang: str | None, category: str | None, translation_of: str | None,
        config_file: Path | None) -> None:
    """Create a new article, troubleshooting guide, how-to or FAQ entry that passes 'deflect check'."""
    from .content.scaffold import ScaffoldError, scaffold
    from .content.schema import TITLE_MAX_LENGTH

    project = _project(config_file, history=False)
    with _one_line(ScaffoldError):
        path = scaffold(project, kind, title, lang=lang, category=category, translation_of=translation_of)
    rel = path.relative_to(project.root).as_posix()
    click.echo(rel)
    if len(title.strip()) > TITLE_MAX_LENGTH:
        # The file is written (the slug is shortened); the title itself is the author's to shorten.
        click.echo(f"warning: {rel}:2: the title has {len(title.strip())} characters; 'deflect check' allows "
                   f"{TITLE_MAX_LENGTH}: shorten it", err=True)


@main.command()
@click.option("--internal", is_flag=True, help="Build the agents' site, with internal articles (to site-internal/).")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), help="Where to write the site.")
@click.option("--strict", is_flag=True, help="Fail on any warning (broken links, content errors).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def build(internal: bool, site_dir: Path | None, strict: bool, config_file: Path | None) -> None:
    """Build the help center (the public site by default)."""
    from .mkdocs_plugins.build import BuildFailed, build_site

    project = _project(config_file)
    target = site_dir or (project.root / ("site-internal" if internal else "site"))
    with _one_line(BuildFailed):
        build_site(project.config_file, target, internal=internal, strict=strict)
    click.echo(f"built {'internal' if internal else 'public'} site in {target}")


@main.command()
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def prepare(config_file: Path | None) -> None:
    """Prepare this machine for fast builds: fill Deflect's cache on the machine for the help center's languages.

    A machine's first build reads each language's lemma dictionary whole (0.1 to 1.5 s of CPU each); what it
    finds depends on the installed packages alone and is kept in ~/.cache/deflect (or $DEFLECT_MACHINE_CACHE)
    for every later build. Run this when building a CI image or container, after installing Deflect.
    """
    import time

    from .cachefiles import machine_folder

    project = _project(config_file, history=False)
    start = time.perf_counter()
    names: list[str] = []  # what the machine's cache must hold now
    with _one_line(SettingsError):
        for lang, dictionary, kept in project.prepare_machine():
            names += [name for name in kept if name not in names]
            said = f"lemma dictionary {dictionary}" if dictionary else "no lemma dictionary (stemming only)"
            click.echo(f"deflect: {lang}: {said}, ready ({time.perf_counter() - start:.1f} s)", err=True)
    folder = machine_folder("lemmas")
    if folder is None:  # (prepare_machine refuses a machine cache that is off before it starts)
        raise click.ClickException("Deflect's cache on this machine is off: there is nothing to prepare")
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        raise click.ClickException(f"could not keep {', '.join(missing)} in {folder}: make it writable, or set "
                                   "DEFLECT_MACHINE_CACHE to a writable folder")
    size = sum((folder / name).stat().st_size for name in names) / 1e6
    click.echo(f"prepared {folder} for {', '.join(project.settings.codes)} ({len(names)} files, {size:.1f} MB)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the site and the collector.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port of the site.")
@click.option("--collector-port", default=8765, show_default=True, type=click.IntRange(1, 65535),
              help="Port of the collector.")
@click.option("--db", "db_url", default="sqlite:///deflect-feedback.db", show_default=True,
              help="The collector's database (the one 'deflect feedback' reads by default).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def preview(host: str, port: int, collector_port: int, db_url: str, config_file: Path | None) -> None:
    """Run the help center with live reload and the feedback collector together (Ctrl+C stops both)."""
    from .mkdocs_plugins.preview import PreviewFailed
    from .mkdocs_plugins.preview import preview as run_preview

    config = _project(config_file, long_running=True).config_file
    if port == collector_port:
        raise click.BadParameter("the site and the collector need two different ports", param_hint="--collector-port")
    _open_store(db_url).close()  # a bad --db fails here, in one line, before anything starts
    with _one_line(PreviewFailed):
        run_preview(config, host=host, port=port, collector_port=collector_port, db_url=db_url)


@main.command()
@click.argument("query")
@click.option("--lang", "lang", help="Search one language (default: every language of the help center).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100), help="Most results to show.")
@click.option("--json", "as_json", is_flag=True, help='Print JSON: {"query", "lang", "results": [{"url", "title", "score", "snippet", "lang", "kind"}]}.')
@click.option("--internal", is_flag=True, help="Search the agents' content too (internal articles).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def search(query: str, lang: str | None, limit: int, as_json: bool, internal: bool, config_file: Path | None) -> None:
    """Search the help center with the same index and language analysis as the site."""
    import json

    project = _project(config_file, internal=internal, history=False)
    with _one_line(*_search_errors()):
        project.check_language(lang)  # before any work: a wrong --lang is not worth an index
        if not as_json:
            click.echo("indexing…", err=True)
        hits = project.search(query, lang, limit)
    if as_json:
        payload = {"query": query, "lang": lang, "results": [
            {"url": h.url, "title": h.title, "score": h.score, "snippet": h.snippet, "lang": h.lang, "kind": h.kind}
            for h in hits]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo(f"no results for {query!r}" + (f" in {lang}" if lang else ""))
        return
    for number, hit in enumerate(hits, 1):
        click.echo(f"{number:2}. {hit.title}  [{hit.lang}, {hit.score:.1f}]")
        click.echo(f"    {hit.url}")
        if hit.snippet:
            click.echo(f"    {hit.snippet}")


def _trusted_proxies(value: str) -> list[str]:
    """``--forwarded-allow-ips``: comma-separated IP addresses or networks, each checked."""
    import ipaddress

    proxies = [item.strip() for item in value.split(",") if item.strip()]
    for item in proxies:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise click.BadParameter(f"{item!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)",
                                     param_hint="--forwarded-allow-ips") from None
    return proxies


def _open_store(db_url: str):
    """The collector's store, or a one-line error for a bad URL or a database that can't be used."""
    from .collector.store import Store, StoreError

    try:
        return Store(db_url)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--db", "db_url", default="sqlite:///deflect-feedback.db", show_default=True, envvar="DEFLECT_DB",
              show_envvar=True, help="Database URL: sqlite:///FILE[?synchronous=full] or postgresql://user:pass@host/db "
                                     "(from DEFLECT_DB when not given: keeps a password out of the process list).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option("--origin", "origins", multiple=True,
              help="Site origin allowed to post (repeatable; '*' for any). Default: loopback origins only.")
@click.option("--rate-limit", default=5.0, show_default=True, type=float,
              help="Requests per second per client IP (0 disables rate limiting).")
@click.option("--burst", default=40.0, show_default=True, type=float, help="Burst size per client IP.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--forwarded-allow-ips", "forwarded", default="", metavar="IPS",
              help="Comma-separated proxy IPs or networks whose X-Forwarded-For is trusted; the client is the "
                   "right-most address they did not add. Default: none (the header is ignored).")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(0.5, 300),
              help="Seconds a client may take to send a request's headers (and an idle connection stays open).")
@click.option("--body-timeout", default=10.0, show_default=True, type=click.FloatRange(0.5, 300),
              help="Seconds a client may take to send a request's body.")
@click.option("--keep-alive", default=5, show_default=True, type=click.IntRange(1, 300),
              help="Whole seconds an idle keep-alive connection stays open.")
@click.option("--max-connections", default=1000, show_default=True, type=click.IntRange(16, 100_000),
              help="Open connections per worker; over it the longest-idle connection is closed.")
def serve(db_url: str, host: str, port: int, origins: tuple[str, ...], rate_limit: float, burst: float,
          workers: int, forwarded: str, header_timeout: float, body_timeout: float, keep_alive: int,
          max_connections: int) -> None:
    """Run the feedback collector (HTTP API; OpenAPI document at /openapi.json)."""
    from .collector.serve import Limits, run

    proxies = _trusted_proxies(forwarded)
    _open_store(db_url).close()  # validate the URL and migrate once, before serving
    run({"db": db_url, "origins": list(origins), "rate": rate_limit, "burst": burst},
        Limits(header_timeout=header_timeout, body_timeout=body_timeout, keep_alive=keep_alive,
               max_connections=max_connections),
        host=host, port=port, workers=workers, forwarded_allow_ips=proxies)


@main.command()
@click.option("--db", "db_url", default="sqlite:///deflect-feedback.db", show_default=True, help="Database URL.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the default).")
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV row per article.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML report page to this file.")
def feedback(db_url: str, as_json: bool, as_csv: bool, html_out: Path | None) -> None:
    """Report article feedback: views, votes, helpful %, reasons, comments, deflections and searches."""
    import json

    from .collector import report as render
    from .collector.store import StoreError, parse_db_url

    try:
        parsed = parse_db_url(db_url)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if parsed.dialect == "sqlite" and parsed.target != ":memory:" and not Path(parsed.target).exists():
        raise click.ClickException(f"no feedback database at {parsed.target}")
    store = _open_store(db_url)
    try:
        data = store.report()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()
    if html_out:
        html_out.parent.mkdir(parents=True, exist_ok=True)
        html_out.write_text(render.to_html(data), encoding="utf-8")
        click.echo(f"wrote {html_out}", err=True)
    if as_csv:
        click.echo(render.to_csv(data), nl=False)
    elif as_json or not html_out:  # JSON unless only --html was asked for
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))


class _TicketSource(click.ParamType):
    """A ticket export file (it must exist), or a SQL table as a URL with ``?table=NAME``."""

    name = "FILE|URL"

    def convert(self, value, param, ctx):
        from .insights.tickets import is_table_url

        if isinstance(value, Path) or is_table_url(value):
            return value
        return click.Path(exists=True, dir_okay=False, path_type=Path).convert(value, param, ctx)


def _ticket_options(command):
    """Options shared by ``deflect gaps`` and ``deflect impact``."""
    from .insights.tickets import PRESETS  # the importer's table is the only list of presets

    options = [
        click.option("--tickets", "tickets", multiple=True, type=_TicketSource(),
                     help="Ticket export: CSV, TSV or JSON Lines, optionally .gz, or a SQL table: "
                          "'sqlite:///FILE?table=NAME' or 'postgresql://user:pass@host/db?table=NAME'. "
                          "More may follow: --tickets a.csv b.jsonl.gz"),
        click.argument("more_tickets", nargs=-1, type=_TicketSource()),
        click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN",
                     help="Column for a field: id, created, subject, body, topic, tags, category, creator, lang "
                          "(repeatable), e.g. --map created=created_at --map topic=tags."),
        click.option("--preset", default="auto", show_default=True,
                     type=click.Choice(list(PRESETS)),
                     help="Column names of a known export ('auto' guesses from the header)."),
        click.option("--date-order", type=click.Choice(["dmy", "mdy", "ymd"]),
                     help="How to read numeric dates like 03/04/2025: day/month/year, month/day/year or "
                          "year/month/day (ISO dates are always year first). Default: each file's dates decide; "
                          "a file whose dates could be read either way is refused."),
        click.option("--json", "json_out", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
                     help="Write the JSON report to this file ('-' for standard output)."),
        click.option("--csv", "csv_out", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
                     help="Write one CSV row per topic/article to this file ('-' for standard output)."),
        click.option("--html", "html_out", type=click.Path(path_type=Path),
                     help="Write the HTML report with charts: a file, or a folder for index.html. "
                          "Refused inside the public site's folder unless --allow-public."),
        click.option("--allow-public", is_flag=True, help="Allow --html inside the public site's folder."),
        click.option("--internal", is_flag=True, help="Count internal (agents') articles as coverage too."),
        click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
                     help="Rows in the terminal table."),
        click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _to_stdout(*outputs: Path | None) -> bool:
    """Whether a report goes to standard output (``--json -``): then progress stays quiet."""
    return any(out is not None and str(out) == "-" for out in outputs)


def _insights(tickets: tuple[Path | str, ...], mapping: tuple[str, ...], preset: str, internal: bool,
              config_file: Path | None, quiet: bool, *, dates: bool = False,
              date_order: str | None = None) -> tuple[HelpCenter, Prepared]:
    """Open the help center and its search, import the tickets, give every ticket a topic.
    ``dates``: read each article's Git history too (its first commit dates it, for impact)."""
    if not tickets:
        raise click.UsageError("give the ticket export(s): --tickets FILE [FILE…]")

    from rich.console import Console

    from .insights.taxonomy import TopicsFileError
    from .insights.tickets import TicketImportError, parse_mapping

    console = Console(stderr=True)
    project = _project(config_file, internal=internal, history=dates)
    say = (lambda message: None) if quiet else (lambda message: console.print(f"[dim]{message}[/dim]"))
    project.progress = say
    with _one_line(TicketImportError):
        fields = parse_mapping(mapping)
    say(f"indexing {len(project.content.published_documents()):,} articles…")
    with _one_line(*_search_errors(), TicketImportError, TopicsFileError):
        prepared = project.prepare_tickets(list(tickets), mapping=fields, preset=preset, progress=say,
                                           date_order=date_order)
    imported = prepared.store.report
    for problem in imported.problems[:20]:  # path:line: message, like deflect check (one line each)
        click.echo(problem.format(), err=True)
    for note in imported.notes:
        click.echo(note, err=True)
    more = f" ({imported.malformed - 20:,} more problems in the JSON report)" if imported.malformed > 20 else ""
    click.echo(f"{imported.rows:,} rows: {imported.imported:,} imported, {imported.malformed:,} malformed, "
               f"{imported.duplicates:,} duplicates{more}", err=True)
    if not imported.imported:
        raise click.ClickException("no tickets could be imported: see the problems above")
    return project, prepared


T = TypeVar("T")


def _write_report(path: Path, write: Callable[[], T]) -> T:
    """Make ``path``'s folder and run ``write``; a file that cannot be written is one line, not a traceback."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return write()
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_outputs(report: dict, kind: str, project: HelpCenter, json_out: Path | None,
                   csv_out: Path | None, html_out: Path | None, allow_public: bool, limit: int) -> None:
    import json

    from rich.console import Console

    from .insights import report as render

    if html_out is not None:
        target = html_out / "index.html" if html_out.is_dir() or not html_out.suffix else html_out
        # The public site, and every folder a build copies into it, are out of bounds.
        for what, public in project.public_folders().items():
            if not allow_public and (target.resolve() == public or public in target.resolve().parents):
                raise click.ClickException(
                    f"{html_out} is inside {what} ({public}), which the public site is built from or is: ticket "
                    "reports belong in the internal site or a separate folder (or pass --allow-public)")
        linked = render.absolute_links(report, project.site_url)
        page = render.gaps_html(linked) if kind == "gaps" else render.impact_html(linked)
        _write_report(target, lambda: target.write_text(page, encoding="utf-8"))
        click.echo(f"wrote {target}", err=True)
    outputs = [(json_out, json.dumps(report, ensure_ascii=False, indent=2) + "\n"),
               (csv_out, render.gaps_csv(report) if kind == "gaps" else render.impact_csv(report))]
    to_stdout = False
    for out, text in outputs:
        if out is None:
            continue
        if str(out) == "-":
            click.echo(text, nl=False)
            to_stdout = True
        else:
            _write_report(out, lambda: out.write_text(text, encoding="utf-8"))
            click.echo(f"wrote {out}", err=True)
    if not to_stdout:
        table = render.gaps_table(report, limit) if kind == "gaps" else render.impact_table(report, limit)
        Console(width=max(120, Console().width)).print(table)


@main.command()
@_ticket_options
@click.option("--db", "db_url", help="The collector's database (sqlite:///FILE or postgresql://…): merge its "
                                    "zero-result searches and 'not helpful' votes.")
@click.option("--draft", "drafts", type=click.IntRange(0, 100), default=0, metavar="N",
              help="Write stub articles (internal, with the evidence in a comment) for the N most urgent gaps.")
@click.option("--assignments", "assignments_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every imported ticket's topic to this CSV: ticket_id, topic, label, source "
                   "(export, cluster or language).")
def gaps(tickets: tuple[Path, ...], more_tickets: tuple[Path, ...], mapping: tuple[str, ...], preset: str,
         date_order: str | None, json_out: Path | None,
         csv_out: Path | None, html_out: Path | None, allow_public: bool, internal: bool, limit: int,
         config_file: Path | None, db_url: str | None, drafts: int, assignments_out: Path | None) -> None:
    """What to write next: ticket topics ranked by volume × missing coverage.

    JSON: {"tickets", "topics": [{"topic", "tickets", "coverage", "best_article", …}]}, most urgent first.
    """
    from .insights.gaps import collector_evidence, gap_report, write_drafts

    project, prepared = _insights(tickets + more_tickets, mapping, preset, internal, config_file,
                                  _to_stdout(json_out, csv_out), date_order=date_order)
    evidence = None
    if db_url:
        from .collector.store import sqlite_path

        if db_url.startswith("sqlite:") and not Path(sqlite_path(db_url)).exists():
            raise click.ClickException(f"no collector database at {sqlite_path(db_url)}")
        from .collector.store import StoreError, hide_password

        try:
            evidence = collector_evidence(db_url)
        except StoreError as exc:  # already one line, password hidden
            raise click.ClickException(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - a database the user named must be readable
            raise click.ClickException(
                f"cannot read the collector database {hide_password(db_url)}: {exc}") from exc
    report = gap_report(prepared, evidence)
    _write_outputs(report, "gaps", project, json_out, csv_out, html_out, allow_public, limit)
    taxonomy = report["taxonomy"]
    if taxonomy["changes"]:  # a renamed help-desk category splits one topic in two: say so
        names = ", ".join(f"{c['topic']} ({c['change']} {c['week']})" for c in taxonomy["changes"][:6])
        click.echo(f"{len(taxonomy['changes'])} topic(s) start or stop abruptly, likely renamed: {names}", err=True)
        for suggestion in taxonomy["suggested_aliases"]:
            click.echo(f"  suggested alias for topics.yml (under 'aliases:'): {suggestion['line']}", err=True)
    if assignments_out is not None:
        from .insights.report import write_assignments

        count = _write_report(assignments_out, lambda: write_assignments(prepared, assignments_out))
        click.echo(f"wrote {assignments_out} ({count:,} tickets)", err=True)
    if drafts:
        written, skipped = write_drafts(report, project, drafts)
        for path in written:
            click.echo(f"drafted {path.relative_to(project.root).as_posix()}", err=True)
        for reason in skipped:
            click.echo(f"no draft for {reason}", err=True)


@main.command()
@_ticket_options
@click.option("--window", default=12, show_default=True, type=click.IntRange(3, 520),
              help="Weeks before and after publication to compare.")
def impact(tickets: tuple[Path, ...], more_tickets: tuple[Path, ...], mapping: tuple[str, ...], preset: str,
           date_order: str | None, json_out: Path | None,
           csv_out: Path | None, html_out: Path | None, allow_public: bool, internal: bool, limit: int,
           config_file: Path | None, window: int) -> None:
    """Which articles cut tickets: weekly volume of each article's topic before and after it was
    published, against the other topics (difference in differences, 95% confidence interval).

    JSON: {"articles": [{"url", "topic", "published", "before_per_week", "after_per_week",
    "change_pct", "ci_low", "ci_high", …}]}, most tickets avoided first.
    """
    from .insights.impact import impact_report

    project, prepared = _insights(tickets + more_tickets, mapping, preset, internal, config_file,
                                  _to_stdout(json_out, csv_out), dates=True, date_order=date_order)
    report = impact_report(prepared, window=window)
    _write_outputs(report, "impact", project, json_out, csv_out, html_out, allow_public, limit)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    main()
