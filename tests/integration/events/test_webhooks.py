"""Deliveries to a real local receiver, which verifies each one with the `standardwebhooks`
package: signed, typed, retried on the schedule, disabled after a day, redelivered with the
same webhook-id; the injected clock moves the retries along."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from entitle.domain.webhooks import RETRY_DELAYS
from entitle.service import mail, webhooks
from entitle.service.audit_log import audit_actions
from entitle.service.check_in import check_in
from entitle.service.create_checkout import create_checkout
from entitle.service.delivery import deliver_due
from tests.integration.events.conftest import Inbox
from tests.integration.events.helpers import events_of, last_event, ses
from tests.integration.fixtures import World
from tests.receiver import Receiver, receiver

LEASE = timedelta(seconds=15)


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTITLE_WEBHOOK_ALLOW_LOOPBACK", "true")


@pytest.fixture
def hooked(world: World) -> Iterator[tuple[Receiver, int]]:
    """A receiver, and Northwind's endpoint for it (every event type)."""
    with receiver() as found:
        added = webhooks.add_endpoint(world.services, world.admin, found.url)
        found.secret = added.secret
        yield found, added.endpoint.id


def drain(world: World) -> int:
    """Deliver until nothing is due now; answers how many were sent."""
    sent = 0
    with httpx.Client(timeout=5) as client:
        while taken := deliver_due(world.services, client, lease=LEASE, allow_loopback=True):
            sent += taken
    return sent


def test_every_event_reaches_the_receiver_signed_so_standardwebhooks_verifies_it(
    world: World, hooked: tuple[Receiver, int]
) -> None:
    found, _endpoint = hooked
    start = last_event(world)
    made = create_checkout(world.services, world.admin, ses())
    check_in(world.services, world.admin, made.id)
    assert drain(world) == 2
    # Sent side by side, they may arrive in either order; each says when it happened.
    assert sorted(found.types()) == ["checkout.checked_in", "checkout.created"]
    assert all(r.verified for r in found.received)
    told = events_of(world, after=start)
    assert sorted(r.webhook_id for r in found.received) == sorted(e.event_id for e in told)
    (created,) = [r.body for r in found.received if r.body["type"] == "checkout.created"]
    assert created["data"]["checkout"]["id"] == made.id
    assert created["data"]["checkout"]["machine"] == "WS-1"
    assert created["timestamp"].endswith("Z")
    assert drain(world) == 0


def test_an_endpoint_gets_only_the_types_it_asked_for_and_other_organisations_none(
    world: World,
) -> None:
    with receiver() as mine, receiver() as theirs:
        chosen = webhooks.add_endpoint(
            world.services, world.admin, mine.url, ["checkout.checked_in"]
        )
        mine.secret = chosen.secret
        webhooks.add_endpoint(world.services, world.other_admin, theirs.url)
        made = create_checkout(world.services, world.admin, ses())
        check_in(world.services, world.admin, made.id)
        drain(world)
        assert mine.types() == ["checkout.checked_in"]
        assert theirs.received == []


def test_a_failing_receiver_is_retried_for_a_day_then_the_endpoint_is_disabled_and_told(
    world: World, hooked: tuple[Receiver, int], inbox: Inbox
) -> None:
    found, endpoint_id = hooked
    found.answers = [500]
    create_checkout(world.services, world.admin, ses())
    assert drain(world) == 1
    for delay in RETRY_DELAYS:
        world.clock.advance(seconds=delay.total_seconds() - 1)
        assert drain(world) == 0, "retried before its delay"
        world.clock.advance(seconds=1)
        assert drain(world) == 1
    assert len(found.received) == 1 + len(RETRY_DELAYS)
    assert len({r.webhook_id for r in found.received}) == 1
    assert sum(d.total_seconds() for d in RETRY_DELAYS) / 3600 > 24

    endpoint = webhooks.get_endpoint(world.services, world.admin, endpoint_id)
    assert not endpoint.enabled
    assert "8 attempts" in (endpoint.disabled_reason or "")
    (delivery,) = webhooks.deliveries(world.services, world.admin, endpoint_id)
    assert delivery.status == "failed"
    _, log = webhooks.attempts(world.services, world.admin, endpoint_id, delivery.id)
    assert [a.status_code for a in log] == [500] * 8
    assert all(a.response_ms is not None for a in log)
    assert "webhook.disable" in audit_actions(world.services, world.admin)
    assert events_of(world)[-1].type == "webhook.disabled"
    while mail.send_due(world.services, lease=LEASE, timeout=5):
        pass
    ((to, sent),) = [m for m in inbox.messages if "disabled" in m[1]["Subject"]]
    assert to == ["admin@example.com"]
    body = sent.get_body(("plain",))
    assert body is not None
    assert found.url in body.get_content()

    # Nothing more goes to a disabled endpoint, until an Administrator enables it again.
    create_checkout(world.services, world.admin, ses(machine="WS-2"))
    world.clock.advance(days=2)
    assert drain(world) == 0


def test_redeliver_sends_the_same_webhook_id_again(
    world: World, hooked: tuple[Receiver, int]
) -> None:
    found, endpoint_id = hooked
    create_checkout(world.services, world.admin, ses())
    drain(world)
    (delivery,) = webhooks.deliveries(world.services, world.admin, endpoint_id)
    assert delivery.status == "delivered"
    assert delivery.last_status_code == 204
    again = webhooks.redeliver(world.services, world.admin, endpoint_id, delivery.id)
    assert again.status == "pending"
    drain(world)
    assert [r.webhook_id for r in found.received] == [delivery.event_id] * 2
    assert all(r.verified for r in found.received)


def test_a_test_event_goes_to_the_endpoint_alone(world: World) -> None:
    with receiver() as first, receiver() as second:
        tested = webhooks.add_endpoint(world.services, world.admin, first.url, ["user.added"])
        first.secret = tested.secret
        webhooks.add_endpoint(world.services, world.admin, second.url)
        sent = webhooks.send_test_event(world.services, world.admin, tested.endpoint.id)
        assert sent.event_type == "webhook.test"
        drain(world)
        assert first.types() == ["webhook.test"]
        assert first.received[0].verified
        assert second.received == []


def test_a_name_that_resolves_to_loopback_is_not_sent_to_unless_allowed(
    world: World, hooked: tuple[Receiver, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    found, endpoint_id = hooked
    port = found.url.split(":")[2].split("/")[0]
    webhooks.change_endpoint(
        world.services, world.admin, endpoint_id, url=f"http://localhost:{port}/hooks"
    )
    create_checkout(world.services, world.admin, ses())
    with httpx.Client(timeout=5) as client:
        deliver_due(world.services, client, lease=LEASE, allow_loopback=False)
    assert found.received == []
    (delivery,) = webhooks.deliveries(world.services, world.admin, endpoint_id)
    assert "loopback, private or internal" in (delivery.last_error or "")
