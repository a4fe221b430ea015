"""Every change that matters writes its event in the transaction of the change; a refused or
rolled-back change writes none."""

from __future__ import annotations

from datetime import timedelta

import pytest

from entitle.domain.errors import DomainError
from entitle.service import users
from entitle.service.check_in import ClientReceipt, accept_client_receipt, check_in
from entitle.service.checkout_policy import PolicyChange, set_policy
from entitle.service.create_checkout import create_checkout
from entitle.service.extend_checkout import extend_checkout
from entitle.store import outbox
from tests.integration.events.helpers import events_of, last_event, northwind_id, ses
from tests.integration.fixtures import World


def test_each_change_writes_one_event_of_its_type_with_what_a_receiver_needs(
    world: World,
) -> None:
    services = world.services
    start = last_event(world)
    made = create_checkout(services, world.admin, ses(expires_on=None))
    shorter = create_checkout(
        services, world.admin, ses(machine="WS-2", expires_on=world.clock.now.date() + timedelta(3))
    )
    extend_checkout(services, world.admin, shorter.id, None)
    check_in(services, world.co_admin, made.id)
    assert shorter.license_digest
    world.clock.advance(minutes=5)
    accept_client_receipt(
        services,
        ClientReceipt(shorter.id, "WS-2", "ana", world.clock.now, _digest(world, shorter.id)),
    )
    set_policy(services, world.admin, "US", PolicyChange(self_service=True))
    invited = users.invite_user(
        services, world.admin, "new@example.com", "New Person", "US", "User"
    )
    users.change_user(services, world.admin, invited.user.id, active=False)

    found = events_of(world, after=start)
    assert [e.type for e in found] == [
        "checkout.created",
        "checkout.created",
        "checkout.renewed",
        "checkout.checked_in",
        "checkout.checked_in",
        "policy.changed",
        "user.added",
        "user.deactivated",
    ]
    created = found[0].data
    assert created["checkout"]["id"] == made.id
    assert created["checkout"]["user"] == "ana@example.com"
    assert created["checkout"]["machine"] == "WS-1"
    assert created["checkout"]["applications"] == [
        {"application": "Atlas Designer", "version": "10.17.2.61"}
    ]
    assert created["actor"] == world.admin
    assert found[2].data["checkout"]["expires_at"] > found[1].data["checkout"]["expires_at"]
    assert found[3].data["method"] == "portal"
    assert found[4].data["method"] == "client"
    assert found[5].data["country"] == "US"
    assert found[5].data["self_service"] is True
    assert found[7].data["user"]["email"] == "new@example.com"
    assert len({e.event_id for e in found}) == len(found)
    assert {e.organisation_id for e in found} == {northwind_id(world)}


def test_a_refused_change_writes_no_event(world: World) -> None:
    start = last_event(world)
    with pytest.raises(DomainError):
        create_checkout(world.services, world.user, ses())
    with pytest.raises(DomainError):
        create_checkout(world.services, world.admin, ses(machine="bad name!"))
    assert events_of(world, after=start) == []


def test_an_event_is_kept_only_with_its_change(world: World) -> None:
    """The outbox writes in the caller's transaction: rolled back together."""
    start = last_event(world)
    northwind = northwind_id(world)
    with world.services.uow() as uow:
        outbox.emit(uow.conn, northwind, "checkout.created", {}, world.clock.now)
        # no commit
    assert events_of(world, after=start) == []


def _digest(world: World, checkout_id: str) -> str:
    from entitle.service.queries import get_checkout

    found = get_checkout(world.services, world.admin, checkout_id)
    assert found.license_digest
    return found.license_digest


def test_a_csv_import_writes_one_created_event_per_checkout_with_the_import(
    world: World,
) -> None:
    from entitle.service.import_checkouts import import_checkouts

    start = last_event(world)
    imported = import_checkouts(
        world.services,
        world.admin,
        b"user,machine,country,applications\n"
        b"ana@example.com,WS-A,US,Atlas Designer 10.17.2.61\n"
        b"ana@example.com,WS-B,US,Bridgeworks 24.0.1.5\n",
    )
    found = events_of(world, after=start)
    assert [e.type for e in found] == ["checkout.created"] * 2
    assert {e.data["checkout"]["machine"] for e in found} == {"WS-A", "WS-B"}
    assert {e.data["import_id"] for e in found} == {imported.id}
