"""One transaction per use case: nothing is kept unless ``commit()`` is called."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine


class UnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None

    @property
    def conn(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("use the unit of work in a with block")
        return self._connection

    def __enter__(self) -> UnitOfWork:
        self._connection = self.engine.connect()
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
        self.conn.commit()
