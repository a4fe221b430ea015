from __future__ import annotations

import pytest
from sqlalchemy import Engine

from entitle.service.context import Services
from tests.integration.fixtures import Clock, World, build_world


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(engine: Engine, key_ring, clock: Clock) -> World:  # type: ignore[no-untyped-def]
    return build_world(Services(engine=engine, signer=key_ring, issuer="test", clock=clock), clock)
