"""Statements sent to the database driver's own cursor: a create's, and a list page's.

SQLAlchemy still builds each statement and compiles it (once per process and dialect, see
:class:`Compiled`); what is spared is its execution context around every execute, which cost a
create more than the database's answer: about 90 µs a read on SQLite against 15 µs on the
cursor itself, with the create's three reads and four inserts; and SQLAlchemy's rows, whose
columns cost 0.6 µs each to read by name (a list page reads a thousand). The rows come back
with every column through its type's result processor (JSON, dates, booleans), as
``conn.execute`` gives them, and as named tuples, so code written for SQLAlchemy's rows reads
them alike.

Errors leave as SQLAlchemy's own (``DBAPIError.instance``): an ``IntegrityError`` for a broken
constraint (the idempotency race), an ``OperationalError`` for an outage, which
:mod:`entitle.store.outages` classifies as before; a lost connection is invalidated so the pool
does not hand it out again.

Parameters go through their types' bind processors as ``conn.execute`` sends them (a time in
UTC, without its zone on SQLite). A statement that is built afresh for each call with its values
bound by name (the checkout list, :func:`entitle.store.checkouts.search`) is kept by its shape,
so that this module compiles it once.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, cast

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
        self.compiled = compiled
        # The binds' own conversions (an expanded IN's come with its expanded state).
        self.converters: dict[str, Callable[[Any], Any]] = {
            key: converter
            for key, bind in compiled.binds.items()
            if (converter := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
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
        if self.converters or state.processors:
            bound = cast(dict[str, Any], state.parameters)  # a new dict for each call
            for converters in (self.converters, state.processors):
                for key, convert in converters.items():
                    if key in bound:
                        bound[key] = convert(bound[key])
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


@lru_cache(maxsize=512)
def _compiled(statement: Statement, dialect: Dialect) -> Compiled:
    return Compiled(statement, dialect)


def fetch(conn: Connection, statement: Statement, params: Mapping[str, Any]) -> list[Any]:
    """The rows of ``statement`` for ``params``, through the cursor. ``statement`` is compiled
    once per dialect and kept: build it once (at import, or once per shape) and pass the same
    object each time."""
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
