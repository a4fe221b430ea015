"""Two ``entitle worker`` processes share the queue on a throw-away PostgreSQL cluster; one is
killed (SIGKILL) in the middle of its deliveries. Every event still reaches the receiver,
which verifies each with the `standardwebhooks` package; a duplicate has the same webhook-id."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from entitle.service import webhooks
from entitle.service.context import Services
from entitle.service.create_checkout import create_checkout
from entitle.store.database import make_engine, upgrade
from entitle.store.outbox import DELIVERED
from entitle.store.tables import outbox_events, webhook_deliveries
from tests.integration.events.helpers import ses
from tests.integration.fixtures import Clock, build_world
from tests.integration.reliability.scratch_postgres import scratch_cluster
from tests.receiver import receiver
from tests.servers import ENTITLE, server_environment

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
CHECKOUTS = 60


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [ENTITLE, "worker"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def test_a_worker_killed_mid_delivery_loses_no_event_and_duplicates_keep_their_id(
    tmp_path: Path, key_ring, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENTITLE_WEBHOOK_ALLOW_LOOPBACK", "true")
    with scratch_cluster(tmp_path) as cluster, receiver() as found:
        cluster.create_database()
        engine = make_engine(cluster.url())
        upgrade(engine)
        clock = Clock()
        world = build_world(Services(engine=engine, signer=key_ring, clock=clock), clock)
        added = webhooks.add_endpoint(world.services, world.admin, found.url)
        found.secret = added.secret
        found.delay = 0.05  # each delivery takes a while: a kill lands in the middle of one
        env = server_environment(
            tmp_path / "data",
            cluster.url(),
            ENTITLE_WEBHOOK_ALLOW_LOOPBACK="true",
            ENTITLE_WEBHOOK_TIMEOUT_SECONDS="1",  # a dead worker's lease ends 6 s on
            ENTITLE_WORKER_INTERVAL_SECONDS="0.1",
        )
        log = tmp_path / "workers.log"
        first = _worker(env, log)
        running = [first, _worker(env, log)]
        try:
            for n in range(CHECKOUTS):
                create_checkout(world.services, world.admin, ses(machine=f"WS-{n}"))
            deadline = time.monotonic() + 60
            while len(found.received) < 10 and time.monotonic() < deadline:
                time.sleep(0.02)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            running.append(_worker(env, log))  # the first comes back, as a supervisor does
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    left = conn.execute(
                        select(func.count())
                        .select_from(webhook_deliveries)
                        .where(webhook_deliveries.c.status != DELIVERED)
                    ).scalar_one()
                if not left:
                    break
                time.sleep(0.2)
        finally:
            for process in running:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(20)
        with engine.connect() as conn:
            told = {
                event_id: type_
                for event_id, type_ in conn.execute(
                    select(outbox_events.c.event_id, outbox_events.c.type).where(
                        outbox_events.c.type == "checkout.created"
                    )
                )
            }
        engine.dispose()

        assert left == 0, log.read_text()
        received = Counter(r.webhook_id for r in found.received)
        assert set(received) == set(told), "an event was lost or one came that was not told"
        assert all(r.verified for r in found.received)
        by_id: dict[str, object] = {}
        for r in found.received:
            assert by_id.setdefault(r.webhook_id, r.body) == r.body, "one webhook-id, two bodies"
        duplicates = sum(received.values()) - len(received)
        print(f"{len(received)} events, {duplicates} delivered twice after the kill")
