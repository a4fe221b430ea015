"""An administrator extends a checkout: a new license file for the same checkout, the old one
superseded on the revocation list, as a user's renewal does."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from entitle.licensefile import RevocationList, verify
from tests.integration.api.conftest import Api, assert_problem
from tests.integration.api.test_self_service import pinned


def test_extending_issues_a_later_file_for_the_same_checkout_and_supersedes_the_old_one(
    api: Api,
) -> None:
    made = api.create(expires_on="2026-12-20")
    old = api.get(f"/api/v1/checkouts/{made['id']}/license-file").content
    api.world.clock.advance(days=2)
    later = (api.world.clock.now + timedelta(days=60)).date().isoformat()
    answer = api.post(f"/api/v1/checkouts/{made['id']}/extend", json={"expires_on": later})
    assert answer.status_code == 200, answer.text
    extended = answer.json()
    assert extended["id"] == made["id"]
    assert extended["expires_on"] == later
    assert extended["machine"] == made["machine"]
    new = api.get(f"/api/v1/checkouts/{made['id']}/license-file").content
    assert new != old
    claims = verify(new, pinned(api), now=api.world.clock.now, machine_name=made["machine"])
    assert claims.checkout_id == made["id"]
    listed = RevocationList.verify(
        api.get(f"/.well-known/entitle-revocations/{claims.organisation_id}", None).content,
        pinned(api),
        organisation_id=claims.organisation_id,
    )
    assert listed.superseded_digests == {hashlib.sha256(old).hexdigest()}
    events = [
        e for e in api.get("/api/v1/audit").json()["items"] if e["action"] == "checkout.extend"
    ]
    assert [e["subject"] for e in events] == [made["id"]]


def test_an_extension_must_be_later_and_within_the_cap(api: Api) -> None:
    made = api.create(expires_on="2027-01-20")
    earlier = api.post(f"/api/v1/checkouts/{made['id']}/extend", json={"expires_on": "2027-01-10"})
    assert assert_problem(earlier, 422, "expires_on")["code"] == "EXTENSION_NOT_LATER"
    too_far = api.post(f"/api/v1/checkouts/{made['id']}/extend", json={"expires_on": "2030-01-01"})
    assert assert_problem(too_far, 422, "expires_on")["code"] == "EXPIRY_AFTER_CAP"
    latest = api.post(f"/api/v1/checkouts/{made['id']}/extend", json={})
    assert latest.status_code == 200, latest.text
    assert latest.json()["expires_on"] > "2027-01-20"
    again = api.post(f"/api/v1/checkouts/{made['id']}/extend", json={})
    assert assert_problem(again, 422, "expires_on")["code"] == "EXTENSION_NOT_LATER"


def test_a_checked_in_or_foreign_checkout_is_not_extended(api: Api) -> None:
    made = api.create()
    assert api.post(f"/api/v1/checkouts/{made['id']}/check-in").status_code == 200
    gone = api.post(f"/api/v1/checkouts/{made['id']}/extend", json={})
    assert assert_problem(gone, 409)["code"] == "ALREADY_CHECKED_IN"
    other = api.create()
    foreign = api.post(f"/api/v1/checkouts/{other['id']}/extend", "other_admin", json={})
    assert assert_problem(foreign, 404)["code"] == "CHECKOUT_NOT_FOUND"
    assert_problem(api.post(f"/api/v1/checkouts/{other['id']}/extend", "user", json={}), 403)
