"""An app on each database with an API token for every kind of caller."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from entitle.server import create_app
from entitle.service import tokens
from tests.integration.api.documented import documented
from tests.integration.fixtures import World
from tests.integration.reliability.conftest import deployment

__all__ = ["CALLERS", "Callers", "callers", "deployment"]
CALLERS = ("none", "admin", "co_admin", "user", "revoked", "other_admin")


@dataclass
class Callers:
    client: TestClient
    world: World
    tokens: dict[str, str]

    def headers(self, caller: str) -> dict[str, str]:
        token = self.tokens.get(caller)
        return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.fixture
def callers(world: World) -> Iterator[Callers]:
    emails = {
        "admin": world.admin,
        "co_admin": world.co_admin,
        "user": world.user,
        "other_admin": world.other_admin,
    }
    issued = {who: tokens.create_token(world.services, e).token for who, e in emails.items()}
    revoked = tokens.create_token(world.services, world.admin)
    tokens.revoke_token(world.services, revoked.id)
    issued["revoked"] = revoked.token
    with documented(TestClient(create_app(world.services), follow_redirects=False)) as client:
        yield Callers(client, world, issued)
