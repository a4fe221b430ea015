"""Every answer carries an X-Request-ID: the client's when sane, else a new one."""

from __future__ import annotations

import re

import pytest

from tests.integration.api.conftest import Api, assert_problem

GENERATED = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",  # the API's own routes
        "/api/v1/checkouts",  # a refusal: no credentials
        "/login",  # a portal page
        "/static/app.css",  # a static file
        "/no/such/page",  # no route at all
        "/static/no-such-file.css",  # a static file that is not there
    ],
)
def test_every_answer_carries_a_generated_request_id(api: Api, path: str) -> None:
    first = api.get(path, None)
    again = api.get(path, None)
    assert GENERATED.match(first.headers["x-request-id"]), first.headers
    assert GENERATED.match(again.headers["x-request-id"])
    assert first.headers["x-request-id"] != again.headers["x-request-id"]


def test_a_sane_request_id_from_the_client_is_echoed_in_the_header_and_the_problem(
    api: Api,
) -> None:
    sent = "edge-7f3a.2026_12_01-0042"
    response = api.get("/api/v1/checkouts", None, headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent
    assert assert_problem(response, 401)["request_id"] == sent
    checkout = api.create()
    found = api.get(f"/api/v1/checkouts/{checkout['id']}", headers={"X-Request-ID": sent})
    assert found.status_code == 200
    assert found.headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "sent",
    ["x" * 129, "two words", "semi;colon", "path/like", 'quote"d', "{json}"],
)
def test_an_unfit_request_id_from_the_client_is_replaced_by_a_new_one(api: Api, sent: str) -> None:
    response = api.get("/no/such/page", None, headers={"X-Request-ID": sent})
    answered = response.headers["x-request-id"]
    assert GENERATED.match(answered)
    assert assert_problem(response, 404)["request_id"] == answered


def test_the_longest_accepted_request_id_is_128_characters(api: Api) -> None:
    sent = "a" * 128
    assert api.get("/healthz", None, headers={"X-Request-ID": sent}).headers["x-request-id"] == sent


def test_a_problem_body_names_the_request_id_of_its_answer(api: Api) -> None:
    refused = api.post("/api/v1/checkouts", json={"country": "US"})
    body = assert_problem(refused, 422)
    assert body["request_id"] == refused.headers["x-request-id"]
    missing = api.get("/api/v1/checkouts/00000000-0000-4000-8000-000000000000")
    assert assert_problem(missing, 404)["request_id"] == missing.headers["x-request-id"]
