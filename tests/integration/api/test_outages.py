"""A database that does not answer: 503 with Retry-After, an HTML page for browsers, one warning.

The app's database is a PostgreSQL address where nothing listens; the shared PostgreSQL is
not touched. That a real server rides out a PostgreSQL crash is
tests/integration/reliability/test_database_outages.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from entitle.server import create_app
from entitle.service.context import LicenseSigner, Services
from entitle.store.database import make_engine
from tests.integration.api.conftest import NEW_CHECKOUT, assert_problem
from tests.integration.api.documented import documented
from tests.servers import free_port

BEARER = {"Authorization": "Bearer ent_not-checked-while-the-database-is-gone"}


@pytest.fixture
def services(key_ring: LicenseSigner) -> Iterator[Services]:
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/gone")
    yield Services(engine=engine, signer=key_ring)
    engine.dispose()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with documented(TestClient(create_app(services))) as running:
        yield running


def test_requests_answer_503_database_unavailable_with_retry_after(client: TestClient) -> None:
    for response in (
        client.get("/api/v1/checkouts", headers=BEARER),
        client.post("/api/v1/checkouts", headers=BEARER, json=NEW_CHECKOUT),
        client.get("/.well-known/entitle-revocations/1"),
    ):
        body = assert_problem(response, 503)
        assert body["code"] == "DATABASE_UNAVAILABLE"
        assert response.headers["retry-after"] == "5"


def test_liveness_answers_and_readiness_says_the_database_is_unreachable(
    client: TestClient,
) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "not ready"
    assert ready.json()["database"] == "unreachable"


def test_a_portal_page_is_an_html_page_saying_the_service_is_briefly_unavailable(
    client: TestClient,
) -> None:
    page = client.get("/checkouts", headers={**BEARER, "Accept": "text/html"})
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["retry-after"] == "5"
    assert "briefly unavailable" in page.text
    login = client.post("/login", data={"email": "a@example.com", "password": "long enough"})
    assert login.status_code == 503
    assert login.headers["content-type"].startswith("text/html")
    assert "The database does not answer" in login.text
    assert 'value="a@example.com"' in login.text


def test_the_outage_is_one_warning_and_a_count_not_a_traceback_per_request(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with TestClient(create_app(services)) as client:
        for _ in range(20):
            assert client.get("/api/v1/checkouts", headers=BEARER).status_code == 503
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING]
    assert not any(r.exc_info for r in records)
    first, count = (r.getMessage() for r in records)
    assert first.startswith("database unavailable: requests answer 503 DATABASE_UNAVAILABLE")
    assert "Connection refused" in first
    assert count == "database unavailable: 19 more requests answered 503 in the last minute"
