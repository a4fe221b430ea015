"""Concurrency against a real `entitle serve` (two workers) on PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
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

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="set ENTITLE_TEST_DATABASE_URL (CI does)"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    assert POSTGRES_URL
    monkeypatch.setenv("ENTITLE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ENTITLE_ARGON2_MEMORY_KIB", "64")
    schema = _postgres_schema_url(POSTGRES_URL)
    url = next(schema)
    services = open_services(tmp_path, url)
    upgrade(services.engine)
    world = build_world(services, Clock())
    token = tokens.create_token(services, world.admin).token
    port = _free_port()
    env = {**os.environ, "ENTITLE_DATA_DIR": str(tmp_path), "ENTITLE_DATABASE_URL": url}
    command = [sys.executable, "-c", "from entitle.cli import main; main()"]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("entitle serve did not become ready in 20 s")
        yield {"base": base, "token": token, "services": services}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
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
