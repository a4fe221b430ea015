"""The audit trail filtered by actor, action, target and days, paged in SQL, and its CSV."""

from __future__ import annotations

import csv
import io

from tests.integration.api.conftest import Api, assert_problem

POLICY = "/api/v1/countries/US/policy"


def _some_events(api: Api) -> None:
    api.put(POLICY, json={"self_service": True})
    api.put(POLICY, "co_admin", json={"self_service": False})
    api.post("/api/v1/tokens", json={"label": "=HYPERLINK(evil)"})


def test_the_trail_is_filtered_by_actor_action_target_and_days(api: Api) -> None:
    _some_events(api)
    by_co = api.get("/api/v1/audit", params={"actor": "CO@", "action": "policy.set"}).json()
    assert [(e["actor"], e["subject"]) for e in by_co["items"]] == [("co@example.com", "US")]
    assert by_co["total"] == 1
    by_target = api.get("/api/v1/audit", params={"subject": "us"}).json()
    assert {e["action"] for e in by_target["items"]} == {"policy.set"}
    everything = api.get("/api/v1/audit").json()["total"]
    today = api.world.clock.now.date().isoformat()
    assert (
        api.get("/api/v1/audit", params={"from": today, "to": today}).json()["total"] == everything
    )
    assert api.get("/api/v1/audit", params={"to": "2026-01-01"}).json()["total"] == 0
    paged = api.get("/api/v1/audit", params={"page": 2, "page_size": everything - 1}).json()
    assert (paged["total"], len(paged["items"])) == (everything, 1)


def test_a_reversed_range_is_refused_at_from(api: Api) -> None:
    refused = api.get("/api/v1/audit", params={"from": "2026-12-02", "to": "2026-12-01"})
    assert assert_problem(refused, 422, "from")["code"] == "DATE_RANGE_REVERSED"


def test_the_csv_holds_exactly_the_filtered_events(api: Api) -> None:
    _some_events(api)
    response = api.get("/api/v1/audit.csv", params={"action": "token.create", "actor": "admin@"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["at", "actor", "action", "subject", "address", "detail"]
    assert {r[2] for r in rows[1:]} == {"token.create"}
    # The newest; its cell does not start with the label's '=', so it is kept as it is.
    assert rows[1][5] == "for admin@example.com: =HYPERLINK(evil)"
    everything = list(csv.reader(io.StringIO(api.get("/api/v1/audit.csv").text)))
    assert len(everything) - 1 == api.get("/api/v1/audit").json()["total"]


def test_only_administrators_export_the_trail(api: Api) -> None:
    refused = api.get("/api/v1/audit.csv", "co_admin")
    assert assert_problem(refused, 403)["code"] == "ROLE_CANNOT_READ_AUDIT"
