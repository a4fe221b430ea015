"""/readyz is 200 only while the database answers and its schema is at this server's head."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from entitle.server import create_app
from entitle.service.context import LicenseSigner, Services
from entitle.store import migrations
from entitle.store.database import make_engine, upgrade
from tests.integration.api.documented import documented

# The newest migration's revision id, as Alembic reads it ("0010", "0011_checkout_imports").
HEAD = ScriptDirectory(str(Path(migrations.__file__).parent)).get_current_head()


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    created = make_engine(database_url)
    with created.connect():  # an empty database: SQLite makes its file
        pass
    yield created
    created.dispose()


def _client(engine: Engine, key_ring: LicenseSigner) -> TestClient:
    return documented(TestClient(create_app(Services(engine=engine, signer=key_ring))))


def test_readiness_is_503_naming_the_revision_while_the_schema_is_behind_head_then_200(
    empty_engine: Engine, key_ring: LicenseSigner
) -> None:
    upgrade(empty_engine, "0001")
    with _client(empty_engine, key_ring) as client:
        behind = client.get("/readyz")
        assert behind.status_code == 503
        assert behind.json() == {
            "status": "not ready",
            "database": "ok",
            "schema": f"behind: at 0001, head {HEAD}",
        }
        upgrade(empty_engine)
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "schema": f"at head {HEAD}"}


def test_readiness_is_503_on_a_database_without_schema(
    empty_engine: Engine, key_ring: LicenseSigner
) -> None:
    with _client(empty_engine, key_ring) as client:
        found = client.get("/readyz")
    assert found.status_code == 503
    assert found.json()["schema"] == f"none: no schema, head {HEAD}"


def test_readiness_is_503_on_a_schema_a_newer_server_migrated(
    empty_engine: Engine, key_ring: LicenseSigner
) -> None:
    from sqlalchemy import text

    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with _client(empty_engine, key_ring) as client:
        found = client.get("/readyz")
    assert found.status_code == 503
    assert found.json()["schema"] == f"ahead/unknown revision: at 9999, head {HEAD}"


def test_readiness_on_a_missing_sqlite_file_is_unreachable_and_makes_no_file(
    tmp_path: Path, key_ring: LicenseSigner
) -> None:
    missing = tmp_path / "gone" / "entitle.sqlite3"
    engine = make_engine(f"sqlite:///{missing}")
    with _client(engine, key_ring) as client:
        found = client.get("/readyz")
    assert found.status_code == 503
    assert found.json()["database"] == "unreachable"
    assert not missing.parent.exists()
