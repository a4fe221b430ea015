"""Activation keys per country through the admin API: added, retired (no longer offered nor
accepted for a new checkout), brought back; refusals name the field."""

from __future__ import annotations

from tests.integration.api.conftest import Api, assert_problem

KEYS = "/api/v1/admin/countries/US/activation-keys"
SELECT_CHECKOUT = {
    "country": "US",
    "license_service": "SELECTserver",
    "user": "ana@example.com",
    "machine": "WS-SELECT",
    "activation_key": "US-KEY-1",
    "applications": [{"name": "Atlas Designer", "version": "10.12.0.40"}],
}


def test_a_retired_key_is_not_offered_nor_accepted_and_comes_back(api: Api) -> None:
    retired = api.client.patch(
        "/api/v1/admin/activation-keys/us-key-1",
        json={"retired": True},
        headers=api.auth("co_admin"),
    )
    assert retired.status_code == 200, retired.text
    assert retired.json() == {"key": "US-KEY-1", "country": "US", "retired": True}
    offered = api.get("/api/v1/activation-keys", params={"country": "US"}).json()["items"]
    assert [k["key"] for k in offered] == ["US-KEY-2"]
    listed = api.get(KEYS).json()["items"]
    assert {(k["key"], k["retired"]) for k in listed} == {("US-KEY-1", True), ("US-KEY-2", False)}
    refused = api.post("/api/v1/checkouts", json=SELECT_CHECKOUT)
    assert assert_problem(refused, 422, "activation_key")["code"] == "ACTIVATION_KEY_NOT_IN_COUNTRY"
    api.client.patch(
        "/api/v1/admin/activation-keys/US-KEY-1", json={"retired": False}, headers=api.auth("admin")
    )
    actions = [e["action"] for e in api.get("/api/v1/audit").json()["items"]]
    assert actions[:2] == ["key.restore", "key.retire"]
    assert api.post("/api/v1/checkouts", json=SELECT_CHECKOUT).status_code == 201


def test_keys_are_added_in_capitals_and_a_key_of_another_country_is_refused(api: Api) -> None:
    added = api.post(KEYS, json={"keys": ["us-key-3", "US-KEY-1"]})
    assert added.status_code == 200, added.text
    assert [k["key"] for k in added.json()["items"]] == ["US-KEY-1", "US-KEY-2", "US-KEY-3"]
    taken = assert_problem(api.post(KEYS, json={"keys": ["GB-KEY-1"]}), 409, "keys")
    assert taken["code"] == "ACTIVATION_KEY_TAKEN"
    malformed = assert_problem(api.post(KEYS, json={"keys": ["no spaces"]}), 422, "keys")
    assert malformed["code"] == "ACTIVATION_KEY_INVALID"


def test_users_cannot_keep_keys_and_another_organisation_finds_none(api: Api) -> None:
    assert assert_problem(api.get(KEYS, "user"), 403)["code"] == "ROLE_CANNOT_MANAGE_CHECKOUTS"
    other = api.client.patch(
        "/api/v1/admin/activation-keys/US-KEY-1",
        json={"retired": True},
        headers=api.auth("other_admin"),
    )
    assert assert_problem(other, 404)["code"] == "ACTIVATION_KEY_NOT_FOUND"
