"""A real ``entitle serve`` with two workers: JSON log lines, and /metrics adding them up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.api.conftest import NEW_CHECKOUT
from tests.integration.fixtures import PASSWORD
from tests.integration.reliability.conftest import deployment
from tests.integration.reliability.deployment import Deployment
from tests.servers import server_environment, serving

__all__ = ["deployment"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
REQUESTS = 30
# A route nothing else asks for: the server itself polls /healthz, the test helper /readyz.
COUNTED = "/.well-known/jwks.json"


def _requests_counted(base: str, route: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "entitle_http_requests_total" and sample.labels["route"] == route
    )


def test_two_workers_write_json_lines_and_metrics_count_every_workers_requests(
    deployment: Deployment, tmp_path: Path
) -> None:
    env = server_environment(
        deployment.data_dir, deployment.database_url, ENTITLE_LOG_FORMAT="json"
    )
    token = deployment.admin_token
    with serving(env, tmp_path / "serve.log", workers=2) as server:
        for _ in range(REQUESTS):  # a connection each, so either worker may answer
            assert httpx.get(f"{server.url}{COUNTED}", timeout=10).status_code == 200
        created = httpx.post(
            f"{server.url}/api/v1/checkouts?note=query-secret-9",
            json=NEW_CHECKOUT,
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "create-1"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        login = httpx.post(
            f"{server.url}/api/v1/session",
            json={"email": "admin@example.com", "password": PASSWORD},
            timeout=30,
        )
        cookie = login.cookies["entitle_session"]
        # Every worker's count, whichever worker answers the scrape.
        assert [_requests_counted(server.url, COUNTED) for _ in range(4)] == [REQUESTS] * 4
        log = server.log()
    # Beside the log, only what the command prints for the operator as it starts.
    said = [line for line in log.splitlines() if not line.startswith("{")]
    starts = ("entitle portal:", "demo login:", "entitle: e-mail is off:")
    assert all(line.startswith(starts) for line in said), said
    lines: list[dict[str, Any]] = [
        json.loads(line) for line in log.splitlines() if line not in said
    ]
    requests = [line for line in lines if line["event"] == "request"]
    assert len([r for r in requests if r["route"] == COUNTED]) == REQUESTS
    (create,) = [r for r in requests if r["request_id"] == "create-1"]
    assert create["route"] == "/api/v1/checkouts"
    assert (create["method"], create["status"]) == ("POST", 201)
    assert isinstance(create["organisation_id"], int)
    assert any(line["logger"] == "uvicorn.error" for line in lines)
    assert not any(line["logger"] == "uvicorn.access" for line in lines)
    for secret in (token, cookie, PASSWORD, "query-secret-9"):
        assert secret not in log
