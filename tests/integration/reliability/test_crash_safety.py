"""A SQLite server under write load, killed with SIGKILL again and again, loses nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.integration.reliability.checks import audit_database, figures
from tests.integration.reliability.deployment import SOAK, Deployment
from tests.integration.reliability.load import Client, Ledger, join, start_clients
from tests.servers import ServerProcess, server_environment

CLIENTS = 8 if SOAK else 3
KILLS = 25 if SOAK else 10
WRITES_BETWEEN_KILLS = 40 if SOAK else 5


def _acknowledged(ledger: Ledger) -> int:
    with ledger.lock:
        return len(ledger.acknowledged_creates) + len(ledger.acknowledged_check_ins)


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sigkill_ten_times_under_write_load_keeps_sqlite_intact_and_every_write(
    deployment: Deployment, tmp_path: Path
) -> None:
    env = server_environment(deployment.data_dir, deployment.database_url)
    server = ServerProcess(env, tmp_path / "serve.log")
    ledger = Ledger(servers=1)
    stop = threading.Event()
    try:
        server.start()
        clients = [
            Client(n, [server], deployment.admin_token, ledger, deployment.trusted, True)
            for n in range(CLIENTS)
        ]
        threads = start_clients(clients, None, keep_going=lambda: not stop.is_set())
        for _ in range(KILLS):
            target = _acknowledged(ledger) + WRITES_BETWEEN_KILLS
            deadline = time.monotonic() + 60
            while _acknowledged(ledger) < target and time.monotonic() < deadline:
                time.sleep(0.005)
            server.kill()
            server.start()
        stop.set()
        join(threads)
    finally:
        stop.set()
        server.terminate()

    database = deployment.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
    outcome = audit_database(deployment.services.engine, ledger, deployment.trusted)
    print("\n" + figures("crash safety sqlite, 1 server", ledger, outcome, KILLS))
    assert integrity == [("ok",)]
    assert not ledger.failures, ledger.failures
    assert server.starts == KILLS + 1
    assert ledger.transport_errors >= KILLS // 2, "the kills cut too few requests"
    assert outcome.lost_creates == []
    assert outcome.duplicated_creates == []
    assert outcome.lost_check_ins == []
    assert outcome.bad_files == []
    assert ledger.server_errors(0) == 0, ledger.statuses[0]
