"""One transaction per use case: nothing is kept unless ``commit()`` is called.

A read-only unit of work (``read_only=True``) takes no write lock: lists, reports and credential
checks never queue behind a create (SQLite's deferred ``BEGIN``; writers take ``BEGIN
IMMEDIATE``), and on PostgreSQL they spare the BEGIN and ROLLBACK round trips
(:func:`entitle.store.database.read_only_options`). A streaming one (``stream=True``) reads
through a server-side cursor, in the read-only snapshot PostgreSQL needs for it.

A unit that reads first and writes at its end (``reads_first=True``: a create, which reads,
checks its rules and signs before it writes) takes SQLite's write lock only at
:meth:`UnitOfWork.writing`: its reads run in a deferred transaction beside the writer, as on
PostgreSQL, where under READ COMMITTED each statement reads what was committed when it began and
a read takes no lock either. SQLite has one writer for the whole file, so a create that held it
from its first read made every other create of every process wait for its rules and its
signature; now they wait only for its inserts.

An outage met on the way in, inside or at commit (the database gone, its disk full:
:mod:`entitle.store.outages`) leaves as :class:`entitle.domain.errors.Unavailable`, after the
rollback: every caller answers it the same way, and nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from entitle.store.database import READ_ONLY, read_only_options, snapshot_options
from entitle.store.outages import unavailable


class UnitOfWork:
    def __init__(
        self,
        engine: Engine,
        *,
        read_only: bool = False,
        stream: bool = False,
        committed: Callable[[], None] | None = None,
        reads_first: bool = False,
    ) -> None:
        self.engine = engine
        self.read_only = read_only or stream
        self.stream = stream
        self.committed = committed
        # Only SQLite's lock is taken later; PostgreSQL's transaction is one from the start.
        self._deferred = reads_first and engine.dialect.name == "sqlite"
        self._connection: Connection | None = None

    @property
    def conn(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work in a with block")
        return self._connection

    def __enter__(self) -> UnitOfWork:
        try:
            self._connection = self.engine.connect()
            if self.stream:
                self._connection.execution_options(**snapshot_options(self.engine))
            elif self.read_only or self._deferred:
                self._connection.execution_options(**read_only_options(self.engine))
            self._connection.begin()
        except SQLAlchemyError as error:
            self._close(error)
            outage = unavailable(error)
            if outage is None:
                raise
            raise outage from error
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._close(error)
        if error is not None:
            outage = unavailable(error)
            if outage is not None:
                raise outage from error

    def writing(self) -> None:
        """The unit writes from here on: a ``reads_first`` unit on SQLite ends its reads (they
        wrote nothing) and begins the transaction that takes the write lock."""
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot write")
        if not self._deferred:
            return
        self._deferred = False
        try:
            self.conn.commit()
            self.conn.execution_options(**{READ_ONLY: False})
            self.conn.begin()
        except SQLAlchemyError as error:
            outage = unavailable(error)
            if outage is None:
                raise
            raise outage from error

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.writing()
        self.conn.commit()
        if self.committed is not None:
            self.committed()

    def _close(self, error: BaseException | None) -> None:
        """Roll back what was not committed and give the connection back to the pool."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                connection.rollback()
        except SQLAlchemyError:
            # A connection an outage cut rolls back on the server's side; its own error is
            # the one to report.
            if error is None or unavailable(error) is None:
                raise
        finally:
            connection.close()
