"""Readiness: the database answers, and its schema is the one this server's migrations end at."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from entitle.service.context import Services
from entitle.store.database import read_only_options, sqlite_file
from entitle.store.outages import cause_of
from entitle.store.schema import SchemaState, head_revision, schema_state


@dataclass(frozen=True)
class Readiness:
    schema: SchemaState | None
    """None: the database did not answer (``cause`` says why)."""
    cause: str = ""

    @property
    def ready(self) -> bool:
        return self.schema is not None and self.schema.at_head

    @property
    def database(self) -> str:
        return "unreachable" if self.schema is None else "ok"

    def describe_schema(self) -> str:
        if self.schema is None:
            return f"unknown: head {head_revision()}"
        return self.schema.describe()

    def what_to_do(self) -> str:
        """One line for the operator: why the server is not ready and what to run."""
        if self.schema is None:
            return f"the database does not answer ({self.cause}); check ENTITLE_DATABASE_URL"
        if self.schema.revision is None:
            return "the database has no schema; run 'entitle db upgrade' first"
        if self.schema.behind:
            return (
                f"the database schema is at {self.schema.revision}, behind this server's "
                f"{self.schema.head}; run 'entitle db upgrade' first"
            )
        if self.schema.unknown:
            return (
                f"the database schema is at {self.schema.revision}, a revision this server "
                f"does not know (its newest is {self.schema.head}); run the entitle that "
                "migrated it"
            )
        return "ready"


def readiness(services: Services) -> Readiness:
    """Asks the database for its schema revision, read-only: no write lock, nothing written
    (and no SQLite file made where there is none)."""
    path = sqlite_file(services.engine.url)
    if path is not None and not path.is_file():
        return Readiness(None, f"there is no database file {path}")
    try:
        with services.engine.connect() as conn:
            conn.execution_options(**read_only_options(services.engine))
            return Readiness(schema_state(conn))
    except SQLAlchemyError as error:
        return Readiness(None, cause_of(error))
