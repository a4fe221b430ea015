"""Migration 0015_user_language: each user's own language, none until they choose one; its
downgrade takes the column away again, keeping the users' index on lower(email)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

from entitle.store.database import MIGRATIONS, make_engine, upgrade

BEFORE = "0014_events_outbox_and_webhooks"


def _downgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _columns(engine: Engine) -> dict[str, bool]:
    return {c["name"]: bool(c["nullable"]) for c in inspect(engine).get_columns("users")}


def _has_email_index(engine: Engine) -> bool:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with engine.connect() as conn:
        return "ix_users_email_lower" in {row[0] for row in conn.execute(text(query))}


def test_the_users_language_comes_with_0015_and_goes_with_its_downgrade(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    upgrade(engine, BEFORE)
    assert "language" not in _columns(engine)
    upgrade(engine)
    assert _columns(engine)["language"] is True
    _downgrade(engine, BEFORE)
    assert "language" not in _columns(engine)
    assert _has_email_index(engine)
    upgrade(engine)
    assert _has_email_index(engine)
    engine.dispose()
