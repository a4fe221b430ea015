"""Concurrent API clients on loopback, and the ledger of what the servers acknowledged.

A client sends a create with an ``Idempotency-Key``; when the request fails at the transport
level (connection refused or cut, timeout) it sends the same create with the same key again,
to the other server when there is one, as a client behind a load balancer would. Only answers
that arrived count as acknowledged.
"""

from __future__ import annotations

import io
import random
import threading
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from entitle.licensefile import TrustedKeys, verify
from tests.servers import ServerProcess

APPLICATION = {"name": "Atlas Designer", "version": "10.17.2.61"}
XML_APPLICATION = {"name": "Atlas Designer", "version": "10.12.0.40"}
RETRY_SECONDS = 60.0


@dataclass
class Ledger:
    """What clients were told, shared by every client thread."""

    servers: int
    creates_sent: dict[str, str] = field(default_factory=dict)  # machine -> idempotency key
    acknowledged_creates: dict[str, str] = field(default_factory=dict)  # machine -> id
    acknowledged_check_ins: set[str] = field(default_factory=set)
    files_verified: int = 0
    requests: int = 0
    transport_errors: int = 0
    retried_creates: int = 0
    statuses: list[Counter[int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.statuses = [Counter() for _ in range(self.servers)]

    def answered(self, server: int, status: int) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[server][status] += 1

    def cut(self) -> None:
        with self.lock:
            self.requests += 1
            self.transport_errors += 1

    def server_errors(self, server: int) -> int:
        return sum(n for status, n in self.statuses[server].items() if status >= 500)

    def my_checkouts(self, machines: Sequence[str]) -> list[str]:
        with self.lock:
            return [
                self.acknowledged_creates[m] for m in machines if m in self.acknowledged_creates
            ]


class Client:
    """One API client: a thread running ``operations`` mixed requests."""

    def __init__(
        self,
        number: int,
        servers: Sequence[ServerProcess],
        token: str,
        ledger: Ledger,
        trusted: TrustedKeys,
        writes_only: bool = False,
    ) -> None:
        self.number = number
        self.servers = servers
        self.ledger = ledger
        self.trusted = trusted
        self.writes_only = writes_only
        self.random = random.Random(number)
        self.sent = number
        self.machines: list[str] = []
        self.http = httpx.Client(
            headers={"Authorization": f"Bearer {token}"}, timeout=httpx.Timeout(30.0)
        )

    def run(self, operations: int | None, keep_going: Callable[[], bool] = lambda: True) -> None:
        try:
            done = 0
            while (operations is None or done < operations) and keep_going():
                self.step()
                done += 1
        except Exception as error:  # reported by the test
            with self.ledger.lock:
                self.ledger.failures.append(f"client {self.number}: {error!r}")
        finally:
            self.http.close()

    def step(self) -> None:
        steps: list[tuple[Callable[[], None], int]] = [
            (self.create, 6),
            (self.check_in, 2),
            (self.bulk_check_in, 1),
        ]
        if not self.writes_only:
            steps += [(self.list, 2), (self.download, 2), (self.bulk_download, 1)]
        action = self.random.choices([s for s, _ in steps], [w for _, w in steps])[0]
        action()

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response | None:
        """One request, to each server in turn as a round-robin balancer would send it; None
        when it failed at the transport level."""
        server = self.sent % len(self.servers)
        self.sent += 1
        try:
            response = self.http.request(method, self.servers[server].url + path, **kw)
        except httpx.TransportError:
            self.ledger.cut()
            return None
        self.ledger.answered(server, response.status_code)
        return response

    def create(self) -> None:
        machine = f"LD{self.number}-{len(self.machines)}"
        key = str(uuid.uuid4())
        self.machines.append(machine)
        with self.ledger.lock:
            self.ledger.creates_sent[machine] = key
        xml = self.random.random() < 0.25
        body = {
            "country": "US",
            "license_service": "SELECTserver" if xml else "SES",
            "activation_key": "US-KEY-1" if xml else None,
            "user": "ana@example.com",
            "machine": machine,
            "applications": [XML_APPLICATION if xml else APPLICATION],
        }
        deadline = time.monotonic() + RETRY_SECONDS
        attempt = 0
        while time.monotonic() < deadline:
            if attempt:
                with self.ledger.lock:
                    self.ledger.retried_creates += 1
                time.sleep(min(0.05 * attempt, 0.5))
            attempt += 1
            response = self.request(
                "POST", "/api/v1/checkouts", json=body, headers={"Idempotency-Key": key}
            )
            if response is None:
                continue
            if response.status_code == 201:
                with self.ledger.lock:
                    self.ledger.acknowledged_creates[machine] = response.json()["id"]
            return

    def _some(self, count: int) -> list[str]:
        mine = self.ledger.my_checkouts(self.machines)
        return self.random.sample(mine, min(count, len(mine)))

    def check_in(self) -> None:
        for checkout_id in self._some(1):
            response = self.request("POST", f"/api/v1/checkouts/{checkout_id}/check-in")
            if response is not None and response.status_code == 200:
                with self.ledger.lock:
                    self.ledger.acknowledged_check_ins.add(checkout_id)

    def bulk_check_in(self) -> None:
        ids = self._some(4)
        if not ids:
            return
        response = self.request("POST", "/api/v1/checkouts/check-in", json={"ids": ids})
        if response is not None and response.status_code == 200:
            with self.ledger.lock:
                self.ledger.acknowledged_check_ins.update(
                    r["id"] for r in response.json()["items"] if r["ok"]
                )

    def list(self) -> None:
        self.request("GET", "/api/v1/checkouts", params={"page_size": 20, "sort": "-created_at"})

    def download(self) -> None:
        for checkout_id in self._some(1):
            response = self.request("GET", f"/api/v1/checkouts/{checkout_id}/license-file")
            if response is not None and response.status_code == 200:
                self._verify(response.content, checkout_id)

    def bulk_download(self) -> None:
        ids = self._some(5)
        if not ids:
            return
        response = self.request("POST", "/api/v1/checkouts/license-files", json={"ids": ids})
        if response is not None and response.status_code == 200:
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                for name in archive.namelist():
                    self._verify(archive.read(name), None)

    def _verify(self, data: bytes, checkout_id: str | None) -> None:
        claims = verify(data, self.trusted, now=datetime.now(UTC), machine_name=None)
        assert checkout_id is None or claims.checkout_id == checkout_id
        with self.ledger.lock:
            self.ledger.files_verified += 1


def start_clients(
    clients: Sequence[Client], operations: int | None, **kw: Any
) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=c.run, args=(operations,), kwargs=kw, daemon=True) for c in clients
    ]
    for thread in threads:
        thread.start()
    return threads


def join(threads: Sequence[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=600)
        assert not thread.is_alive(), "a load client did not finish in 10 minutes"
