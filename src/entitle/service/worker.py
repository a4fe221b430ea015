"""The events worker: produces the checkouts' time-driven events and delivers webhooks, in a
loop, until told to stop. It runs beside each ``entitle serve`` process (a thread) or alone
(``entitle worker``); any number share the queue (entitle.store.webhooks.claim_due)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import httpx

from entitle.domain.errors import Unavailable
from entitle.service import mail
from entitle.service.context import Services
from entitle.service.delivery import BATCH, deliver_due
from entitle.service.time_events import produce_time_events
from entitle.service.usage_alerts import check_alerts

log = logging.getLogger("entitle.worker")
# Reminders fall due by the day: looking twice a minute is soon enough.
TIME_EVENTS_EVERY = 30.0
LEASE_MARGIN = timedelta(seconds=5)


class Worker:
    def __init__(
        self,
        services: Services,
        *,
        interval: float,
        timeout: float,
        allow_loopback: bool,
    ) -> None:
        self.services = services
        self.interval = interval
        self.timeout = timeout
        self.allow_loopback = allow_loopback
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.timeout) + LEASE_MARGIN

    def run(self) -> None:
        """Work until :meth:`stop`; an outage or a failure is logged and waited out."""
        next_scan = 0.0
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            while not self.stopping.is_set():
                busy = False
                try:
                    if time.monotonic() >= next_scan:
                        produce_time_events(self.services)
                        check_alerts(self.services)
                        next_scan = time.monotonic() + max(TIME_EVENTS_EVERY, self.interval)
                    delivered = deliver_due(
                        self.services, client, lease=self.lease, allow_loopback=self.allow_loopback
                    )
                    mailed = mail.send_due(self.services, lease=self.lease, timeout=self.timeout)
                    busy = delivered == BATCH or mailed == mail.BATCH
                except Unavailable as outage:
                    log.warning("events worker waits: %s", outage.message)
                except Exception:
                    log.exception("events worker failed; it goes on")
                if not busy:
                    self.stopping.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="entitle-worker", daemon=True)
        self._thread.start()

    def stop(self, wait: float = 15.0) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(wait)


def from_settings(services: Services) -> Worker:
    from entitle import settings

    configured = settings.current()
    return Worker(
        services,
        interval=configured.worker_interval_seconds,
        timeout=configured.webhook_timeout_seconds,
        allow_loopback=configured.webhook_allow_loopback,
    )
