"""One transaction per use case: nothing is kept unless ``commit()`` is called.

A read-only unit of work (``read_only=True``) takes no write lock: lists, reports and credential
checks never queue behind a create (SQLite's deferred ``BEGIN``; writers take ``BEGIN
IMMEDIATE``), and on PostgreSQL they spare the BEGIN and ROLLBACK round trips
(:func:`entitle.store.database.read_only_options`).
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from entitle.store.database import read_only_options


class UnitOfWork:
    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        self._connection: Connection | None = None

    @property
    def conn(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work in a with block")
        return self._connection

    def __enter__(self) -> UnitOfWork:
        self._connection = self.engine.connect()
        if self.read_only:
            self._connection.execution_options(**read_only_options(self.engine))
        self._connection.begin()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        assert connection is not None
        try:
            if connection.in_transaction():
                connection.rollback()
        finally:
            connection.close()

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.conn.commit()
