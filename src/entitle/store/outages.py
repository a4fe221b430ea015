"""Which outage a database error reports, if any: the database gone, or its storage full.

Both pass without restarting the server, and the same request may work once they have:

- ``DATABASE_UNAVAILABLE``: the database does not answer. PostgreSQL refused or cut the
  connection (SQLSTATE class 08, a driver error without SQLSTATE), is shutting down or starting
  up (57P01 to 57P03), has too many clients (53300), or the database is gone (3D000, 57P04);
  or SQLAlchemy found the connection dead.
- ``STORAGE_FULL``: the disk under the database is full. SQLite's SQLITE_FULL ("database or
  disk is full": it is what a write meeting ENOSPC reports; a write over a file-size limit is
  SQLITE_IOERR_WRITE, an I/O error like a failing disk's, and stays one), PostgreSQL's 53100
  or its "No space left on device".

Any other error is no outage: it stays an unexpected error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from entitle.domain.codes import Code
from entitle.domain.errors import Unavailable

RETRY_AFTER = {Code.DATABASE_UNAVAILABLE: 5, Code.STORAGE_FULL: 30}
"""Seconds a client waits before it tries again: a database restarts in seconds; a full disk
needs an operator."""
MESSAGES = {
    Code.DATABASE_UNAVAILABLE: "The database does not answer; nothing was changed. "
    "Try again in a few seconds.",
    Code.STORAGE_FULL: "The server's storage is full; nothing was changed. "
    "Reading still works; try writing again later.",
}
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "57P04", "3D000", "53300"})
_DISK_FULL_STATE = "53100"
_NO_SPACE = "No space left on device"


def outage_of(error: BaseException) -> Code | None:
    """The outage ``error`` (a SQLAlchemy or driver error, or one raised from it) reports."""
    for found in _chain(error):
        if isinstance(found, DBAPIError) and found.connection_invalidated:
            return Code.DATABASE_UNAVAILABLE
        driver = found.orig if isinstance(found, DBAPIError) else found
        sqlite_code = getattr(driver, "sqlite_errorcode", None)
        if isinstance(sqlite_code, int):
            return Code.STORAGE_FULL if sqlite_code & 0xFF == sqlite3.SQLITE_FULL else None
        if not hasattr(driver, "sqlstate"):
            continue
        state = getattr(driver, "sqlstate", None)
        if state == _DISK_FULL_STATE or _NO_SPACE in str(driver):
            return Code.STORAGE_FULL
        if state is None and isinstance(found, OperationalError | InterfaceError):
            return Code.DATABASE_UNAVAILABLE
        if state is not None and (state.startswith("08") or state in _UNAVAILABLE_STATES):
            return Code.DATABASE_UNAVAILABLE
        return None
    return None


def unavailable(error: BaseException) -> Unavailable | None:
    """The refusal to answer for ``error`` when it reports an outage; raise it from ``error``."""
    code = outage_of(error)
    if code is None:
        return None
    return Unavailable(code, MESSAGES[code], retry_after=RETRY_AFTER[code], cause=cause_of(error))


def cause_of(error: BaseException) -> str:
    """The driver's own words, on one line: what the log and the command say."""
    driver = error.orig if isinstance(error, DBAPIError) else error
    lines = str(driver).strip().splitlines()
    return lines[0] if lines else type(driver).__name__


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__
