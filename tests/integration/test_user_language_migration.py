"""Migration 0015_user_language: each user's own language, none until they choose one; its
downgrade takes the column away again, keeping the users' index on lower(email)."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from entitle.store.database import make_engine, upgrade
from tests.integration.migration_steps import downgrade, has_users_email_index

BEFORE = "0014_events_outbox_and_webhooks"


def _columns(engine: Engine) -> dict[str, bool]:
    return {c["name"]: bool(c["nullable"]) for c in inspect(engine).get_columns("users")}


def test_the_users_language_comes_with_0015_and_goes_with_its_downgrade(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    upgrade(engine, BEFORE)
    assert "language" not in _columns(engine)
    upgrade(engine)
    assert _columns(engine)["language"] is True
    downgrade(engine, BEFORE)
    assert "language" not in _columns(engine)
    assert has_users_email_index(engine)
    upgrade(engine)
    assert has_users_email_index(engine)
    engine.dispose()
