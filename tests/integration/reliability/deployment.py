"""A deployment for the fault tests: a migrated database, shared signing keys, API tokens."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from entitle.licensefile import KeyRing, TrustedKeys
from entitle.service import tokens
from entitle.service.bootstrap import open_services
from entitle.service.context import Services
from entitle.store.database import make_engine, upgrade
from tests.integration.fixtures import Clock, build_world

SOAK = os.environ.get("ENTITLE_SOAK") == "1"
"""``make soak`` sets ENTITLE_SOAK=1: the fault tests run at full size."""


@dataclass(frozen=True)
class Deployment:
    data_dir: Path
    database_url: str
    services: Services
    admin_token: str
    co_admin_token: str

    @property
    def trusted(self) -> TrustedKeys:
        return KeyRing.load(self.data_dir).trusted()


def prepare(data_dir: Path, database_url: str) -> Deployment:
    """Migrate, make the signing keys every server shares, and the test organisations."""
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    services = open_services(data_dir, database_url)
    world = build_world(services, Clock())
    return Deployment(
        data_dir=data_dir,
        database_url=database_url,
        services=services,
        admin_token=tokens.create_token(services, world.admin).token,
        co_admin_token=tokens.create_token(services, world.co_admin).token,
    )
