"""checkout.expiring once per checkout and reminder threshold, checkout.expired once at the
expiry, with the injected clock; two servers looking at once produce each event once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine

from entitle.service.check_in import check_in
from entitle.service.context import Services
from entitle.service.create_checkout import create_checkout
from entitle.service.time_events import produce_time_events
from entitle.store import outbox
from entitle.store.database import make_engine
from tests.integration.events.helpers import events_of, last_event, northwind_id, ses
from tests.integration.fixtures import World


def _timed(world: World, after: int) -> list[tuple[str, str, object]]:
    return [
        (e.type, e.data["checkout"]["machine"], e.data.get("days_before"))
        for e in events_of(world, after=after)
        if e.type in ("checkout.expiring", "checkout.expired")
    ]


def test_each_reminder_and_the_expiry_are_told_once_as_the_clock_passes_them(
    world: World,
) -> None:
    start = last_event(world)
    today = world.clock.now.date()
    create_checkout(world.services, world.admin, ses("WS-LONG", today + timedelta(days=10)))
    # Made three days before its expiry: it never crosses the seven-day threshold.
    create_checkout(world.services, world.admin, ses("WS-SHORT", today + timedelta(days=2)))
    returned = create_checkout(world.services, world.admin, ses("WS-BACK", today + timedelta(2)))
    check_in(world.services, world.admin, returned.id)

    # Now: 28 November, noon. WS-SHORT ends with 30 November, WS-LONG with 8 December.
    assert produce_time_events(world.services) == 0
    world.clock.advance(hours=36)  # 30 November: WS-SHORT's last day
    assert produce_time_events(world.services) == 1
    assert produce_time_events(world.services) == 0
    world.clock.advance(days=1)  # 1 December: WS-SHORT has expired
    assert produce_time_events(world.services) == 1
    world.clock.advance(days=1)  # 2 December: a week before WS-LONG's end
    assert produce_time_events(world.services) == 1
    world.clock.advance(days=6)  # 8 December: WS-LONG's last day
    assert produce_time_events(world.services) == 1
    world.clock.advance(days=1)  # 9 December: WS-LONG has expired
    assert produce_time_events(world.services) == 1
    assert produce_time_events(world.services) == 0

    assert _timed(world, start) == [
        ("checkout.expiring", "WS-SHORT", 1),
        ("checkout.expired", "WS-SHORT", None),
        ("checkout.expiring", "WS-LONG", 7),
        ("checkout.expiring", "WS-LONG", 1),
        ("checkout.expired", "WS-LONG", None),
    ]


def test_an_organisations_own_reminder_days_are_the_ones_told(world: World) -> None:
    start = last_event(world)
    northwind = northwind_id(world)
    with world.services.uow() as uow:
        outbox.set_reminder_days(uow.conn, northwind, [3])
        uow.commit()
    today = world.clock.now.date()
    create_checkout(world.services, world.admin, ses("WS-LONG", today + timedelta(days=10)))
    world.clock.advance(days=8)
    produce_time_events(world.services)
    assert _timed(world, start) == [("checkout.expiring", "WS-LONG", 3)]


def test_two_servers_looking_at_once_tell_each_threshold_once(world: World, engine: Engine) -> None:
    start = last_event(world)
    today = world.clock.now.date()
    for n in range(30):
        create_checkout(world.services, world.admin, ses(f"WS-{n}", today + timedelta(days=5)))
    world.clock.advance(days=5)  # every one is a day from its expiry
    servers = [
        Services(
            engine=make_engine(str(engine.url.render_as_string(hide_password=False))),
            signer=world.services.signer,
            clock=world.clock,
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    produced: list[int] = []

    def look(services: Services) -> None:
        barrier.wait()
        for _ in range(3):
            produced.append(produce_time_events(services))

    threads = [threading.Thread(target=look, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for services in servers:
        services.engine.dispose()

    told = Counter(_timed(world, start))
    assert sum(produced) == 30
    assert len(told) == 30
    assert set(told.values()) == {1}
