"""Five failed logins a minute, held by real servers under concurrent guessing.

Each login that reaches the password check leaves exactly one audit row (``login`` or
``login.failed``), so the audit trail counts the password checks the servers made.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from entitle.store.tables import audit_events
from tests.integration.fixtures import PASSWORD
from tests.integration.reliability.deployment import Deployment
from tests.servers import ServerProcess, server_environment

ADMIN = "admin@example.com"
LIMIT = 5
# Requests in flight at once. A request queued behind them starts only when one of them has
# been answered (see _burst).
WORKERS = 32


@pytest.fixture
def servers(deployment: Deployment, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    env = server_environment(deployment.data_dir, deployment.database_url)
    running = [ServerProcess(env, tmp_path / f"serve-{n}.log") for n in range(2)]
    try:
        for server in running:
            server.start()
        yield running
    finally:
        for server in running:
            server.terminate()


def _burst(attempts: list[tuple[str, str, str, str]]) -> list[httpx.Response]:
    """(server url, email, password, client address) each, WORKERS at a time, in order."""

    def attempt(one: tuple[str, str, str, str]) -> httpx.Response:
        url, email, password, address = one
        return httpx.post(
            f"{url}/api/v1/session",
            json={"email": email, "password": password},
            headers={"X-Forwarded-For": address},
            timeout=60,
        )

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(attempt, attempts))


def _password_checks(deployment: Deployment, **match: str) -> int:
    condition = audit_events.c.action.in_(["login", "login.failed"])
    for name, value in match.items():
        condition &= audit_events.c[name] == value
    with deployment.services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(condition)).scalar_one())


def _assert_refused_for_a_while(responses: list[httpx.Response]) -> None:
    for response in responses:
        assert response.status_code == 429, response.text
        assert response.json()["code"] == "TOO_MANY_LOGIN_ATTEMPTS"
        assert int(response.headers["retry-after"]) > 0


def test_thirty_concurrent_wrong_passwords_for_one_account_get_five_password_checks(
    deployment: Deployment, servers: list[ServerProcess]
) -> None:
    url = servers[0].url
    # Each guess from its own address: only the account's own limit can stop them.
    guesses = [(url, ADMIN, f"guess {n}", f"198.51.100.{n + 1}") for n in range(30)]
    answers = _burst(guesses)
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [401] * LIMIT + [429] * (30 - LIMIT)
    _assert_refused_for_a_while([r for r in answers if r.status_code == 429])
    assert _password_checks(deployment, actor=ADMIN) == LIMIT


def test_thirty_concurrent_logins_from_one_address_get_five_password_checks(
    deployment: Deployment, servers: list[ServerProcess]
) -> None:
    url = servers[0].url
    guesses = [(url, f"nobody{n}@example.com", "guess", "203.0.113.9") for n in range(30)]
    statuses = sorted(r.status_code for r in _burst(guesses))
    assert statuses == [401] * LIMIT + [429] * (30 - LIMIT)
    assert _password_checks(deployment, address="203.0.113.9") == LIMIT


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_sixty_guesses_across_two_servers_never_let_the_right_password_through(
    deployment: Deployment, servers: list[ServerProcess]
) -> None:
    urls = [server.url for server in servers]
    guesses = [(urls[n % 2], ADMIN, f"guess {n}", f"198.51.100.{n + 1}") for n in range(60)]
    # The right password, queued behind WORKERS others: it starts only once ten of them have
    # been answered, and at most five of those can have been password checks, so the limit is
    # reached before it arrives, while the rest of the guesses are still in flight.
    right = WORKERS + 9
    guesses[right] = (urls[1], ADMIN, PASSWORD, "198.51.100.250")
    answers = _burst(guesses)
    assert answers[right].status_code == 429, answers[right].text
    assert "set-cookie" not in answers[right].headers
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [401] * LIMIT + [429] * (60 - LIMIT)
    _assert_refused_for_a_while([r for r in answers if r.status_code == 429])
    assert _password_checks(deployment, actor=ADMIN) == LIMIT
