"""Driver errors classified: which are an outage (database gone, storage full), which are not."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from psycopg import errors as pg
from sqlalchemy.exc import DBAPIError

from entitle.domain.codes import Code
from entitle.store.outages import outage_of, unavailable


def _wrapped(orig: Exception, dbapi: type[Exception] = psycopg.Error) -> DBAPIError:
    """The error as SQLAlchemy raises it from the driver's."""
    error = DBAPIError.instance("SELECT 1", {}, orig, dbapi)
    assert isinstance(error, DBAPIError)
    return error


def _sqlite_error(*statements: str) -> sqlite3.Error:
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for statement in statements:
            db.execute(statement)
    except sqlite3.Error as error:
        return error
    finally:
        db.close()
    raise AssertionError("the statements raised nothing")


def test_sqlite_full_is_storage_full() -> None:
    # SQLite's own SQLITE_FULL, as a write meeting a full disk raises it.
    error = _sqlite_error(
        "CREATE TABLE t (x)",
        "PRAGMA max_page_count = 2",
        "INSERT INTO t VALUES (randomblob(100000))",
    )
    assert str(error) == "database or disk is full"
    assert outage_of(_wrapped(error, sqlite3.Error)) is Code.STORAGE_FULL


@pytest.mark.parametrize(
    "statements",
    [
        ("SELECT * FROM no_such_table",),
        ("CREATE TABLE t (x UNIQUE)", "INSERT INTO t VALUES (1), (1)"),
    ],
)
def test_other_sqlite_errors_are_no_outage(statements: tuple[str, ...]) -> None:
    assert outage_of(_wrapped(_sqlite_error(*statements), sqlite3.Error)) is None


@pytest.mark.parametrize(
    ("orig", "code"),
    [
        (
            psycopg.OperationalError("connection failed: Connection refused"),
            Code.DATABASE_UNAVAILABLE,
        ),
        (
            pg.AdminShutdown("terminating connection due to administrator command"),
            Code.DATABASE_UNAVAILABLE,
        ),
        (pg.CrashShutdown("terminating connection because of crash"), Code.DATABASE_UNAVAILABLE),
        (pg.CannotConnectNow("the database system is starting up"), Code.DATABASE_UNAVAILABLE),
        (pg.ConnectionFailure("connection lost"), Code.DATABASE_UNAVAILABLE),
        (pg.InvalidCatalogName('database "entitle" does not exist'), Code.DATABASE_UNAVAILABLE),
        (pg.DiskFull("could not extend file: No space left on device"), Code.STORAGE_FULL),
        (pg.InternalError_("could not write block: No space left on device"), Code.STORAGE_FULL),
        (pg.UniqueViolation("duplicate key value"), None),
        (pg.UndefinedTable('relation "checkouts" does not exist'), None),
        (pg.QueryCanceled("canceling statement due to statement timeout"), None),
    ],
)
def test_postgresql_errors_by_sqlstate(orig: Exception, code: Code | None) -> None:
    assert outage_of(_wrapped(orig)) is code


def test_an_outage_becomes_a_refusal_with_retry_after_and_the_drivers_words() -> None:
    outage = unavailable(_wrapped(pg.AdminShutdown("terminating connection\nDETAIL: more")))
    assert outage is not None
    assert outage.status == 503
    assert outage.code == "DATABASE_UNAVAILABLE"
    assert outage.retry_after > 0
    assert outage.cause == "terminating connection"
    assert unavailable(_wrapped(pg.UniqueViolation("duplicate"))) is None
