"""Migration 0011_checkout_imports: on a database at 0010 it adds the imports' table, and back."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from entitle.store.database import MIGRATIONS, make_engine, upgrade


def _downgrade(engine, revision: str) -> None:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_imports_table_comes_with_0011_and_goes_with_its_downgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0010")
    assert "checkout_imports" not in inspect(engine).get_table_names()
    upgrade(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("checkout_imports")}
    assert {"idempotency_key", "file_digest", "rows"} <= columns
    _downgrade(engine, "0010")
    assert "checkout_imports" not in inspect(engine).get_table_names()
    upgrade(engine)
    engine.dispose()
