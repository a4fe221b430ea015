from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from tests.integration.api.conftest import NEW_CHECKOUT, Api, assert_problem


@pytest.mark.parametrize("who", ["admin", "co_admin"])
def test_administrators_create_a_checkout_with_every_listed_field(api: Api, who: str) -> None:
    response = api.post("/api/v1/checkouts", who, json=NEW_CHECKOUT)
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/v1/checkouts/{body['id']}"
    assert body["status"] == "active"
    assert body["user"] == "ana@example.com"
    assert body["user_display_name"] == "Ana Lima"
    assert body["machine"] == "WS-0042"
    assert body["country"] == "US"
    assert body["license_service"] == "SES"
    assert body["activation_key"] is None
    assert body["applications"] == [{"name": "Atlas Designer", "version": "10.17.2.61"}]
    assert body["created_by"] == api.world.__getattribute__(who)
    assert body["expires_on"] == "2027-07-31"
    assert body["expires_at"] == "2027-08-01T00:00:00Z"
    assert body["checked_in_at"] is None
    assert body["check_in_method"] is None


def test_a_plain_user_may_not_create_or_list_checkouts(api: Api) -> None:
    assert_problem(api.post("/api/v1/checkouts", "user", json=NEW_CHECKOUT), 403)
    assert_problem(api.get("/api/v1/checkouts", "user"), 403)


def test_without_credentials_every_checkout_endpoint_answers_401(api: Api) -> None:
    made = api.create()
    for response in (
        api.post("/api/v1/checkouts", None, json=NEW_CHECKOUT),
        api.get("/api/v1/checkouts", None),
        api.get(f"/api/v1/checkouts/{made['id']}", None),
        api.get(f"/api/v1/checkouts/{made['id']}/license-file", None),
        api.post(f"/api/v1/checkouts/{made['id']}/check-in", None),
        api.post("/api/v1/checkouts/check-in", None, json={"ids": [made["id"]]}),
        api.post("/api/v1/checkouts/license-files", None, json={"ids": [made["id"]]}),
    ):
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    assert api.get(f"/api/v1/checkouts/{made['id']}").json()["status"] == "active"


def test_a_wrong_token_is_refused_like_none(api: Api) -> None:
    response = api.client.get("/api/v1/checkouts", headers={"Authorization": "Bearer nope"})
    assert_problem(response, 401)


def test_another_organisations_checkout_is_not_found(api: Api) -> None:
    made = api.create()
    for response in (
        api.get(f"/api/v1/checkouts/{made['id']}", "other_admin"),
        api.get(f"/api/v1/checkouts/{made['id']}/license-file", "other_admin"),
        api.post("/api/v1/checkouts/license-files", "other_admin", json={"ids": [made["id"]]}),
    ):
        assert_problem(response, 404)
    assert api.get("/api/v1/checkouts", "other_admin").json()["total"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "FR"}, "country"),
        ({"license_service": "FLEX"}, "license_service"),
        ({"user": "not-an-email"}, "user"),
        ({"machine": "WS 42"}, "machine"),
        ({"activation_key": "US-KEY-1"}, "activation_key"),
        ({"license_service": "SELECTserver"}, "activation_key"),
        ({"applications": []}, "applications"),
        ({"applications": [{"name": "Atlas Designer", "version": "10.17"}]}, "applications"),
        ({"expires_on": "2030-01-01"}, "expires_on"),
        ({"expires_on": "tomorrow"}, "expires_on"),
        ({"applications": [{"name": "Atlas Designer"}]}, "applications[0].version"),
        ({"machine": None}, "machine"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_422_problem_naming_the_field_and_creates_nothing(
    api: Api, change: dict[str, object], field: str
) -> None:
    response = api.post("/api/v1/checkouts", json={**NEW_CHECKOUT, **change})
    assert_problem(response, 422, field)
    assert api.get("/api/v1/checkouts").json()["total"] == 0


def test_a_body_that_is_not_json_is_a_422_problem(api: Api) -> None:
    response = api.post(
        "/api/v1/checkouts", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 422)


def test_a_retried_create_with_one_idempotency_key_returns_the_same_checkout(api: Api) -> None:
    key = {"Idempotency-Key": "retry-1"}
    first = api.post("/api/v1/checkouts", json=NEW_CHECKOUT, headers=key)
    again = api.post("/api/v1/checkouts", json=NEW_CHECKOUT, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert api.get("/api/v1/checkouts").json()["total"] == 1


def test_the_same_idempotency_key_with_another_body_is_a_409(api: Api) -> None:
    key = {"Idempotency-Key": "retry-2"}
    api.post("/api/v1/checkouts", json=NEW_CHECKOUT, headers=key)
    other = api.post("/api/v1/checkouts", json={**NEW_CHECKOUT, "machine": "WS-9"}, headers=key)
    assert_problem(other, 409, "Idempotency-Key")
    assert api.get("/api/v1/checkouts").json()["total"] == 1


def test_read_one_checkout_and_an_unknown_id_is_404(api: Api) -> None:
    made = api.create("co_admin")
    assert api.get(f"/api/v1/checkouts/{made['id']}", "admin").json() == made
    assert_problem(api.get("/api/v1/checkouts/nope"), 404)
    assert_problem(api.get(f"/api/v1/checkouts/{made['id']}", "user"), 403)


def test_the_list_pages_with_a_total(api: Api) -> None:
    for number in range(5):
        api.create(machine=f"WS-{number}")
    page = api.get("/api/v1/checkouts", params={"page_size": 2, "page": 3}).json()
    assert (page["total"], page["page"], page["page_size"], page["last_page"]) == (5, 3, 2, 3)
    assert len(page["items"]) == 1
    assert api.get("/api/v1/checkouts").json()["page_size"] == 50


def test_the_list_filters_and_sorts_by_several_columns(api: Api) -> None:
    api.create(machine="WS-B", user="zoe@example.com")
    api.create(machine="WS-A", user="zoe@example.com", expires_on="2027-01-31")
    api.create(
        machine="LAB-1",
        applications=[{"name": "Bridgeworks", "version": "24.0.1.5"}],
        user="bob@example.com",
    )
    listed = api.get("/api/v1/checkouts", params={"sort": "user,-expires_at"}).json()["items"]
    assert [c["machine"] for c in listed] == ["LAB-1", "WS-B", "WS-A"]
    only = api.get("/api/v1/checkouts", params={"application": "bridge"}).json()
    assert [c["machine"] for c in only["items"]] == ["LAB-1"]
    assert api.get("/api/v1/checkouts", params={"machine": "ws-"}).json()["total"] == 2
    early = api.get("/api/v1/checkouts", params={"expires_to": "2027-02-02"}).json()
    assert [c["machine"] for c in early["items"]] == ["WS-A"]
    assert api.get("/api/v1/checkouts", params={"version": "24"}).json()["total"] == 1


def test_expired_checkouts_show_as_checked_in_at_their_expiry(api: Api) -> None:
    made = api.create(expires_on="2026-12-05")
    api.world.clock.advance(days=30)
    listed = api.get("/api/v1/checkouts", params={"status": "expired"}).json()["items"]
    assert [c["id"] for c in listed] == [made["id"]]
    assert listed[0]["status"] == "expired"
    assert listed[0]["check_in_method"] == "expiry"
    assert listed[0]["checked_in_at"] == made["expires_at"]
    assert api.get("/api/v1/checkouts", params={"status": "active"}).json()["total"] == 0


def test_one_search_finds_a_part_of_the_user_the_machine_or_an_application(api: Api) -> None:
    api.create(machine="WS-SEARCH-1", user="grace.kim@example.com")
    api.create(
        machine="LAB-2",
        applications=[{"name": "Bridgeworks", "version": "24.0.1.5"}],
    )

    def found(q: str) -> set[str]:
        listed = api.get("/api/v1/checkouts", params={"q": q}).json()["items"]
        return {c["machine"] for c in listed}

    assert found("search-1") == {"WS-SEARCH-1"}
    assert found("GRACE") == {"WS-SEARCH-1"}
    assert found("bridgew") == {"LAB-2"}
    assert found("100%_") == set()


def test_the_history_listing_applies_the_three_month_rule_as_expired_does(api: Api) -> None:
    old = api.create(machine="WS-OLD", expires_on="2026-12-05")
    recent = api.create(machine="WS-RECENT", expires_on="2027-02-20")
    returned = api.create(machine="WS-RETURNED", expires_on="2026-12-10")
    api.post(f"/api/v1/checkouts/{returned['id']}/check-in")
    active = api.create(machine="WS-ACTIVE")
    api.world.clock.advance(days=110)  # WS-OLD expired more than three months ago

    def machines(status: str) -> set[str]:
        found = api.get("/api/v1/checkouts", params={"status": status}).json()["items"]
        return {c["machine"] for c in found}

    assert machines("expired") == {recent["machine"]}
    assert machines("history") == {recent["machine"], returned["machine"], active["machine"]}
    assert machines("history") == machines("active") | machines("checked_in") | machines("expired")
    assert old["machine"] in machines("all")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "gone"}, "status"),
        ({"sort": "colour"}, "sort"),
        ({"page_size": 0}, "page_size"),
        ({"page": "two"}, "page"),
        ({"created_from": "yesterday"}, "created_from"),
    ],
)
def test_bad_list_parameters_are_422_naming_the_parameter(
    api: Api, params: dict[str, object], field: str
) -> None:
    assert_problem(api.get("/api/v1/checkouts", params=params), 422, field)


def test_the_csv_export_holds_exactly_what_the_list_shows_in_its_order(api: Api) -> None:
    api.create(machine="WS-B", user="ben@example.com")
    api.create(machine="WS-A", user="ben@example.com")
    api.create(machine="LAB-1", user="ana@example.com")
    api.create(machine="WS-C", user="=cmd@example.com")
    params = {"machine": "ws-", "sort": "user,-machine", "status": "history"}
    listed = api.get("/api/v1/checkouts", params=params).json()["items"]
    answer = api.get("/api/v1/checkouts/export.csv", params={**params, "page_size": 1})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="checkouts-')
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["id"] for r in rows] == [c["id"] for c in listed]
    assert [r["machine"] for r in rows] == ["WS-C", "WS-B", "WS-A"]
    # A cell that a spreadsheet would run as a formula is written as text.
    assert rows[0]["user"] == "'=cmd@example.com"
    first = next(c for c in listed if c["machine"] == "WS-B")
    row = next(r for r in rows if r["machine"] == "WS-B")
    assert row["applications"] == "Atlas Designer 10.17.2.61"
    assert row["status"] == "active"
    assert datetime.fromisoformat(row["expires_at"]) == datetime.fromisoformat(first["expires_at"])
    assert row["created_by"] == first["created_by"]


def test_the_csv_export_shows_expiry_as_the_check_in_of_an_expired_checkout(api: Api) -> None:
    made = api.create(expires_on="2026-12-05")
    api.world.clock.advance(days=30)
    [row] = csv.DictReader(io.StringIO(api.get("/api/v1/checkouts/export.csv").text))
    assert row["id"] == made["id"]
    assert row["status"] == "expired"
    assert row["check_in_method"] == "expiry"
    assert datetime.fromisoformat(row["checked_in_at"]) == datetime.fromisoformat(
        made["expires_at"]
    )


def test_the_csv_export_refuses_as_the_list_does_before_any_row(api: Api) -> None:
    assert_problem(api.get("/api/v1/checkouts/export.csv", who="user"), 403)
    assert_problem(api.get("/api/v1/checkouts/export.csv", params={"sort": "colour"}), 422, "sort")
    assert_problem(
        api.get("/api/v1/checkouts/export.csv", params={"status": "gone"}), 422, "status"
    )


def test_the_list_filters_by_who_created_who_checked_in_and_how(api: Api) -> None:
    by_admin = api.create(machine="WS-1")
    by_co = api.create("co_admin", machine="WS-2")
    returned = api.create(machine="WS-3")
    api.post(f"/api/v1/checkouts/{returned['id']}/check-in", "co_admin")
    lapsed = api.create(machine="WS-4", expires_on="2026-12-05")
    api.world.clock.advance(days=10)

    def machines(**params: str) -> set[str]:
        listed = api.get("/api/v1/checkouts", params=params).json()["items"]
        return {c["machine"] for c in listed}

    assert machines(created_by="CO@") == {by_co["machine"]}
    assert machines(checked_in_by="co@") == {returned["machine"]}
    assert machines(check_in_method="portal") == {returned["machine"]}
    assert machines(check_in_method="expiry") == {lapsed["machine"]}
    assert machines(check_in_method="client") == set()
    assert by_admin["machine"] in machines(sort="created_by,checked_in_by")
    assert_problem(api.get("/api/v1/checkouts", params={"check_in_method": "fax"}), 422)
