"""Read and validate language files (``locales/<code>.yml``) into a registry of languages.

A language file holds up to three keys, each optional::

    aliases: [fil]            # other codes of the same language (browser tags, a site's own code)
    analysis:                 # search analysis choices; a key left out takes the default
      snowball: german        # a Snowball stemmer (PyStemmer's name), or null for none
      simplemma: de           # a simplemma dictionary code, or null for none
      compounds: true         # lemmatize an unknown long word by its longest known last part
      stop_words: [der, die]  # words a query and the index leave out
      stopwords_iso: de       # the stopwords-iso list ticket topics leave out
      affixes: {...}          # a rule-based affix stripper (prefixes, infixes, reduplication, suffixes)
    strings:                  # Deflect's interface text, by key (English fills the gaps)
      search_none: ...

Problems are ``(line, message, is_error)``; :func:`read_language` never raises on bad input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from deflect.content.yamlsafe import compose_yaml, error_line, error_text, load_yaml

TOP_KEYS = ("aliases", "analysis", "strings")
ANALYSIS_KEYS = ("snowball", "simplemma", "compounds", "stop_words", "stopwords_iso", "affixes")
AFFIX_KEYS = ("prefixes", "infixes", "reduplication", "suffixes", "min_stem", "vowels")
CODE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
PLACEHOLDER_RE = re.compile(r"\{(\w*)\}")
OPTIONAL_STRING_RE = re.compile(r"^language_name_[A-Za-z-]+$")
"""Strings no language must have: ``language_name_<code>`` overrides CLDR's name of a language."""

Issue = tuple[int, str, bool]  # (1-based line, message, is an error)


@dataclass(frozen=True)
class Affixes:
    """A rule-based stemmer for a language Snowball lacks (Tagalog): strip one prefix, an infix
    after the first consonant, a reduplicated first syllable, then one suffix."""

    prefixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()
    reduplication: bool = False
    suffixes: tuple[str, ...] = ()
    min_stem: int = 4
    vowels: str = "aeiou"

    def as_json(self) -> dict[str, Any]:
        return {"prefixes": list(self.prefixes), "infixes": list(self.infixes), "reduplication": self.reduplication,
                "suffixes": list(self.suffixes), "min_stem": self.min_stem, "vowels": self.vowels}


@dataclass(frozen=True)
class LanguageFile:
    """One language as a file states it: only the keys the file sets."""

    code: str
    path: str
    aliases: tuple[str, ...] | None = None
    analysis: dict[str, Any] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)

    def over(self, base: LanguageFile) -> LanguageFile:
        """This file's keys over ``base`` (a site's file over the shipped one), key by key."""
        return LanguageFile(self.code, self.path, self.aliases if self.aliases is not None else base.aliases,
                            {**base.analysis, **self.analysis}, {**base.strings, **self.strings})


@lru_cache(maxsize=1)
def snowball_algorithms() -> frozenset[str]:
    import Stemmer

    return frozenset(Stemmer.algorithms())


@lru_cache(maxsize=1)
def simplemma_languages() -> frozenset[str]:
    from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES

    return frozenset(SUPPORTED_LANGUAGES)


def read_language(path: Path, rel: str, reference: dict[str, str] | None) -> tuple[LanguageFile | None, list[Issue]]:
    """The language file at ``path`` (``rel``: its name in messages). ``reference`` is the English
    strings the file's strings are checked against (None while reading English itself)."""
    code = path.stem
    if not CODE_RE.match(code):
        return None, [(1, f"'{code}' is not a language code such as 'de' or 'pt-BR': name the file after one", True)]
    try:
        text = path.read_text(encoding="utf-8")
        node = compose_yaml(text)
        data = load_yaml(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [(1, f"cannot read: {exc}", True)]
    except yaml.YAMLError as exc:
        return None, [(error_line(exc), f"invalid YAML: {error_text(exc)}", True)]
    if data is None:
        return LanguageFile(code, rel), []
    if not isinstance(data, dict):
        return None, [(1, "expected a mapping with the keys aliases, analysis and strings", True)]
    lines = _key_lines(node)
    issues: list[Issue] = []
    for key in data:
        if key not in TOP_KEYS:
            issues.append((lines.get((key,), 1), f"unknown key '{key}': a language file has "
                           f"{', '.join(TOP_KEYS)}", True))
    aliases = _aliases(data.get("aliases"), lines, issues) if "aliases" in data else None
    analysis = _analysis(data.get("analysis"), lines, issues)
    strings = _strings(data.get("strings"), reference, lines, issues)
    if any(is_error for _, _, is_error in issues):
        return None, issues
    return LanguageFile(code, rel, aliases, analysis, strings), issues


def _key_lines(node: yaml.Node | None) -> dict[tuple[str, ...], int]:
    """1-based line of every mapping key, by its path of keys (two levels deep)."""
    lines: dict[tuple[str, ...], int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key, value in node.value:
        lines[(key.value,)] = key.start_mark.line + 1
        if isinstance(value, yaml.MappingNode):
            for sub, _ in value.value:
                lines[(key.value, sub.value)] = sub.start_mark.line + 1
    return lines


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


_NOT_TEXT = "quote words YAML reads as true, false or a number, such as 'on', 'no' or 'yes'"


def _aliases(value: Any, lines: dict, issues: list[Issue]) -> tuple[str, ...]:
    if not _is_texts(value) or not all(CODE_RE.match(code) for code in value):
        issues.append((lines.get(("aliases",), 1), "aliases must be a list of language codes, e.g. [fil]", True))
        return ()
    return tuple(value)


def _analysis(value: Any, lines: dict, issues: list[Issue]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        issues.append((lines.get(("analysis",), 1), f"analysis must be a mapping with the keys "
                       f"{', '.join(ANALYSIS_KEYS)}", True))
        return {}
    found: dict[str, Any] = {}
    for key, item in value.items():
        line = lines.get(("analysis", key), 1)
        problem = _analysis_problem(key, item)
        if problem:
            issues.append((line, f"analysis: {problem}", True))
        elif key == "affixes":
            given: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in item.items()}
            found[key] = Affixes(**given)
        elif key == "stop_words":
            found[key] = frozenset(item)
        else:
            found[key] = item
    return found


def _analysis_problem(key: str, value: Any) -> str | None:
    """What is wrong with analysis choice ``key: value``, or None."""
    if key not in ANALYSIS_KEYS:
        return f"unknown key '{key}': the keys are {', '.join(ANALYSIS_KEYS)}"
    if key == "snowball" and value is not None and value not in snowball_algorithms():
        return f"snowball {value!r} is not a Snowball stemmer: use null or one of {', '.join(sorted(snowball_algorithms()))}"
    if key == "simplemma" and value is not None and value not in simplemma_languages():
        return (f"simplemma {value!r} is not a simplemma dictionary: use null or one of "
                f"{', '.join(sorted(simplemma_languages()))}")
    if key == "compounds" and not isinstance(value, bool):
        return "compounds must be true or false"
    if key == "stop_words" and not _is_texts(value):
        return f"stop_words must be a list of words: {_NOT_TEXT}"
    if key == "stopwords_iso" and value is not None and not isinstance(value, str):
        return "stopwords_iso must be a language code of stopwords-iso, or null"
    if key == "affixes":
        if not isinstance(value, dict) or set(value) - set(AFFIX_KEYS):
            return f"affixes must be a mapping with the keys {', '.join(AFFIX_KEYS)}"
        if not all(_is_texts(value.get(k, [])) for k in ("prefixes", "infixes", "suffixes")):
            return f"affixes: prefixes, infixes and suffixes must be lists of texts: {_NOT_TEXT}"
        if not isinstance(value.get("reduplication", False), bool) or not isinstance(value.get("vowels", ""), str):
            return "affixes: reduplication must be true or false, vowels a text such as aeiou"
        min_stem = value.get("min_stem", 4)
        if not isinstance(min_stem, int) or isinstance(min_stem, bool) or min_stem < 1:
            return "affixes: min_stem must be a whole number of letters, 1 or more"
    return None


def _strings(value: Any, reference: dict[str, str] | None, lines: dict, issues: list[Issue]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        issues.append((lines.get(("strings",), 1), "strings must be a mapping of interface text keys to texts", True))
        return {}
    found: dict[str, str] = {}
    for key, text in value.items():
        line = lines.get(("strings", key), 1)
        key = str(key)
        if not isinstance(text, str):
            issues.append((line, f"strings: '{key}' must be a text, not {text!r}: put it in quotes", True))
            continue
        if reference is not None and key not in reference and not OPTIONAL_STRING_RE.match(key):
            issues.append((line, f"strings: unknown key '{key}' (a typo?): Deflect shows no text by that name", False))
            continue
        allowed = set(PLACEHOLDER_RE.findall(reference.get(key, ""))) if reference is not None else None
        used = set(PLACEHOLDER_RE.findall(text))
        if allowed is not None and used - allowed:
            wrong = ", ".join("{" + name + "}" for name in sorted(used - allowed))
            offered = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
            issues.append((line, f"strings: '{key}' uses {wrong}, which Deflect does not fill in (it fills in: "
                           f"{offered}); write {{{{ and }}}} for literal braces", True))
            continue
        found[key] = text
    return found
