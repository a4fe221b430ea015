"""Each administration use case is one transaction: it opens one unit of work, so a failure
half-way leaves nothing written and nothing is read from a state another write changed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from entitle.service import admin, checkout_policy, users
from entitle.service.actors import OrganisationManager
from entitle.service.browse_catalog import browse_catalog
from entitle.service.checkout_policy import PolicyChange
from entitle.service.context import Services
from entitle.service.import_catalog import import_catalog
from entitle.service.import_checkouts import import_checkouts
from entitle.service.unit_of_work import UnitOfWork
from tests.integration.fixtures import World

IMPORT_FILE = (
    b"user,machine,country,applications\n"
    b"ana@example.com,WS-1,US,Atlas Designer 10.17.2.61\n"
    b"ben@example.com,WS-2,US,Atlas Designer 10.17.2.61\n"
)


@contextmanager
def counted(services: Services) -> Iterator[tuple[Services, list[bool]]]:
    opened: list[bool] = []

    def uow(*, read_only: bool = False) -> UnitOfWork:
        opened.append(read_only)
        return UnitOfWork(services.engine, read_only=read_only)

    counting = replace(services)
    counting.uow = uow  # type: ignore[method-assign]
    yield counting, opened


def _ana(world: World) -> int:
    return next(
        u.id for u in users.list_users(world.services, world.admin) if u.email == world.user
    )


CATALOG_FILE = "application,version,license_service\nAtlas Designer,11.0,SES\n"

# Each use case, given the services that count, the world and Ana's user id.
USE_CASES: dict[str, Callable[[Services, World, int], Any]] = {
    "create_organisation": lambda s, w, a: admin.create_organisation(
        s, "Acme", True, date(2027, 1, 1)
    ),
    "update_organisation": lambda s, w, a: admin.update_organisation(
        s, "Northwind", has_select=False
    ),
    "set_country": lambda s, w, a: admin.set_country(s, "Northwind", "DE", max_days=30),
    "add_user": lambda s, w, a: admin.add_user(
        s, "Northwind", "li@example.com", "Li", "US", "User"
    ),
    "add_activation_keys": lambda s, w, a: admin.add_activation_keys(s, "Northwind", "US", ["K-9"]),
    "list_organisations": lambda s, w, a: admin.list_organisations(s),
    "list_checkouts": lambda s, w, a: admin.list_checkouts(s, "Northwind"),
    "set_policy": lambda s, w, a: checkout_policy.set_policy(
        s, w.admin, "US", PolicyChange(self_service=True)
    ),
    "invite_user": lambda s, w, a: users.invite_user(
        s, w.admin, "li@example.com", "", "US", "User"
    ),
    "change_user": lambda s, w, a: users.change_user(s, w.admin, a, usage_country="GB"),
    "issue_set_password_link": lambda s, w, a: users.issue_set_password_link(s, w.admin, a),
    "list_users": lambda s, w, a: users.list_users(s, w.admin),
    "import_checkouts": lambda s, w, a: import_checkouts(s, w.admin, IMPORT_FILE),
    "import_checkouts_dry_run": lambda s, w, a: import_checkouts(
        s, w.admin, IMPORT_FILE, dry_run=True
    ),
    "import_checkouts_as_operator": lambda s, w, a: import_checkouts(
        s, OrganisationManager("Northwind"), IMPORT_FILE, idempotency_key="k"
    ),
    "preview_catalog": lambda s, w, a: import_catalog(s, w.admin, CATALOG_FILE, apply=False),
    "apply_catalog": lambda s, w, a: import_catalog(s, w.admin, CATALOG_FILE, apply=True),
    "operator_imports_catalog": lambda s, w, a: import_catalog(s, None, CATALOG_FILE, apply=True),
    "browse_catalog": lambda s, w, a: browse_catalog(s, w.co_admin, "atlas"),
}


@pytest.mark.parametrize("name", sorted(USE_CASES))
def test_an_administration_use_case_opens_one_transaction(world: World, name: str) -> None:
    ana = _ana(world)
    with counted(world.services) as (services, opened):
        USE_CASES[name](services, world, ana)
    assert len(opened) == 1, f"{name} opened {len(opened)} units of work"
