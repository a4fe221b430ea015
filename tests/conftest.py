"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when configured.

PostgreSQL runs whenever ENTITLE_TEST_DATABASE_URL is set; each test gets a schema of its own,
dropped afterwards. Tools the browser and interop tests need are required, not skipped, when
ENTITLE_REQUIRE_BROWSER / ENTITLE_REQUIRE_INTEROP is set (as CI does).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from entitle.store.database import make_engine, upgrade

POSTGRES_URL = os.environ.get("ENTITLE_TEST_DATABASE_URL")


def require_tool(executable: str, env_flag: str, install_hint: str) -> str:
    """The tool's path; skip the test without it, or fail when ``env_flag`` says it's required."""
    found = shutil.which(executable) or (executable if Path(executable).exists() else None)
    if found:
        return found
    reason = f"{executable} is not installed ({install_hint})"
    if os.environ.get(env_flag):
        pytest.fail(f"{reason}, and {env_flag} requires it")
    pytest.skip(reason)


def _postgres_schema_url(base: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, then a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'entitle.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL run: set ENTITLE_TEST_DATABASE_URL (CI does)")
    yield from _postgres_schema_url(POSTGRES_URL)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database."""
    created = make_engine(database_url)
    upgrade(created)
    yield created
    created.dispose()


@pytest.fixture(scope="session")
def key_ring(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Signing keys made once per test session (RSA key generation is slow)."""
    from entitle.licensefile.keys import init_keys
    from tests.claims import KEYS_MADE

    return init_keys(tmp_path_factory.mktemp("data"), now=KEYS_MADE)
