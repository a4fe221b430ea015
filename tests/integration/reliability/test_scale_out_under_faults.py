"""Two servers on one PostgreSQL database; one is killed with SIGKILL and restarted mid-load."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.integration.reliability.checks import audit_database, figures
from tests.integration.reliability.deployment import SOAK, Deployment
from tests.integration.reliability.load import Client, Ledger, join, start_clients
from tests.servers import ServerProcess, server_environment

CLIENTS = 16 if SOAK else 6
OPERATIONS = 250 if SOAK else 30
KILLS = 3 if SOAK else 1


def _kill_and_restart_mid_load(
    victim: ServerProcess, ledger: Ledger, total: int, kills: int
) -> threading.Thread:
    """SIGKILL ``victim`` at evenly spaced points of the load, restarting it each time."""

    def run() -> None:
        for number in range(1, kills + 1):
            threshold = total * number // (kills + 1)
            while ledger.requests < threshold:
                time.sleep(0.01)
            victim.kill()
            time.sleep(0.2)
            victim.start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_servers_lose_no_acknowledged_write_when_one_is_killed_mid_load(
    deployment: Deployment, tmp_path: Path
) -> None:
    env = server_environment(deployment.data_dir, deployment.database_url)
    servers = [ServerProcess(env, tmp_path / f"serve-{n}.log") for n in range(2)]
    ledger = Ledger(servers=2)
    try:
        for server in servers:
            server.start()
        tokens = [deployment.admin_token, deployment.co_admin_token]
        clients = [
            Client(n, servers, tokens[n % 2], ledger, deployment.trusted) for n in range(CLIENTS)
        ]
        threads = start_clients(clients, OPERATIONS)
        killer = _kill_and_restart_mid_load(servers[0], ledger, CLIENTS * OPERATIONS, KILLS)
        join(threads)
        killer.join(timeout=120)
    finally:
        for server in servers:
            server.terminate()

    outcome = audit_database(deployment.services.engine, ledger, deployment.trusted)
    print("\n" + figures("scale-out postgresql, 2 servers", ledger, outcome, KILLS))
    assert not ledger.failures, ledger.failures
    assert servers[0].starts == KILLS + 1
    assert ledger.transport_errors > 0, "the kill cut no request: the fault was not exercised"
    assert len(ledger.acknowledged_creates) > CLIENTS * OPERATIONS // 4
    assert outcome.lost_creates == []
    assert outcome.duplicated_creates == []
    assert outcome.lost_check_ins == []
    assert outcome.bad_files == []
    assert ledger.server_errors(1) == 0, ledger.statuses[1]
    assert ledger.server_errors(0) == 0, ledger.statuses[0]
