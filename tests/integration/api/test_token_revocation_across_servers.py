"""A server answers a token it looked up a moment ago from memory; a revocation must still
reach every server within a second, and the server that revoked at once."""

from __future__ import annotations

import time
from dataclasses import replace

from fastapi.testclient import TestClient

from entitle.server import create_app
from entitle.service.recent_tokens import RecentTokens
from tests.integration.api.conftest import Api, assert_problem

DEADLINE_SECONDS = 1.0


def test_a_token_revoked_on_one_server_is_refused_by_another_within_a_second(api: Api) -> None:
    made = api.post("/api/v1/tokens", "user", json={"label": "laptop"}).json()
    mine = {"Authorization": f"Bearer {made['token']}"}
    # A second server on the same database: its own process, so its own memory of tokens.
    other = TestClient(create_app(replace(api.world.services, tokens=RecentTokens())))
    assert other.get("/api/v1/session", headers=mine).status_code == 200
    assert other.get("/api/v1/session", headers=mine).status_code == 200

    revoked = api.client.delete(f"/api/v1/tokens/{made['id']}", headers=mine)
    deadline = time.monotonic() + DEADLINE_SECONDS
    assert revoked.status_code == 200, revoked.text
    assert_problem(api.client.get("/api/v1/session", headers=mine), 401)
    while (answer := other.get("/api/v1/session", headers=mine)).status_code == 200:
        assert time.monotonic() < deadline, "the other server still accepts the revoked token"
    assert_problem(answer, 401)


def test_a_deactivated_user_is_refused_by_every_server_within_a_second(api: Api) -> None:
    other = TestClient(create_app(replace(api.world.services, tokens=RecentTokens())))
    assert other.get("/api/v1/session", headers=api.auth("user")).status_code == 200
    users = api.get("/api/v1/admin/users").json()["items"]
    [ana] = [u for u in users if u["email"] == api.world.user]

    changed = api.client.patch(
        f"/api/v1/admin/users/{ana['id']}", json={"active": False}, headers=api.auth("admin")
    )
    deadline = time.monotonic() + DEADLINE_SECONDS
    assert changed.status_code == 200, changed.text
    assert_problem(api.get("/api/v1/session", "user"), 401)
    while (answer := other.get("/api/v1/session", headers=api.auth("user"))).status_code == 200:
        assert time.monotonic() < deadline, "the other server still accepts the user's token"
    assert_problem(answer, 401)
