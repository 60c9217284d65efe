"""Ticket exports in, weekly volumes and samples out: the only module that imports DuckDB.

Import runs in two passes. A streaming Python pass reads each file (CSV or JSON Lines, gzip or
not), applies the column mapping, counts and reports malformed rows with their line numbers and
writes the mapped columns plus the source line to a temporary CSV. DuckDB then loads that file,
strips HTML, parses timestamps (with UTC offsets) and answers every aggregate the reports need,
so a million tickets stay in DuckDB's columnar memory rather than in Python objects.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import os
import re
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    import _csv

__all__ = ["FIELDS", "PRESETS", "GENERIC_TOPICS", "TicketImportError", "Problem", "TicketStore", "parse_mapping"]

FIELDS = ("id", "created", "subject", "body", "topic", "tags", "category", "creator", "lang")
"""Canonical ticket fields; ``created`` and one of ``subject``/``body`` are required."""

# Column names tried, in order, for each field; presets name the exports we know.
_AUTO: dict[str, tuple[str, ...]] = {
    "id": ("id", "ticket_id", "ticket id", "number", "key"),
    "created": ("created", "created_at", "created at", "createdat", "created time", "date", "timestamp", "opened"),
    "subject": ("subject", "title", "summary"),
    "body": ("body", "description", "content", "text", "message", "question"),
    "topic": ("topic",),
    "tags": ("tags", "labels"),
    "category": ("category", "type", "ticket type", "group"),
    "creator": ("creator", "requester", "requester name", "customer", "user", "username", "author", "email",
                "requester email", "contact"),
    "lang": ("lang", "locale", "language"),
}
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    "auto": _AUTO,
    # Mozilla support (SUMO) question export, e.g. the Thunderbird questions CSV
    "sumo": {"id": ("id",), "created": ("created",), "subject": ("title",), "body": ("content",),
             "topic": ("topic",), "tags": ("tags",), "creator": ("creator",), "lang": ("locale",)},
    # Zendesk: the CSV/XML view export and the JSON ticket API / incremental export.
    "zendesk": {"id": ("Id", "ID", "id"), "created": ("Created at", "created_at"), "subject": ("Subject", "subject"),
                "body": ("Description", "description"), "tags": ("Tags", "tags"),
                "category": ("Group", "Type", "type", "group_id"),
                "creator": ("Requester", "Requester email", "requester_id", "submitter_id"),
                "lang": ("Locale", "locale")},
    # Freshdesk ticket export (CSV) and API.
    "freshdesk": {"id": ("Ticket ID", "id"), "created": ("Created time", "created_at"),
                  "subject": ("Subject", "subject"), "body": ("Description", "description_text", "description"),
                  "category": ("Category", "Type", "type"), "tags": ("Tags", "tags"),
                  "creator": ("Full name", "Contact ID", "Requester", "requester_id", "email"),
                  "lang": ("Language", "language")},
    # Help Scout conversation export.
    "helpscout": {"id": ("Conversation ID", "Number", "number", "id"), "created": ("Created At", "Date", "createdAt"),
                  "subject": ("Subject", "subject"), "body": ("Preview", "Message", "preview"),
                  "tags": ("Tags", "tags"), "category": ("Mailbox", "mailbox"),
                  "creator": ("Customer", "Customer Email", "customer")},
}
GENERIC_TOPICS = frozenset({"", "other", "others", "general", "misc", "miscellaneous", "none", "n/a", "na",
                            "unknown", "uncategorized", "uncategorised", "unassigned", "-", "null"})
"""Topic values that say nothing: those tickets are clustered from their text instead."""

MAX_PROBLEMS = 200
MAX_FIELD = 20_000  # characters kept of a field (bodies can be megabytes of quoted mail)
PROGRESS_EVERY = 100_000
JSON_HEAD = 1000  # JSON Lines records whose keys together decide the column mapping


class TicketImportError(Exception):
    """A ticket file cannot be imported at all (missing file or column, unknown format)."""


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    rows: int = 0
    imported: int = 0
    malformed: int = 0
    duplicates: int = 0  # rows skipped because an earlier row has the same ticket id
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # imported, but worth knowing (e.g. encoding)
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_problem(self, path: str, line: int, message: str) -> None:
        self.malformed += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(path, line, message))

    def as_dict(self) -> dict:
        return {"files": self.files, "rows": self.rows, "imported": self.imported, "malformed": self.malformed,
                "duplicates": self.duplicates, "notes": self.notes,
                "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in self.problems],
                "problems_listed": len(self.problems), "mapping": self.mapping}


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """``["created=created_at", "topic=tags"]`` → ``{"created": "created_at", "topic": "tags"}``."""
    mapping: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        name, column = name.strip().lower(), column.strip()
        if not sep or not column:
            raise TicketImportError(f"--map {item!r}: expected FIELD=COLUMN, e.g. created=created_at")
        if name not in FIELDS:
            raise TicketImportError(f"--map {item!r}: unknown field {name!r}; fields are {', '.join(FIELDS)}")
        mapping[name] = column
    return mapping


# ----- pass 1: read, map, validate --------------------------------------------------------------
class _Counting(io.RawIOBase):
    """Counts the compressed bytes read, for progress on gzip files."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n


def _open_text(path: Path) -> tuple[io.TextIOBase, _Counting]:
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller through the text wrapper
    counting = _Counting(raw)
    buffered = io.BufferedReader(counting, 1 << 20)
    head = buffered.peek(2)[:2]
    stream = gzip.GzipFile(fileobj=buffered) if head == b"\x1f\x8b" else buffered
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=""), counting


def _kind(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz").removesuffix(".gzip")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    raise TicketImportError(f"{path}: unknown ticket file type; use .csv, .tsv, .jsonl or .ndjson (optionally .gz)")


def _resolve(columns: list[str], preset: str, mapping: dict[str, str], path: Path) -> dict[str, str]:
    """field → source column for one file."""
    if preset not in PRESETS:
        raise TicketImportError(f"unknown preset {preset!r}; presets are {', '.join(PRESETS)}")
    lower = {c.strip().lower(): c for c in columns}
    resolved: dict[str, str] = {}
    for name in FIELDS:
        if name in mapping:
            column = mapping[name]
            actual = column if column in columns else lower.get(column.strip().lower())
            if actual is None:
                raise TicketImportError(f"{path}: --map {name}={column}: no column {column!r}; "
                                   f"the columns are {', '.join(columns) or '(none)'}")
            resolved[name] = actual
            continue
        for candidate in PRESETS[preset].get(name, ()):
            actual = candidate if candidate in columns else lower.get(candidate.lower())
            if actual is not None and actual not in resolved.values():
                resolved[name] = actual
                break
    if "created" not in resolved:
        raise TicketImportError(f"{path}: no creation time column; pass --map created=COLUMN "
                           f"(the columns are {', '.join(columns) or '(none)'})")
    if "subject" not in resolved and "body" not in resolved:
        raise TicketImportError(f"{path}: no subject or body column; pass --map subject=COLUMN or --map body=COLUMN "
                           f"(the columns are {', '.join(columns) or '(none)'})")
    return resolved


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_text(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("name") or value.get("email") or value.get("id") or "")
    text = value if isinstance(value, str) else str(value)
    return text[:MAX_FIELD] if len(text) > MAX_FIELD else text


def _delimiter(path: Path) -> str:
    if path.name.lower().removesuffix(".gz").endswith(".tsv"):
        return "\t"
    stream, _ = _open_text(path)
    with stream:
        first = stream.readline()
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _csv_records(stream: io.TextIOBase, path: Path, report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, fields) per CSV record; an unreadable record is reported."""
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(stream, delimiter=_delimiter(path), strict=False)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.rows += 1
            report.add_problem(str(path), start, f"unreadable CSV: {exc}")
            start = reader.line_num + 1
            continue
        yield start, row
        start = reader.line_num + 1


def _convert(path: Path, preset: str, mapping: dict[str, str], writer: _csv.Writer, report: ImportReport,
             progress: Callable[[str], None] | None) -> None:
    try:
        _convert_file(path, preset, mapping, writer, report, progress)
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or corrupt gzip, an unreadable file
        raise TicketImportError(f"{path}: cannot read the file ({exc})") from exc


def _convert_file(path: Path, preset: str, mapping: dict[str, str], writer: _csv.Writer, report: ImportReport,
                  progress: Callable[[str], None] | None) -> None:
    if not path.is_file():
        raise TicketImportError(f"{path}: no such file")
    kind = _kind(path)
    size = path.stat().st_size
    stream, counting = _open_text(path)
    label = str(path)
    number = len(report.files)  # rows name their file by its number in report.files
    report.files.append(label)

    resolved: dict[str, str] | None = None
    with stream:
        if kind == "csv":
            records = _csv_records(stream, path, report)
            try:
                _, header = next(records)
            except StopIteration:
                raise TicketImportError(f"{path}: the file is empty") from None
            header = [h.strip() for h in header]
            resolved = _resolve(header, preset, mapping, path)
            report.mapping[label] = resolved
            getters = [header.index(resolved[n]) if n in resolved else None for n in FIELDS]
            width = len(header)
            rows, write = report.rows, writer.writerow
            for line, row in records:  # the hot loop: a million rows take a few seconds
                if len(row) != width:
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue  # a blank line is not a ticket
                    rows += 1
                    report.add_problem(label, line, f"expected {width} fields, found {len(row)}")
                    continue
                rows += 1
                if progress and rows % PROGRESS_EVERY == 0:
                    progress(f"{path.name}: {rows:,} rows read ({100 * counting.count / max(1, size):.0f}%)")
                write([number, line, *["" if i is None else row[i] if len(row[i]) <= MAX_FIELD
                                       else row[i][:MAX_FIELD] for i in getters]])
            report.rows = rows
        else:
            # API exports leave out null fields: the columns are the keys of the first records together.
            pending: list[tuple[int, dict]] = []
            keys: dict[str, None] = {}

            def emit(line: int, record: dict) -> None:
                assert resolved is not None
                writer.writerow([number, line] + [_text(record.get(resolved[n])) if n in resolved else ""
                                                  for n in FIELDS])

            for line, text in enumerate(stream, 1):
                if not text.strip():
                    continue
                report.rows += 1
                if progress and report.rows % PROGRESS_EVERY == 0:
                    progress(f"{path.name}: {report.rows:,} rows read ({100 * counting.count / max(1, size):.0f}%)")
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as exc:
                    hint = " (a JSON array or document? export JSON Lines: one object per line)" \
                        if line == 1 and text.lstrip()[:1] in "[{" else ""
                    report.add_problem(label, line, f"invalid JSON: {exc.msg} (column {exc.colno}){hint}")
                    continue
                if not isinstance(record, dict):
                    report.add_problem(label, line, f"expected a JSON object, found {type(record).__name__}")
                    continue
                if resolved is None:
                    keys.update(dict.fromkeys(record))
                    pending.append((line, record))
                    if len(pending) >= JSON_HEAD:
                        resolved = _resolve(list(keys), preset, mapping, path)
                        report.mapping[label] = resolved
                        for item in pending:
                            emit(*item)
                        pending = []
                    continue
                emit(line, record)
            if resolved is None and pending:
                resolved = _resolve(list(keys), preset, mapping, path)
                report.mapping[label] = resolved
                for item in pending:
                    emit(*item)
    if progress and report.rows >= PROGRESS_EVERY:
        progress(f"{path.name}: {report.rows:,} rows read")


# ----- pass 2: DuckDB --------------------------------------------------------------------------
_TIME_FORMATS = ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z",
                 "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y/%m/%d %H:%M:%S",
                 "%Y/%m/%d", "%d %b %Y %H:%M", "%b %d, %Y %H:%M", "%a, %d %b %Y %H:%M:%S %z"]

_TAGS = r"""
replace(replace(replace(replace(replace(replace(
    regexp_replace(regexp_replace(regexp_replace({col},
      '(?is)<(script|style)\b.*?</(script|style)\s*>', ' ', 'g'),
      '(?i)<br\s*/?>|</p>|</div>|</li>', ' ', 'g'),
      '<[^>]*>', ' ', 'g'),
    '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&amp;', '&')
"""


_LANGUAGE_NAMES = {"english": "en", "croatian": "hr", "hrvatski": "hr", "estonian": "et", "eesti": "et",
                   "tagalog": "tl", "filipino": "tl", "spanish": "es", "español": "es", "italian": "it",
                   "italiano": "it", "german": "de", "deutsch": "de", "french": "fr", "français": "fr",
                   "portuguese": "pt", "português": "pt", "dutch": "nl", "czech": "cs", "finnish": "fi",
                   "hungarian": "hu", "turkish": "tr", "polish": "pl", "swedish": "sv", "serbian": "sr"}
_LANG_SQL = ("CASE " + " ".join(f"WHEN lower(trim(lang)) = '{name}' THEN '{code}'"
                                for name, code in _LANGUAGE_NAMES.items())
             + " ELSE replace(lower(trim(lang)), '_', '-') END")
"""SQL: the ticket language as a code (``en-us``), also when the export names it ("English", "pt_BR")."""


def _untag_sql(col: str) -> str:
    """SQL: ``col`` without HTML tags and entities (the regular expressions run only where needed)."""
    return f"CASE WHEN contains({col}, '<') OR contains({col}, '&') THEN {_TAGS.format(col=col)} ELSE {col} END"


def _squeeze_sql(col: str, limit: int) -> str:
    """SQL: ``col`` with runs of whitespace as one space, trimmed, at most ``limit`` characters."""
    return (f"left(trim(CASE WHEN regexp_matches({col}, '\\s\\s|[\\t\\n\\r]') "
            f"THEN regexp_replace({col}, '\\s+', ' ', 'g') ELSE {col} END), {limit})")


def _time_sql(col: str) -> str:
    formats = ", ".join(f"'{f}'" for f in _TIME_FORMATS)
    epoch = (f"CASE WHEN regexp_full_match({col}, '\\d{{9,13}}(\\.\\d+)?') THEN "
             f"to_timestamp(CASE WHEN length(split_part({col}, '.', 1)) > 11 THEN {col}::DOUBLE / 1000 "
             f"ELSE {col}::DOUBLE END) END")
    return f"coalesce(try_cast({col} AS TIMESTAMPTZ), try_strptime({col}, [{formats}]), {epoch})"


def _one(cursor: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The one row of an aggregate query (DuckDB types ``fetchone`` as possibly None)."""
    row = cursor.fetchone()
    assert row is not None
    return row


class TicketStore:
    """Imported tickets in an in-process DuckDB database.

    Table ``tickets``: file, line, id, created (TIMESTAMPTZ, UTC), week (DATE, Monday), subject,
    body (HTML stripped), topic (NULL when the export has none or a generic one), topic_source,
    creator, lang.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, report: ImportReport) -> None:
        self.con = con
        self.report = report

    @classmethod
    def load(cls, paths: Iterable[str | Path], *, mapping: dict[str, str] | None = None, preset: str = "auto",
             progress: Callable[[str], None] | None = None, memory_limit: str = "1GB") -> TicketStore:
        mapping = mapping or {}
        report = ImportReport()
        con = duckdb.connect(config={"memory_limit": memory_limit, "threads": max(1, min(4, os.cpu_count() or 1))})
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")  # DuckDB would draw on stdout, where JSON may go
        paths = [Path(p) for p in paths]
        if not paths:
            raise TicketImportError("no ticket files given")
        with tempfile.TemporaryDirectory(prefix="deflect-tickets-") as tmp:
            staged = Path(tmp) / "tickets.csv"
            with open(staged, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)  # staging for DuckDB, not a report: cells stay verbatim
                writer.writerow(["file", "line", *FIELDS])
                for path in paths:
                    _convert(Path(path), preset, mapping, writer, report, progress)
            if progress:
                progress(f"loading {report.rows:,} rows into DuckDB…")
            columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in ("file", "line", *FIELDS)) + "}"
            con.execute(f"""
                CREATE TEMP TABLE raw AS SELECT * FROM read_csv('{_sql_path(staged)}', header = true,
                    columns = {columns}, quote = '"', escape = '"', max_line_size = 100000000, parallel = true)""")
        has_topic = any("topic" in m for m in report.mapping.values())
        has_category = any("category" in m for m in report.mapping.values())
        has_tags = any("tags" in m for m in report.mapping.values())
        generic = ", ".join("'" + g.replace("'", "''") + "'" for g in sorted(GENERIC_TOPICS))

        def first_meaningful(column: str, separators: str) -> str:
            """SQL: the first non-generic part of a list-like value ("billing;vip" → "billing")."""
            return (f"list_filter(string_split(regexp_replace(coalesce({column}, ''), '{separators}', ';', 'g'), ';'), "
                    f"lambda x: trim(x) <> '' AND lower(trim(x)) NOT IN ({generic}))[1]")

        # One column names the topic: topic, else category, else tags; the first meaningful value of
        # a list (JSON arrays arrive as "a;b"; tags may be separated by commas or spaces). Generic
        # values ("other", "general", …) leave the ticket to clustering.
        name, expr = (("topic", first_meaningful("topic", "[|]")) if has_topic
                      else ("category", first_meaningful("category", "[|]")) if has_category
                      else ("tags", first_meaningful("tags", "[,|\\s]+")) if has_tags else (None, None))
        topic_sql = "NULL" if expr is None else f"trim({expr})"
        source_sql = "NULL" if name is None else f"CASE WHEN ({topic_sql}) IS NOT NULL THEN '{name}' END"
        con.execute(f"""
            CREATE TEMP TABLE parsed AS SELECT file::INTEGER AS file, line::BIGINT AS line, id, created AS created_raw,
                {_time_sql('trim(created)')} AS created,
                {_squeeze_sql("subject", 500)} AS subject, {_squeeze_sql("body", 4000)} AS body,
                CAST({topic_sql} AS VARCHAR) AS topic, CAST({source_sql} AS VARCHAR) AS topic_source,
                nullif(trim(creator), '') AS creator, nullif({_LANG_SQL}, '') AS lang
            FROM (SELECT * REPLACE ({_untag_sql("coalesce(subject, '')")} AS subject,
                                    {_untag_sql("coalesce(body, '')")} AS body) FROM raw)""")
        con.execute("DROP TABLE raw")
        for number, line, raw in con.execute("""
                SELECT file, line, created_raw FROM parsed WHERE created IS NULL ORDER BY file, line""").fetchall():
            shown = (raw or "").strip()
            report.add_problem(report.files[number], line,
                               f"unreadable created time {shown[:40]!r}" if shown else "no created time")
        for number, line in con.execute("""
                SELECT file, line FROM parsed WHERE created IS NOT NULL AND subject = '' AND body = ''
                ORDER BY file, line""").fetchall():
            report.add_problem(report.files[number], line, "no subject and no body")
        # Bytes that are not UTF-8 were decoded as U+FFFD: say where, so nothing is garbled silently.
        for number, line, count in con.execute("""
                SELECT file, min(line), count(*) FROM parsed
                WHERE contains(subject, '\ufffd') OR contains(body, '\ufffd') GROUP BY file""").fetchall():
            report.notes.append(f"{report.files[number]}:{line}: {count:,} row(s) from here on have bytes that are "
                                "not UTF-8 (shown as �); export the file as UTF-8")
        # A stray 1970 or next year's date would stretch every weekly series over decades.
        for number, line, when in con.execute("""
                SELECT file, line, created_raw FROM parsed WHERE created < TIMESTAMPTZ '2000-01-01'
                OR created > now() + INTERVAL 2 DAY ORDER BY file, line""").fetchall():
            report.add_problem(report.files[number], line, f"created time {when.strip()[:40]!r} is before 2000 "
                                                           "or in the future")
        report.problems.sort(key=lambda p: (p.path, p.line))
        con.execute("""
            CREATE TEMP TABLE valid AS SELECT * FROM parsed WHERE created IS NOT NULL AND (subject <> '' OR body <> '')
                AND created >= TIMESTAMPTZ '2000-01-01' AND created <= now() + INTERVAL 2 DAY""")
        # Overlapping exports repeat tickets: one row per ticket id (the first file and line win).
        report.duplicates = _one(con.execute("""
            SELECT count(*) - count(DISTINCT trim(id)) FROM valid WHERE trim(coalesce(id, '')) <> ''"""))[0]
        con.execute("""
            CREATE TABLE tickets AS SELECT row_number() OVER (ORDER BY file, line) AS rid, file, line, id, created,
                date_trunc('week', created)::DATE AS week, subject, body, topic, topic_source, creator, lang
            FROM valid QUALIFY trim(coalesce(id, '')) = ''
                OR row_number() OVER (PARTITION BY trim(id) ORDER BY file, line) = 1""")
        con.execute("DROP TABLE valid")
        con.execute("DROP TABLE parsed")
        report.imported = _one(con.execute("SELECT count(*) FROM tickets"))[0]
        if progress:
            progress(f"imported {report.imported:,} tickets ({report.malformed:,} malformed rows"
                     + (f", {report.duplicates:,} repeated ticket ids skipped" if report.duplicates else "") + ")")
        return cls(con, report)

    # ----- questions the reports ask ----------------------------------------------------------
    @property
    def count(self) -> int:
        return self.report.imported

    def period(self) -> tuple[dt.date, dt.date] | None:
        start, end = _one(self.con.execute("SELECT min(created)::DATE, max(created)::DATE FROM tickets"))
        return None if start is None else (start, end)

    def weeks(self) -> list[dt.date]:
        """Every week (Monday) from the first ticket's to the last's, with or without tickets."""
        first, last = _one(self.con.execute("SELECT min(week), max(week) FROM tickets"))
        if first is None:
            return []
        return [first + dt.timedelta(days=7 * i) for i in range((last - first).days // 7 + 1)]

    def topic_counts(self) -> list[tuple[str, str, int]]:
        """(topic, source column, tickets) for tickets whose export names a topic, largest first."""
        return self.con.execute("""
            SELECT topic, any_value(topic_source), count(*) AS n FROM tickets WHERE topic IS NOT NULL
            GROUP BY topic ORDER BY n DESC, topic""").fetchall()

    @staticmethod
    def _lang_filter(langs: tuple[list[str], bool] | None) -> str:
        """SQL condition on the ticket language (two-letter code): in ``langs``, or not in them."""
        if langs is None:
            return "TRUE"
        codes, exclude = langs
        listed = ", ".join("'" + c.replace("'", "''") + "'" for c in codes) or "''"
        condition = f"coalesce(split_part(lang, '-', 1), '') IN ({listed})"
        return f"NOT ({condition})" if exclude else condition

    def unassigned(self, langs: tuple[list[str], bool] | None = None) -> int:
        return _one(self.con.execute(
            f"SELECT count(*) FROM tickets WHERE topic IS NULL AND {self._lang_filter(langs)}"))[0]

    def unassigned_languages(self) -> dict[str, int]:
        """Tickets without a topic per two-letter language code ('' when unknown)."""
        return dict(self.con.execute("""SELECT coalesce(split_part(lang, '-', 1), ''), count(*) FROM tickets
                                        WHERE topic IS NULL GROUP BY 1""").fetchall())

    def texts(self, *, limit: int | None = None, body_chars: int = 300,
              langs: tuple[list[str], bool] | None = None) -> list[tuple[int, str, str]]:
        """(row id, subject, start of body) of the tickets without a topic (``langs``: only those
        languages, or all but them); a random sample when ``limit``."""
        sample = f"USING SAMPLE reservoir({int(limit)} ROWS) REPEATABLE (7)" if limit else ""
        return self.con.execute(f"""
            SELECT rid, subject, left(body, {int(body_chars)}) FROM (
                SELECT * FROM tickets WHERE topic IS NULL AND {self._lang_filter(langs)}) {sample}
            ORDER BY rid""").fetchall()

    def assign_topics(self, assignments: dict[int, str], source: str = "cluster") -> None:
        """Set the topic of the given tickets (row id → topic), e.g. from clustering."""
        if not assignments:
            return
        with tempfile.TemporaryDirectory(prefix="deflect-topics-") as tmp:
            staged = Path(tmp) / "topics.csv"
            with open(staged, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)  # staging for DuckDB, not a report: cells stay verbatim
                writer.writerow(["rid", "topic"])
                writer.writerows(assignments.items())
            self.con.execute(f"""
                CREATE TEMP TABLE assigned AS SELECT * FROM read_csv('{_sql_path(staged)}', header = true,
                    columns = {{'rid': 'BIGINT', 'topic': 'VARCHAR'}})""")
        self.con.execute("""UPDATE tickets SET topic = assigned.topic, topic_source = ?
                            FROM assigned WHERE tickets.rid = assigned.rid""", [source])
        self.con.execute("DROP TABLE assigned")

    def weekly(self) -> tuple[list[dt.date], dict[str, list[int]]]:
        """Weeks and, per topic, the tickets of each week (zeros included)."""
        weeks = self.weeks()
        index = {week: i for i, week in enumerate(weeks)}
        series: dict[str, list[int]] = {}
        for topic, week, n in self.con.execute("""
                SELECT topic, week, count(*) FROM tickets WHERE topic IS NOT NULL GROUP BY topic, week""").fetchall():
            row = series.get(topic)
            if row is None:
                row = series[topic] = [0] * len(weeks)
            row[index[week]] = n
        return weeks, series

    def samples(self, per_topic: int, body_chars: int = 300) -> dict[str, list[dict]]:
        """Up to ``per_topic`` tickets per topic (a stable pseudo-random pick, newest first),
        with distinct subjects where possible."""
        rows = self.con.execute(f"""
            SELECT topic, subject, left(body, {int(body_chars)}), creator, lang, strftime(created, '%Y-%m-%d')
            FROM (
                SELECT *, row_number() OVER (PARTITION BY topic ORDER BY dup, hash(rid)) AS pick FROM (
                    SELECT *, row_number() OVER (PARTITION BY topic, lower(subject) ORDER BY rid) AS dup
                    FROM tickets WHERE topic IS NOT NULL))
            WHERE pick <= {int(per_topic)} ORDER BY topic, created DESC""").fetchall()
        out: dict[str, list[dict]] = {}
        for topic, subject, body, creator, lang, created in rows:
            out.setdefault(topic, []).append({"subject": subject, "body": body, "creator": creator, "lang": lang,
                                              "created": created})
        return out

    def creators_in(self, words: Iterable[str]) -> set[str]:
        """The name parts (lowercase) of every creator with a part among ``words``: a creator
        "Kadri Tamm" or "kadri.tamm@example.com" yields "kadri", "tamm" (and the whole value),
        so a signature "Kadri" is found as well as "kadri99". Used to redact samples and names."""
        wanted = sorted({w.lower() for w in words if len(w) >= 2})
        if not wanted:
            return set()
        found = self.con.execute(r"""
            WITH wanted AS (SELECT DISTINCT unnest(?::VARCHAR[]) AS w),
                 names AS (SELECT DISTINCT lower(creator) AS name FROM tickets WHERE creator IS NOT NULL),
                 parts AS (SELECT name, unnest(regexp_split_to_array(split_part(name, '@', 1), '[\s.,_+-]+')) AS part
                           FROM names)
            SELECT name FROM names JOIN wanted ON name = w
            UNION SELECT name FROM parts JOIN wanted ON part = w""", [wanted]).fetchall()
        return name_parts(row[0] for row in found)

    def languages(self) -> list[tuple[str, int]]:
        return self.con.execute("""SELECT coalesce(lang, ''), count(*) AS n FROM tickets GROUP BY 1
                                   ORDER BY n DESC""").fetchall()

    def close(self) -> None:
        self.con.close()


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


_USERNAME_WORD = re.compile(r"[\w.@+-]+")
_NAME_SPLIT = re.compile(r"[\s.,_+-]+")


def name_parts(creators: Iterable[str]) -> set[str]:
    """Lowercase redaction targets of some creator values: the whole value, an email's local
    part and each name part of two letters or more ("Kadri Tamm" → kadri tamm, kadri, tamm)."""
    parts: set[str] = set()
    for creator in creators:
        value = (creator or "").strip().lower()
        if not value:
            continue
        parts.add(value)
        local = value.split("@", 1)[0]
        parts.add(local)
        parts.update(p for p in _NAME_SPLIT.split(local) if len(p) >= 2)
    return parts


def words_of(texts: Iterable[str]) -> set[str]:
    """Candidate username tokens of some texts (for :meth:`TicketStore.creators_in`)."""
    found: set[str] = set()
    for text in texts:
        for word in _USERNAME_WORD.findall(text or ""):
            found.add(word.strip(".@-+"))
    return found
