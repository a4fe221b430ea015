"""Integer time arithmetic that reads the same on SQLite and PostgreSQL.

SQLite keeps ``UTCDateTime`` as text, ``YYYY-MM-DD HH:MM:SS.ffffff``; PostgreSQL as
``timestamptz``. ``epoch_microseconds`` turns either into whole microseconds since 1970 UTC, so
the usage reports count intervals with integer division, exactly as ``entitle.domain.usage``
does. ``least`` and ``greatest`` are the scalar ``min``/``max`` of SQLite.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from entitle.domain.usage import INTERVAL_MICROSECONDS


class epoch_microseconds(FunctionElement[int]):
    type = BigInteger()
    inherit_cache = True
    name = "epoch_microseconds"


class least(FunctionElement[int]):
    type = BigInteger()
    inherit_cache = True
    name = "least"


class greatest(FunctionElement[int]):
    type = BigInteger()
    inherit_cache = True
    name = "greatest"


@compiles(epoch_microseconds, "sqlite")
def _epoch_sqlite(element: epoch_microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%s', {moment}) AS INTEGER) * 1000000"
        f" + CAST(substr({moment}, 21, 6) AS INTEGER))"
    )


@compiles(epoch_microseconds, "postgresql")
def _epoch_postgresql(element: epoch_microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    return (
        f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) * 1000000 AS BIGINT)"
    )


@compiles(least, "sqlite")
def _least_sqlite(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


def first_whole_interval(moment: ColumnElement[Any]) -> ColumnElement[int]:
    """``ceil(moment / 10 min)``; timestamps are after 1970, so division truncates down."""
    return (epoch_microseconds(moment) + (INTERVAL_MICROSECONDS - 1)) // INTERVAL_MICROSECONDS


def interval_after(moment: ColumnElement[Any]) -> ColumnElement[int]:
    """``floor(moment / 10 min)``."""
    return epoch_microseconds(moment) // INTERVAL_MICROSECONDS


@compiles(least)
def _least(element: least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(greatest)
def _greatest(element: greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"
