"""Readiness: the database answers and has the schema."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from entitle.service.context import Services
from entitle.store.database import is_current


def database_ready(services: Services) -> bool:
    try:
        with services.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return is_current(services.engine)
    except SQLAlchemyError:
        return False
