"""/metrics in Prometheus' text format: requests, checkouts, refused logins, the pool."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from entitle.server import create_app
from tests.integration.api.conftest import Api, assert_problem
from tests.integration.api.documented import documented
from tests.integration.api.test_self_service import allow, made
from tests.integration.fixtures import PASSWORD, World

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
SERIES = {
    "entitle_http_requests": "counter",
    "entitle_http_request_duration_seconds": "histogram",
    "entitle_checkouts_created": "counter",
    "entitle_checkouts_checked_in": "counter",
    "entitle_login_refusals": "counter",
    "entitle_database_connections_in_use": "gauge",
    "entitle_database_pool_size": "gauge",
}


def _scrape(client: TestClient) -> tuple[dict[str, str], Samples]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(response.text))
    samples = {(s.name, frozenset(s.labels.items())): s.value for f in families for s in f.samples}
    return {f.name: f.type for f in families}, samples


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _with(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    return {labels: value for (found, labels), value in samples.items() if found == name}


def test_metrics_answer_without_credentials_in_the_text_format_with_every_series(
    api: Api,
) -> None:
    api.get("/healthz", None)
    api.client.cookies.clear()
    types, samples = _scrape(api.client)
    assert {name: types.get(name) for name in SERIES} == SERIES
    assert (
        _value(samples, "entitle_http_requests_total", method="GET", route="/healthz", status="200")
        == 1
    )
    assert _value(samples, "entitle_database_pool_size") >= 1


def test_checkout_counters_move_after_a_create_and_each_kind_of_check_in(api: Api) -> None:
    _, before = _scrape(api.client)
    by_api = api.create()
    by_client = api.create()
    assert api.post(f"/api/v1/checkouts/{by_api['id']}/check-in").status_code == 200
    license_file = api.get(f"/api/v1/checkouts/{by_client['id']}/license-file").content
    receipt = {
        "checkout_id": by_client["id"],
        "machine": "WS-0042",
        "user_profile": "ana",
        "cleared_at": "2026-11-28T12:00:00Z",
        "license_digest": hashlib.sha256(license_file).hexdigest(),
    }
    path = f"/api/v1/checkouts/{by_client['id']}/client-receipts"
    assert api.post(path, None, json=receipt).status_code == 200
    assert api.post(path, None, json=receipt).status_code == 200  # a replay counts no more
    _, after = _scrape(api.client)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    created = "entitle_checkouts_created_total"
    assert moved(created, license_service="SES", created_via="admin", method="api") == 2
    assert moved(created, license_service="SES", created_via="admin", method="portal") == 0
    checked_in = "entitle_checkouts_checked_in_total"
    assert moved(checked_in, license_service="SES", method="api") == 1
    assert moved(checked_in, license_service="SES", method="client") == 1
    assert moved(checked_in, license_service="SELECTserver", method="api") == 0


def test_what_the_portal_does_with_its_session_counts_as_portal(api: Api) -> None:
    login = api.post("/api/v1/session", None, json={"email": api.world.admin, "password": PASSWORD})
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    made = api.post("/api/v1/checkouts", None, json=_selectserver(), headers=csrf)
    assert made.status_code == 201, made.text
    checked_in = api.post(
        "/api/v1/checkouts/check-in", None, json={"ids": [made.json()["id"]]}, headers=csrf
    )
    assert checked_in.json()["items"][0]["ok"] is True
    _, samples = _scrape(api.client)
    labels = {"license_service": "SELECTserver", "method": "portal"}
    assert _value(samples, "entitle_checkouts_created_total", created_via="admin", **labels) == 1
    assert _value(samples, "entitle_checkouts_checked_in_total", **labels) == 1


def test_a_users_own_checkout_and_its_return_from_the_workstation_are_counted(api: Api) -> None:
    allow(api)
    own = made(api, country="US", days=10)["checkout"]
    path = f"/api/v1/me/checkouts/{own['id']}/return"
    returned = api.post(path, "user", json={"machine_name": "ANA-LAPTOP", "tool_version": "0.2.0"})
    assert returned.status_code == 200, returned.text
    _, samples = _scrape(api.client)
    created = {"license_service": "SES", "created_via": "self_service", "method": "api"}
    assert _value(samples, "entitle_checkouts_created_total", **created) == 1
    checked_in = {"license_service": "SES", "method": "client"}
    assert _value(samples, "entitle_checkouts_checked_in_total", **checked_in) == 1


def _selectserver() -> dict[str, object]:
    return {
        "country": "US",
        "license_service": "SELECTserver",
        "user": "ana@example.com",
        "machine": "WS-0042",
        "activation_key": "US-KEY-1",
        "applications": [{"name": "GeoSurvey", "version": "8.4.1.0"}],
    }


def test_refused_logins_are_counted_by_reason(api: Api) -> None:
    wrong = {"email": api.world.admin, "password": "not the password"}
    answers = [api.post("/api/v1/session", None, json=wrong).status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]
    _, samples = _scrape(api.client)
    refusals = "entitle_login_refusals_total"
    assert _value(samples, refusals, reason="login_failed") == 5
    assert _value(samples, refusals, reason="too_many_login_attempts") == 1


def test_requests_are_counted_by_route_template_and_unknown_paths_share_one_label(
    api: Api,
) -> None:
    made = [api.create(), api.create()]
    for checkout in made:
        assert api.get(f"/api/v1/checkouts/{checkout['id']}").status_code == 200
    for n in range(5):
        assert api.get(f"/wp-admin/setup-{n}.php", None).status_code == 404
    assert api.client.request("BREW", "/healthz").status_code == 405
    _, samples = _scrape(api.client)
    requests = _with(samples, "entitle_http_requests_total")
    read = frozenset(
        {"method": "GET", "route": "/api/v1/checkouts/{checkout_id}", "status": "200"}.items()
    )
    assert requests[read] == 2
    unmatched = {labels: v for labels, v in requests.items() if ("route", "unmatched") in labels}
    assert unmatched == {
        frozenset({"method": "GET", "route": "unmatched", "status": "404"}.items()): 5
    }
    assert (
        requests[frozenset({"method": "OTHER", "route": "/healthz", "status": "405"}.items())] == 1
    )
    routes = {dict(labels)["route"] for labels in requests}
    assert not any(c["id"] in route for c in made for route in routes)
    assert not any("wp-admin" in route for route in routes)
    durations = _with(samples, "entitle_http_request_duration_seconds_count")
    assert durations[read] == 2


def test_the_pool_gauge_counts_the_connections_in_use_when_scraped(api: Api) -> None:
    engine = api.world.services.engine
    _, idle = _scrape(api.client)
    with ExitStack() as held:
        for _ in range(2):
            held.enter_context(engine.connect())
        _, busy = _scrape(api.client)
    in_use = "entitle_database_connections_in_use"
    assert _value(busy, in_use) - _value(idle, in_use) == 2


def test_metrics_are_not_in_the_api_document(api: Api) -> None:
    assert "/metrics" not in api.get("/openapi.json", None).json()["paths"]


@pytest.fixture
def without_metrics(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("ENTITLE_METRICS", "off")
    with documented(TestClient(create_app(world.services))) as client:
        yield client


def test_metrics_off_removes_the_route(without_metrics: TestClient) -> None:
    assert_problem(without_metrics.get("/metrics"), 404)
    assert without_metrics.get("/healthz").status_code == 200
