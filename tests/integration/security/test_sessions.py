"""Logging out, or a new password, ends a session on every server sharing the database.

The attacker kept a copy of a session cookie (a shared workstation, a browser profile copied
off a laptop) and replays it after its owner logged out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.integration.fixtures import PASSWORD
from tests.integration.reliability.deployment import Deployment
from tests.servers import ServerProcess, entitle, server_environment

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]
ADMIN = "admin@example.com"


@dataclass(frozen=True)
class Session:
    """What a browser holds after logging in: the cookie and its CSRF token."""

    cookie: str
    csrf: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"entitle_session={self.cookie}", "X-CSRF-Token": self.csrf}


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


def _log_in(server: ServerProcess, password: str = PASSWORD) -> Session:
    response = httpx.post(
        f"{server.url}/api/v1/session", json={"email": ADMIN, "password": password}
    )
    assert response.status_code == 200, response.text
    return Session(response.cookies["entitle_session"], response.json()["csrf_token"])


def _answers(servers: list[ServerProcess], session: Session) -> list[int]:
    """What each server answers the cookie: a list, then a new API token."""
    found = []
    for server in servers:
        listed = httpx.get(f"{server.url}/api/v1/checkouts", headers=session.headers)
        made = httpx.post(
            f"{server.url}/api/v1/tokens", json={"label": "kept"}, headers=session.headers
        )
        found += [listed.status_code, made.status_code]
    return found


def test_a_cookie_replayed_after_logout_is_refused_by_every_server(
    servers: list[ServerProcess],
) -> None:
    first, second = servers
    kept = _log_in(first)
    other_browser = _log_in(second)
    assert _answers(servers, kept) == [200, 201, 200, 201]

    logout = httpx.delete(f"{second.url}/api/v1/session", headers=kept.headers)
    assert logout.status_code == 204

    assert _answers(servers, kept) == [401, 401, 401, 401]
    refused = httpx.get(f"{first.url}/api/v1/session", headers=kept.headers)
    assert refused.json()["code"] == "NOT_AUTHENTICATED"
    # Logging out of one browser leaves the user's other browsers signed in.
    assert _answers(servers, other_browser) == [200, 201, 200, 201]


def test_a_new_password_ends_every_session_of_the_user_on_every_server(
    servers: list[ServerProcess], deployment: Deployment
) -> None:
    first, second = servers
    sessions = [_log_in(first), _log_in(second)]
    assert _answers(servers, sessions[0]) == [200, 201, 200, 201]

    env = server_environment(deployment.data_dir, deployment.database_url)
    entitle(env, "user", "password", ADMIN, "--password", "a brand new passphrase")

    for session in sessions:
        assert _answers(servers, session) == [401, 401, 401, 401]
    assert (
        httpx.post(
            f"{first.url}/api/v1/session", json={"email": ADMIN, "password": PASSWORD}
        ).status_code
        == 401
    )
    renewed = _log_in(second, "a brand new passphrase")
    assert _answers(servers, renewed) == [200, 201, 200, 201]
