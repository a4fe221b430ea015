"""Usage alerts with the injected clock: a crossing is told once (one event, one e-mail to
each Administrator), not once per request or per look, and again only after falling back;
monthly hours once a month; two servers looking at once tell it once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import Engine

from entitle.domain.usage_alerts import AlertKind
from entitle.service import mail, usage_alerts
from entitle.service.check_in import check_in
from entitle.service.context import Services
from entitle.service.create_checkout import create_checkout
from entitle.service.usage_alerts import check_alerts
from entitle.store.database import make_engine
from tests.integration.events.conftest import Inbox
from tests.integration.events.helpers import events_of, last_event, ses
from tests.integration.fixtures import World


def _alerts(world: World, after: int) -> list[str]:
    return [e.data["summary"] for e in events_of(world, after=after) if e.type == "usage.alert"]


def test_active_checkouts_above_the_threshold_are_told_once_per_crossing(
    world: World, inbox: Inbox
) -> None:
    usage_alerts.add_alert(world.services, world.admin, AlertKind.ACTIVE_CHECKOUTS, 2, None, "US")
    start = last_event(world)
    made = [create_checkout(world.services, world.admin, ses(f"WS-{n}")) for n in range(2)]
    assert check_alerts(world.services) == 0
    made.append(create_checkout(world.services, world.admin, ses("WS-2")))
    assert check_alerts(world.services) == 1
    made.append(create_checkout(world.services, world.admin, ses("WS-3")))
    assert check_alerts(world.services) == 0  # still above: told already
    check_in(world.services, world.admin, made[0].id)
    check_in(world.services, world.admin, made[1].id)
    assert check_alerts(world.services) == 0  # back to 2: armed again
    create_checkout(world.services, world.admin, ses("WS-4"))
    assert check_alerts(world.services) == 1
    assert _alerts(world, start) == [
        "3 active checkouts (country US), above the threshold of 2",
        "3 active checkouts (country US), above the threshold of 2",
    ]
    while mail.send_due(world.services, lease=timedelta(seconds=15), timeout=5):
        pass
    alerted = [(to, m) for to, m in inbox.messages if m["Subject"].startswith("Usage alert")]
    assert [to for to, _ in alerted] == [["admin@example.com"]] * 2
    assert alerted[0][1]["Subject"] == ("Usage alert: 3 active checkouts (country US)")
    text = alerted[0][1].get_body(("plain",))
    assert text is not None
    assert "above the threshold of 2" in text.get_content()


def test_booked_hours_in_a_month_are_told_once_that_month(world: World) -> None:
    usage_alerts.add_alert(
        world.services, world.admin, AlertKind.MONTHLY_HOURS, 30, "Atlas Designer"
    )
    start = last_event(world)
    create_checkout(world.services, world.admin, ses("WS-1"))  # 28 November, noon
    world.clock.advance(hours=24)
    assert check_alerts(world.services) == 0  # 24 hours booked
    world.clock.advance(hours=12)
    assert check_alerts(world.services) == 1  # 36 hours
    world.clock.advance(hours=12)
    assert check_alerts(world.services) == 0  # told this month already
    world.clock.advance(hours=24)  # 1 December, noon: 12 hours of December
    assert check_alerts(world.services) == 0
    world.clock.advance(hours=24)
    assert check_alerts(world.services) == 1  # 36 hours in December
    assert len(_alerts(world, start)) == 2


def test_two_servers_looking_at_once_tell_a_crossing_once(world: World, engine: Engine) -> None:
    usage_alerts.add_alert(world.services, world.admin, AlertKind.ACTIVE_CHECKOUTS, 1)
    start = last_event(world)
    for n in range(2):
        create_checkout(world.services, world.admin, ses(f"WS-{n}"))
    servers = [
        Services(
            engine=make_engine(engine.url.render_as_string(hide_password=False)),
            signer=world.services.signer,
            clock=world.clock,
        )
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)

    def look(services: Services) -> None:
        barrier.wait()
        for _ in range(3):
            check_alerts(services)

    threads = [threading.Thread(target=look, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for services in servers:
        services.engine.dispose()
    assert len(_alerts(world, start)) == 1
