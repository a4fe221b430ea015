"""GET /api/v1/usage on the hand-computed fixture of tests/integration/test_usage_reports.py."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.api.conftest import Api, assert_problem
from tests.integration.fixtures import World
from tests.integration.test_usage_reports import used  # noqa: F401 - the fixture

RANGE = {"from": "2026-11-01", "to": "2027-01-01"}


@pytest.fixture
def usage_api(used: World, api: Api) -> Api:  # noqa: F811
    return api


def test_usage_groups_by_month_and_application(usage_api: Api) -> None:
    response = usage_api.get(
        "/api/v1/usage", params={**RANGE, "group_by": ["month", "application"]}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["organisation"], body["from"], body["to"]) == ("Northwind", *RANGE.values())
    assert body["group_by"] == ["month", "application"]
    assert body["total_minutes"] == 16910
    assert body["items"][0] == {
        "month": "2026-11",
        "application": "Atlas Designer",
        "minutes": (360 + 90) * 10,
        "duration": "3 03:00",
    }


def rows_of(text: str) -> list[dict[str, Any]]:
    return [
        {k: int(v) if k == "minutes" else v for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


@pytest.mark.parametrize(
    ("params", "headers"),
    [({"format": "csv"}, {}), ({}, {"Accept": "text/csv"})],
)
def test_csv_figures_equal_the_json_figures(
    usage_api: Api, params: dict[str, str], headers: dict[str, str]
) -> None:
    query = {**RANGE, "group_by": ["day", "user"]}
    as_json = usage_api.get("/api/v1/usage", params=query).json()["items"]
    response = usage_api.client.get(
        "/api/v1/usage",
        params={**query, **params},
        headers={**usage_api.auth("admin"), **headers},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert rows_of(response.text) == as_json
    assert len(as_json) == 11


def test_filters_and_peak(usage_api: Api) -> None:
    body = usage_api.get("/api/v1/usage", params={**RANGE, "machine": "ws-1"}).json()
    assert body["items"] == [{"minutes": 14220, "duration": "9 21:00"}]
    peak = usage_api.get("/api/v1/usage/peak", params=RANGE).json()
    assert peak == {"machines": 2, "first_at": "2026-11-28T12:10:00Z"}


def test_co_administrators_see_usage_and_users_do_not(usage_api: Api) -> None:
    assert usage_api.get("/api/v1/usage", "co_admin", params=RANGE).status_code == 200
    assert_problem(usage_api.get("/api/v1/usage", "user", params=RANGE), 403)
    assert_problem(usage_api.get("/api/v1/usage/peak", "user", params=RANGE), 403)
    assert usage_api.get("/api/v1/usage", None, params=RANGE).status_code == 401
    studio = usage_api.get("/api/v1/usage", "other_admin", params=RANGE).json()
    assert studio["organisation"] == "Studio"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({**RANGE, "group_by": "week"}, "group_by"),
        ({**RANGE, "group_by": ["day", "month"]}, "group_by"),
        ({"from": "2027-01-01", "to": "2026-11-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-11-01"}, "to"),
        ({"from": "2026-02-30", "to": "2026-11-01"}, "from"),
        ({"to": "2026-11-01"}, "from"),
        ({**RANGE, "license_service": "floating"}, "license_service"),
        ({**RANGE, "format": "xml"}, "format"),
    ],
)
def test_bad_input_is_a_422_problem(usage_api: Api, params: dict[str, Any], field: str) -> None:
    assert_problem(usage_api.get("/api/v1/usage", params=params), 422, field)
