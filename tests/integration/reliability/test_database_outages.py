"""A real server rides out its database's outages: 503 with Retry-After, then back by itself.

PostgreSQL: a throw-away cluster (tests.integration.reliability.scratch_postgres) crashes under
a running ``entitle serve`` and starts again. SQLite: the server runs with its database on a
small tmpfs of its own (a user and mount namespace, ``unshare``) and the test fills that
filesystem, so writes meet ENOSPC as on a full disk; then it frees the space again.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.api.conftest import NEW_CHECKOUT
from tests.integration.api.documented import documented_server
from tests.integration.reliability.deployment import Deployment, prepare
from tests.integration.reliability.scratch_postgres import scratch_cluster
from tests.servers import ENTITLE, ServerProcess, server_environment

WARNING = "requests answer 503"
QUERY = """
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
print(json.dumps([conn.execute(statement).fetchall() for statement in sys.argv[2:]]))
"""
COUNT = "SELECT count(*) FROM checkouts"  # the warning that starts an outage's minute in the log


def _client(server: ServerProcess, token: str) -> httpx.Client:
    client = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    return documented_server(client)


def _create(client: httpx.Client, machine: str) -> httpx.Response:
    return client.post("/api/v1/checkouts", json={**NEW_CHECKOUT, "machine": machine})


def _ids(client: httpx.Client) -> list[str]:
    listed = client.get("/api/v1/checkouts", params={"status": "all", "page_size": 500})
    assert listed.status_code == 200, listed.text
    return sorted(item["id"] for item in listed.json()["items"])


def _outage(response: httpx.Response, code: str) -> dict[str, Any]:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def _until_ready(server: ServerProcess) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        ready = httpx.get(f"{server.url}/readyz", timeout=5)
        if ready.status_code == 200 or time.monotonic() > deadline:
            return ready
        time.sleep(0.1)


@pytest.fixture
def cluster_deployment(tmp_path: Path) -> Iterator[tuple[Any, Deployment]]:
    with scratch_cluster(tmp_path) as cluster:
        cluster.create_database()
        found = prepare(tmp_path / "data", cluster.url())
        try:
            yield cluster, found
        finally:
            found.services.engine.dispose()


def test_a_postgresql_crash_answers_503_then_the_server_recovers_by_itself_losing_nothing(
    cluster_deployment: tuple[Any, Deployment], tmp_path: Path
) -> None:
    cluster, deployment = cluster_deployment
    env = server_environment(deployment.data_dir, deployment.database_url)
    server = ServerProcess(env, tmp_path / "serve.log")
    server.start()
    try:
        with _client(server, deployment.admin_token) as client:
            before = _create(client, "WS-BEFORE")
            assert before.status_code == 201, before.text
            cluster.crash()

            answered = 0
            for number in range(10):
                _outage(client.get("/api/v1/checkouts"), "DATABASE_UNAVAILABLE")
                _outage(_create(client, f"WS-DOWN-{number}"), "DATABASE_UNAVAILABLE")
                answered += 2
            page = client.get("/checkouts", headers={"Accept": "text/html"})
            answered += 1
            assert page.status_code == 503
            assert "briefly unavailable" in page.text
            assert httpx.get(f"{server.url}/healthz").status_code == 200
            not_ready = httpx.get(f"{server.url}/readyz")
            assert not_ready.status_code == 503
            assert not_ready.json()["database"] == "unreachable"
            command = subprocess.run(
                [ENTITLE, "checkouts", "--org", "Northwind"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert command.returncode == 2
            assert command.stderr.count("\n") == 1, command.stderr
            assert command.stderr.startswith("entitle: The database does not answer")

            cluster.start()
            ready = _until_ready(server)
            assert ready.status_code == 200, ready.text
            assert client.get(f"/api/v1/checkouts/{before.json()['id']}").status_code == 200
            after = _create(client, "WS-AFTER")
            assert after.status_code == 201, after.text
            assert _ids(client) == sorted([before.json()["id"], after.json()["id"]])
        assert server.process is not None
        assert server.process.poll() is None
        assert server.starts == 1
    finally:
        server.terminate()
    log = server.log()
    assert "Traceback" not in log, log
    assert log.count(WARNING) == 1, log
    assert f"{answered - 1} more requests answered 503 in the last minute" in log, log


def _unshare() -> str:
    found = shutil.which("unshare")
    probe = [found, "--user", "--map-root-user", "--mount", "true"] if found else None
    if probe is None or subprocess.run(probe, capture_output=True, check=False).returncode:
        pytest.skip("unshare cannot make a user and mount namespace here (util-linux, userns)")
    assert found is not None
    return found


def _fill(directory: Path) -> Path:
    """Write a file into ``directory`` until its filesystem has no space left."""
    filler = directory / "filler"
    chunk = b"\0" * 65536
    with filler.open("wb", buffering=0) as out:
        while True:
            try:
                out.write(chunk)
            except OSError as full:
                if full.errno != errno.ENOSPC:
                    raise
                return filler


def _inside(pid: int, database: Path, *statements: str) -> list[Any]:
    """What each statement finds in the database as the server sees it, from its namespace.

    (SQLite resolves /proc/PID/root to / and would open the path outside the namespace.)
    """
    nsenter = shutil.which("nsenter")
    assert nsenter is not None, "nsenter (util-linux) is needed beside unshare"
    done = subprocess.run(
        [
            nsenter,
            f"--target={pid}",
            "--user",
            "--mount",
            "--preserve-credentials",
            "--",
            sys.executable,
            "-c",
            QUERY,
            str(database),
            *statements,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found: list[Any] = json.loads(done.stdout)
    return found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_full_disk_answers_503_storage_full_to_writes_while_reads_still_answer(
    database_url: str, tmp_path: Path
) -> None:
    unshare = _unshare()
    deployment = prepare(tmp_path / "data", database_url)
    deployment.services.engine.dispose()
    prepared = Path(database_url.removeprefix("sqlite:///"))
    storage = tmp_path / "storage"  # a tmpfs of 4 MiB over it, in the server's namespace
    storage.mkdir()
    database = storage / prepared.name
    env = server_environment(deployment.data_dir, f"sqlite:///{database}")
    server = ServerProcess(
        env,
        tmp_path / "serve.log",
        prefix=[
            unshare,
            "--user",
            "--map-root-user",
            "--mount",
            "--",
            "sh",
            "-c",
            'mount -t tmpfs -o size=4m tmpfs "$1" && cp "$2" "$1"/ && shift 2 && exec "$@"',
            "sh",
            str(storage),
            str(prepared),
        ],
    )
    server.start()
    try:
        assert server.process is not None
        # The tmpfs as the server sees it, through its mount namespace.
        inside = Path(f"/proc/{server.process.pid}/root") / storage.relative_to("/")
        with _client(server, deployment.admin_token) as client:
            stored = [_create(client, f"WS-{n}") for n in range(3)]
            assert all(r.status_code == 201 for r in stored), [r.text for r in stored]
            filler = _fill(inside)

            for number in range(5):
                _outage(_create(client, f"WS-FULL-{number}"), "STORAGE_FULL")
            assert _ids(client) == sorted(r.json()["id"] for r in stored)
            one = client.get(f"/api/v1/checkouts/{stored[0].json()['id']}")
            assert one.status_code == 200
            assert one.json()["machine"] == "WS-0"
            assert httpx.get(f"{server.url}/readyz").status_code == 200

            filler.unlink()
            again = _create(client, "WS-AGAIN")
            assert again.status_code == 201, again.text
            assert _ids(client) == sorted(r.json()["id"] for r in [*stored, again])
        found = _inside(server.process.pid, database, "PRAGMA integrity_check", COUNT)
        assert found == [[["ok"]], [[len(stored) + 1]]]
        assert server.starts == 1
    finally:
        server.terminate()
    log = server.log()
    assert "Traceback" not in log, log
    assert log.count(WARNING) == 1, log
    assert "storage full" in log, log
    assert "database or disk is full" in log, log
    assert not os.listdir(storage), "the tmpfs was the server's alone"
