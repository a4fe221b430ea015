"""Webhook deliveries per second to a local receiver, beside a bare loop of HTTP POSTs of the
same bodies to the same receiver, in one run, on each backend (an empty database of its own).

The events are in the outbox before the clock starts; the figure is one worker draining them
(claim a batch, sign each to Standard Webhooks, POST it, log the answer in its own
transaction). The baseline POSTs the same number of bodies over one kept-alive connection, with
no database, no signature and no log: the ratio is what at-least-once delivery costs.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bench.databases import backends, postgres_url, recreate_postgres
from bench.harness import Context, Figure
from entitle.service import admin
from entitle.service.context import Services
from entitle.service.delivery import body, deliver_due
from entitle.service.webhooks import new_secret
from entitle.store import organisations, outbox, webhooks
from entitle.store.database import make_engine, upgrade

DATA = {
    "checkout": {
        "id": "3f1c2b7e-0000-4000-8000-000000000000",
        "user": "bench@example.com",
        "machine": "WS-BENCH",
        "applications": [{"application": "Atlas Designer", "version": "10.17.2.61"}],
        "expires_at": "2027-01-31T00:00:00Z",
    },
    "actor": "admin@example.com",
}


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def run(ctx: Context) -> None:
    count = 50 if ctx.tiny else (300 if ctx.quick else 2000)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hooks"
    try:
        for backend in backends(ctx):
            with _database(ctx, backend) as engine:
                ours, bare = _measure(engine, url, count)
            ctx.add(
                Figure(
                    f"webhook deliveries/s, one worker ({backend})",
                    ours,
                    "bare HTTP POST loop",
                    bare,
                    "1/s",
                    notes=f"{count} events",
                )
            )
            print(
                f"webhooks ({backend}): {ours:,.0f} deliveries/s beside {bare:,.0f} bare POSTs/s "
                f"({count} events)"
            )
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _database(ctx: Context, backend: str) -> Iterator[Engine]:
    """An empty database of its own at the schema's head: a SQLite file, or the bench
    PostgreSQL database's name with ``_webhooks`` after it (created, then dropped)."""
    with tempfile.TemporaryDirectory() as directory:
        if backend == "sqlite":
            url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        else:
            found = postgres_url(ctx)
            assert found, "no PostgreSQL server answers at the bench URL"
            parsed = make_url(found)
            url = parsed.set(database=f"{parsed.database}_webhooks").render_as_string(
                hide_password=False
            )
            recreate_postgres(url)
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            if backend == "postgresql":
                recreate_postgres(url, create=False)


def _measure(engine: Engine, url: str, count: int) -> tuple[float, float]:
    """Deliveries per second of ``count`` events by one worker, and bare POSTs per second."""
    services = Services(engine=engine, signer=None)  # type: ignore[arg-type]
    admin.create_organisation(services, "Bench", True, date(2030, 1, 1))
    now = datetime.now(UTC)
    with services.uow() as uow:
        found = organisations.by_name(uow.conn, "Bench")
        assert found is not None
        webhooks.add_endpoint(uow.conn, found.id, url, "", [], new_secret(), now, "bench")
        for _ in range(count):
            outbox.emit(uow.conn, found.id, "checkout.created", DATA, now)
        uow.commit()
    with httpx.Client(timeout=10) as client:
        start = time.perf_counter()
        while deliver_due(services, client, lease=timedelta(seconds=30), allow_loopback=True):
            pass
        ours = count / (time.perf_counter() - start)
        payload = body("checkout.created", now, DATA).encode()
        start = time.perf_counter()
        for _ in range(count):
            client.post(url, content=payload, headers={"content-type": "application/json"})
        bare = count / (time.perf_counter() - start)
    with engine.connect() as conn:
        assert webhooks.pending_count(conn) == 0
    return ours, bare
