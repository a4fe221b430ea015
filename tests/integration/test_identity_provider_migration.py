"""Migration 0013_identity_providers: on a database at 0012 it adds the providers' table and
the users' subject and refresh token there, and its downgrade takes them away again, keeping
the users' index on lower(email)."""

from __future__ import annotations

from sqlalchemy import inspect

from entitle.store.database import make_engine, upgrade
from tests.integration.migration_steps import downgrade, has_users_email_index

BEFORE = "0012_catalog_maintainers"


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
    downgrade(engine, BEFORE)
    assert "identity_providers" not in inspect(engine).get_table_names()
    assert "identity_subject" not in {c["name"] for c in inspect(engine).get_columns("users")}
    assert has_users_email_index(engine)
    upgrade(engine)
    assert has_users_email_index(engine)
    engine.dispose()
