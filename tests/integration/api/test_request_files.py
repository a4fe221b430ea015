"""A request file round trip: the workstation's fingerprint is bound into the license file."""

from __future__ import annotations

import json
from typing import Any

import pytest

from entitle.licensefile import KeyRing, WrongMachine, verify
from entitle.tool import machine_fingerprint
from tests.integration.api.conftest import NEW_CHECKOUT, Api, assert_problem
from tests.workstation import MACHINE_ID, pretend_machine


def request_file(fingerprint: str, **changes: Any) -> bytes:
    document = {
        "format": "entitle-checkout-request/1",
        "machine_name": "LAB-AIRGAP-01",
        "machine_fingerprint": fingerprint,
        "os_user": "ana",
        "applications": [{"application": "atlas designer", "version": "10.17.02.61"}],
        "expires_on": "2027-03-31",
        "tool_version": "0.2.0",
        **changes,
    }
    return json.dumps(document).encode()


def test_a_request_file_becomes_a_checkout_its_machine_alone_can_use(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    pretend_machine(monkeypatch, name="LAB-AIRGAP-01", machine_id=MACHINE_ID)
    fingerprint = machine_fingerprint()
    read = api.post(
        "/api/v1/checkout-requests",
        content=request_file(fingerprint),
        headers={"Content-Type": "application/json"},
    )
    assert read.status_code == 200, read.text
    draft = read.json()
    assert draft["machine"] == "LAB-AIRGAP-01"
    assert draft["machine_fingerprint"] == fingerprint
    assert draft["license_service"] == "SES"
    assert draft["applications"] == [{"name": "Atlas Designer", "version": "10.17.2.61"}]

    created = api.create(
        machine=draft["machine"],
        machine_fingerprint=draft["machine_fingerprint"],
        applications=draft["applications"],
        expires_on=draft["expires_on"],
    )
    assert created["created_via"] == "request_file"
    assert created["machine_fingerprint"] == fingerprint
    data = api.get(f"/api/v1/checkouts/{created['id']}/license-file").content
    ring = api.world.services.signer
    assert isinstance(ring, KeyRing)
    now = api.world.clock.now
    here = machine_fingerprint()
    claims = verify(
        data, ring.issuers(now), now=now, machine_name="LAB-AIRGAP-01", machine_fingerprint=here
    )
    assert claims.machine_fingerprint == fingerprint
    # The same name on another machine: the file refuses it.
    pretend_machine(monkeypatch, name="LAB-AIRGAP-01", machine_id="1" * 32)
    with pytest.raises(WrongMachine) as refused:
        verify(
            data,
            ring.issuers(now),
            now=now,
            machine_name="LAB-AIRGAP-01",
            machine_fingerprint=machine_fingerprint(),
        )
    assert refused.value.fingerprint_differs
    listed = api.get("/api/v1/checkouts", params={"created_via": "request_file"}).json()
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    assert api.get("/api/v1/checkouts", params={"created_via": "self_service"}).json()["total"] == 0


def test_a_bad_request_file_names_its_fields_and_plain_users_may_not_read_one(api: Api) -> None:
    body = assert_problem(
        api.post(
            "/api/v1/checkout-requests",
            content=request_file("nope", machine_name="bad name"),
            headers={"Content-Type": "application/json"},
        ),
        422,
    )
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("machine_name", "MACHINE_NAME_INVALID"),
        ("machine_fingerprint", "MACHINE_FINGERPRINT_INVALID"),
    }
    not_json = api.post(
        "/api/v1/checkout-requests",
        content=b"PK\x03\x04",
        headers={"Content-Type": "application/json"},
    )
    assert assert_problem(not_json, 422)["code"] == "REQUEST_FILE_INVALID"
    refused = api.post("/api/v1/checkout-requests", "user", content=request_file("ab" * 32))
    assert assert_problem(refused, 403)["code"] == "ROLE_CANNOT_MANAGE_CHECKOUTS"
    bad = api.post("/api/v1/checkouts", json={**NEW_CHECKOUT, "machine_fingerprint": "xyz"})
    assert_problem(bad, 422, "machine_fingerprint")
