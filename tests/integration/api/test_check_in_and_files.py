from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta

import pytest

from tests.integration.api.conftest import Api, assert_problem


@pytest.mark.parametrize("who", ["admin", "co_admin"])
def test_the_license_file_downloads_as_a_named_attachment_with_the_same_bytes(
    api: Api, who: str
) -> None:
    made = api.create()
    first = api.get(f"/api/v1/checkouts/{made['id']}/license-file", who)
    again = api.get(f"/api/v1/checkouts/{made['id']}/license-file", who)
    assert first.status_code == 200
    assert first.content == again.content
    disposition = first.headers["content-disposition"]
    assert disposition == f'attachment; filename="ana_WS-0042_{made["id"]}.belic"'


def test_a_selectserver_license_file_is_xml(api: Api) -> None:
    made = api.create(
        license_service="SELECTserver",
        activation_key="US-KEY-1",
        applications=[{"name": "GeoSurvey", "version": "8.4.1.0"}],
    )
    response = api.get(f"/api/v1/checkouts/{made['id']}/license-file")
    assert response.headers["content-disposition"].endswith('.xml"')
    assert response.content.startswith(b"<")


def test_a_plain_user_may_not_download_license_files(api: Api) -> None:
    made = api.create()
    assert_problem(api.get(f"/api/v1/checkouts/{made['id']}/license-file", "user"), 403)
    bulk = api.post("/api/v1/checkouts/license-files", "user", json={"ids": [made["id"]]})
    assert_problem(bulk, 403)


def test_many_license_files_come_in_one_zip_with_unique_names(api: Api) -> None:
    made = [api.create(machine="WS-1"), api.create(machine="WS-1"), api.create(machine="WS-2")]
    ids = [m["id"] for m in made]
    response = api.post("/api/v1/checkouts/license-files", "co_admin", json={"ids": ids})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(set(names)) == 3
    assert all(name.endswith(".belic") for name in names)


@pytest.mark.parametrize("body", [{"ids": []}, {"ids": "x"}, {}])
def test_bulk_bodies_without_ids_are_422(api: Api, body: dict[str, object]) -> None:
    assert_problem(api.post("/api/v1/checkouts/license-files", json=body), 422, "ids")
    assert_problem(api.post("/api/v1/checkouts/check-in", json=body), 422, "ids")


@pytest.mark.parametrize("who", ["admin", "co_admin"])
def test_an_administrator_checks_in_a_checkout_once(api: Api, who: str) -> None:
    made = api.create()
    response = api.post(f"/api/v1/checkouts/{made['id']}/check-in", who)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "checked_in"
    assert body["check_in_method"] == "portal"
    assert body["checked_in_by"] == getattr(api.world, who)
    assert_problem(api.post(f"/api/v1/checkouts/{made['id']}/check-in", who), 409)


def test_check_in_is_refused_to_users_other_organisations_and_non_select(api: Api) -> None:
    made = api.create()
    assert_problem(api.post(f"/api/v1/checkouts/{made['id']}/check-in", "user"), 403)
    assert_problem(api.post(f"/api/v1/checkouts/{made['id']}/check-in", "other_admin"), 404)
    theirs = api.create("other_admin")
    refusal = assert_problem(
        api.post(f"/api/v1/checkouts/{theirs['id']}/check-in", "other_admin"), 403
    )
    assert refusal["code"] == "NON_SELECT_CHECK_IN"
    assert api.get(f"/api/v1/checkouts/{made['id']}").json()["status"] == "active"


def test_bulk_check_in_gives_a_result_per_id_and_one_failure_undoes_nothing(api: Api) -> None:
    first, second = api.create(machine="WS-1"), api.create(machine="WS-2")
    api.post(f"/api/v1/checkouts/{second['id']}/check-in")
    ids = [first["id"], second["id"], "unknown"]
    response = api.post("/api/v1/checkouts/check-in", "co_admin", json={"ids": ids})
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json()["items"]}
    assert results[first["id"]]["ok"] is True
    assert results[first["id"]]["checkout"]["status"] == "checked_in"
    assert results[second["id"]]["error"]["status"] == 409
    assert results["unknown"]["error"]["status"] == 404
    assert api.get(f"/api/v1/checkouts/{first['id']}").json()["status"] == "checked_in"


def _receipt(api: Api, made: dict[str, object], **changes: object) -> dict[str, object]:
    data = api.get(f"/api/v1/checkouts/{made['id']}/license-file").content
    return {
        "checkout_id": made["id"],
        "machine": "WS-0042",
        "user_profile": "ana",
        "cleared_at": "2026-12-01T10:00:00Z",
        "license_digest": hashlib.sha256(data).hexdigest(),
        **changes,
    }


def test_a_client_receipt_with_the_files_digest_checks_in_without_credentials(api: Api) -> None:
    made = api.create()
    api.world.clock.advance(days=5)
    receipt = _receipt(api, made)
    response = api.post(f"/api/v1/checkouts/{made['id']}/client-receipts", None, json=receipt)
    assert response.status_code == 200
    assert response.json()["check_in_method"] == "client"
    replay = api.post(f"/api/v1/checkouts/{made['id']}/client-receipts", None, json=receipt)
    assert replay.status_code == 200
    assert replay.json() == response.json()
    stored = api.get(f"/api/v1/checkouts/{made['id']}").json()
    assert stored["checked_in_at"] == "2026-12-03T12:00:00Z"  # when the server received it
    assert stored["client_cleared_at"] == "2026-12-01T10:00:00Z"  # the workstation's own time


# 62 days, 5 hours and 30 minutes of one application on machine WS-0042.
BOOKED_MINUTES = 89_610


def _booked_minutes(api: Api) -> int:
    params = {"from": "2026-11-01", "to": "2027-12-01", "machine": "WS-0042"}
    minutes: int = api.get("/api/v1/usage", params=params).json()["total_minutes"]
    return minutes


def test_a_receipt_cleared_in_1970_is_refused_and_the_booked_usage_stays(api: Api) -> None:
    made = api.create()
    api.world.clock.advance(minutes=BOOKED_MINUTES)
    assert _booked_minutes(api) == BOOKED_MINUTES
    path = f"/api/v1/checkouts/{made['id']}/client-receipts"
    forged = _receipt(api, made, cleared_at="1970-01-01T00:00:00Z")
    body = assert_problem(api.post(path, None, json=forged), 422, "cleared_at")
    assert body["code"] == "CLEARED_BEFORE_CHECKOUT"
    assert "before the checkout was created" in body["detail"]
    assert _booked_minutes(api) == BOOKED_MINUTES
    assert api.get(f"/api/v1/checkouts/{made['id']}").json()["status"] == "active"


def test_a_client_check_in_ends_the_booking_when_the_server_receives_the_receipt(
    api: Api,
) -> None:
    made = api.create()
    api.world.clock.advance(minutes=BOOKED_MINUTES)
    received = api.world.clock.now
    path = f"/api/v1/checkouts/{made['id']}/client-receipts"
    early = _receipt(api, made, cleared_at="2026-11-28T12:10:00Z")
    answer = api.post(path, None, json=early).json()
    assert answer["checked_in_at"] == received.isoformat().replace("+00:00", "Z")
    assert answer["client_cleared_at"] == "2026-11-28T12:10:00Z"
    api.world.clock.advance(days=30)
    assert _booked_minutes(api) == BOOKED_MINUTES
    replayed = _receipt(api, made, cleared_at="2026-11-28T12:00:00Z")
    assert api.post(path, None, json=replayed).json() == answer


def test_a_receipt_cleared_after_the_server_received_it_is_refused_beyond_the_clock_skew(
    api: Api,
) -> None:
    made = api.create()
    api.world.clock.advance(days=2)
    path = f"/api/v1/checkouts/{made['id']}/client-receipts"
    ahead = (api.world.clock.now + timedelta(minutes=6)).isoformat()
    body = assert_problem(api.post(path, None, json=_receipt(api, made, cleared_at=ahead)), 422)
    assert body["code"] == "CLEARED_AFTER_RECEIPT"
    assert [e["field"] for e in body["errors"]] == ["cleared_at"]
    assert api.get(f"/api/v1/checkouts/{made['id']}").json()["status"] == "active"
    # A workstation clock a few minutes ahead is tolerated; the booking ends at the receipt.
    slightly = (api.world.clock.now + timedelta(minutes=4)).isoformat()
    accepted = api.post(path, None, json=_receipt(api, made, cleared_at=slightly))
    assert accepted.status_code == 200
    assert accepted.json()["checked_in_at"] == "2026-11-30T12:00:00Z"


def test_a_receipt_with_another_digest_or_id_is_refused_and_changes_nothing(api: Api) -> None:
    made = api.create()
    path = f"/api/v1/checkouts/{made['id']}/client-receipts"
    wrong = _receipt(api, made, license_digest="0" * 64)
    assert_problem(api.post(path, None, json=wrong), 404)
    mismatch = _receipt(api, made, checkout_id="other")
    assert_problem(api.post(path, None, json=mismatch), 422, "checkout_id")
    assert_problem(api.post(path, None, json=_receipt(api, made, license_digest="xyz")), 422)
    assert api.get(f"/api/v1/checkouts/{made['id']}").json()["status"] == "active"
