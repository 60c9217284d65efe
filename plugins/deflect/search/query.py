"""Query parsing shared by ``deflect search`` and the static export (synonyms in the browser
follow the same rules: see ``search-analysis.js``, which reads the limits and weight from the manifest)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from deflect.content.yamlsafe import error_line, error_text, load_yaml
from deflect.search.analysis import analyzer_for

SYNONYMS_FILE = "search/synonyms.yml"
"""Where a help center keeps its synonym groups, relative to its root (the default of every entry point)."""
MAX_QUERY_CHARS = 256
MAX_QUERY_WORDS = 12
SYNONYM_WEIGHT = 0.8


@dataclass
class QueryWord:
    surface: str
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    prefix: bool = False
    phrases: list[tuple[tuple[str, ...], float]] = field(default_factory=list)
    """Synonym phrases the word brings in (terms, weight of each): a document must have all their terms."""
    merged: bool = False
    """Folded into the typed synonym phrase that an earlier word starts."""


class SynonymError(ValueError):
    """The synonyms file is unusable: ``str()`` names the file, ``line`` and ``reason`` say where and why."""

    def __init__(self, message: str, *, line: int = 1, reason: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.reason = reason or message


def load_synonyms(path: Path, codes: list[str] | None = None) -> dict[str, list[list[str]]]:
    """``{lang: [[word or phrase, …], …]}`` from a YAML file; missing file → no synonyms.
    ``codes``: the site's languages, the only ones the file may name."""
    if not path.is_file():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:  # includes the alias budget and depth limit of load_yaml
        line, reason = error_line(exc), f"not valid YAML: {error_text(exc)}"
        raise SynonymError(f"{path}:{line}: {reason}", line=line, reason=reason) from exc
    except UnicodeDecodeError as exc:
        raise SynonymError(f"{path}: not valid UTF-8: {exc}", reason=f"not valid UTF-8: {exc}") from exc
    if not isinstance(data, dict):
        reason = "expected a mapping of language code → list of synonym groups"
        raise SynonymError(f"{path}: {reason}", reason=reason)
    out: dict[str, list[list[str]]] = {}
    for lang, groups in data.items():
        if not isinstance(groups, list) or not all(isinstance(g, list) and len(g) >= 2 for g in groups):
            reason = f"'{lang}' must be a list of groups, each a list of two or more words, e.g. - [refund, money back]"
            raise SynonymError(f"{path}: {reason}", reason=reason)
        out[str(lang)] = [[str(w) for w in group] for group in groups]
    unknown = sorted(set(out) - set(codes)) if codes is not None else []
    if unknown:
        reason = f"languages {', '.join(unknown)} are not in the site's languages ({', '.join(codes or [])})"
        raise SynonymError(f"{path}: {reason}", reason=reason)
    return out


def synonym_terms(lang: str, groups: list[list[str]]) -> list[list[tuple[str, ...]]]:
    """Each group as term sequences (one per member)."""
    analyzer = analyzer_for(lang)
    result = []
    for group in groups:
        members = [tuple(analyzer.terms(member)) for member in group]
        members = [m for m in members if m]
        if len(members) >= 2:
            result.append(members)
    return result


def parse_query(text: str, lang: str, groups: list[list[str]] | None = None) -> list[QueryWord]:
    analyzer = analyzer_for(lang)
    text = (text or "")[:MAX_QUERY_CHARS]
    tokens = list(analyzer.tokens(text))[:MAX_QUERY_WORDS]
    if not tokens:
        return []
    ends_with_space = text[-1:].isspace()
    words = [QueryWord(t.surface, [(t.term, 1.0)]) for t in tokens]
    words[-1].prefix = not ends_with_space
    if groups:
        apply_synonyms(words, [{t.term} for t in tokens], synonym_terms(lang, groups))
    return [w for w in words if not w.merged]


def apply_synonyms(words: list[QueryWord], terms: list[set[str]], groups: list[list[tuple[str, ...]]]) -> None:
    """Give the query ``words`` (whose terms are ``terms``: each word's set; for ``deflect search`` the
    terms it resolved to and the word as typed, as the browser's ``applySynonyms`` matches) their synonyms
    (``groups`` as ``synonym_terms`` gives them): where a member of a group is typed (each of its terms among its word's),
    its first word gets the group's other members: a one-word member as an alternative (at the
    synonym weight), a phrase as one of its ``phrases`` (a document must have all its words: "povrat
    novca", refund, is neither "povrat", return, nor "novca", money; each at the synonym weight over their
    number). A typed phrase becomes one word: its first word, or better the whole phrase (each word at
    its own weight); its other words alone count for nothing."""
    matches = [(start, member, group) for group in groups for member in group
               for start in range(len(terms) - len(member) + 1)
               if all(term in terms[start + k] for k, term in enumerate(member))]
    taken: set[int] = set()
    for start, member, _ in sorted(matches, key=lambda m: (m[0], -len(m[1]))):
        span = range(start, start + len(member))
        if len(member) < 2 or taken.intersection(span):
            continue
        taken.update(span)
        words[start].phrases = [(member, 1.0)]
        for i in span[1:]:
            words[i].merged = True  # folded into the phrase's first word
    for start, member, group in matches:
        target = words[start]
        if target.merged:
            continue  # a word inside another typed phrase
        for other in group:
            if other == member:
                continue
            if len(other) > 1:
                if other not in dict(target.phrases):
                    target.phrases.append((other, SYNONYM_WEIGHT / len(other)))
            elif other[0] not in dict(target.alternatives):
                target.alternatives.append((other[0], SYNONYM_WEIGHT))
