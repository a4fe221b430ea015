"""Engines for the embedded SQLite file or PostgreSQL, and schema upgrades through Alembic."""

from __future__ import annotations

import select
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError

from entitle import settings
from entitle.domain.codes import Code
from entitle.domain.errors import NotFound

MIGRATIONS = Path(__file__).parent / "migrations"
# Connection execution option: the transaction about to begin only reads.
READ_ONLY = "entitle_read_only"


def read_only_options(engine: Engine) -> dict[str, Any]:
    """Execution options for a connection that will only read.

    SQLite begins a deferred transaction (see ``_sqlite_begin``): one snapshot for all its
    reads, beside the writer. PostgreSQL reads in autocommit: under its default READ COMMITTED
    every statement takes its own snapshot inside a transaction too, so BEGIN and ROLLBACK
    would only cost two round trips.
    """
    if engine.dialect.name == "postgresql":
        return {READ_ONLY: True, "isolation_level": "AUTOCOMMIT"}
    return {READ_ONLY: True}


def snapshot_options(engine: Engine) -> dict[str, Any]:
    """Execution options for a read that streams through a server-side cursor.

    PostgreSQL declares such a cursor inside a transaction only: a read-only REPEATABLE READ
    one (one snapshot for the whole read, no write lock). SQLite reads as any reader does.
    """
    if engine.dialect.name == "postgresql":
        return {READ_ONLY: True, "isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    return read_only_options(engine)


def data_dir() -> Path:
    """``ENTITLE_DATA_DIR``, else ``.entitle`` in the working directory."""
    return settings.current().resolved_data_dir()


def database_url(directory: Path | None = None) -> str:
    """``ENTITLE_DATABASE_URL``, else a SQLite file in the data directory."""
    url = settings.current().database_url
    if url:
        return url
    directory = directory or data_dir()
    return f"sqlite:///{directory / 'entitle.sqlite3'}"


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL, or SQLite in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def require_database(url: str) -> None:
    """Refuse a SQLite file that does not exist yet (opening it would create an empty one):
    only ``entitle db upgrade`` creates the database. PostgreSQL's exists or does not answer."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise NotFound(
            Code.NO_DATABASE,
            f"there is no database yet ({path}); create it with 'entitle db upgrade'",
        )


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; it creates nothing until it connects (see :func:`upgrade`)."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql" or parsed.drivername == "postgres":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take the write lock up front so
        # two writers queue on busy_timeout instead of failing with "database is locked".
        # Readers (READ_ONLY) begin deferred: WAL lets them read beside the one writer.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # A process runs its sync routes on 20 threads (entitle.server.THREADS). Connections beyond
    # pool_size are closed as soon as they are returned: with 10 kept, 16 requests in flight
    # per process opened a new PostgreSQL connection (a backend process) for almost every
    # second request. Keep one per thread; the overflow only serves other callers.
    options.setdefault("pool_size", 20)
    options.setdefault("pool_use_lifo", True)
    options.setdefault("max_overflow", 20)
    engine = create_engine(parsed, **options)
    event.listen(engine, "checkout", _still_connected)
    return engine


def _still_connected(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled PostgreSQL connection that the server has closed, without a round trip.

    An idle connection has nothing to read: once the server ends it (a restart, a crash, an
    administrator's ``pg_terminate_backend``, ``idle_session_timeout``) its socket reads as
    ready, with the server's last message or the end of the stream. SQLAlchemy's ``pool_pre_ping``
    asked the server instead (``SELECT 1``), a round trip of 0.3-0.5 ms on every checkout,
    which is every request. Raising ``DisconnectionError`` here makes the pool drop this
    connection and hand out another (PoolEvents.checkout); a server that is still down then
    fails to connect, as before. A connection cut without the server saying so (a network
    gone quiet) is not seen by either check: its first statement fails, and the pool is
    invalidated then.
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the connection is closed")
    if _readable(dbapi_connection.pgconn.socket):
        raise DisconnectionError("the server ended the connection")


def _readable(fd: int) -> bool:
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    ready, _, _ = select.select([fd], [], [], 0)  # pragma: no cover - no poll() (Windows)
    return bool(ready)


def _sqlite_begin(conn: Connection) -> None:
    reading = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by the "begin" event
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with Alembic; a SQLite file (and its folder) is
    created here, and only here."""
    from alembic import command

    path = sqlite_file(engine.url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
