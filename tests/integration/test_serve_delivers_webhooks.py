"""``entitle serve`` delivers webhooks itself (ENTITLE_WORKER, on by default): an endpoint
added over the API gets the checkout created over the API, signed for `standardwebhooks`."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.integration.api.conftest import NEW_CHECKOUT
from tests.integration.reliability.conftest import deployment
from tests.integration.reliability.deployment import Deployment
from tests.receiver import receiver
from tests.servers import server_environment, serving

__all__ = ["deployment"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_the_server_delivers_the_events_of_its_own_requests(
    deployment: Deployment, tmp_path: Path
) -> None:
    env = server_environment(
        deployment.data_dir,
        deployment.database_url,
        ENTITLE_WEBHOOK_ALLOW_LOOPBACK="true",
        ENTITLE_WORKER_INTERVAL_SECONDS="0.2",
    )
    auth = {"Authorization": f"Bearer {deployment.admin_token}"}
    with receiver() as found, serving(env, tmp_path / "serve.log", workers=2) as server:
        added = httpx.post(
            f"{server.url}/api/v1/admin/webhooks",
            json={"url": found.url, "event_types": ["checkout.created"]},
            headers=auth,
            timeout=10,
        )
        assert added.status_code == 201, added.text
        found.secret = added.json()["secret"]
        created = httpx.post(
            f"{server.url}/api/v1/checkouts", json=NEW_CHECKOUT, headers=auth, timeout=30
        )
        assert created.status_code == 201, created.text
        deadline = time.monotonic() + 30
        while not found.received and time.monotonic() < deadline:
            time.sleep(0.05)
    assert found.types() == ["checkout.created"]
    assert found.received[0].verified
    assert found.received[0].body["data"]["checkout"]["id"] == created.json()["id"]
