"""Statements sent to the database driver's own cursor, for the few a create sends.

SQLAlchemy still builds each statement and compiles it (once per process and dialect, see
:class:`Compiled`); what is spared is its execution context around every execute, which cost a
create more than the database's answer: about 90 µs a read on SQLite against 15 µs on the
cursor itself, with the create's three reads and four inserts. The rows come back with every
column through its type's result processor (JSON, dates, booleans), as ``conn.execute`` gives
them, and as named tuples, so code written for SQLAlchemy's rows reads them alike.

Errors leave as SQLAlchemy's own (``DBAPIError.instance``): an ``IntegrityError`` for a broken
constraint (the idempotency race), an ``OperationalError`` for an outage, which
:mod:`entitle.store.outages` classifies as before; a lost connection is invalidated so the pool
does not hand it out again.

Only parameters that need no conversion may be bound here (text, numbers): compiling refuses a
statement with any other, which stays with ``conn.execute``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import CompoundSelect

Statement = Select[Any] | CompoundSelect[Any]


class Compiled:
    """A statement compiled for one dialect, with its columns' result processors."""

    def __init__(self, statement: Statement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        for bind in compiled.binds.values():
            if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                raise TypeError(f"{bind.key} needs its type's conversion: use conn.execute")
        self.compiled = compiled
        columns = list(statement.selected_columns)
        self.processors: list[tuple[int, Callable[[Any], Any]]] = [
            (index, processor)
            for index, column in enumerate(columns)
            if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None))
            is not None
        ]
        names = [c.key or f"column_{n}" for n, c in enumerate(columns)]
        self.make: Callable[[Sequence[Any]], Any] = namedtuple("Row", names)._make  # type: ignore[attr-defined]

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[Any]:
        state = self.compiled.construct_expanded_state(dict(params))
        values = state.positional_parameters if self.compiled.positional else state.parameters
        fetched = run(conn, state.statement, values, fetch=True)
        make = self.make
        if not self.processors:
            return [make(row) for row in fetched]
        rows = []
        for row in fetched:
            converted = list(row)
            for index, processor in self.processors:
                converted[index] = processor(converted[index])
            rows.append(make(converted))
        return rows


@lru_cache(maxsize=128)
def _compiled(statement: Statement, dialect: Dialect) -> Compiled:
    return Compiled(statement, dialect)


def fetch(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> list[Any]:
    """The rows of ``statement`` (built once, at import) for ``params``, through the cursor."""
    return _compiled(statement, conn.dialect).rows(conn, params)


def run(
    conn: Connection,
    sql: str,
    params: Sequence[Any] | Mapping[str, Any],
    *,
    many: bool = False,
    fetch: bool = False,
) -> Any:
    """Send ``sql`` (the dialect's own parameter style) on ``conn``'s cursor, in its
    transaction: the rows when ``fetch``, else the cursor's ``lastrowid`` (SQLite's; None on
    PostgreSQL, where RETURNING says it)."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        if many:
            cursor.executemany(sql, params)  # type: ignore[arg-type]
        else:
            cursor.execute(sql, params)
        return cursor.fetchall() if fetch else getattr(cursor, "lastrowid", None)
    except conn.dialect.loaded_dbapi.Error as error:
        lost = conn.dialect.is_disconnect(error, raw, cursor)
        wrapped = DBAPIError.instance(
            sql,
            params,
            error,
            conn.dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=conn.dialect,
        )
        if lost:
            conn.invalidate(wrapped)
        raise wrapped from error
    finally:
        cursor.close()
