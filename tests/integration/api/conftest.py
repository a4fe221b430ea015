"""An API client against the real app, on each database, with a token per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entitle.server import create_app
from entitle.service import tokens
from tests.integration.api.documented import documented
from tests.integration.fixtures import World

NEW_CHECKOUT: dict[str, Any] = {
    "country": "US",
    "license_service": "SES",
    "user": "ana@example.com",
    "machine": "WS-0042",
    "applications": [{"name": "Atlas Designer", "version": "10.17.2.61"}],
}


@dataclass
class Api:
    client: TestClient
    world: World
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, path: str, who: str | None = "admin", **kw: Any) -> Any:
        headers = {**(self.auth(who) if who else {}), **kw.pop("headers", {})}
        return self.client.get(path, headers=headers, **kw)

    def post(self, path: str, who: str | None = "admin", **kw: Any) -> Any:
        headers = {**(self.auth(who) if who else {}), **kw.pop("headers", {})}
        return self.client.post(path, headers=headers, **kw)

    def put(self, path: str, who: str | None = "admin", **kw: Any) -> Any:
        headers = {**(self.auth(who) if who else {}), **kw.pop("headers", {})}
        return self.client.put(path, headers=headers, **kw)

    def create(self, who: str = "admin", **changes: Any) -> dict[str, Any]:
        response = self.post("/api/v1/checkouts", who, json={**NEW_CHECKOUT, **changes})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def api(world: World) -> Iterator[Api]:
    emails = {
        "admin": world.admin,
        "co_admin": world.co_admin,
        "user": world.user,
        "other_admin": world.other_admin,
    }
    issued = {
        role: tokens.create_token(world.services, email).token for role, email in emails.items()
    }
    with documented(TestClient(create_app(world.services))) as client:
        yield Api(client, world, issued)


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"]
    assert body["detail"]
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body
