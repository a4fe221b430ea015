"""The time-driven events of checkouts: ``checkout.expiring`` at each reminder threshold and
``checkout.expired`` at the expiry (entitle.domain.events), each produced exactly once per
checkout and threshold however many servers look at once: the store's primary key on
(checkout, threshold) lets one transaction record it, and only that one writes the event."""

from __future__ import annotations

from datetime import timedelta

from entitle.domain.events import EXPIRED_THRESHOLD, EventType, thresholds_due
from entitle.domain.model import CheckInMethod
from entitle.service.context import Services
from entitle.service.events import checkout_event
from entitle.store import checkouts, outbox

# A checkout that expired longer ago than this when the server first looks is not told of:
# a server started after a long stop does not send a flood of old news.
EXPIRED_LOOKBACK = timedelta(days=1)


def produce_time_events(services: Services) -> int:
    """Write the events that have fallen due since the last look; answers how many."""
    now = services.now()
    produced = 0
    with services.uow() as uow:
        lookahead = timedelta(days=outbox.longest_reminder(uow.conn))
        for found in outbox.outstanding(uow.conn, now, lookahead, EXPIRED_LOOKBACK):
            due = [
                t
                for t in thresholds_due(
                    found.created_at, found.expires_at, now, found.reminder_days
                )
                if t not in found.recorded
            ]
            if not due:
                continue
            checkout = checkouts.get(uow.conn, found.organisation_id, found.id)
            assert checkout is not None
            for threshold in due:
                event_id = outbox.new_event_id()
                if not outbox.claim_time_event(uow.conn, found.id, threshold, event_id):
                    continue
                if threshold == EXPIRED_THRESHOLD:
                    checkout_event(
                        uow.conn,
                        EventType.CHECKOUT_EXPIRED,
                        checkout,
                        found.expires_at,
                        "entitle",
                        event_id=event_id,
                        method=CheckInMethod.EXPIRY.value,
                    )
                else:
                    checkout_event(
                        uow.conn,
                        EventType.CHECKOUT_EXPIRING,
                        checkout,
                        now,
                        "entitle",
                        event_id=event_id,
                        days_before=threshold,
                    )
                produced += 1
        uow.commit()
    return produced
