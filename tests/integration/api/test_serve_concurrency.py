"""Concurrency against a real `entitle serve` (two workers) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from entitle.service import tokens
from entitle.service.bootstrap import open_services
from entitle.store.database import upgrade
from entitle.store.tables import checkouts
from tests.conftest import POSTGRES_URL, _postgres_schema_url
from tests.integration.api.conftest import NEW_CHECKOUT
from tests.integration.fixtures import Clock, build_world
from tests.servers import server_environment, serving

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="set ENTITLE_TEST_DATABASE_URL (CI does)"),
]


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    assert POSTGRES_URL
    schema = _postgres_schema_url(POSTGRES_URL)
    url = next(schema)
    services = open_services(tmp_path, url)
    upgrade(services.engine)
    world = build_world(services, Clock())
    token = tokens.create_token(services, world.admin).token
    env = server_environment(tmp_path, url)
    try:
        with serving(env, tmp_path / "serve.log", workers=2) as running:
            yield {"base": running.url, "token": token, "services": services}
    finally:
        services.engine.dispose()
        next(schema, None)


def _count(server: dict[str, Any]) -> int:
    with server["services"].engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(checkouts)).scalar_one())


def _parallel(count: int, call: Any) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(call, range(count)))


def test_concurrent_creates_retries_and_check_ins(server: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {server['token']}"}
    url = f"{server['base']}/api/v1/checkouts"
    with httpx.Client(headers=headers, timeout=30, limits=httpx.Limits(max_connections=32)) as c:
        made = _parallel(200, lambda n: c.post(url, json={**NEW_CHECKOUT, "machine": f"WS-{n}"}))
        assert [r.status_code for r in made] == [201] * 200
        assert _count(server) == 200

        retry = {**headers, "Idempotency-Key": "one-create"}
        retried = _parallel(40, lambda _: c.post(url, json=NEW_CHECKOUT, headers=retry))
        assert {r.status_code for r in retried} == {201}
        assert len({r.json()["id"] for r in retried}) == 1
        assert _count(server) == 201

        target = made[0].json()["id"]
        both = _parallel(2, lambda _: c.post(f"{url}/{target}/check-in"))
        assert sorted(r.status_code for r in both) == [200, 409]
