"""/api/v1/me: a plain user checks out for themselves, renews, returns, under the policy."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from entitle.licensefile import KeyRing, RevocationList, TrustedIssuers, WrongMachine, verify
from entitle.store.tables import checkout_applications
from entitle.store.usage import booking_columns
from tests.integration.api.conftest import Api, assert_problem

FINGERPRINT = "ab" * 32
OWN: dict[str, Any] = {
    "applications": [{"application": "Atlas Designer", "version": "10.17.2.61"}],
    "machine_name": "ANA-LAPTOP",
    "machine_fingerprint": FINGERPRINT,
    "tool_version": "0.2.0",
}


def allow(api: Api, country: str = "US", **policy: Any) -> None:
    body = {"self_service": True, "self_service_max_days": 14, **policy}
    response = api.put(f"/api/v1/countries/{country}/policy", json=body)
    assert response.status_code == 200, response.text


def check_out(api: Api, who: str = "user", **changes: Any) -> Any:
    return api.post("/api/v1/me/checkouts", who, json={**OWN, **changes})


def made(api: Api, who: str = "user", **changes: Any) -> dict[str, Any]:
    response = check_out(api, who, **changes)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def pinned(api: Api) -> TrustedIssuers:
    ring = api.world.services.signer
    assert isinstance(ring, KeyRing)
    return TrustedIssuers([ring.root_fingerprint])


def file_of(answer: dict[str, Any]) -> bytes:
    return base64.b64decode(answer["license_file"]["data"])


def test_self_service_off_refuses_naming_the_policy_and_who_can_turn_it_on(api: Api) -> None:
    body = assert_problem(check_out(api, country="US"), 403)
    assert body["code"] == "SELF_SERVICE_OFF"
    assert body["detail"] == (
        "Self-service checkout is turned off for United States (US); "
        "an administrator of Northwind can turn it on."
    )
    assert api.get("/api/v1/me/checkouts", "user").json()["total"] == 0


def test_a_plain_user_checks_out_for_their_machine_and_gets_a_bound_license_file(
    api: Api,
) -> None:
    allow(api)
    answer = made(api, country="US", days=10)
    checkout = answer["checkout"]
    assert checkout["user"] == "ana@example.com"
    assert checkout["created_by"] == "ana@example.com"
    assert checkout["created_via"] == "self_service"
    assert checkout["machine"] == "ANA-LAPTOP"
    assert checkout["machine_fingerprint"] == FINGERPRINT
    assert checkout["license_service"] == "SES"
    assert checkout["expires_on"] == (api.world.clock.now + timedelta(days=10)).date().isoformat()
    data = file_of(answer)
    assert answer["license_file"]["digest"] == hashlib.sha256(data).hexdigest()
    assert answer["license_file"]["name"].endswith(".belic")
    download = api.get(answer["license_file"]["url"], "user")
    assert download.content == data
    now = api.world.clock.now
    claims = verify(
        data, pinned(api), now=now, machine_name="ANA-LAPTOP", machine_fingerprint=FINGERPRINT
    )
    assert claims.checkout_id == checkout["id"]
    with pytest.raises(WrongMachine):
        verify(data, pinned(api), now=now, machine_name="ANA-LAPTOP", machine_fingerprint="cd" * 32)
    listed = api.get("/api/v1/me/checkouts", "user").json()
    assert [c["id"] for c in listed["items"]] == [checkout["id"]]
    # The administrators see it beside theirs, made the same way and booked alike.
    seen = api.get(f"/api/v1/checkouts/{checkout['id']}").json()
    assert seen["created_via"] == "self_service"
    with api.world.services.engine.connect() as conn:
        booked = conn.execute(
            select(checkout_applications.c.start_interval, checkout_applications.c.stop_interval)
        ).one()
    expected = booking_columns(
        datetime.fromisoformat(checkout["created_at"]),
        datetime.fromisoformat(checkout["expires_at"]),
    )
    assert (booked.start_interval, booked.stop_interval) == (
        expected["start_interval"],
        expected["stop_interval"],
    )


def test_the_only_country_open_to_the_user_needs_no_naming_but_two_do(api: Api) -> None:
    allow(api)
    assert made(api)["checkout"]["country"] == "US"
    allow(api, "GB")
    body = assert_problem(check_out(api), 422, "country")
    assert body["code"] == "COUNTRY_REQUIRED"
    assert made(api, country="gb")["checkout"]["country"] == "GB"


def test_a_day_over_the_self_service_maximum_is_refused_on_its_field(api: Api) -> None:
    allow(api)
    body = assert_problem(check_out(api, days=15), 422, "days")
    assert body["code"] == "SELF_SERVICE_DAYS_OVER_MAX"
    assert "at most 14 days" in body["detail"]
    assert made(api, days=14)["checkout"]["status"] == "active"


def test_an_excluded_application_and_an_unlisted_user_are_refused(api: Api) -> None:
    allow(api, application_rule="exclude", applications=["Atlas Designer"])
    body = assert_problem(check_out(api), 422, "applications")
    assert body["code"] == "APPLICATION_EXCLUDED"
    allow(api, application_rule="all", self_service_users=["co@example.com"])
    body = assert_problem(check_out(api), 403)
    assert body["code"] == "SELF_SERVICE_NOT_ALLOWED_FOR_USER"
    assert made(api, "co_admin")["checkout"]["user"] == "co@example.com"


def test_field_errors_name_the_fields_of_this_api(api: Api) -> None:
    allow(api)
    body = assert_problem(
        check_out(api, machine_name="not a name", machine_fingerprint="short"), 422
    )
    assert {e["field"] for e in body["errors"]} == {"machine_name", "machine_fingerprint"}


def test_the_countries_say_where_the_user_may_self_serve(api: Api) -> None:
    allow(api)
    found = {c["country"]: c for c in api.get("/api/v1/me/countries", "user").json()["items"]}
    assert found["US"]["self_service"] is True
    assert found["US"]["longest_days"] == 14
    assert found["GB"]["self_service"] is False
    assert "turned off for United Kingdom (GB)" in found["GB"]["refusal"]


def test_a_retried_create_with_the_same_idempotency_key_is_the_same_checkout(api: Api) -> None:
    allow(api)
    key = {"Idempotency-Key": "tool-retry-1"}
    first = api.post("/api/v1/me/checkouts", "user", json=OWN, headers=key)
    again = api.post("/api/v1/me/checkouts", "user", json=OWN, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["checkout"]["id"] == again.json()["checkout"]["id"]
    assert first.json()["license_file"]["data"] == again.json()["license_file"]["data"]
    assert api.get("/api/v1/me/checkouts", "user").json()["total"] == 1


def test_renewing_supersedes_the_old_file_on_the_revocation_list(api: Api) -> None:
    allow(api)
    first = made(api, days=5)
    checkout_id = first["checkout"]["id"]
    old = file_of(first)
    api.world.clock.advance(days=3)
    renewed = api.post(
        f"/api/v1/me/checkouts/{checkout_id}/renew",
        "user",
        json={"days": 14, "machine_name": "ANA-LAPTOP", "tool_version": "0.2.1"},
    )
    assert renewed.status_code == 200, renewed.text
    new = file_of(renewed.json())
    assert renewed.json()["checkout"]["id"] == checkout_id
    expected = (api.world.clock.now + timedelta(days=14)).date().isoformat()
    assert renewed.json()["checkout"]["expires_on"] == expected
    now = api.world.clock.now
    claims = verify(
        new, pinned(api), now=now, machine_name="ANA-LAPTOP", machine_fingerprint=FINGERPRINT
    )
    assert claims.checkout_id == checkout_id
    assert claims.expires_at.date().isoformat() > expected
    assert api.get(f"/api/v1/me/checkouts/{checkout_id}/file", "user").content == new
    organisation = claims.organisation_id
    listed = RevocationList.verify(
        api.get(f"/.well-known/entitle-revocations/{organisation}", None).content,
        pinned(api),
        organisation_id=organisation,
    )
    assert listed.superseded_digests == {hashlib.sha256(old).hexdigest()}
    assert hashlib.sha256(new).hexdigest() not in listed.superseded_digests
    assert listed.checkout_ids == set()
    too_long = api.post(f"/api/v1/me/checkouts/{checkout_id}/renew", "user", json={"days": 15})
    assert assert_problem(too_long, 422, "days")["code"] == "SELF_SERVICE_DAYS_OVER_MAX"
    [event] = [
        e for e in api.get("/api/v1/audit").json()["items"] if e["action"] == "checkout.renew"
    ]
    assert "machine ANA-LAPTOP, entitle-tool 0.2.1" in event["detail"]


def test_returning_checks_in_from_the_workstation_and_is_audited(api: Api) -> None:
    allow(api)
    checkout_id = made(api)["checkout"]["id"]
    api.world.clock.advance(hours=5)
    path = f"/api/v1/me/checkouts/{checkout_id}/return"
    returned = api.post(path, "user", json={"machine_name": "ANA-LAPTOP", "tool_version": "0.2.0"})
    assert returned.status_code == 200, returned.text
    body = returned.json()
    assert body["status"] == "checked_in"
    assert body["check_in_method"] == "client"
    assert body["checked_in_by"] == "ana@example.com"
    assert body["checked_in_at"] == api.world.clock.now.isoformat().replace("+00:00", "Z")
    assert assert_problem(api.post(path, "user"), 409)["code"] == "ALREADY_CHECKED_IN"
    renew = api.post(f"/api/v1/me/checkouts/{checkout_id}/renew", "user", json={"days": 3})
    assert assert_problem(renew, 409)["code"] == "ALREADY_CHECKED_IN"
    actions = {e["action"]: e for e in api.get("/api/v1/audit").json()["items"]}
    assert "entitle-tool 0.2.0" in actions["checkout.create"]["detail"]
    assert "ANA-LAPTOP" in actions["checkout.create"]["detail"]
    assert actions["checkout.return"]["detail"] == "machine ANA-LAPTOP, entitle-tool 0.2.0"


def test_another_users_checkout_is_not_found(api: Api) -> None:
    allow(api)
    theirs = api.create()["id"]  # an administrator's checkout for ana: hers too
    mine = made(api, "co_admin")["checkout"]["id"]
    for checkout_id in (mine,):
        for response in (
            api.get(f"/api/v1/me/checkouts/{checkout_id}", "user"),
            api.get(f"/api/v1/me/checkouts/{checkout_id}/file", "user"),
            api.post(f"/api/v1/me/checkouts/{checkout_id}/renew", "user", json={"days": 2}),
            api.post(f"/api/v1/me/checkouts/{checkout_id}/return", "user"),
            api.get(f"/api/v1/me/checkouts/{checkout_id}", "other_admin"),
        ):
            assert assert_problem(response, 404)["code"] == "CHECKOUT_NOT_FOUND"
    assert api.get(f"/api/v1/me/checkouts/{mine}", "co_admin").json()["status"] == "active"
    own = api.get("/api/v1/me/checkouts", "user").json()["items"]
    assert [c["id"] for c in own] == [theirs]
    assert own[0]["created_via"] == "admin"
