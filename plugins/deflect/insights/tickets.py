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
import sqlite3
import tempfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from typing import TYPE_CHECKING, Any

import duckdb

from deflect.locales import language_names

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
MAX_LINE = 1 << 24  # characters in one line (16 Mi): a longer one is reported, never read into memory
MAX_RECORD = 1 << 26  # characters in one CSV field, which may span lines (64 Mi)
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


def _encoding(head: bytes) -> str:
    """The text encoding of a file that starts with ``head``: a byte order mark decides (Excel's
    "Unicode text" is UTF-16 with one); UTF-16 without one shows as a NUL byte beside each ASCII
    character; anything else is read as UTF-8 (bytes that are not become U+FFFD, and are reported)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # the codec reads the mark and the byte order from it
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    sample = head[:200] if len(head) % 2 == 0 else head[:min(200, len(head) - 1)]
    if len(sample) >= 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd >= len(sample) // 4 and even == 0:
            return "utf-16-le"
        if even >= len(sample) // 4 and odd == 0:
            return "utf-16-be"
    return "utf-8"


def _open_text(path: Path) -> tuple[io.TextIOBase, _Counting]:
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller through the text wrapper
    counting = _Counting(raw)
    buffered = io.BufferedReader(counting, 1 << 20)
    head = buffered.peek(2)[:2]
    stream = buffered
    if head == b"\x1f\x8b":
        stream = io.BufferedReader(gzip.GzipFile(fileobj=buffered), 1 << 20)  # type: ignore[arg-type]
    encoding = _encoding(stream.peek(512)[:512])
    return io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline=""), counting


def _kind(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz").removesuffix(".gzip")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    raise TicketImportError(f"{path}: unknown ticket file type; use .csv, .tsv, .jsonl or .ndjson (optionally .gz)")


def _resolve(columns: list[str], preset: str, mapping: dict[str, str], path: Path | str) -> dict[str, str]:
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
        first = stream.readline(MAX_LINE)
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


class _Lines:
    """The physical lines of a text stream, numbered from 1, for ``csv.reader`` or JSON Lines.

    A line longer than :data:`MAX_LINE` characters is not held in memory: it is read past and handed
    on as an empty line, its number kept in ``too_long`` so the record it belongs to is reported.
    The lines of the current record are kept in ``record`` (``start`` is the first one's number)
    until :meth:`done`; :meth:`reread` puts all but the first back in front of the stream, for a
    record that an unclosed quote ran away with. Line numbers are counted, not stored per line:
    this is the hot loop of a million-row import.
    """

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.pending: deque[str] = deque()
        self.record: list[str] = []
        self.start = 1
        self.too_long: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        readline, record, pending = self.stream.readline, self.record, self.pending
        while True:
            if pending:
                text = pending.popleft()
            else:
                text = readline(MAX_LINE)
                if not text:
                    return
                if len(text) >= MAX_LINE and not text.endswith(("\n", "\r")):
                    while True:  # skip the rest of the line, a chunk at a time
                        more = readline(MAX_LINE)
                        if not more or more.endswith(("\n", "\r")):
                            break
                    self.too_long.add(self.start + len(record))
                    text = "\n"
            record.append(text)
            yield text

    @property
    def last(self) -> int:
        """The number of the current record's last line."""
        return self.start + len(self.record) - 1

    def done(self) -> None:
        """The current record is handled: the next line starts the next one."""
        self.start += len(self.record)
        self.record.clear()

    def reread(self) -> None:
        """Read the current record's lines after its first again, as lines of their own."""
        self.pending.extendleft(reversed(self.record[1:]))
        self.start += 1
        self.record.clear()


def _too_long(lines: _Lines) -> int | None:
    if not lines.too_long:
        return None
    return next((n for n in range(lines.start, lines.last + 1) if n in lines.too_long), None)


def _runaway_quote(text: str, delimiter: str) -> bool:
    """Whether a record's text (several lines) only parses because an open quote swallowed line ends:
    read strictly, it ends inside a quote or has text glued to a closing quote."""
    try:
        for _ in csv.reader(io.StringIO(text), delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return True
    return False


def _csv_records(lines: _Lines, path: Path, report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, fields) per CSV record. A record that cannot be read, or one that
    spans lines because of a quote that is never closed properly, is reported (counted as one row)
    and the lines it swallowed are read again as rows of their own, so none is lost silently."""
    csv.field_size_limit(MAX_RECORD)
    delimiter = _delimiter(path)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    record = lines.record
    label = str(path)
    while True:
        try:
            row = next(reader)
            error = None
        except StopIteration:
            return
        except csv.Error as exc:
            row, error = None, str(exc)
        if not record:  # csv.Error at the end of the data
            return
        first, last = lines.start, lines.last
        # Quotes that pair up across lines are a field with line breaks; one that never closes, or
        # closes with text glued to it, ran away with the lines after it.
        if len(record) > 1 and (error is not None or _runaway_quote("".join(record), delimiter)):
            report.rows += 1
            what = (f"a field longer than {MAX_RECORD:,} characters (an unclosed quote?)"
                    if error and "field limit" in error else "unclosed quote")
            report.add_problem(label, first, f"{what}: the record runs from line {first} to line {last}; "
                                             f"lines {first + 1}–{last} are read again as rows of their own")
            lines.reread()
            reader = csv.reader(lines, delimiter=delimiter, strict=False)  # a fresh parser state
            continue
        long_line = _too_long(lines)
        lines.done()
        if long_line is not None:
            report.rows += 1
            report.add_problem(label, long_line, f"line longer than {MAX_LINE:,} characters: not read")
            continue
        if error is not None:
            report.rows += 1
            report.add_problem(label, first, f"unreadable CSV: {error}")
            continue
        yield first, row  # type: ignore[misc]


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
    lines = _Lines(stream)

    with stream:
        if kind == "csv":
            records = _csv_records(lines, path, report)
            try:
                _, header = next(records)
            except StopIteration:
                raise TicketImportError(f"{path}: the file is empty") from None
            header = [h.strip() for h in header]
            resolved = _resolve(header, preset, mapping, path)
            report.mapping[label] = resolved
            getters = [header.index(resolved[n]) if n in resolved else None for n in FIELDS]
            width = len(header)
            rows, write = 0, writer.writerow
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
            report.rows += rows
        else:
            _convert_jsonl(lines, path, preset, mapping, writer, report, progress, number, lambda: counting.count)
    if progress and report.rows >= PROGRESS_EVERY:
        progress(f"{path.name}: {report.rows:,} rows read")


def _convert_jsonl(lines: _Lines, path: Path, preset: str, mapping: dict[str, str], writer: _csv.Writer,
                   report: ImportReport, progress: Callable[[str], None] | None, number: int,
                   done: Callable[[], int]) -> None:
    # API exports leave out null fields: the columns are the keys of the first records together.
    label, size = str(path), path.stat().st_size
    pending: list[tuple[int, dict]] = []
    resolved: dict[str, str] | None = None
    keys: dict[str, None] = {}

    def emit(line: int, record: dict) -> None:
        assert resolved is not None
        writer.writerow([number, line] + [_text(record.get(resolved[n])) if n in resolved else ""
                                          for n in FIELDS])

    for text in lines:
        line = lines.start
        lines.done()
        if line in lines.too_long:
            report.rows += 1
            report.add_problem(label, line, f"line longer than {MAX_LINE:,} characters: not read")
            continue
        if not text.strip():
            continue
        report.rows += 1
        if progress and report.rows % PROGRESS_EVERY == 0:
            progress(f"{path.name}: {report.rows:,} rows read ({100 * done() / max(1, size):.0f}%)")
        try:
            record = json.loads(text)
        except RecursionError:
            report.add_problem(label, line, "JSON nested too deeply to read")
            continue
        except ValueError as exc:  # JSONDecodeError, or an integer of thousands of digits
            detail = f"{exc.msg} (column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else str(exc)
            hint = " (a JSON array or document? export JSON Lines: one object per line)" \
                if line == 1 and text.lstrip()[:1] in "[{" else ""
            report.add_problem(label, line, f"invalid JSON: {detail}{hint}")
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


# ----- tickets in a SQL table ------------------------------------------------------------------
TABLE_SCHEMES = ("sqlite://", "postgresql://", "postgres://")
FETCH = 10_000  # rows per round trip


def is_table_url(source: object) -> bool:
    """Whether a ``--tickets`` value names a SQL table (``sqlite:///FILE?table=T``, ``postgresql://…?table=T``)."""
    return isinstance(source, str) and source.startswith(TABLE_SCHEMES)


def _table_cursor(url: str, shown: str):
    """(connection, cursor over ``SELECT *`` of the URL's table). PostgreSQL reads through a
    server-side cursor, so a big table arrives in chunks rather than all at once."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    tables = [v for k, v in query if k == "table"]
    if not tables or not tables[-1].strip():
        raise TicketImportError(f"{shown}: name the table of tickets: add ?table=NAME to the URL")
    names = tables[-1].strip().split(".")
    rest = urlencode([(k, v) for k, v in query if k != "table"])
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path or not Path(path).is_file():
            raise TicketImportError(f"{shown}: no SQLite database at {path or '(no path)'}")
        con = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
        quoted = ".".join('"' + n.replace('"', '""') + '"' for n in names)
        return con, con.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - identifiers quoted above
    import psycopg
    from psycopg import sql

    target = parts._replace(scheme="postgresql", query=rest).geturl()
    pg = psycopg.connect(target, connect_timeout=10)
    cursor = pg.cursor(name="deflect_tickets")
    cursor.itersize = FETCH
    cursor.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(*names)))
    return pg, cursor


def _convert_table(url: str, preset: str, mapping: dict[str, str], writer: _csv.Writer, report: ImportReport,
                   progress: Callable[[str], None] | None) -> None:
    """Tickets from a SQL table into the same staging file as an export's, row N as "line" N."""
    import psycopg

    from ..collector.store import hide_password

    shown = hide_password(url)
    number = len(report.files)
    report.files.append(shown)
    con = None
    try:
        con, cursor = _table_cursor(url, shown)
        rows = cursor.fetchmany(FETCH)
        columns = [d[0] for d in cursor.description or ()]
        resolved = _resolve(columns, preset, mapping, shown)
        report.mapping[shown] = resolved
        getters = [columns.index(resolved[n]) if n in resolved else None for n in FIELDS]
        line = 0
        while rows:
            for row in rows:
                line += 1
                writer.writerow([number, line, *["" if i is None else _text(row[i]) for i in getters]])
            report.rows += len(rows)
            if progress and line % (10 * FETCH) < len(rows):
                progress(f"{shown}: {line:,} rows read")
            rows = cursor.fetchmany(FETCH)
    except (sqlite3.Error, psycopg.Error) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise TicketImportError(f"{shown}: cannot read the tickets table ({message})") from None
    finally:
        if con is not None:
            con.close()


# ----- pass 2: DuckDB --------------------------------------------------------------------------
# Numeric dates ("03/04/2025 10:00", "2025-03-04T10:00Z") are taken apart in SQL and rebuilt as ISO
# dates in the file's date order, then checked: "2026-02-30" stays unread instead of rolling over to
# March 2nd as strptime would. Other forms (month names, e-mail style) go through strptime formats.
_NUMERIC_DATE = r"^(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})(.*)$"
_STRICT_ISO = r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d(:?\d\d)?)?$"
_SLASH_DATE = r"^\d{1,2}[-/]\d{1,2}[-/](\d{4}|\d{2})(\D|$)"  # year last: the order decides day and month
_ISO_FORMATS = ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z",
                "%Y-%m-%d %I:%M %p", "%Y-%m-%d %I:%M:%S %p", "%Y-%m-%d, %H:%M", "%Y-%m-%d %H.%M"]
_TEXT_FORMATS = ["%d %b %Y %H:%M", "%b %d, %Y %H:%M", "%a, %d %b %Y %H:%M:%S %z", "%d %B %Y", "%B %d, %Y",
                 "%d %b %Y", "%b %d, %Y"]
DATE_ORDERS = {"dmy": "day/month/year", "mdy": "month/day/year", "ymd": "year/month/day"}
"""How a numeric date with two-digit fields is read: ``--date-order``; ISO dates are always year first."""

_TAGS = r"""
replace(replace(replace(replace(replace(replace(
    regexp_replace(regexp_replace(regexp_replace({col},
      '(?is)<(script|style)\b.*?</(script|style)\s*>', ' ', 'g'),
      '(?i)<br\s*/?>|</p>|</div>|</li>', ' ', 'g'),
      '<[^>]*>', ' ', 'g'),
    '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&amp;', '&')
"""


_LANG_SQL = ("coalesce((SELECT code FROM language_names WHERE name = lower(trim(lang))), "
             "replace(lower(trim(lang)), '_', '-'))")
"""SQL: the ticket language as a code (``en-us``), also when the export names it ("Croatian", "hrvatski", "pt_BR")."""


def _language_names_table(con: duckdb.DuckDBPyConnection, codes: Sequence[str]) -> None:
    """The table ``language_names`` (name, code) that ``_LANG_SQL`` reads: the registry's names (and those
    of the help center's languages, ``codes``), so that a language a site adds is recognized by name too."""
    names = language_names(codes)
    con.execute("CREATE TEMP TABLE language_names AS "
                "SELECT unnest($1::VARCHAR[]) AS name, unnest($2::VARCHAR[]) AS code", [list(names), list(names.values())])


def _untag_sql(col: str) -> str:
    """SQL: ``col`` without HTML tags and entities (the regular expressions run only where needed)."""
    return f"CASE WHEN contains({col}, '<') OR contains({col}, '&') THEN {_TAGS.format(col=col)} ELSE {col} END"


def _squeeze_sql(col: str, limit: int) -> str:
    """SQL: ``col`` with runs of whitespace as one space, trimmed, at most ``limit`` characters."""
    return (f"left(trim(CASE WHEN regexp_matches({col}, '\\s\\s|[\\t\\n\\r]') "
            f"THEN regexp_replace({col}, '\\s+', ' ', 'g') ELSE {col} END), {limit})")


def _year(col: str) -> str:
    return f"CASE WHEN length({col}) = 2 THEN '20' || {col} ELSE {col} END"


def _iso_date_sql(d: str, order: str) -> str:
    """SQL: the date part of a numeric date (``d``: its regexp struct a, b, c) as YYYY-M-D text, in
    the date order ``order`` (an SQL expression) unless the year comes first in four digits."""
    return (f"CASE WHEN length({d}.a) = 4 THEN {d}.a || '-' || {d}.b || '-' || {d}.c "
            f"WHEN {order} = 'ymd' THEN {_year(f'{d}.a')} || '-' || {d}.b || '-' || {d}.c "
            f"WHEN {order} = 'mdy' THEN {_year(f'{d}.c')} || '-' || {d}.a || '-' || {d}.b "
            f"ELSE {_year(f'{d}.c')} || '-' || {d}.b || '-' || {d}.a END")


def _time_sql(col: str, d: str, order: str) -> str:
    """SQL: the ticket's creation time (UTC) from the text ``col``; ``d`` is ``col`` taken apart by
    :data:`_NUMERIC_DATE` (empty fields when it is not a numeric date), or NULL for a plain ISO 8601
    time, which DuckDB's cast reads strictly (no 30 February) and fastest."""
    iso = _iso_date_sql(d, order)
    full = f"({iso}) || {d}.rest"
    numeric = (f"CASE WHEN try_cast({iso} AS DATE) IS NOT NULL AND length({d}.c) <= 4 THEN "
               f"coalesce(try_cast({full} AS TIMESTAMPTZ), try_strptime({full}, [{', '.join(map(repr, _ISO_FORMATS))}])) END")
    epoch = (f"CASE WHEN regexp_full_match({col}, '\\d{{9,13}}(\\.\\d+)?') THEN "
             f"to_timestamp(CASE WHEN length(split_part({col}, '.', 1)) > 11 THEN {col}::DOUBLE / 1000 "
             f"ELSE {col}::DOUBLE END) END")
    text = f"coalesce(try_cast({col} AS TIMESTAMPTZ), try_strptime({col}, [{', '.join(map(repr, _TEXT_FORMATS))}]), {epoch})"
    return f"CASE WHEN {d} IS NULL THEN try_cast({col} AS TIMESTAMPTZ) WHEN {d}.a <> '' THEN {numeric} ELSE {text} END"


def _date_orders(con: duckdb.DuckDBPyConnection, files: list[str], given: str | None) -> dict[int, str]:
    """The date order of each file: ``given`` (``--date-order``), else the one its dates show (a day
    over 12 in the first or second place). Raises :class:`TicketImportError` for a file whose dates could
    be read either way, or that mixes both orders."""
    if given is not None:
        if given not in DATE_ORDERS:
            raise TicketImportError(f"--date-order {given!r}: use one of {', '.join(DATE_ORDERS)}")
        return dict.fromkeys(range(len(files)), given)
    orders: dict[int, str] = {}
    rows = con.execute(f"""
        WITH d AS (SELECT file::INTEGER AS file, line::BIGINT AS line, trim(created) AS raw,
                          regexp_extract(trim(created), '{_NUMERIC_DATE}', ['a', 'b', 'c']) AS p
                   FROM raw WHERE regexp_matches(trim(created), '{_SLASH_DATE}')),
             n AS (SELECT file, line, raw, try_cast(p.a AS INTEGER) AS a, try_cast(p.b AS INTEGER) AS b FROM d)
        SELECT file,
               count(*) FILTER (WHERE a > 12 AND a <= 31), arg_min(raw, line) FILTER (WHERE a > 12 AND a <= 31),
               min(line) FILTER (WHERE a > 12 AND a <= 31),
               count(*) FILTER (WHERE b > 12 AND b <= 31), arg_min(raw, line) FILTER (WHERE b > 12 AND b <= 31),
               min(line) FILTER (WHERE b > 12 AND b <= 31),
               count(*) FILTER (WHERE a <= 12 AND b <= 12 AND a <> b), arg_min(raw, line) FILTER (WHERE a <= 12
               AND b <= 12 AND a <> b), min(line) FILTER (WHERE a <= 12 AND b <= 12 AND a <> b)
        FROM n GROUP BY file ORDER BY file""").fetchall()
    for file, days_first, day_first, day_first_line, days_second, day_second, day_second_line, ambiguous, \
            example, example_line in rows:
        path = files[file]
        if days_first and days_second:
            raise TicketImportError(
                f"{path}: the dates mix day/month/year (line {day_first_line}: {day_first!r}) and month/day/year "
                f"(line {day_second_line}: {day_second!r}); pass --date-order dmy or --date-order mdy")
        if days_first or days_second:
            orders[file] = "dmy" if days_first else "mdy"
        elif ambiguous:
            raise TicketImportError(
                f"{path}:{example_line}: dates such as {example!r} could be day/month/year or month/day/year and "
                f"no date in the file has a day over 12 to tell; pass --date-order dmy or --date-order mdy")
    return orders


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
             progress: Callable[[str], None] | None = None, memory_limit: str = "1GB",
             date_order: str | None = None, languages: Sequence[str] = ()) -> TicketStore:
        """Import ticket exports (files, or ``sqlite:///FILE?table=T`` / ``postgresql://…?table=T``
        URLs); ``date_order`` (dmy, mdy, ymd) says how to read numeric dates, else each file's
        dates decide; ``languages``: the help center's codes, whose names the exports may use.
        Every row ends up imported, malformed (with a problem) or a duplicate."""
        mapping = mapping or {}
        report = ImportReport()
        con = duckdb.connect(config={"memory_limit": memory_limit, "threads": max(1, min(4, os.cpu_count() or 1))})
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")  # DuckDB would draw on stdout, where JSON may go
        _language_names_table(con, languages)
        paths = [p if is_table_url(p) else Path(p) for p in paths]
        if not paths:
            raise TicketImportError("no ticket files given")
        if date_order is not None and date_order not in DATE_ORDERS:
            raise TicketImportError(f"--date-order {date_order!r}: use one of {', '.join(DATE_ORDERS)}")
        with tempfile.TemporaryDirectory(prefix="deflect-tickets-") as tmp:
            staged = Path(tmp) / "tickets.csv"
            with open(staged, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)  # staging for DuckDB, not a report: cells stay verbatim
                writer.writerow(["file", "line", *FIELDS])
                for path in paths:
                    if isinstance(path, str):
                        _convert_table(path, preset, mapping, writer, report, progress)
                    else:
                        _convert(path, preset, mapping, writer, report, progress)
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
        orders = _date_orders(con, report.files, date_order)
        order_sql = ("CASE file::INTEGER " + " ".join(f"WHEN {n} THEN '{o}'" for n, o in orders.items())
                     + " ELSE 'dmy' END") if orders else "'dmy'"
        con.execute(f"""
            CREATE TEMP TABLE parsed AS SELECT file::INTEGER AS file, line::BIGINT AS line, id, created AS created_raw,
                {_time_sql('trim(created)', 'd', 'date_order')} AS created,
                {_squeeze_sql("subject", 500)} AS subject, {_squeeze_sql("body", 4000)} AS body,
                CAST({topic_sql} AS VARCHAR) AS topic, CAST({source_sql} AS VARCHAR) AS topic_source,
                nullif(trim(creator), '') AS creator, nullif({_LANG_SQL}, '') AS lang
            FROM (SELECT * REPLACE ({_untag_sql("coalesce(subject, '')")} AS subject,
                                    {_untag_sql("coalesce(body, '')")} AS body),
                         CASE WHEN NOT regexp_matches(trim(created), '{_STRICT_ISO}') THEN
                            regexp_extract(trim(created), '{_NUMERIC_DATE}', ['a', 'b', 'c', 'rest']) END AS d,
                         {order_sql} AS date_order FROM raw)""")
        con.execute("DROP TABLE raw")
        # One problem per rejected row (the first that applies), so the counts add up:
        # rows = imported + malformed + duplicates.
        parts = f"(regexp_extract(trim(created_raw), '{_NUMERIC_DATE}', ['a', 'b', 'c', 'rest']))"
        impossible = (f"regexp_matches(trim(created_raw), '{_NUMERIC_DATE}') AND "
                      f"try_cast({_iso_date_sql(parts, order_sql)} AS DATE) IS NULL")
        problem_sql = f"""CASE WHEN created IS NULL THEN CASE WHEN {impossible} THEN 'impossible'
                                                             WHEN coalesce(trim(created_raw), '') = '' THEN 'none'
                                                             ELSE 'unreadable' END
                              WHEN subject = '' AND body = '' THEN 'empty'
                              WHEN created < TIMESTAMPTZ '2000-01-01' OR created > now() + INTERVAL 2 DAY THEN 'range'
                         END"""
        rejected = _one(con.execute(f"SELECT count(*) FROM parsed WHERE ({problem_sql}) IS NOT NULL"))[0]
        for number, line, raw, problem in con.execute(f"""
                SELECT file, line, created_raw, {problem_sql} AS problem FROM parsed WHERE problem IS NOT NULL
                ORDER BY file, line LIMIT {MAX_PROBLEMS}""").fetchall():
            shown = (raw or "").strip()
            order = "ymd" if re.match(r"\d{4}", shown) else orders.get(number, "dmy")
            report.problems.append(Problem(report.files[number], line, {
                "impossible": f"impossible date {shown[:40]!r}: no such day (read as {DATE_ORDERS[order]})",
                "none": "no created time",
                "unreadable": f"unreadable created time {shown[:40]!r}",
                "empty": "no subject and no body",
                "range": f"created time {shown[:40]!r} is before 2000 or in the future"}[problem]))
        report.malformed += rejected
        # Bytes that are not UTF-8 were decoded as U+FFFD: say where, so nothing is garbled silently.
        for number, line, count in con.execute("""
                SELECT file, min(line), count(*) FROM parsed
                WHERE contains(subject, '\ufffd') OR contains(body, '\ufffd') GROUP BY file""").fetchall():
            report.notes.append(f"{report.files[number]}:{line}: {count:,} row(s) from here on have bytes that are "
                                "not UTF-8 (shown as �); export the file as UTF-8")
        report.problems.sort(key=lambda p: (p.path, p.line))
        del report.problems[MAX_PROBLEMS:]
        con.execute(f"CREATE TEMP TABLE valid AS SELECT * FROM parsed WHERE ({problem_sql}) IS NULL")
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

    def unassigned(self) -> int:
        """Tickets without a topic."""
        return _one(self.con.execute("SELECT count(*) FROM tickets WHERE topic IS NULL"))[0]

    def unassigned_texts(self, body_chars: int = 300) -> list[tuple[int, str, str, str]]:
        """(row id, subject, start of body, two-letter language code or "") of every ticket without
        a topic, in row id order: what topic discovery clusters."""
        return self.con.execute(f"""
            SELECT rid, subject, left(body, {int(body_chars)}), coalesce(split_part(lang, '-', 1), '')
            FROM tickets WHERE topic IS NULL ORDER BY rid""").fetchall()

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
