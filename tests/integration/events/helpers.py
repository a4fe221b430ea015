"""What the events tests share: a checkout request, and the outbox as a receiver sees it."""

from __future__ import annotations

from datetime import date

from entitle.domain.checkouts import CheckoutRequest
from entitle.store import organisations, outbox
from tests.integration.fixtures import World


def ses(
    machine: str = "WS-1", expires_on: date | None = None, user: str = "ana@example.com"
) -> CheckoutRequest:
    return CheckoutRequest(
        country="US",
        license_service="SES",
        user=user,
        machine=machine,
        applications=[("Atlas Designer", "10.17.2.61")],
        expires_on=expires_on,
    )


def northwind_id(world: World) -> int:
    with world.services.engine.connect() as conn:
        found = organisations.by_name(conn, "Northwind")
    assert found is not None
    return found.id


def events_of(
    world: World, organisation_id: int | None = None, after: int = 0
) -> list[outbox.Event]:
    """The organisation's events (Northwind's by default) after the one ``after``, oldest
    first."""
    with world.services.engine.connect() as conn:
        found = outbox.events_of(conn, organisation_id or northwind_id(world), limit=10_000)
    return [e for e in reversed(found) if e.id > after]


def last_event(world: World) -> int:
    """The id of the latest event so far (those of building the world): events_of after it."""
    found = events_of(world)
    return found[-1].id if found else 0
