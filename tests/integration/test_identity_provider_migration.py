"""Migration 0013_identity_providers: on a database at 0012 it adds the providers' table and
the users' subject and refresh token there, and its downgrade takes them away again, keeping
the users' index on lower(email)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

from entitle.store.database import MIGRATIONS, make_engine, upgrade

BEFORE = "0012_catalog_maintainers"


def _downgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _has_email_index(engine: Engine) -> bool:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with engine.connect() as conn:
        return "ix_users_email_lower" in {row[0] for row in conn.execute(text(query))}


def test_the_identity_providers_come_with_0013_and_go_with_its_downgrade(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    upgrade(engine, BEFORE)
    assert "identity_providers" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "identity_providers" in inspect(engine).get_table_names()
    users = {c["name"] for c in inspect(engine).get_columns("users")}
    assert {"identity_subject", "identity_refresh_token"} <= users
    _downgrade(engine, BEFORE)
    assert "identity_providers" not in inspect(engine).get_table_names()
    assert "identity_subject" not in {c["name"] for c in inspect(engine).get_columns("users")}
    assert _has_email_index(engine)
    upgrade(engine)
    assert _has_email_index(engine)
    engine.dispose()
