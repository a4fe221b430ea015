"""SIGTERM lets a request in flight finish before the server exits."""

from __future__ import annotations

import io
import json
import signal
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from entitle.domain.checkouts import CheckoutRequest
from entitle.licensefile import verify
from entitle.service.create_checkout import create_checkout
from tests.integration.reliability.deployment import Deployment
from tests.servers import ServerProcess, server_environment

FILES = 40


def _slow_body(ids: list[str], sent_half: threading.Event) -> Iterator[bytes]:
    """The bulk download's JSON body, sent in pieces over about two seconds."""
    body = json.dumps({"ids": ids}).encode()
    pieces = [body[i : i + len(body) // 8 + 1] for i in range(0, len(body), len(body) // 8 + 1)]
    for number, piece in enumerate(pieces):
        if number == len(pieces) // 2:
            sent_half.set()
        time.sleep(0.25)
        yield piece


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_bulk_download_in_flight_when_sigterm_arrives_completes_and_the_server_exits(
    deployment: Deployment, tmp_path: Path
) -> None:
    ids = [
        create_checkout(
            deployment.services,
            "admin@example.com",
            CheckoutRequest(
                country="US",
                license_service="SES",
                user="ana@example.com",
                machine=f"GS-{n}",
                applications=[("Atlas Designer", "10.17.2.61")],
            ),
        ).id
        for n in range(FILES)
    ]
    server = ServerProcess(
        server_environment(deployment.data_dir, deployment.database_url),
        tmp_path / "serve.log",
    )
    server.start()
    sent_half = threading.Event()
    answer: list[httpx.Response] = []

    def download() -> None:
        with httpx.Client(timeout=30) as http:
            answer.append(
                http.post(
                    f"{server.url}/api/v1/checkouts/license-files",
                    content=_slow_body(ids, sent_half),
                    headers={
                        "Authorization": f"Bearer {deployment.admin_token}",
                        "Content-Type": "application/json",
                    },
                )
            )

    client = threading.Thread(target=download)
    try:
        client.start()
        assert sent_half.wait(timeout=30)
        server.send(signal.SIGTERM)
        time.sleep(0.2)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{server.url}/healthz", timeout=2)  # no new connections
        client.join(timeout=30)
        exit_code = server.wait(timeout=30)
    finally:
        server.kill()
    (response,) = answer
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        files = [archive.read(name) for name in archive.namelist()]
    assert len(files) == FILES
    now = datetime.now(UTC)
    assert {
        verify(f, deployment.trusted, now=now, machine_name=None).checkout_id for f in files
    } == set(ids)
    # uvicorn shuts down cleanly, then re-raises SIGTERM so the exit status names it.
    assert exit_code in (0, -signal.SIGTERM)
    log = server.log()
    assert (
        log.index("Shutting down")
        < log.index("method=POST route=/api/v1/checkouts/license-files status=200")
        < log.index("Finished server process")
    )
