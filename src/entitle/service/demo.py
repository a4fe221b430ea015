"""A realistic demo, built through the same use cases an operator and an administrator use."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from entitle import __version__
from entitle.domain.calendar import add_months
from entitle.domain.checkouts import CheckoutRequest
from entitle.domain.model import ApplicationVersion, CreatedVia, LicenseService
from entitle.domain.versions import Version
from entitle.service import admin
from entitle.service.check_in import check_in
from entitle.service.context import Services
from entitle.service.create_checkout import create_checkout
from entitle.service.passwords import password_matches
from entitle.service.self_service import OwnCheckout, Workstation, check_out
from entitle.store import organisations

DEMO_PASSWORD = "entitle-demo"  # noqa: S105 - printed for the demo logins
SELECT_ORG = "Northwind Engineering"
STUDIO_ORG = "Studio Example"

_SES = LicenseService.SES
_SS = LicenseService.SELECTSERVER
CATALOG: dict[str, list[tuple[str, LicenseService]]] = {
    "Atlas Designer": [("10.17.2.61", _SES), ("10.16.3.12", _SES), ("10.12.0.40", _SS)],
    "Bridgeworks": [("24.0.1.5", _SES), ("23.2.0.11", _SES), ("22.0.0.7", _SS)],
    "Civil Suite": [("2024.1.0.3", _SES), ("2023.4.2.9", _SES), ("2021.0.1.1", _SS)],
    "GeoSurvey": [("8.5.0.2", _SES), ("8.4.1.0", _SS), ("8.3.0.0", _SS)],
    "Hydro Analyst": [("6.2.0.14", _SES), ("6.1.0.3", _SS)],
    "Plant Modeler": [("11.0.4.2", _SES), ("10.8.0.1", _SS)],
    "Road Planner": [("10.14.0.81", _SES), ("10.13.1.2", _SES), ("10.10.0.5", _SS)],
    "StructLab": [("23.1.0.201", _SES), ("22.12.0.142", _SS)],
    "Viewer Pro": [("4.3.0.0", _SES), ("4.2.1.7", _SES), ("3.9.0.2", _SS)],
}
PEOPLE = [
    ("Ana Lima", "US"),
    ("Ben Carter", "US"),
    ("Chloe Davies", "GB"),
    ("Dev Patel", "GB"),
    ("Elena Rossi", "US"),
    ("Farid Haddad", "GB"),
    ("Grace Kim", "US"),
    ("Hugo Martin", "GB"),
    ("Isla Murray", "GB"),
    ("Jon Berg", "US"),
]


# Moments in the past: (days ago created, days it lasted, checked in early?)
_PAST = [
    (400, 30, False),
    (200, 20, False),
    (150, 60, True),
    (120, 25, False),
    (100, 45, False),
    (80, 14, False),
    (60, 10, True),
    (40, 20, False),
    (35, 7, False),
    (20, 5, True),
    (12, 30, True),
    (9, 3, False),
]
HISTORY = timedelta(days=max(ago for ago, _, _ in _PAST) + 1)
"""How far back the demo's checkouts go: a demo deployment's keys are certified from then,
as a key signs only licenses issued within its certificate."""


def load_demo(services: Services) -> list[tuple[str, str]]:
    """Load the demo once; returns the logins (email, password). Re-running adds nothing."""
    today = services.now().date()
    admin.import_catalog(
        services,
        [
            ApplicationVersion(a, Version.parse(v), s)
            for a, rows in CATALOG.items()
            for v, s in rows
        ],
    )
    with services.uow() as uow:
        exists = organisations.by_name(uow.conn, SELECT_ORG) is not None
    if not exists:
        _select_organisation(services, add_months(today, 8))
        _studio(services, add_months(today, 14))
    return [
        ("admin@example.com", DEMO_PASSWORD),
        ("coadmin@example.com", DEMO_PASSWORD),
        ("ana.lima@example.com", DEMO_PASSWORD),
        ("admin@studio.example", DEMO_PASSWORD),
    ]


def _select_organisation(services: Services, contract_end: date) -> None:
    # The demo's own organisation keeps the shared catalog, so its Administrator can import.
    admin.create_organisation(services, SELECT_ORG, True, contract_end, maintains_catalog=True)
    admin.set_country(services, SELECT_ORG, "US")
    admin.set_country(services, SELECT_ORG, "GB", max_days=180)
    admin.add_user(
        services,
        SELECT_ORG,
        "admin@example.com",
        "Morgan Reyes",
        "US",
        "Administrator",
        DEMO_PASSWORD,
    )
    admin.add_user(
        services,
        SELECT_ORG,
        "coadmin@example.com",
        "Sam Okafor",
        "GB",
        "Co-Administrator",
        DEMO_PASSWORD,
    )
    for name, country in PEOPLE:
        email = name.lower().replace(" ", ".") + "@example.com"
        admin.add_user(services, SELECT_ORG, email, name, country, "User", DEMO_PASSWORD)
    admin.add_activation_keys(
        services, SELECT_ORG, "US", ["US-7KQ2-MX41-PL90", "US-3HDF-88ZA-Q1W2"]
    )
    admin.add_activation_keys(
        services, SELECT_ORG, "GB", ["GB-5TRE-2KLM-0PZX", "GB-9NNB-4CVX-77YU"]
    )
    rng = random.Random(7)
    now = services.now()
    for index, (ago, lasted, early) in enumerate(_PAST):
        _checkout(services, rng, index, now - timedelta(days=ago), lasted, early)
    for index in range(len(_PAST), len(_PAST) + 14):
        ago = rng.randint(0, 20)
        _checkout(
            services, rng, index, now - timedelta(days=ago, hours=rng.randint(0, 20)), None, False
        )
    _self_service(services, now)


def _self_service(services: Services, now: datetime) -> None:
    """GB allows self-service for 30 days: Ana checked out for her laptop; an administrator
    checked out for an air-gapped machine from its request file, since checked in."""
    admin.set_country(services, SELECT_ORG, "GB", self_service=True, self_service_max_days=30)
    check_out(
        replace(services, clock=_fixed(now - timedelta(days=2))),
        "ana.lima@example.com",
        OwnCheckout((("Atlas Designer", "10.17.2.61"),), "ANA-LAPTOP", days=21, country="GB"),
        Workstation("ANA-LAPTOP", __version__),
    )
    airgapped = create_checkout(
        replace(services, clock=_fixed(now - timedelta(days=1))),
        "admin@example.com",
        CheckoutRequest(
            country="US",
            license_service="SES",
            user="jon.berg@example.com",
            machine="LAB-AIRGAP-01",
            applications=[("Hydro Analyst", "6.2.0.14")],
            expires_on=now.date() + timedelta(days=45),
            via=CreatedVia.REQUEST_FILE,
            machine_fingerprint=hashlib.sha256(b"demo air-gapped machine").hexdigest(),
        ),
    )
    check_in(
        replace(services, clock=_fixed(now - timedelta(hours=3))), "admin@example.com", airgapped.id
    )


def _checkout(
    services: Services,
    rng: random.Random,
    index: int,
    created: datetime,
    lasted: int | None,
    early: bool,
) -> None:
    country = "US" if index % 3 else "GB"
    service = _SES if index % 4 else _SS
    apps = [a for a, rows in CATALOG.items() if any(s is service for _, s in rows)]
    chosen = rng.sample(apps, rng.choice([1, 1, 2, 3]))
    lines = [(a, next(v for v, s in CATALOG[a] if s is service)) for a in chosen]
    person, _ = PEOPLE[index % len(PEOPLE)]
    key = (
        {"US": "US-7KQ2-MX41-PL90", "GB": "GB-5TRE-2KLM-0PZX"}[country] if service is _SS else None
    )
    past = replace(services, clock=_fixed(created))
    expires_on = created.date() + timedelta(days=lasted) if lasted else None
    if lasted is None:
        expires_on = created.date() + timedelta(days=rng.choice([14, 30, 60, 90]))
    checkout = create_checkout(
        past,
        "admin@example.com" if index % 2 else "coadmin@example.com",
        CheckoutRequest(
            country=country,
            license_service=service.value,
            user=person.lower().replace(" ", ".") + "@example.com",
            machine=f"{country}-WS-{100 + index:04d}",
            applications=lines,
            activation_key=key,
            expires_on=expires_on,
        ),
    )
    if early and lasted:
        later = replace(services, clock=_fixed(created + timedelta(days=lasted / 2)))
        check_in(later, "admin@example.com", checkout.id)


def _fixed(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _studio(services: Services, contract_end: date) -> None:
    admin.create_organisation(services, STUDIO_ORG, False, contract_end)
    admin.set_country(services, STUDIO_ORG, "US")
    admin.add_user(
        services,
        STUDIO_ORG,
        "admin@studio.example",
        "Riley Quinn",
        "US",
        "Administrator",
        DEMO_PASSWORD,
    )
    admin.add_user(
        services, STUDIO_ORG, "lee@studio.example", "Lee Novak", "US", "User", DEMO_PASSWORD
    )
    now = services.now()
    for index, (app, version) in enumerate(
        [("Viewer Pro", "4.3.0.0"), ("Atlas Designer", "10.17.2.61"), ("StructLab", "23.1.0.201")]
    ):
        past = replace(services, clock=_fixed(now - timedelta(days=3 * index + 1)))
        create_checkout(
            past,
            "admin@studio.example",
            CheckoutRequest(
                country="US",
                license_service="SES",
                user="lee@studio.example",
                machine=f"STUDIO-{index + 1:02d}",
                applications=[(app, version)],
                expires_on=now.date() + timedelta(days=30 + 10 * index),
            ),
        )


DEMO_LOGIN = "admin@example.com"


def demo_login(services: Services) -> tuple[str, str] | None:
    """The demo's administrator login while it still works: the user exists, is active and
    still has the demo password (a deployment that changed it prints nothing)."""
    with services.uow(read_only=True) as uow:
        user = organisations.user_by_email(uow.conn, DEMO_LOGIN)
        stored = organisations.password_hash(uow.conn, user.id) if user else None
    if user is None or not user.active or not password_matches(stored, DEMO_PASSWORD):
        return None
    return DEMO_LOGIN, DEMO_PASSWORD
