"""Many rows in one round of the driver: a binary ``COPY`` on PostgreSQL, one ``executemany``
of the table's INSERT elsewhere (what an import of thousands of checkouts and the benchmarks'
loader write with); and the rows of several tables in one statement (what a create writes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Boolean, Connection, Integer, LargeBinary, Table, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from entitle.store import driver
from entitle.store.tables import UTCDateTime

# Below this many rows the table's own INSERT is as quick, and plainer.
COPY_FROM = 50


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[Sequence[Any]],
    names: Sequence[str],
    *,
    freeze: bool = False,
) -> None:
    """Insert positional ``rows`` of the ``names`` columns; each value goes through its
    column's type (UTC times) as an INSERT would.

    ``freeze``: on PostgreSQL, the rows are written frozen (``COPY … FREEZE``), so no VACUUM
    has to visit them again; only for a table emptied by ``TRUNCATE`` in this transaction.
    """
    if not rows:
        return
    if len(rows) < COPY_FROM and not freeze:
        conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
        return
    # bytes need no conversion (the binary type's processor only copies them).
    processors = [
        (index, processor)
        for index, name in enumerate(names)
        if not isinstance(table.c[name].type, LargeBinary)
        and (processor := table.c[name].type.bind_processor(conn.dialect)) is not None
    ]
    if processors:
        converted = []
        for row in rows:
            values = list(row)
            for index, processor in processors:
                values[index] = processor(values[index])
            converted.append(values)
        rows = converted
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        # Binary COPY: bytea travels as is instead of as hex text twice its size.
        options = "FORMAT BINARY, FREEZE" if freeze else "FORMAT BINARY"
        statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN ({options})"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types([_postgres_type(table.c[name].type) for name in names])
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in names)
    # The table's own name and columns, never text from a request.
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
    conn.exec_driver_sql(statement, [tuple(r) for r in rows])


def _postgres_type(kind: TypeEngine[Any]) -> str:
    if isinstance(kind, UTCDateTime):
        return "timestamptz"
    known = ((LargeBinary, "bytea"), (BigInteger, "int8"), (Integer, "int4"), (Boolean, "bool"))
    for python_type, name in known:
        if isinstance(kind, python_type):
            return name
    return "text" if isinstance(kind, Text) else "varchar"


@dataclass(frozen=True)
class InsertedId:
    """A value for :func:`insert_together`: the id of the row inserted into ``table`` before it
    in the same call (that table's part has one row and an ``id`` column)."""

    table: Table


Rows = Sequence[Mapping[str, Any]]


def insert_together(conn: Connection, parts: Sequence[tuple[Table, Rows]]) -> None:
    """Insert the rows of several tables, in order, each value through its column's type.

    PostgreSQL gets one statement for all of them (each INSERT a ``WITH`` part, the ids named
    by :class:`InsertedId` read from an earlier part's ``RETURNING``): one round trip, one
    statement's overhead, where a create used to send five. SQLite gets one ``executemany`` of
    plain SQL a table, on the driver's cursor (:mod:`entitle.store.driver`). A constraint
    broken is the same ``IntegrityError`` either way.
    """
    parts = [(table, rows) for table, rows in parts if rows]
    if conn.dialect.name == "postgresql":
        _insert_together_postgres(conn, parts)
        return
    inserted: dict[str, Any] = {}
    for table, rows in parts:
        names = list(rows[0])
        values = _bound(conn, table, names, rows, inserted)
        marks = ", ".join("?" for _ in names)
        # The table's own name and columns, never text from a request.
        statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
        if len(values) > 1:
            driver.run(conn, statement, values, many=True)
            continue
        last = driver.run(conn, statement, values[0])
        if "id" in table.c:
            inserted[table.name] = last


def _insert_together_postgres(conn: Connection, parts: Sequence[tuple[Table, Rows]]) -> None:
    referenced = {
        value.table.name
        for _, rows in parts
        for row in rows
        for value in row.values()
        if isinstance(value, InsertedId)
    }
    clauses, params = [], []
    for table, rows in parts:
        names = list(rows[0])
        tuples = []
        for row, values in zip(rows, _bound(conn, table, names, rows, None), strict=True):
            marks = []
            for name, value in zip(names, values, strict=True):
                if isinstance(row[name], InsertedId):
                    marks.append(f"(SELECT id FROM {row[name].table.name}_row)")  # noqa: S608
                else:
                    marks.append("%s")
                    params.append(value)
            tuples.append(f"({', '.join(marks)})")
        returning = " RETURNING id" if table.name in referenced else ""
        clauses.append(
            f"{table.name}_row AS (INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608
            f"VALUES {', '.join(tuples)}{returning})"
        )
    conn.exec_driver_sql(f"WITH {', '.join(clauses)} SELECT 1", tuple(params))


def _bound(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    rows: Rows,
    inserted: Mapping[str, Any] | None,
) -> list[tuple[Any, ...]]:
    """Each row's values in ``names`` order, as the column's type binds them."""
    processors = _processors(table, tuple(names), conn.dialect)
    bound = []
    for row in rows:
        values = []
        for name, processor in zip(names, processors, strict=True):
            value = row[name]
            if isinstance(value, InsertedId):
                value = None if inserted is None else inserted[value.table.name]
            elif processor is not None:
                value = processor(value)
            values.append(value)
        bound.append(tuple(values))
    return bound


@lru_cache(maxsize=256)
def _processors(
    table: Table, names: tuple[str, ...], dialect: Dialect
) -> list[Callable[[Any], Any] | None]:
    """The columns' bind processors, made once: making them took a tenth of a create's time."""
    return [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
