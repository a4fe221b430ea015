"""What the migration tests share: a downgrade to a revision, and a look at the users' index."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from entitle.store.database import MIGRATIONS


def downgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def has_users_email_index(engine: Engine) -> bool:
    """Whether the index finding users by lower(email) is there (a downgrade rebuilding the
    users' table on SQLite must put it back)."""
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with engine.connect() as conn:
        return "ix_users_email_lower" in {row[0] for row in conn.execute(text(query))}
