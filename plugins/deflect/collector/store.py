"""The feedback store: the only module of the collector that talks to a database.

SQLite (stdlib ``sqlite3``, WAL journal) is the embedded default; a ``postgresql://`` URL selects
PostgreSQL through psycopg 3. Both run the same versioned migrations (a ``schema_version`` table and
ordered lists of SQL statements) and the same queries, written with ``?`` placeholders.

Durability: every write is one statement in autocommit mode, so when :meth:`Store.add_vote` returns
the row is committed. The HTTP API sends votes through :class:`GroupCommit` instead: a writer thread
commits every queued vote in one transaction and only then resolves their futures, so a vote is
acknowledged (201) only once it is committed, and one commit serves many concurrent requests. SQLite runs with ``synchronous=NORMAL`` in WAL mode by default (a committed
transaction is in the WAL file, i.e. handed to the OS, before the call returns, so it survives the
process being SIGKILLed; ``?synchronous=full`` in the URL also survives power loss).

Failures: a URL with an unsupported scheme or option raises :class:`DatabaseURLError`; a database that
cannot be opened, read or reached raises :class:`DatabaseUnavailable` (both one-line messages). A
statement that fails because the connection broke reconnects once and runs again; when that fails too,
the store stays "down" for :data:`RETRY_AFTER` seconds (calls fail at once instead of piling up on a
dead server) and the API answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import sqlite3
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

T = TypeVar("T")

#: Ordered migrations. Each is a list of statements; ``{pk}`` is the dialect's auto-id primary key.
MIGRATIONS: list[list[str]] = [
    [  # 1: votes and events
        """CREATE TABLE votes (
            id {pk},
            article TEXT NOT NULL,
            lang TEXT,
            voter TEXT NOT NULL,
            helpful SMALLINT NOT NULL,
            reason TEXT,
            comment TEXT,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            UNIQUE (article, voter)
        )""",
        "CREATE INDEX votes_article ON votes (article)",
        """CREATE TABLE events (
            id {pk},
            type TEXT NOT NULL,
            query TEXT,
            results INTEGER,
            clicked TEXT,
            action TEXT,
            article TEXT,
            channel TEXT,
            page TEXT,
            lang TEXT,
            data TEXT,
            created TEXT NOT NULL
        )""",
        "CREATE INDEX events_type ON events (type, created)",
    ],
    [  # 2: spam flag on votes (flagged comments are kept for review but never reported)
        "ALTER TABLE votes ADD COLUMN flagged TEXT",
    ],
]

PK = {
    "sqlite": "INTEGER PRIMARY KEY",
    "postgresql": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
}


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Vote:
    article: str
    voter: str
    helpful: bool
    lang: str | None = None
    reason: str | None = None
    comment: str | None = None
    flagged: str | None = None


def sqlite_path(url: str) -> str:
    """``sqlite:///rel.db`` → ``rel.db``; ``sqlite:////abs/x.db`` → ``/abs/x.db``; a bare path is a path."""
    if url.startswith("sqlite://"):
        rest = url[len("sqlite://"):]
        rest = rest.split("?", 1)[0]
        if rest.startswith("/"):
            rest = rest[1:]
        return unquote(rest) or ":memory:"
    return url


SUPPORTED_URLS = "sqlite:///path/to/feedback.db, postgresql://user:password@host:5432/dbname or postgres://…"
SQLITE_SYNCHRONOUS = ("off", "normal", "full", "extra")
#: Seconds a client is told to wait (``Retry-After``) and the store skips reconnecting after a failed attempt.
RETRY_AFTER = 5
#: Seconds to wait for a PostgreSQL connection unless the URL sets ``connect_timeout``.
CONNECT_TIMEOUT = 5


class StoreError(Exception):
    """A database problem explained in one line (what is wrong, what to do): shown as is, never a traceback."""


class DatabaseURLError(StoreError, ValueError):
    """The database URL has an unsupported scheme or a bad option."""


class DatabaseUnavailable(StoreError):
    """The database cannot be opened, read or reached right now (after one reconnect attempt)."""


@dataclass(frozen=True)
class DatabaseURL:
    """A validated database URL: ``dialect`` is ``"sqlite"`` or ``"postgresql"``; ``target`` is the SQLite
    file (or ``":memory:"``) or the URL handed to psycopg; ``shown`` is the URL without its password."""

    dialect: str
    target: str
    shown: str
    synchronous: str = "NORMAL"


def hide_password(url: str) -> str:
    """The URL with its password shown as ``***``, for messages and reports."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def parse_db_url(url: str) -> DatabaseURL:
    """Validate a database URL; raise :class:`DatabaseURLError` naming the supported forms when it is not one.

    Only ``sqlite://`` and ``postgresql://``/``postgres://`` are accepted: anything else (``mysql://``,
    SQLAlchemy's ``postgresql+psycopg://``, a bare word) would otherwise end up as a stray local file.
    """
    scheme, sep, _ = url.partition("://")
    shown = hide_password(url) if sep else url
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        raise DatabaseURLError(f"{shown!r} is not a database URL: use {SUPPORTED_URLS}")
    scheme = scheme.lower()
    if scheme == "sqlite":
        synchronous = "normal"
        for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            if key != "synchronous":
                raise DatabaseURLError(f"unknown option {key!r} in {shown}: SQLite URLs take only "
                                       f"?synchronous={'|'.join(SQLITE_SYNCHRONOUS)}")
            if value.lower() not in SQLITE_SYNCHRONOUS:
                raise DatabaseURLError(f"bad option synchronous={value!r} in {shown}: use one of "
                                       f"{', '.join(SQLITE_SYNCHRONOUS)}")
            synchronous = value.lower()
        return DatabaseURL("sqlite", sqlite_path(url), shown, synchronous.upper())
    if scheme in ("postgresql", "postgres"):
        from psycopg import Error as PsycopgError
        from psycopg.conninfo import conninfo_to_dict

        try:
            conninfo_to_dict(url)  # libpq's own parser: unknown query parameters are refused here
        except PsycopgError as exc:
            raise DatabaseURLError(f"bad PostgreSQL URL {shown}: {_one_line(exc)}") from None
        return DatabaseURL("postgresql", url, shown)
    hint = " (drop the '+driver' part)" if "+" in scheme else ""
    raise DatabaseURLError(f"unsupported database URL scheme '{scheme}://'{hint}: use {SUPPORTED_URLS}")


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line (libpq's come with hints on further lines)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _sqlite_down(exc: BaseException) -> bool:
    """Errors that mean the SQLite file cannot be used (unreadable, corrupt, disk full, locked too long),
    as opposed to a bug in a statement (IntegrityError, ProgrammingError, ...)."""
    return type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError)


class Store:
    """A thread-safe handle on the feedback database."""

    dialect: str

    def __init__(self, url: str):
        self.url = url
        self.parsed = parse_db_url(url)
        self.dialect = self.parsed.dialect
        self._lock = threading.RLock()
        self._down_until = 0.0
        if self.dialect == "postgresql":
            import psycopg  # imported lazily: SQLite users don't need it

            from psycopg.conninfo import conninfo_to_dict

            self._psycopg = psycopg
            given = conninfo_to_dict(url)
            self._connect_args = {k: v for k, v in (("connect_timeout", CONNECT_TIMEOUT),
                                                    ("application_name", "deflect-collector")) if k not in given}
            self._local = threading.local()
            self._conns: list[Any] = []
        else:
            path = self.parsed.target
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._sqlite: sqlite3.Connection | None = None
            self._sqlite = self._open_sqlite()
            # Writers in several worker processes take this lock before BEGIN IMMEDIATE: a blocked flock()
            # wakes as soon as the other process commits, where SQLite's busy handler sleeps 1-100 ms.
            self._lockfile = f"{path}-writer.lock" if path != ":memory:" else None
            self._lockfd: int | None = None
        self._committer: GroupCommit | None = None
        self.migrate()

    def _open_sqlite(self) -> sqlite3.Connection:
        """Open the SQLite file with the store's pragmas; :class:`DatabaseUnavailable` when it can't be used."""
        conn = None
        try:
            conn = sqlite3.connect(self.parsed.target, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.parsed.synchronous}")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()  # reads the schema: a corrupt file fails here
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise DatabaseUnavailable(f"cannot use the SQLite database {self.parsed.target}: {_one_line(exc)} "
                                      "(is it a Deflect feedback database? restore it or point --db elsewhere)"
                                      ) from None
        return conn

    # ------------------------------------------------------------------ plumbing
    @property
    def blocking_is_cheap(self) -> bool:
        """True when a call is fast enough to run on an event loop (local SQLite)."""
        return self.dialect == "sqlite"

    def _pg(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            try:
                conn = self._psycopg.connect(self.url, autocommit=True, **self._connect_args)
            except self._psycopg.Error as exc:
                raise DatabaseUnavailable(f"cannot connect to PostgreSQL at {self.parsed.shown}: "
                                          f"{_one_line(exc)}") from None
            self._local.conn = conn
            with self._lock:
                self._conns = [c for c in self._conns if not c.closed]
                self._conns.append(conn)
        return conn

    def _connection_lost(self, exc: BaseException) -> bool:
        if self.dialect == "sqlite":
            return _sqlite_down(exc)
        return isinstance(exc, (self._psycopg.OperationalError, self._psycopg.InterfaceError))

    def _reset_connection(self) -> None:
        """Drop the (broken) connection of this thread; the next call opens a new one."""
        if self.dialect == "sqlite":
            with self._lock:
                if self._sqlite is not None:
                    try:
                        self._sqlite.close()
                    except sqlite3.Error:
                        pass
                self._sqlite = None
            return
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - it is broken already
                pass

    def _sqlite_conn(self) -> sqlite3.Connection:
        if self._sqlite is None:
            self._sqlite = self._open_sqlite()
        return self._sqlite

    def _run(self, work: Callable[[Any], T]) -> T:
        """Run ``work(connection)`` (SQLite under the store's lock). When the connection broke, reconnect once
        and run it again; when that fails too, raise :class:`DatabaseUnavailable` and fail fast for
        :data:`RETRY_AFTER` seconds. Retried work is a vote upsert (idempotent) or one insert (at worst an event
        counted twice, when the first attempt committed but its answer was lost with the connection)."""
        if time.monotonic() < self._down_until:
            raise DatabaseUnavailable(f"the database {self.parsed.shown} is unavailable; retrying in a few seconds")
        for attempt in (1, 2):
            try:
                if self.dialect == "sqlite":
                    with self._lock:
                        return work(self._sqlite_conn())
                return work(self._pg())
            except DatabaseUnavailable:
                self._down_until = time.monotonic() + RETRY_AFTER
                raise
            except Exception as exc:
                if not self._connection_lost(exc):
                    raise
                self._reset_connection()
                if attempt == 2:
                    self._down_until = time.monotonic() + RETRY_AFTER
                    raise DatabaseUnavailable(f"the database {self.parsed.shown} failed: {_one_line(exc)}") from None
        raise AssertionError("unreachable")

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
        sql, params = self._sql(sql), tuple(params)
        if self.dialect == "sqlite":
            return self._run(lambda c: c.execute(sql, params).fetchall())

        def work(conn) -> list[tuple]:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        return self._run(work)

    def close(self) -> None:
        if self._committer is not None:
            self._committer.stop()
            self._committer = None
        if self.dialect == "sqlite":
            with self._lock:
                if self._sqlite is not None:
                    self._sqlite.close()
                    self._sqlite = None
                if self._lockfd is not None:
                    os.close(self._lockfd)
                    self._lockfd = None
        else:
            with self._lock:
                for conn in self._conns:
                    try:
                        conn.close()
                    except Exception:  # pragma: no cover
                        pass
                self._conns.clear()

    # ---------------------------------------------------------------- migrations
    def migrate(self) -> int:
        """Apply pending migrations (idempotent, safe to run from several processes); return the version."""
        pk = PK[self.dialect]

        def apply(run: Callable[[str, tuple], list]) -> int:
            run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", ())
            version = run("SELECT MAX(version) FROM schema_version", ())[0][0] or 0
            for number, statements in enumerate(MIGRATIONS, 1):
                if number > version:
                    for statement in statements:
                        run(statement.replace("{pk}", pk), ())
                    run(self._sql("INSERT INTO schema_version (version) VALUES (?)"), (number,))
                    version = number
            return version

        if self.dialect == "sqlite":
            def work_sqlite(c: sqlite3.Connection) -> int:
                with _sqlite_transaction(c):
                    return apply(lambda sql, params: c.execute(sql, params).fetchall())
            return self._run(work_sqlite)

        def work_pg(conn) -> int:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(824731)")

                def run(sql: str, params: tuple) -> list:
                    cur.execute(sql, params)
                    return cur.fetchall() if cur.description else []
                return apply(run)
        return self._run(work_pg)

    def schema_version(self) -> int:
        return self._execute("SELECT MAX(version) FROM schema_version")[0][0] or 0

    def clear(self) -> None:
        """Delete every vote and event (tests)."""
        self._execute("DELETE FROM votes")
        self._execute("DELETE FROM events")

    # -------------------------------------------------------------------- writes
    _UPSERT_VOTE = """INSERT INTO votes (article, lang, voter, helpful, reason, comment, flagged, created, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (article, voter) DO UPDATE SET
                 lang = excluded.lang, helpful = excluded.helpful, reason = excluded.reason,
                 comment = excluded.comment, flagged = excluded.flagged, updated = excluded.updated
               RETURNING id"""

    @staticmethod
    def _vote_params(vote: Vote, stamp: str) -> tuple:
        return (vote.article, vote.lang, vote.voter, 1 if vote.helpful else 0, vote.reason, vote.comment,
                vote.flagged, stamp, stamp)

    def add_vote(self, vote: Vote) -> int:
        """Insert or change the reader's vote on an article; return the row id."""
        rows = self._execute(self._UPSERT_VOTE, self._vote_params(vote, now()))
        return int(rows[0][0])

    @contextmanager
    def _writer_lock(self):
        """SQLite: an exclusive flock() shared by every process writing this database file."""
        if self.dialect != "sqlite" or not self._lockfile:
            yield
            return
        import fcntl

        if self._lockfd is None:
            self._lockfd = os.open(self._lockfile, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._lockfd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lockfd, fcntl.LOCK_UN)

    def add_votes(self, votes: list[Vote]) -> list[int]:
        """Insert or change several votes in one transaction (committed when this returns); return their ids."""
        stamp = now()
        params = [self._vote_params(v, stamp) for v in votes]
        if self.dialect == "sqlite":
            def work_sqlite(c: sqlite3.Connection) -> list[int]:
                with self._writer_lock(), _sqlite_transaction(c):
                    return [c.execute(self._UPSERT_VOTE, p).fetchone()[0] for p in params]
            return self._run(work_sqlite)
        sql = self._sql(self._UPSERT_VOTE)

        def work_pg(conn) -> list[int]:
            with conn.transaction():
                with conn.cursor() as cur:
                    ids = []
                    for p in params:
                        cur.execute(sql, p, prepare=True)
                        ids.append(cur.fetchone()[0])
            return ids
        return self._run(work_pg)

    def committer(self) -> "GroupCommit":
        """The store's group-commit writer (started on first use)."""
        if self._committer is None:
            with self._lock:
                if self._committer is None:
                    self._committer = GroupCommit(self)
        return self._committer

    def add_event(self, type: str, *, query: str | None = None, results: int | None = None,
                  clicked: str | None = None, action: str | None = None, article: str | None = None,
                  channel: str | None = None, page: str | None = None, lang: str | None = None,
                  data: dict | None = None) -> int:
        rows = self._execute(
            """INSERT INTO events (type, query, results, clicked, action, article, channel, page, lang, data, created)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (type, query, results, clicked, action, article, channel, page, lang,
             json.dumps(data, ensure_ascii=False) if data else None, now()),
        )
        return int(rows[0][0])

    # --------------------------------------------------------------------- reads
    def votes(self) -> list[dict]:
        rows = self._execute(
            "SELECT id, article, lang, voter, helpful, reason, comment, flagged, created, updated FROM votes ORDER BY id")
        keys = ("id", "article", "lang", "voter", "helpful", "reason", "comment", "flagged", "created", "updated")
        return [dict(zip(keys, r)) | {"helpful": bool(r[4])} for r in rows]

    def events(self, type: str | None = None) -> list[dict]:
        sql = "SELECT id, type, query, results, clicked, action, article, channel, page, lang, data, created FROM events"
        params: tuple = ()
        if type:
            sql += " WHERE type = ?"
            params = (type,)
        rows = self._execute(sql + " ORDER BY id", params)
        keys = ("id", "type", "query", "results", "clicked", "action", "article", "channel", "page", "lang", "data",
                "created")
        return [dict(zip(keys, r)) for r in rows]

    def count(self, table: str) -> int:
        if table not in {"votes", "events"}:
            raise ValueError(table)
        return int(self._execute(f"SELECT COUNT(*) FROM {table}")[0][0])

    def helpful_count(self, article: str) -> tuple[int, int]:
        """(votes, helpful votes) of one article, spam-flagged votes left out: "X of Y found this helpful"."""
        rows = self._execute("SELECT COUNT(*), SUM(helpful) FROM votes WHERE flagged IS NULL AND article = ?",
                             (_article_key(article),))
        votes, helpful = rows[0] if rows else (0, 0)
        return int(votes or 0), int(helpful or 0)

    def report(self, *, comments: int = 5, searches: int = 20) -> dict:
        """The managers' report: per article views, votes, helpful %, reasons, latest comments, deflections;
        top and zero-result searches."""
        articles: dict[str, dict] = defaultdict(lambda: {
            "views": 0, "votes": 0, "helpful": 0, "reasons": {}, "comments": [], "deflections": 0})
        for article, helpful, reason, n in self._execute(
                "SELECT article, helpful, reason, COUNT(*) FROM votes WHERE flagged IS NULL "
                "GROUP BY article, helpful, reason"):
            entry = articles[article]
            entry["votes"] += n
            if helpful:
                entry["helpful"] += n
            elif reason:
                entry["reasons"][reason] = entry["reasons"].get(reason, 0) + n
        for article, helpful, reason, comment, lang, created in self._execute(
                "SELECT article, helpful, reason, comment, lang, updated FROM votes "
                "WHERE flagged IS NULL AND comment IS NOT NULL AND comment <> '' ORDER BY updated DESC, id DESC"):
            entry = articles[article]
            if len(entry["comments"]) < comments:
                entry["comments"].append({"comment": comment, "helpful": bool(helpful), "reason": reason,
                                          "lang": lang, "created": created})
        for article, n in self._execute(
                "SELECT article, COUNT(*) FROM events WHERE type = 'contact' AND action = 'deflected' "
                "AND article IS NOT NULL GROUP BY article"):
            articles[_article_key(article)]["deflections"] += n
        views: Counter[str] = Counter()
        for page, n in self._execute("SELECT page, COUNT(*) FROM events WHERE type = 'pageview' GROUP BY page"):
            if page:
                views[_article_key(page)] += n
        # A page view counts for the article at that path (and its FAQ anchors); the site may live under a
        # base path, so "/help/en/a/" counts for "en/a/". Articles are found by looking up each suffix of the
        # page path in an index (linear in pages × path depth, not pages × articles); shorter pages go first,
        # so a page nobody voted on ("en/b/") also collects its views under a base path ("help/en/b/").
        by_base: dict[str, list[str]] = defaultdict(list)
        for article in articles:
            base = article.split("#", 1)[0]
            if base:
                by_base[base].append(article)
        for page in sorted(views, key=lambda p: (len(p), p)):
            n = views[page]
            matched = False
            for suffix in _path_suffixes(page):
                for article in by_base.get(suffix, ()):
                    articles[article]["views"] += n
                    matched = True
            if not matched:
                if page not in articles:
                    by_base[page.split("#", 1)[0]].append(page)
                articles[page]["views"] += n
        out = []
        for article, entry in articles.items():
            pct = round(100.0 * entry["helpful"] / entry["votes"], 1) if entry["votes"] else None
            out.append({"article": article, "views": entry["views"], "votes": entry["votes"],
                        "helpful": entry["helpful"], "helpful_pct": pct,
                        "reasons": dict(sorted(entry["reasons"].items())), "comments": entry["comments"],
                        "deflections": entry["deflections"]})
        out.sort(key=lambda a: (-a["votes"], -a["views"], a["article"]))
        top = [{"query": q, "count": n, "avg_results": round(float(r or 0), 1), "clicks": int(c or 0)}
               for q, n, r, c in self._execute(
                   "SELECT LOWER(TRIM(query)) AS q, COUNT(*), AVG(results), "
                   "SUM(CASE WHEN clicked IS NOT NULL THEN 1 ELSE 0 END) FROM events "
                   "WHERE type = 'search' AND query IS NOT NULL AND TRIM(query) <> '' "
                   "GROUP BY LOWER(TRIM(query)) ORDER BY COUNT(*) DESC, LOWER(TRIM(query)) LIMIT ?", (searches,))]
        zero = [{"query": q, "count": n} for q, n in self._execute(
            "SELECT LOWER(TRIM(query)) AS q, COUNT(*) FROM events "
            "WHERE type = 'search' AND results = 0 AND query IS NOT NULL AND TRIM(query) <> '' "
            "GROUP BY LOWER(TRIM(query)) ORDER BY COUNT(*) DESC, LOWER(TRIM(query)) LIMIT ?", (searches,))]
        contacts = dict(self._execute(
            "SELECT action, COUNT(*) FROM events WHERE type = 'contact' GROUP BY action"))
        return {"articles": out, "searches": {"top": top, "zero_results": zero},
                "contact": {"deflected": int(contacts.get("deflected", 0)),
                            "contacted": int(contacts.get("contacted", 0))},
                "trends": self.trends()}

    def trends(self, max_points: int = 400) -> dict:
        """Votes and helpful % per week (per day when the votes span less than three weeks), and searches
        per day; every period between the first and the last is listed, empty ones with zeros."""
        votes: dict[dt.date, list[int]] = {}
        for day, helpful, n in self._execute(
                "SELECT SUBSTR(created, 1, 10), helpful, COUNT(*) FROM votes WHERE flagged IS NULL "
                "GROUP BY SUBSTR(created, 1, 10), helpful"):
            entry = votes.setdefault(dt.date.fromisoformat(day), [0, 0])
            entry[0] += int(n)
            if helpful:
                entry[1] += int(n)
        period = "day"
        if votes and (max(votes) - min(votes)).days >= 21:
            period = "week"
            weekly: dict[dt.date, list[int]] = {}
            for day, (n, h) in votes.items():
                entry = weekly.setdefault(day - dt.timedelta(days=day.weekday()), [0, 0])  # Monday
                entry[0] += n
                entry[1] += h
            votes = weekly
        step = dt.timedelta(days=7 if period == "week" else 1)
        vote_points = []
        for start in _periods(votes, step, max_points):
            n, h = votes.get(start, (0, 0))
            vote_points.append({"period": start.isoformat(), "votes": n, "helpful": h,
                                "helpful_pct": round(100.0 * h / n, 1) if n else None})
        searches = {dt.date.fromisoformat(day): int(n) for day, n in self._execute(
            "SELECT SUBSTR(created, 1, 10), COUNT(*) FROM events WHERE type = 'search' "
            "GROUP BY SUBSTR(created, 1, 10)")}
        search_points = [{"day": d.isoformat(), "searches": searches.get(d, 0)}
                         for d in _periods(searches, dt.timedelta(days=1), max_points)]
        return {"period": period, "votes": vote_points, "searches": search_points}


@contextmanager
def _sqlite_transaction(c: sqlite3.Connection):
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on error (a broken connection may refuse the rollback)."""
    c.execute("BEGIN IMMEDIATE")
    try:
        yield
        c.execute("COMMIT")
    except BaseException:
        try:
            c.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        raise


def _periods(data: dict, step: dt.timedelta, max_points: int) -> list[dt.date]:
    """Every period start from the first key of ``data`` to the last (the latest ``max_points``)."""
    if not data:
        return []
    first, last = min(data), max(data)
    count = min(max_points, (last - first) // step + 1)
    return [last - step * i for i in range(count - 1, -1, -1)]


class GroupCommit:
    """Group commit: :meth:`submit` queues a vote and returns an asyncio future; a writer thread takes
    everything queued, commits it in one transaction (:meth:`Store.add_votes`) and only then resolves
    the futures, with the row id or the exception. While one batch commits the next one queues up, so
    under load each commit serves many requests, and no vote is acknowledged before it is durable."""

    def __init__(self, store: Store, max_batch: int = 512):
        self.store, self.max_batch = store, max_batch
        self._cond = threading.Condition()
        self._queue: list[tuple[Vote, asyncio.Future, asyncio.AbstractEventLoop]] = []
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="deflect-group-commit", daemon=True)
        self._thread.start()

    def submit(self, vote: Vote) -> asyncio.Future:
        """Queue ``vote``; await the result for its id (call from a running event loop)."""
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        with self._cond:
            if self._stopped:
                raise RuntimeError("store closed")
            self._queue.append((vote, fut, loop))
            if len(self._queue) == 1:
                self._cond.notify()
        return fut

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(10)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopped:
                    self._cond.wait()
                if not self._queue:
                    return  # stopped and drained
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
            results: list[Any]
            try:
                results = self.store.add_votes([v for v, _, _ in batch])
            except DatabaseUnavailable as exc:  # no point trying the votes one by one
                results = [exc] * len(batch)
            except Exception:
                # One bad row must not fail its neighbours: commit them one by one instead.
                results = []
                for vote, _, _ in batch:
                    try:
                        results.append(self.store.add_votes([vote])[0])
                    except Exception as exc:  # noqa: BLE001 - handed to the request
                        results.append(exc)
            by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, Any]]] = {}
            for (_, fut, loop), result in zip(batch, results):
                by_loop.setdefault(loop, []).append((fut, result))
            for loop, items in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_resolve, items)
                except RuntimeError:  # the loop is closed: nobody waits for these
                    pass


def _resolve(items: list[tuple[asyncio.Future, Any]]) -> None:
    for fut, result in items:
        if fut.done():
            continue
        if isinstance(result, BaseException):
            fut.set_exception(result)
        else:
            fut.set_result(int(result))


_SCHEME = re.compile(r"^[a-z]+://[^/]+")


def _path_suffixes(page: str) -> list[str]:
    """``page`` and each of its tails that starts after a slash: "help/en/a/" → help/en/a/, en/a/, a/."""
    suffixes = [page] if page else []
    start = page.find("/")
    while start != -1:
        if start + 1 < len(page):
            suffixes.append(page[start + 1:])
        start = page.find("/", start + 1)
    return suffixes


def _article_key(path: str) -> str:
    """A page path or URL → the site-relative article key ("/en/a/?q#x" → "en/a/#x")."""
    path = _SCHEME.sub("", path.strip())
    path, _, anchor = path.partition("#")
    path = path.split("?", 1)[0].lstrip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return path + ("#" + anchor if anchor else "")
