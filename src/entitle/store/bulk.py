"""Many rows of one table in one round of the driver: a binary ``COPY`` on PostgreSQL, one
``executemany`` of the table's INSERT elsewhere. What an import of thousands of checkouts and
the benchmarks' loader write with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Boolean, Connection, Integer, LargeBinary, Table, Text
from sqlalchemy.types import TypeEngine

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
