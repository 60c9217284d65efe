"""The language registry: every language's interface strings and search-analysis choices.

The single source is ``locales/<code>.yml``: the files shipped in this folder, and a site's own in
``locales/`` next to its ``mkdocs.yml``, which add a language or override a shipped one key by key.
Loading a help center (:func:`use_site`) makes its registry the one these functions answer from.

A language without a file still works: its analysis takes simplemma's dictionary and Snowball's
stemmer for its code when they have one, and its interface text is English, key by key; loading
says so once, as a warning.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from deflect.locales.registry import Affixes, LanguageFile, read_language, simplemma_languages, snowball_algorithms

__all__ = ["Affixes", "Analysis", "analysis", "analysis_rules", "browser_aliases", "language_names", "own_strings", "string", "strings",
           "stopwords_code", "use_site"]

SHIPPED = Path(__file__).parent
REFERENCE = "en"
"""The language every interface string exists in; the others fall back to it key by key."""
SITE_FOLDER = "locales"


@dataclass(frozen=True)
class Analysis:
    """How text in one language is analysed for search (see ``deflect.search.analysis``)."""

    snowball: str | None
    simplemma: str | None
    compounds: bool
    stop_words: frozenset[str]
    affixes: Affixes | None
    stopwords_iso: str | None


class Registry:
    """Languages by code and alias."""

    def __init__(self, files: dict[str, LanguageFile]) -> None:
        self.files = files
        self._by_code: dict[str, LanguageFile] = {}
        for entry in files.values():
            for alias in entry.aliases or ():
                self._by_code.setdefault(alias.lower(), entry)
        for entry in files.values():
            self._by_code[entry.code.lower()] = entry  # a language's own file wins over another's alias

    def entry(self, code: str) -> LanguageFile | None:
        """The file of ``code``: its own, an alias, else its primary subtag's (``pt-BR`` → ``pt``)."""
        code = code.lower()
        return self._by_code.get(code) or self._by_code.get(code.split("-")[0])

    def digest(self) -> str:
        """A hash of every analysis choice: a search cache made under other choices is stale."""
        digest = hashlib.sha256()
        for code in sorted(self.files):
            entry = self.files[code]
            # sets (stop words) as sorted lists: repr() of a set follows the process's string hashing
            digest.update(json.dumps([code, entry.aliases, entry.analysis], sort_keys=True, ensure_ascii=False,
                                     default=lambda v: sorted(v) if isinstance(v, (set, frozenset)) else repr(v)
                                     ).encode())
        return digest.hexdigest()[:16]


def _read_folder(folder: Path, prefix: str, reference: dict[str, str] | None
                 ) -> tuple[dict[str, LanguageFile], list[tuple[str, int, str, bool]]]:
    files: dict[str, LanguageFile] = {}
    issues: list[tuple[str, int, str, bool]] = []
    paths = sorted(folder.glob("*.yml")) if folder.is_dir() else []
    for path in sorted(paths, key=lambda p: p.stem != REFERENCE):  # English first: the others are checked against it
        rel = f"{prefix}{path.name}"
        entry, found = read_language(path, rel, reference)
        issues += [(rel, line, message, is_error) for line, message, is_error in found]
        if entry is not None:
            files[entry.code] = entry
            if reference is None and entry.code == REFERENCE:
                reference = entry.strings
    return files, issues


@lru_cache(maxsize=1)
def shipped() -> Registry:
    """The languages that come with Deflect (a mistake in one is a bug in Deflect: it raises)."""
    files, issues = _read_folder(SHIPPED, "deflect/locales/", None)
    if issues:
        raise RuntimeError("; ".join(f"{rel}:{line}: {message}" for rel, line, message, _ in issues))
    return Registry(files)


_active: Registry | None = None


def active() -> Registry:
    return _active or shipped()


def use_site(root: Path, codes: Sequence[str]) -> list[Any]:
    """Make the registry of the help center at ``root`` (shipped files, then its ``locales/``) the
    active one; return its problems (``deflect.content.problems.Problem``): mistakes in its files,
    and one warning per language of ``codes`` that lacks interface strings."""
    from deflect.content.problems import error, warning

    global _active
    base = shipped()
    own, issues = _read_folder(root / SITE_FOLDER, f"{SITE_FOLDER}/", base.files[REFERENCE].strings)
    files = dict(base.files)
    for code, entry in own.items():
        files[code] = entry.over(files[code]) if code in files else entry
    registry = Registry(files)
    if _active is None or registry.digest() != _active.digest():
        _forget_analysis()
    _active = registry
    problems = [error(rel, line, message) if is_error else warning(rel, line, message)
                for rel, line, message, is_error in issues]
    problems += [warning(*missing) for code in codes if (missing := _missing_strings(registry, code))]
    return problems


def _missing_strings(registry: Registry, code: str) -> tuple[str, int, str] | None:
    """(file, line, message) when ``code`` lacks interface strings, else None."""
    reference = registry.files[REFERENCE].strings
    entry = registry.entry(code)
    have = entry.strings if entry is not None else {}
    missing = [key for key in reference if key not in have]
    if not missing:
        return None
    where = entry.path if entry is not None and entry.path.startswith(SITE_FOLDER) else f"{SITE_FOLDER}/{code}.yml"
    if len(missing) == len(reference):
        return (where, 1, f"no interface strings for language '{code}': its pages show Deflect's English texts; "
                f"translate them under 'strings:' in this file (see CONTENT_GUIDE.md, Languages)")
    shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
    return (where, 1, f"{len(missing)} interface strings missing for language '{code}' ({shown}): "
            f"its pages show them in English; add them under 'strings:' in this file")


_derived: list[Callable[[], None]] = []  # forget what was derived from the registry's choices (forget_with)


def forget_with(forget: Callable[[], None]) -> None:
    """Call ``forget`` whenever another registry becomes the active one: a module that keeps what it
    derived from the registry's analysis choices (``deflect.search.analysis``'s analyzers) registers
    how to drop it."""
    _derived.append(forget)


def _forget_analysis() -> None:
    """What was derived under the previous registry's choices is dropped."""
    analysis.cache_clear()
    for forget in _derived:
        forget()


def own_strings(code: str) -> dict[str, str]:
    """The interface strings the registry has for ``code`` itself (no English fallback)."""
    entry = active().entry(code)
    return entry.strings if entry is not None else {}


def string(code: str, key: str) -> str:
    """Interface string ``key`` in ``code``, else in English (KeyError when English has none)."""
    return own_strings(code).get(key) or active().files[REFERENCE].strings[key]


def strings(code: str) -> dict[str, str]:
    """Every interface string in ``code``, English filling the gaps."""
    return {**active().files[REFERENCE].strings, **own_strings(code)}


@lru_cache(maxsize=64)
def analysis(code: str) -> Analysis:
    """The analysis choices for text in ``code``: the registry's, else simplemma's dictionary and
    Snowball's stemmer for the code (or its primary subtag, or the code whose alias it is)."""
    entry = active().entry(code)
    given = entry.analysis if entry is not None else {}
    candidates = [code, code.split("-")[0]] + ([entry.code] if entry is not None else [])
    snowball = given["snowball"] if "snowball" in given else next(
        (name for c in candidates for name in _english_names(c) if name in snowball_algorithms()), None)
    simplemma = given["simplemma"] if "simplemma" in given else next(
        (c.lower() for c in candidates if c.lower() in simplemma_languages()), None)
    return Analysis(snowball, simplemma, bool(given.get("compounds", False)), given.get("stop_words", frozenset()),
                    given.get("affixes"), given.get("stopwords_iso"))


def _english_names(code: str) -> list[str]:
    """``code``'s English name as Snowball names its stemmers ("Norwegian Bokmål" → norwegian)."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).english_name or ""
    except (UnknownLocaleError, ValueError):
        return []
    name = name.split(" (")[0].lower()
    return [name.replace(" ", "_"), name.split(" ")[0]]


def language_names(codes: Sequence[str] = ()) -> dict[str, str]:
    """How exports and people name languages, lower-cased, to their codes: the English and the own name
    (Babel's) of each language in ``codes`` and in the registry ("croatian", "hrvatski" → hr), then the
    English name of every language Babel knows ("spanish" → es). The first code to claim a name keeps it."""
    from babel import Locale, UnknownLocaleError

    english = Locale("en").languages
    names: dict[str, str] = {}
    for code in [*codes, *active().files]:
        code = code.lower()
        names.setdefault(english.get(code.replace("-", "_"), "").lower(), code)
        try:
            names.setdefault((Locale.parse(code.replace("-", "_")).language_name or "").lower(), code)
        except (UnknownLocaleError, ValueError):
            pass
    for code, name in english.items():
        names.setdefault(name.lower(), code.lower().replace("_", "-"))
    names.pop("", None)
    return names


def stopwords_code(code: str) -> str | None:
    """The stopwords-iso list for ``code``: the registry's choice, the code itself, its primary
    subtag or the code whose alias it is; None when stopwords-iso has none."""
    import stopwordsiso

    chosen = analysis(code).stopwords_iso
    if chosen:
        return chosen
    entry = active().entry(code)
    candidates = [code, code.split("-")[0]] + ([entry.code] if entry is not None else [])
    return next((c for c in candidates if stopwordsiso.has_lang(c)), None)


def analysis_rules(code: str) -> dict[str, Any]:
    """What the browser's query analysis needs for ``code``, as JSON: the stop words (folded as the
    index folds them) and the affix stripper, if the language has one. The dictionary and the
    Snowball stemmer cannot run there: the static index maps surface forms to terms instead."""
    from deflect.search.analysis import fold

    chosen = analysis(code)
    return {"stop": sorted({fold(word) for word in chosen.stop_words}),
            "affixes": chosen.affixes.as_json() if chosen.affixes is not None else None,
            "snowball": chosen.snowball, "simplemma": chosen.simplemma, "compounds": chosen.compounds}


def browser_aliases(codes: Sequence[str]) -> dict[str, str]:
    """Language tags a browser may send for one of ``codes`` under another name (``fil`` for a site's
    ``tl``, ``nb`` for its ``no``), lowercased, to the site's code."""
    registry = active()
    found: dict[str, str] = {}
    lowered = {code.lower() for code in codes}
    for code in codes:
        entry = registry.entry(code)
        if entry is None:
            continue
        for tag in (entry.code, *(entry.aliases or ())):
            if tag.lower() not in lowered:
                found.setdefault(tag.lower(), code)
    return found
