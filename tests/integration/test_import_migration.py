"""Migrations on a database with data: 0011_checkout_imports adds the imports' table, and back;
0012_catalog_maintainers adds organisations.maintains_catalog (false), and back."""

from __future__ import annotations

from sqlalchemy import inspect

from entitle.store.database import make_engine, upgrade
from tests.integration.migration_steps import downgrade


def test_the_imports_table_comes_with_0011_and_goes_with_its_downgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0010")
    assert "checkout_imports" not in inspect(engine).get_table_names()
    upgrade(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("checkout_imports")}
    assert {"idempotency_key", "file_digest", "rows"} <= columns
    downgrade(engine, "0010")
    assert "checkout_imports" not in inspect(engine).get_table_names()
    upgrade(engine)
    engine.dispose()


def test_catalog_maintainers_come_with_0012_on_a_database_with_data_and_go_with_its_downgrade(
    database_url: str,
) -> None:
    from datetime import UTC, date, datetime

    from entitle.store.tables import organisations, users

    engine = make_engine(database_url)
    upgrade(engine, "0011_checkout_imports")
    with engine.begin() as conn:  # an organisation a user refers to: SQLite cannot copy it
        org = conn.execute(
            organisations.insert()
            .values(name="Northwind", has_select=True, contract_end=date(2030, 1, 1))
            .values(created_at=datetime(2026, 1, 1, tzinfo=UTC))
            .returning(organisations.c.id)
        ).scalar_one()
        conn.execute(
            users.insert().values(
                organisation_id=org,
                email="a@example.com",
                display_name="A",
                usage_country="US",
                role="Administrator",
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(organisations.select()).one().maintains_catalog is False
    downgrade(engine, "0011_checkout_imports")
    assert "maintains_catalog" not in {
        c["name"] for c in inspect(engine).get_columns("organisations")
    }
    upgrade(engine)
    engine.dispose()
