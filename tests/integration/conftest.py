from __future__ import annotations

import pytest
from sqlalchemy import Engine

from entitle.service.context import Services
from tests.integration.fixtures import Clock, World, build_world
from tests.servers import FAST_HASHES


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest in tests; each stored hash keeps its own parameters."""
    for name, value in FAST_HASHES.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(engine: Engine, key_ring, clock: Clock) -> World:  # type: ignore[no-untyped-def]
    return build_world(Services(engine=engine, signer=key_ring, issuer="test", clock=clock), clock)
