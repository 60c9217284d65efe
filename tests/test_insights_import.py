"""Ticket import on hostile input: every problem a real export can have, as a small file in tmp_path.

Each fixture checks that every row is accounted for (rows = imported + malformed + duplicates) and
that the problem is reported as ``file:line``; tickets can also come from a SQL table (SQLite here,
PostgreSQL when DEFLECT_TEST_POSTGRES_URL is set).
"""
from __future__ import annotations

import codecs
import datetime as dt
import gzip
import json
import os
import sqlite3
import sys
import uuid
from pathlib import Path

import pytest

from deflect.insights.tickets import MAX_LINE, TicketImportError, TicketStore

sys.path.insert(0, str(Path(__file__).parent))
from test_insights import run, synthetic_center  # noqa: E402

POSTGRES = os.environ.get("DEFLECT_TEST_POSTGRES_URL")


def load(*paths, **options) -> TicketStore:
    """Import, and check that the counts reconcile."""
    store = TicketStore.load(list(paths), **options)
    r = store.report
    assert r.rows == r.imported + r.malformed + r.duplicates, r.as_dict()
    assert r.imported == store.con.execute("SELECT count(*) FROM tickets").fetchone()[0]
    return store


def days(store: TicketStore) -> list[str]:
    return [row[0] for row in store.con.execute("SELECT strftime(created, '%Y-%m-%d') FROM tickets ORDER BY rid")
            .fetchall()]


def problems(store: TicketStore) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in store.report.problems]


# ----- dates ----------------------------------------------------------------------------------------
def test_month_first_dates_are_detected_from_a_day_over_12(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("id,created,subject\n1,03/04/2025 10:00,April the 3rd? no: March 4th\n"
                    "2,12/25/2025 09:30 PM,Christmas\n3,1/2/25,short year\n", encoding="utf-8")
    store = load(path)
    assert days(store) == ["2025-03-04", "2025-12-25", "2025-01-02"]
    assert store.report.imported == 3


def test_day_first_dates_are_detected_and_dotted_dates_are_day_first(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text("id,created,subject\n1,03/04/2025,a\n2,25/12/2025 10:00,b\n3,04.05.2025 08:00,c\n",
                    encoding="utf-8")
    assert days(load(path)) == ["2025-04-03", "2025-12-25", "2025-05-04"]


def test_ambiguous_dates_are_refused_until_the_order_is_given(tmp_path: Path) -> None:
    path = tmp_path / "ambiguous.csv"
    path.write_text("id,created,subject\n1,05/05/2025,same either way\n2,03/04/2025,a\n3,11/02/2025,b\n",
                    encoding="utf-8")
    with pytest.raises(TicketImportError, match=rf"{path.name}:3: dates such as '03/04/2025' could be day/month/year or "
                                           r"month/day/year .* pass --date-order dmy or --date-order mdy"):
        load(path)
    assert days(load(path, date_order="mdy")) == ["2025-05-05", "2025-03-04", "2025-11-02"]
    assert days(load(path, date_order="dmy")) == ["2025-05-05", "2025-04-03", "2025-02-11"]
    with pytest.raises(TicketImportError, match="--date-order 'ydm': use one of dmy, mdy, ymd"):
        load(path, date_order="ydm")


def test_a_file_that_mixes_both_orders_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("id,created,subject\n1,25/03/2025,a\n2,03/25/2025,b\n", encoding="utf-8")
    with pytest.raises(TicketImportError, match=r"mix day/month/year \(line 2: '25/03/2025'\) and month/day/year "
                                           r"\(line 3: '03/25/2025'\)"):
        load(path)
    store = load(path, date_order="dmy")  # the order given: the row that does not fit it is reported
    assert days(store) == ["2025-03-25"]
    assert problems(store) == [(3, "impossible date '03/25/2025': no such day (read as day/month/year)")]


def test_each_file_has_its_own_order_and_year_first_two_digit_dates(tmp_path: Path) -> None:
    us, eu = tmp_path / "us.csv", tmp_path / "eu.csv"
    us.write_text("id,created,subject\n1,01/13/2025,a\n2,02/03/2025,b\n", encoding="utf-8")
    eu.write_text("id,created,subject\n3,13/01/2025,c\n4,02/03/2025,d\n", encoding="utf-8")
    assert days(load(us, eu)) == ["2025-01-13", "2025-02-03", "2025-01-13", "2025-03-02"]
    short = tmp_path / "ymd.csv"
    short.write_text("id,created,subject\n1,25/03/04,a\n", encoding="utf-8")
    assert days(load(short, date_order="ymd")) == ["2025-03-04"]


def test_impossible_dates_are_reported_not_rolled_forward(tmp_path: Path) -> None:
    path = tmp_path / "impossible.csv"
    path.write_text("id,created,subject\n1,2025-02-30,Feb 30\n2,2025-02-28T10:00:00Z,fine\n"
                    "3,2025-04-31 10:00,April 31\n4,2025-13-01,month 13\n5,2024-02-29,leap day\n"
                    "6,31/04/2025 10:00,dmy April 31\n7,15/03/2025,tells the order\n", encoding="utf-8")
    store = load(path)
    assert days(store) == ["2025-02-28", "2024-02-29", "2025-03-15"]
    assert problems(store) == [
        (2, "impossible date '2025-02-30': no such day (read as year/month/day)"),
        (4, "impossible date '2025-04-31 10:00': no such day (read as year/month/day)"),
        (5, "impossible date '2025-13-01': no such day (read as year/month/day)"),
        (7, "impossible date '31/04/2025 10:00': no such day (read as day/month/year)")]
    assert [p.format() for p in store.report.problems][0] == f"{path}:2: impossible date '2025-02-30': no such day " \
                                                             "(read as year/month/day)"


# ----- lost or misread rows --------------------------------------------------------------------------
def test_an_unclosed_quote_swallows_nothing_silently(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text("id,created,subject,body\n"          # 1
                    "1,2025-03-03,fine,body\n"            # 2
                    '2,2025-03-04,"never closed,body\n'   # 3: the quote runs on
                    "3,2025-03-05,swallowed,body\n"       # 4
                    '4,2025-03-06,"multi\nline",body\n'   # 5-6: a real multi-line field
                    "5,2025-03-07,swallowed too,body\n",  # 7
                    encoding="utf-8")
    store = load(path)
    r = store.report
    assert (r.rows, r.imported, r.malformed) == (5, 4, 1)
    assert problems(store)[0][0] == 3 and "unclosed quote" in problems(store)[0][1]
    assert "lines 4–" in problems(store)[0][1]
    subjects = [row[0] for row in store.con.execute("SELECT subject FROM tickets ORDER BY rid").fetchall()]
    assert subjects == ["fine", "swallowed", "multi line", "swallowed too"]


def test_an_unclosed_quote_at_the_end_reports_the_lines_it_ran_over(tmp_path: Path) -> None:
    path = tmp_path / "tail.csv"
    path.write_text('id,created,subject\n1,2025-03-03,"open\n2,2025-03-04,b\n3,2025-03-05,c\n', encoding="utf-8")
    store = load(path)
    assert problems(store) == [(2, "unclosed quote: the record runs from line 2 to line 4; lines 3–4 are read "
                                   "again as rows of their own")]
    assert (store.report.rows, store.report.imported) == (3, 2)


def test_quote_glued_to_text_in_a_multi_line_record_is_caught(tmp_path: Path) -> None:
    """The runaway quote closes at a later quote and the field count happens to fit."""
    path = tmp_path / "glued.csv"
    path.write_text('id,created,subject\n1,2025-03-03,"open\n2,2025-03-04,"quoted" text\n3,2025-03-05,c\n',
                    encoding="utf-8")
    store = load(path)
    assert problems(store)[0][0] == 2 and "unclosed quote" in problems(store)[0][1]
    assert store.report.rows == 3 and store.report.imported == 2


def test_short_and_long_rows_count_as_rows(tmp_path: Path) -> None:
    path = tmp_path / "widths.csv"
    path.write_bytes(b"id,created,subject\n1,2025-03-03,a\x00b\n2,2025-03-04\n3,2025-03-05,x,extra\n")
    store = load(path)
    assert (store.report.rows, store.report.imported, store.report.malformed) == (3, 1, 2)
    assert problems(store) == [(3, "expected 3 fields, found 2"), (4, "expected 3 fields, found 4")]


def test_duplicates_and_every_kind_of_problem_reconcile(tmp_path: Path) -> None:
    path = tmp_path / "all.jsonl"
    rows = [{"id": 1, "created": "2025-03-03", "subject": "a"}, {"id": 1, "created": "2025-03-04", "subject": "dup"},
            {"id": 2, "created": "", "subject": "no time"}, {"id": 3, "created": "1999-01-01", "subject": ""},
            {"id": 4, "created": "2025-03-05", "subject": "", "body": ""}, {"id": 5, "created": "later", "subject": "x"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    store = load(path)
    r = store.report
    assert (r.rows, r.imported, r.malformed, r.duplicates) == (6, 1, 4, 1)
    assert [line for line, _ in problems(store)] == [3, 4, 5, 6]  # one problem per row, never two


# ----- encodings ---------------------------------------------------------------------------------------
EXCEL_TSV = "Ticket ID\tCreated time\tSubject\tDescription\n1\t2025-03-03 10:00\tCafé crème\tŽeljko's printer\n" \
            "2\t2025-03-04 11:00\tBoleto não abre\tdescrição\n"


@pytest.mark.parametrize("name, data", [
    ("excel-unicode.txt", codecs.BOM_UTF16_LE + EXCEL_TSV.encode("utf-16-le")),
    ("big-endian.tsv", codecs.BOM_UTF16_BE + EXCEL_TSV.encode("utf-16-be")),
    ("no-bom-utf16.txt", EXCEL_TSV.encode("utf-16-le")),
    ("bom.tsv", codecs.BOM_UTF8 + EXCEL_TSV.encode("utf-8")),
    ("gzipped-utf16.txt.gz", gzip.compress(codecs.BOM_UTF16_LE + EXCEL_TSV.encode("utf-16-le"))),
])
def test_utf16_and_utf8_bom_exports_are_read(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    store = load(path, preset="freshdesk")
    assert store.report.imported == 2 and not store.report.notes and not store.report.problems
    subjects = [row[0] for row in store.con.execute("SELECT subject FROM tickets ORDER BY rid").fetchall()]
    assert subjects == ["Café crème", "Boleto não abre"]


# ----- depth and size limits ---------------------------------------------------------------------------
def test_deep_json_huge_numbers_and_huge_lines_are_clear_problems(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": 1, "created": "2025-03-03", "subject": "fine"}) + "\n")
        handle.write('{"id": 2, "created": "2025-03-03", "subject": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
        handle.write('{"id": 3, "created": "2025-03-03", "subject": "x", "n": ' + "9" * 5000 + "}\n")
        handle.write(json.dumps({"id": 4, "created": "2025-03-03", "subject": "y" * (MAX_LINE + 10)}) + "\n")
        handle.write(json.dumps({"id": 5, "created": "2025-03-04", "subject": "after"}) + "\n")
    store = load(path)
    assert store.report.imported == 2
    found = problems(store)
    assert [line for line, _ in found] == [2, 3, 4]
    assert found[0][1] == "JSON nested too deeply to read"
    assert found[1][1].startswith("invalid JSON: Exceeds the limit")
    assert found[2][1] == f"line longer than {MAX_LINE:,} characters: not read"


def test_a_huge_csv_line_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("id,created,subject\n1,2025-03-03,a\n")
        handle.write("2,2025-03-03," + "z" * (MAX_LINE + 5) + "\n")
        handle.write("3,2025-03-04,b\n")
    store = load(path)
    assert problems(store) == [(3, f"line longer than {MAX_LINE:,} characters: not read")]
    assert store.report.imported == 2


# ----- tickets in a SQL table --------------------------------------------------------------------------
TABLE_ROWS = [(1, "2025-03-03 10:00:00", "Refund please", "refunds"), (2, "2025-02-30 10:00:00", "Bad day", "refunds"),
              (3, "2025-03-05 10:00:00", "Refund again", "refunds"), (3, "2025-03-06 10:00:00", "Repeat", "refunds")]


def test_tickets_from_a_sqlite_table(tmp_path: Path) -> None:
    db = tmp_path / "helpdesk.db"
    with sqlite3.connect(db) as con:
        con.execute('CREATE TABLE "my tickets" (ticket_id INTEGER, created_at TEXT, title TEXT, topic TEXT)')
        con.executemany('INSERT INTO "my tickets" VALUES (?, ?, ?, ?)', TABLE_ROWS)
    store = load(f"sqlite:///{db}?table=my%20tickets")
    r = store.report
    assert (r.rows, r.imported, r.malformed, r.duplicates) == (4, 2, 1, 1)
    assert problems(store) == [(2, "impossible date '2025-02-30 10:00:00': no such day (read as year/month/day)")]
    assert store.topic_counts() == [("refunds", "topic", 2)]
    with pytest.raises(TicketImportError, match=r"add \?table=NAME to the URL"):
        load(f"sqlite:///{db}")
    with pytest.raises(TicketImportError, match=r"cannot read the tickets table \(no such table: nope\)"):
        load(f"sqlite:///{db}?table=nope")
    with pytest.raises(TicketImportError, match="no SQLite database at"):
        load(f"sqlite:///{tmp_path / 'missing.db'}?table=t")


@pytest.mark.skipif(not POSTGRES, reason="DEFLECT_TEST_POSTGRES_URL is not set")
def test_tickets_from_a_postgresql_table_and_the_cli(tmp_path: Path) -> None:
    import psycopg

    assert POSTGRES
    table = f"tickets_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES, autocommit=True) as con:
        con.execute(f"CREATE TABLE {table} (id BIGINT, created TIMESTAMPTZ, subject TEXT, body TEXT, topic TEXT, "
                    "tags TEXT[])")
        try:
            with con.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s)",
                                [(n, None if n == 7 else
                                  dt.datetime(2025, 1, 6, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=20 * n),
                                  f"Refund number {n}", "Please refund <b>me</b>", "refunds" if n % 3 else None,
                                  ["vip", "billing"]) for n in range(25_000)])
            store = load(f"{POSTGRES}?table={table}")
            r = store.report
            assert (r.rows, r.imported, r.malformed) == (25_000, 24_999, 1)  # ticket 7 has no created time
            assert store.topic_counts()[0][:2] == ("refunds", "topic")
            assert store.con.execute("SELECT body FROM tickets LIMIT 1").fetchone()[0] == "Please refund me"
            assert ":***@" in r.files[0] or "@" not in r.files[0]
            synthetic_center(tmp_path, {"refunds": ("refunds", dt.date(2025, 1, 1))})
            code, out, err = run(tmp_path, "gaps", "--tickets", f"{POSTGRES}?table={table}", "--json", "-")
            assert code == 0, err
            report = json.loads(out)
            assert report["import"]["rows"] == 25_000 and report["tickets"] == 24_999
            assert "25,000 rows: 24,999 imported, 1 malformed, 0 duplicates" in err
        finally:
            con.execute(f"DROP TABLE {table}")


# ----- the command line ------------------------------------------------------------------------------
def test_cli_prints_the_counts_and_refuses_ambiguous_dates(tmp_path: Path) -> None:
    synthetic_center(tmp_path, {"refunds": ("refunds", dt.date(2025, 1, 1))})
    path = tmp_path / "t.csv"
    path.write_text("id,created,subject,topic\n1,03/04/2025,Refund please,refunds\n2,02/30/2025,Bad,refunds\n"
                    "1,03/04/2025,Refund please,refunds\n", encoding="utf-8")
    ambiguous = tmp_path / "a.csv"
    ambiguous.write_text("id,created,subject,topic\n1,03/04/2025,Refund please,refunds\n", encoding="utf-8")
    code, _, err = run(tmp_path, "gaps", "--tickets", str(ambiguous), "--json", "-")
    assert code == 1 and f"{ambiguous}:2: dates such as '03/04/2025'" in err and "pass --date-order" in err
    assert "Traceback" not in err
    code, out, err = run(tmp_path, "gaps", "--tickets", str(path), "--date-order", "mdy", "--json", "-")
    assert code == 0, err
    assert "3 rows: 1 imported, 1 malformed, 1 duplicates" in err
    assert f"{path}:3: impossible date '02/30/2025': no such day (read as month/day/year)" in err
    imported = json.loads(out)["import"]
    assert (imported["rows"], imported["imported"], imported["malformed"], imported["duplicates"]) == (3, 1, 1, 1)
    code, _, err = run(tmp_path, "gaps", "--tickets", str(tmp_path / "nope.csv"))
    assert code == 2 and "nope.csv" in err and "does not exist" in err


def test_a_multi_line_field_with_a_missing_column_is_one_short_row(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text('id,created,subject,body\n1,2025-03-03,"two\nlines"\n2,2025-03-04,fine,body\n', encoding="utf-8")
    store = load(path)
    assert problems(store) == [(2, "expected 4 fields, found 3")]
    assert (store.report.rows, store.report.imported) == (2, 1)


# ----- languages --------------------------------------------------------------------------------------

def test_languages_named_in_english_or_in_themselves_become_codes(tmp_path: Path) -> None:
    names = ["Croatian", "hrvatski", " EESTI ", "Tagalog", "Filipino", "pt_BR", "Spanish", "Svenska", "en-US", ""]
    rows = "".join(f"{n},2026-03-0{n % 9 + 1},Subject {n},Body {n},{name}\n" for n, name in enumerate(names))
    export = tmp_path / "tickets.csv"
    export.write_text("id,created,subject,body,language\n" + rows, encoding="utf-8")

    def codes(store: TicketStore) -> list[str | None]:
        return [row[0] for row in store.con.execute("SELECT lang FROM tickets ORDER BY rid").fetchall()]

    expected = ["hr", "hr", "et", "tl", "tl", "pt-br", "es", "svenska", "en-us", None]
    assert codes(load(export)) == expected
    # A language the help center adds (Swedish, which Deflect does not ship) is known by its own name too.
    assert codes(load(export, languages=["en", "hr", "sv"])) == expected[:7] + ["sv"] + expected[8:]
