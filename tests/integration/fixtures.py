"""Build organisations, users and catalog through the real service layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from entitle.domain.model import ApplicationVersion, LicenseService
from entitle.domain.versions import Version
from entitle.service import admin
from entitle.service.context import Services

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class World:
    services: Services
    clock: Clock
    admin: str = "admin@example.com"
    co_admin: str = "co@example.com"
    user: str = "ana@example.com"
    other_admin: str = "admin@studio.example"


CATALOG = [
    ("Atlas Designer", "10.17.2.61", LicenseService.SES),
    ("Atlas Designer", "10.16.3.12", LicenseService.SES),
    ("Atlas Designer", "10.12.0.40", LicenseService.SELECTSERVER),
    ("Bridgeworks", "24.0.1.5", LicenseService.SES),
    ("GeoSurvey", "8.4.1.0", LicenseService.SELECTSERVER),
]


def build_world(services: Services, clock: Clock) -> World:
    admin.import_catalog(
        services, [ApplicationVersion(a, Version.parse(v), s) for a, v, s in CATALOG]
    )
    admin.create_organisation(
        services, "Northwind", True, date(2027, 7, 31), maintains_catalog=True
    )
    admin.set_country(services, "Northwind", "US")
    admin.set_country(services, "Northwind", "GB", max_days=90)
    admin.add_activation_keys(services, "Northwind", "US", ["US-KEY-1", "US-KEY-2"])
    admin.add_activation_keys(services, "Northwind", "GB", ["GB-KEY-1"])
    admin.add_user(
        services, "Northwind", "admin@example.com", "Morgan Reyes", "US", "Administrator", PASSWORD
    )
    admin.add_user(
        services, "Northwind", "co@example.com", "Sam Okafor", "GB", "Co-Administrator", PASSWORD
    )
    admin.add_user(services, "Northwind", "ana@example.com", "Ana Lima", "US", "User", PASSWORD)
    admin.create_organisation(services, "Studio", False, date(2027, 12, 31))
    admin.set_country(services, "Studio", "US")
    admin.add_user(
        services, "Studio", "admin@studio.example", "Riley Quinn", "US", "Administrator", PASSWORD
    )
    return World(services, clock)
