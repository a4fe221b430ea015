"""Webhook deliveries: take what is due, sign it to the Standard Webhooks specification, send
it, and log the answer; retry on the schedule of :mod:`entitle.domain.webhooks`, and disable
the endpoint once the schedule is spent.

Delivery is at least once: a worker that dies after sending and before logging leaves the
delivery to another after its lease, which sends it again with the same ``webhook-id``, so a
receiver drops the duplicate by it. Each answer is logged in a transaction of its own, so a
dying worker repeats one delivery at most, never a batch.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from entitle import __version__
from entitle.domain.events import EventType
from entitle.domain.webhooks import address_allowed, retry_after
from entitle.service import mail
from entitle.service.context import Services
from entitle.store import audit, outbox, webhooks
from entitle.store.webhooks import Claimed

BATCH = 20
PARALLEL = 8
MAX_ERROR = 500


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    response_ms: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def body(event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The payload Standard Webhooks describes: ``type``, ``timestamp`` and ``data``; the same
    bytes for every attempt of one event."""
    return json.dumps(
        {
            "type": event_type,
            "timestamp": occurred_at.isoformat().replace("+00:00", "Z"),
            "data": data,
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def signed_headers(secret: str, event_id: str, payload: str) -> dict[str, str]:
    """The Standard Webhooks headers. The timestamp is the wall clock's at sending (receivers
    refuse one more than five minutes off theirs), whatever clock the use cases run on."""
    sent = datetime.now(UTC)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(sent.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, sent, payload),
        "content-type": "application/json",
        "user-agent": f"entitle/{__version__}",
    }


def refused_address(url: str, *, allow_loopback: bool) -> str | None:
    """Why the URL's host may not be sent to now (it resolves inside), or None."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        found = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        return f"{host} does not resolve: {error}"
    for *_, address in found:
        ip = str(address[0])
        if not address_allowed(ip, allow_loopback=allow_loopback):
            return f"{host} resolves to {ip}, a loopback, private or internal address"
    return None


def send(client: httpx.Client, claimed: Claimed, *, allow_loopback: bool) -> Outcome:
    refused = refused_address(claimed.url, allow_loopback=allow_loopback)
    if refused:
        return Outcome(None, None, refused[:MAX_ERROR])
    payload = body(claimed.event_type, claimed.occurred_at, claimed.data)
    headers = signed_headers(claimed.secret, claimed.event_id, payload)
    started = time.perf_counter()
    try:
        response = client.post(claimed.url, content=payload.encode(), headers=headers)
    except httpx.HTTPError as error:
        took = round((time.perf_counter() - started) * 1000)
        return Outcome(None, took, f"{type(error).__name__}: {error}"[:MAX_ERROR])
    took = round((time.perf_counter() - started) * 1000)
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, took, None)
    return Outcome(response.status_code, took, f"answered HTTP {response.status_code}")


def record(services: Services, claimed: Claimed, outcome: Outcome) -> bool:
    """Log the attempt; answers whether the endpoint was disabled by it."""
    now = services.now()
    delay: timedelta | None = None if outcome.delivered else retry_after(claimed.attempts + 1)
    gave_up = not outcome.delivered and delay is None
    with services.uow() as uow:
        webhooks.record_attempt(
            uow.conn,
            claimed.delivery_id,
            now,
            status_code=outcome.status_code,
            response_ms=outcome.response_ms,
            error=outcome.error,
            delivered=outcome.delivered,
            retry_at=None if delay is None else now + delay,
        )
        if gave_up:
            reason = (
                f"gave up delivering {claimed.event_id} after {claimed.attempts + 1} "
                f"attempts: {outcome.error}"
            )[:MAX_ERROR]
            webhooks.update_endpoint(
                uow.conn, claimed.endpoint_id, disabled_at=now, disabled_reason=reason
            )
            audit.record(
                uow.conn,
                claimed.organisation_id,
                now,
                "entitle",
                "webhook.disable",
                claimed.url[:200],
                "",
                reason,
            )
            data = {"endpoint": {"id": claimed.endpoint_id, "url": claimed.url}, "reason": reason}
            told = outbox.emit(
                uow.conn, claimed.organisation_id, EventType.WEBHOOK_DISABLED.value, data, now
            )
            mail.queue_for(
                uow.conn, claimed.organisation_id, told, EventType.WEBHOOK_DISABLED.value, data, now
            )
        uow.commit()
    return gave_up


def deliver_due(
    services: Services,
    client: httpx.Client,
    *,
    lease: timedelta,
    allow_loopback: bool,
    limit: int = BATCH,
) -> int:
    """Send a batch of due deliveries; answers how many were taken."""
    with services.uow(read_only=True) as uow:
        if not webhooks.any_due(uow.conn, services.now()):
            return 0
    with services.uow() as uow:
        claimed = webhooks.claim_due(uow.conn, services.now(), limit, lease)
        uow.commit()
    if len(claimed) == 1:
        _deliver(services, client, claimed[0], allow_loopback)
    elif claimed:
        # Receivers answer in their own time: wait on several at once. (Events may arrive out
        # of order, which Standard Webhooks allows; a receiver orders by the payload's time.)
        with ThreadPoolExecutor(min(PARALLEL, len(claimed))) as pool:
            for done in [
                pool.submit(_deliver, services, client, each, allow_loopback) for each in claimed
            ]:
                done.result()
    return len(claimed)


def _deliver(
    services: Services, client: httpx.Client, claimed: Claimed, allow_loopback: bool
) -> None:
    record(services, claimed, send(client, claimed, allow_loopback=allow_loopback))
