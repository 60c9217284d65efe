"""Topic names that change under the reports' feet: aliases from ``topics.yml``, and topics that
start or stop abruptly.

Help desks rename their categories. An export then carries one topic under two names, one that
stops on the day the other starts: demand is split in two, and an article published near the
switch looks as if it emptied its topic. ``topics.yml``, next to ``mkdocs.yml``, merges the names
before anything is counted::

    aliases:
      installation-and-updates: install-and-update   # old name: new name
      customize: customize-settings-and-preferences

Without it the reports name every topic that starts or stops abruptly (a likely taxonomy change),
suggest aliases (one topic stops as another starts), and the impact report measures no article
whose topic or control topics change that way inside its window.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from deflect.content.yamlsafe import error_line, error_text, load_yaml

__all__ = ["TopicChange", "TopicsFileError", "abrupt_changes", "apply_aliases", "load_aliases", "suggest_aliases"]

TOPICS_FILE = "topics.yml"
MIN_EXPECTED = 12.0  # tickets the quiet span should have had at the active rate (Poisson P(≤ 1) < 0.01%)
QUIET = 0.1  # the quiet span holds at most this share of those tickets
QUIET_DAYS = 14  # a shorter quiet span may be a partial week at the export's edge, or a holiday
MIN_PER_WEEK = 2.0  # slower topics are too sparse to tell a stop from noise
RATE_WEEKS = 8  # weeks next to the switch that set the active rate
SUGGEST_WITHIN = 2  # weeks between one topic's stop and another's start to suggest an alias


class TopicsFileError(ValueError):
    """``topics.yml`` cannot be read: the message is one ``path:line: …`` line."""


@dataclass(frozen=True)
class TopicChange:
    """A topic that ``starts`` (no tickets before ``week``) or ``stops`` (none from ``week`` on)."""

    topic: str
    change: str  # "starts" | "stops"
    index: int  # week index of the first active week (starts) or the first quiet week (stops)
    week: dt.date
    per_week: float  # tickets per week on the active side

    def as_dict(self) -> dict:
        return {"topic": self.topic, "change": self.change, "week": self.week.isoformat(),
                "per_week": round(self.per_week, 1)}


def load_aliases(root: Path) -> dict[str, str]:
    """Old topic name → new name from ``root/topics.yml`` (empty without the file), chains
    resolved (``a: b`` and ``b: c`` send ``a`` to ``c``). Raises :class:`TopicsFileError`."""
    path = root / TOPICS_FILE
    if not path.is_file():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError:
        raise TopicsFileError(f"{path}:1: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise TopicsFileError(f"{path}:{error_line(exc)}: {error_text(exc)}") from None
    if not isinstance(data, dict) or set(data) - {"aliases"}:
        raise TopicsFileError(f"{path}:1: expected one key, 'aliases:', mapping old topic names to new ones")
    aliases = data.get("aliases") or {}
    if not isinstance(aliases, dict):
        raise TopicsFileError(f"{path}:{_line_of(path, 'aliases')}: 'aliases' must map old names to new "
                              "ones (old-name: new-name)")
    clean: dict[str, str] = {}
    for old, new in aliases.items():
        if not isinstance(old, (str, int)) or not isinstance(new, (str, int)) or not str(old).strip() \
                or not str(new).strip():
            raise TopicsFileError(f"{path}:{_line_of(path, str(old))}: alias {old!r}: {new!r} must be two topic "
                                  "names (old-name: new-name)")
        clean[str(old).strip()] = str(new).strip()
    resolved: dict[str, str] = {}
    for old in clean:
        seen, name = [old], clean[old]
        while name in clean:
            if name in seen:
                raise TopicsFileError(f"{path}:{_line_of(path, old)}: aliases go round in a circle: "
                                      + " → ".join([*seen, name]))
            seen.append(name)
            name = clean[name]
        if name != old:
            resolved[old] = name
    return resolved


def _line_of(path: Path, key: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip().startswith((f"{key}:", f"'{key}':", f'"{key}":')):
            return number
    return 1


def apply_aliases(store, aliases: dict[str, str]) -> dict[str, int]:
    """Rename the export's topics in ``store`` (old → new, names compared case-insensitively);
    returns the tickets renamed per old name."""
    moved: dict[str, int] = {}
    for old, new in aliases.items():
        (count,) = store.con.execute("SELECT count(*) FROM tickets WHERE lower(topic) = lower(?)", [old]).fetchone()
        if count:
            store.con.execute("UPDATE tickets SET topic = ? WHERE lower(topic) = lower(?)", [new, old])
            moved[old] = count
    return moved


def abrupt_changes(weeks: list[dt.date], series: dict[str, list[int]], days: list[int]) -> list[TopicChange]:
    """Topics whose tickets start or stop abruptly: two weeks or more at one end of the export with
    almost none of the tickets (≤ 10%) that the rate next to it predicts (≥ 12). Sorted by week."""
    found: list[TopicChange] = []
    for topic, counts in series.items():
        stop = _quiet_from(counts, days)
        if stop is not None:
            found.append(TopicChange(topic, "stops", stop[0], weeks[stop[0]], stop[1]))
        start = _quiet_from(counts[::-1], days[::-1])
        if start is not None:
            index = len(counts) - start[0]  # the first active week
            found.append(TopicChange(topic, "starts", index, weeks[index], start[1]))
    return sorted(found, key=lambda c: (c.index, c.topic, c.change))


def _quiet_from(counts: list[int], days: list[int]) -> tuple[int, float] | None:
    """(first week of a quiet tail, active tickets per week before it): of the weeks that start a
    quiet enough tail, the one whose tail is quietest (the earliest on a tie)."""
    n = len(counts)
    suffix, suffix_days = [0] * (n + 1), [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i], suffix_days[i] = suffix[i + 1] + counts[i], suffix_days[i + 1] + days[i]
    best: tuple[float, int, float] | None = None
    for cut in range(1, n):
        first = max(0, cut - RATE_WEEKS)
        active_days = sum(days[first:cut])
        if not active_days or not counts[cut - 1] or suffix_days[cut] < QUIET_DAYS:
            continue
        rate = sum(counts[first:cut]) / active_days
        expected = rate * suffix_days[cut]
        if rate * 7 >= MIN_PER_WEEK and expected >= MIN_EXPECTED and suffix[cut] <= QUIET * expected:
            quietness = suffix[cut] / expected
            if best is None or quietness < best[0]:
                best = (quietness, cut, rate * 7)
    return None if best is None else (best[1], best[2])


def suggest_aliases(changes: list[TopicChange]) -> list[dict]:
    """Pairs where one topic stops as another starts (within two weeks): likely one topic renamed.
    Each topic is suggested once, the closest pairs first."""
    stops = [c for c in changes if c.change == "stops"]
    starts = [c for c in changes if c.change == "starts"]
    pairs = sorted(((abs(a.index - b.index), abs(a.per_week - b.per_week) / max(a.per_week, b.per_week), a, b)
                    for a in stops for b in starts if a.topic != b.topic and abs(a.index - b.index) <= SUGGEST_WITHIN),
                   key=lambda p: (p[0], p[1], p[2].topic, p[3].topic))
    used: set[str] = set()
    suggestions = []
    for _, _, old, new in pairs:
        if old.topic in used or new.topic in used:
            continue
        used |= {old.topic, new.topic}
        suggestions.append({"old": old.topic, "new": new.topic, "week": new.week.isoformat(),
                            "line": _alias_line(old.topic, new.topic)})
    return suggestions


def _alias_line(old: str, new: str) -> str:
    """``old: new`` as a topics.yml line, quoted where the names need it ("Billing: EU", "#2", "yes")."""
    return yaml.safe_dump({old: new}, allow_unicode=True, default_flow_style=False, width=10**6).strip()
