"""GET and PUT of a country's checkout policy, and the rules holding for the admin API."""

from __future__ import annotations

from tests.integration.api.conftest import NEW_CHECKOUT, Api, assert_problem

POLICY = "/api/v1/countries/US/policy"


def test_a_country_starts_with_self_service_off_and_every_application(api: Api) -> None:
    response = api.get(POLICY, "co_admin")
    assert response.status_code == 200
    assert response.json() == {
        "country": "US",
        "country_name": "United States",
        "checkouts_enabled": True,
        "max_days": 365,
        "self_service": False,
        "self_service_max_days": 30,
        "application_rule": "all",
        "applications": [],
        "self_service_users": "all",
    }


def test_an_administrator_changes_the_policy_and_the_change_is_audited(api: Api) -> None:
    body = {
        "self_service": True,
        "self_service_max_days": 14,
        "application_rule": "exclude",
        "applications": ["bridgeworks"],
        "self_service_users": ["ANA@example.com"],
    }
    response = api.put(POLICY, json=body)
    assert response.status_code == 200, response.text
    assert response.json() | {"country_name": None} == {
        "country": "US",
        "country_name": None,
        "checkouts_enabled": True,
        "max_days": 365,
        "self_service": True,
        "self_service_max_days": 14,
        "application_rule": "exclude",
        "applications": ["Bridgeworks"],
        "self_service_users": ["ANA@example.com"],
    }
    assert api.put(POLICY, json={"self_service_users": "all"}).json()["self_service"] is True
    assert api.get(POLICY).json()["self_service_users"] == "all"
    [latest, first] = api.get("/api/v1/audit", params={"page_size": 2}).json()["items"]
    assert (first["action"], first["subject"]) == ("policy.set", "US")
    assert "excluding Bridgeworks" in first["detail"]
    assert latest["detail"].startswith("checkouts on; max 365 d; self-service on (max 14 d")


def test_a_bad_policy_names_each_field_and_changes_nothing(api: Api) -> None:
    response = api.put(
        "/api/v1/countries/GB/policy",
        json={
            "self_service_max_days": 91,
            "application_rule": "allow",
            "applications": ["Atlas Designer", "No Such App"],
            "self_service_users": ["admin@studio.example"],
        },
    )
    body = assert_problem(response, 422)
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("self_service_max_days", "SELF_SERVICE_MAX_DAYS_RANGE"),
        ("applications[1]", "APPLICATION_UNKNOWN"),
        ("self_service_users[0]", "SELF_SERVICE_USER_UNKNOWN"),
    }
    response = api.put(
        "/api/v1/countries/GB/policy",
        json={
            "application_rule": "allow",
            "applications": ["Atlas Designer", "No Such App"],
            "self_service_users": ["admin@studio.example"],
        },
    )
    body = assert_problem(response, 422)
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("applications[1]", "APPLICATION_UNKNOWN"),
        ("self_service_users[0]", "SELF_SERVICE_USER_UNKNOWN"),
    }
    assert_problem(api.put(POLICY, json={"max_days": 10}), 422, "max_days")
    assert api.get("/api/v1/countries/GB/policy").json()["application_rule"] == "all"


def test_only_administrators_read_or_change_a_policy_of_their_own_countries(api: Api) -> None:
    assert_problem(api.get(POLICY, "user"), 403)
    assert_problem(api.put(POLICY, "user", json={"self_service": True}), 403)
    assert_problem(api.get("/api/v1/countries/FR/policy"), 422)
    assert_problem(api.put("/api/v1/countries/GB/policy", "other_admin", json={}), 422)


def test_an_excluded_application_refuses_the_administrators_create_on_its_field(
    api: Api,
) -> None:
    api.put(POLICY, json={"application_rule": "exclude", "applications": ["Atlas Designer"]})
    body = assert_problem(api.post("/api/v1/checkouts", json=NEW_CHECKOUT), 422, "applications")
    assert body["code"] == "APPLICATION_EXCLUDED"
    assert body["detail"] == (
        "Atlas Designer is excluded from checkout in United States (US); "
        "an administrator of Northwind can allow it."
    )
    api.put(POLICY, json={"application_rule": "allow", "applications": ["Bridgeworks"]})
    body = assert_problem(api.post("/api/v1/checkouts", json=NEW_CHECKOUT), 422, "applications")
    assert body["code"] == "APPLICATION_NOT_ALLOWED"
    bridge = [{"name": "Bridgeworks", "version": "24.0.1.5"}]
    assert api.create(applications=bridge)["applications"] == bridge
