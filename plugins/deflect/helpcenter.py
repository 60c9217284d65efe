"""Open a help center project: the one way the CLI, the MkDocs plugins and the tests get from a ``mkdocs.yml``
to its settings, its content (loaded on first use, once) and its search service (built on first use, once).

Never imports MkDocs: :meth:`HelpCenter.open` reads ``mkdocs.yml`` itself; the plugins, which MkDocs hands
the parsed config, use :meth:`HelpCenter.from_options`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .content.check import CheckReport, check_help_center, check_report
from .content.loader import load_help_center
from .content.model import Content
from .content.problems import Problem, error
from .content.settings import (ContentSettings, SettingsError, find_config_file, load_settings, plugin_options,
                               read_config, settings_from_options)
from .cachefiles import CACHE_DIR, cache_folder
from .search.options import PLUGIN_NAMES as SEARCH_PLUGIN_NAMES
from .search.options import SearchOptions

if TYPE_CHECKING:
    from .insights.prepare import Prepared
    from .search.engine import Hit
    from .search.service import SearchService


class NoProject(SettingsError):
    """There is no ``mkdocs.yml`` where a project was looked for."""


def find_project(path: Path | None = None) -> Path:
    """The ``mkdocs.yml`` of the project at ``path``: ``path`` itself if it is a file, else the nearest
    ``mkdocs.yml`` (or ``mkdocs.yaml``) in that folder or a parent (default: the current folder)."""
    start = Path.cwd() if path is None else path
    if start.is_file():
        return start
    if not start.exists():
        raise NoProject(f"{start}: no such file or folder")
    found = find_config_file(start)
    if found is None:
        raise NoProject(f"no mkdocs.yml found in {start.resolve()} or a parent folder: run this inside a help-center project")
    return found


class HelpCenter:
    """One help center: its settings and search options from the start, its content and search service when
    first asked for (so ``deflect check`` never builds a search index, and nothing is loaded twice)."""

    def __init__(self, settings: ContentSettings, *, search: SearchOptions | None = None,
                 config_file: Path | None = None, config: Mapping[str, Any] | None = None,
                 history: bool = True, cache_dir: Path | None = None) -> None:
        """``search``: the ``deflect/search`` options (``None``: the project does not list that plugin, and
        searching uses the defaults); ``config_file``: its ``mkdocs.yml`` (default: the one in the root);
        ``config``: that file's mapping; ``history``: read each file's Git history with the content
        (publication dates, stale translations); ``cache_dir``: another search cache than the project's."""
        self.settings = settings
        self.search_options = search
        self.config_file = config_file or settings.root / "mkdocs.yml"
        self.config: Mapping[str, Any] = config or {}
        self.history = history
        self._cache_dir = cache_dir
        self._content: Content | None = None
        self._load_problems: list[Problem] = []
        self._problems: list[Problem] | None = None
        self._service: SearchService | None = None
        self.progress: Callable[[str], None] | None = None
        """Hears how far long work is (a load of 1,000 files or more: ``processes.Progress``)."""

    @classmethod
    def open(cls, path: Path | None = None, *, internal: bool = False, history: bool = True,
             cache_dir: Path | None = None) -> HelpCenter:
        """The project of ``path`` (its ``mkdocs.yml``, or a folder: see :func:`find_project`); ``internal``:
        the agents' help center, internal articles included. A missing or unusable ``mkdocs.yml`` is a
        one-line :class:`SettingsError`."""
        config_file = find_project(path)
        config = read_config(config_file)
        settings = load_settings(config_file, config)
        if internal:
            settings = dataclasses.replace(settings, audience="internal")
        listed = plugin_options(config, SEARCH_PLUGIN_NAMES)
        try:
            search = None if listed is None else SearchOptions.from_mapping(listed)
        except SettingsError as exc:
            raise SettingsError(f"{config_file}: {exc}") from exc
        return cls(settings, search=search, config_file=config_file, config=config, history=history,
                   cache_dir=cache_dir)

    @classmethod
    def from_options(cls, config_file: str | None, docs_dir: str, options: Mapping[str, Any],
                     progress: Callable[[str], None] | None = None) -> HelpCenter:
        """The project of an already parsed ``mkdocs.yml`` (the MkDocs plugins): ``options`` are the
        ``deflect/content`` options, ``docs_dir`` the absolute docs folder; ``progress``: see :attr:`progress`."""
        root = Path(config_file).resolve().parent if config_file else Path.cwd()
        project = cls(settings_from_options(root, options, os.path.relpath(docs_dir, root)),
                      config_file=Path(config_file) if config_file else None)
        project.progress = progress
        return project

    @property
    def root(self) -> Path:
        return self.settings.root

    @property
    def content(self) -> Content:
        """Every article, FAQ entry and category, read on first use."""
        if self._content is None:
            self._content, self._load_problems = load_help_center(
                self.settings, with_history=self.history, cache_dir=self.root / CACHE_DIR, progress=self.progress)
        return self._content

    @property
    def problems(self) -> list[Problem]:
        """The content's problems: each file's, then those across documents (links, translations)."""
        if self._problems is None:
            content = self.content
            self._problems = self._load_problems + check_help_center(content)
        return self._problems

    def check(self) -> CheckReport:
        """What ``deflect check`` reports: the content's problems and the search files' (no index is built)."""
        return check_report(self.content, self.problems + self.search_file_problems())

    @property
    def synonyms_file(self) -> Path:
        return self.root / (self.search_options or SearchOptions()).synonyms

    @property
    def glossary_file(self) -> Path:
        return self.root / (self.search_options or SearchOptions()).glossary

    @property
    def cache_dir(self) -> Path:
        """Where the search keeps its analyses and index for this audience."""
        return self._cache_dir or cache_folder(self.root, self.settings.audience)

    def prefetch_dictionaries(self) -> list[str]:
        """Start reading the lemma dictionaries a cold build's search will need, in a forked process
        (``search.analysis.prefetch_dictionaries``; ``DEFLECT_PREFETCH=0``: not). The codes."""
        from .search.analysis import prefetch_dictionaries

        return prefetch_dictionaries(self.cache_dir, self.settings.codes)

    def prepare_machine(self) -> Iterator[tuple[str, str | None, list[str]]]:
        """Fill Deflect's cache on this machine for this help center's languages (their lemma dictionaries'
        pass and lemma terms, see ``search.analysis.prepare_machine``), so that the first build on the
        machine (a CI image, a container) runs as fast as later ones. Raises :class:`SettingsError` when the
        machine's cache is off or a language file of ``locales/`` has an error (analysis depends on them)."""
        from .cachefiles import MACHINE_CACHE_ENV, machine_folder
        from .locales import use_site
        from .search.analysis import prepare_machine
        from .search.cache import analysis_version

        if machine_folder("lemmas") is None:
            raise SettingsError(f"Deflect's cache on this machine is off (${MACHINE_CACHE_ENV}): there is nothing "
                                "to prepare; unset it or name a folder")
        errors = [problem for problem in use_site(self.root, self.settings.codes) if problem.is_error]
        if errors:
            raise SettingsError("; ".join(problem.format() for problem in errors))
        return prepare_machine(self.settings.codes, analysis_version())

    def search_file_problems(self) -> list[Problem]:
        """The synonyms and glossary files as ``path:line`` problems (only when the project lists deflect/search)."""
        if self.search_options is None:
            return []
        from .search.crosslingual import GlossaryError, load_glossary
        from .search.query import SynonymError, load_synonyms

        settings, problems = self.settings, []
        for file, load in ((self.synonyms_file, lambda p: load_synonyms(p, settings.codes)),
                           (self.glossary_file, lambda p: load_glossary(p, settings.codes, settings.default_language))):
            try:
                load(file)
            except (SynonymError, GlossaryError) as exc:
                rel = file.relative_to(self.root).as_posix() if file.is_relative_to(self.root) else str(file)
                problems.append(error(rel, exc.line, exc.reason))
        return problems

    @property
    def search_service(self) -> SearchService:
        """The search of the published content, built on first use (from the cache where it can be).
        Raises ``SynonymError``/``GlossaryError`` for a bad search file, ``CacheBusy`` for a cache held too long."""
        if self._service is None:
            from .search.service import SearchService

            self._service = SearchService.build(
                self.content, synonyms_file=self.synonyms_file, glossary_file=self.glossary_file,
                cache_dir=self.cache_dir, directory_urls=bool(self.config.get("use_directory_urls", True)),
                progress=self.progress)
        return self._service

    def check_language(self, lang: str | None) -> None:
        """Raise ``SettingsError`` unless ``lang`` is None (every language) or one of this help center's."""
        if lang is not None and lang not in self.settings.codes:
            raise SettingsError(f"unknown language {lang!r}: this help center has {', '.join(self.settings.codes)}")

    def search(self, query: str, lang: str | None = None, limit: int = 10) -> list[Hit]:
        """Search as the site does: one language (``lang``) or all of them."""
        self.check_language(lang)
        return self.search_service.search(query, lang, limit)

    def prepare_tickets(self, sources: list[Path | str], **options: Any) -> Prepared:
        """Ticket exports imported and each ticket given a topic against this help center: what ``deflect gaps``
        and ``deflect impact`` report on (``options``: those of :func:`deflect.insights.prepare.prepare`)."""
        from .insights.prepare import prepare

        return prepare(sources, self.content, self.search_service, **options)

    def public_folders(self) -> dict[str, Path]:
        """The public site's folder and every folder a build publishes from, by what they are."""
        folders = {"the public site": str(self.config.get("site_dir") or "site"), "docs_dir": self.settings.docs_dir,
                   "the articles folder": self.settings.articles_dir, "the FAQ folder": self.settings.faq_dir}
        return {what: (self.root / folder).resolve() for what, folder in folders.items()}

    @property
    def site_url(self) -> str | None:
        return self.config.get("site_url") or None
