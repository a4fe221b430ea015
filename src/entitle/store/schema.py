"""Where a database's schema stands against this server's migrations: at head, behind, or ahead.

The head is the newest revision under ``store/migrations`` (Alembic's ScriptDirectory), read
once per process; the database's revision is what Alembic recorded in it (MigrationContext).
A revision the migrations do not know was written by a newer entitle, or by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from entitle.store.database import MIGRATIONS


@dataclass(frozen=True)
class SchemaState:
    revision: str | None
    """The revision the database is at; None: it has no schema."""
    head: str

    @property
    def at_head(self) -> bool:
        return self.revision == self.head

    @property
    def behind(self) -> bool:
        """At an older revision of this server's migrations: ``entitle db upgrade`` brings it up."""
        return self.revision is not None and not self.at_head and self.revision in _known()

    @property
    def unknown(self) -> bool:
        """At a revision this server's migrations do not have (a newer entitle's)."""
        return self.revision is not None and self.revision not in _known()

    def describe(self) -> str:
        if self.at_head:
            return f"at head {self.head}"
        if self.revision is None:
            return f"none: no schema, head {self.head}"
        if self.behind:
            return f"behind: at {self.revision}, head {self.head}"
        return f"ahead/unknown revision: at {self.revision}, head {self.head}"


def schema_state(connection: Connection) -> SchemaState:
    """The schema of the database ``connection`` is open on (two small queries)."""
    revision = MigrationContext.configure(connection).get_current_revision()
    return SchemaState(revision=revision, head=head_revision())


@cache
def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None, "the migrations have no revision"
    return head


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


@cache
def _known() -> frozenset[str]:
    return frozenset(revision.revision for revision in _script().walk_revisions())
