from __future__ import annotations

import pytest

from tests.integration.api.conftest import Api, assert_problem

CATALOG_PATHS = [
    "/api/v1/countries",
    "/api/v1/license-services",
    "/api/v1/applications",
    "/api/v1/applications/Atlas%20Designer/versions",
    "/api/v1/users",
    "/api/v1/activation-keys",
]


@pytest.mark.parametrize("path", CATALOG_PATHS)
def test_catalog_is_for_administrators_only(api: Api, path: str) -> None:
    for who in ("admin", "co_admin", "other_admin"):
        response = api.get(path, who)
        assert response.status_code == 200, response.text
        assert isinstance(response.json()["items"], list)
    assert_problem(api.get(path, "user"), 403)
    assert_problem(api.get(path, None), 401)


def test_countries_are_the_organisations_with_the_latest_expiry(api: Api) -> None:
    items = api.get("/api/v1/countries").json()["items"]
    assert [(c["country"], c["max_days"]) for c in items] == [("GB", 90), ("US", 365)]
    assert items[1]["latest_expires_on"] == "2027-07-31"
    assert [c["country"] for c in api.get("/api/v1/countries", "other_admin").json()["items"]] == [
        "US"
    ]


def test_license_services_name_their_file_types(api: Api) -> None:
    items = api.get("/api/v1/license-services").json()["items"]
    assert {(s["name"], s["file_extension"]) for s in items} == {
        ("SES", ".belic"),
        ("SELECTserver", ".xml"),
    }


def test_applications_filter_by_license_service_and_prefix(api: Api) -> None:
    ses = api.get("/api/v1/applications", params={"license_service": "SES"}).json()["items"]
    assert ses == [{"name": "Atlas Designer"}, {"name": "Bridgeworks"}]
    ss = api.get("/api/v1/applications", params={"license_service": "SELECTserver", "q": "geo"})
    assert ss.json()["items"] == [{"name": "GeoSurvey"}]
    assert_problem(api.get("/api/v1/applications", params={"license_service": "X"}), 422)


def test_versions_filter_by_license_service_and_prefix(api: Api) -> None:
    path = "/api/v1/applications/Atlas%20Designer/versions"
    found = api.get(path, params={"license_service": "SES", "q": "10.1"}).json()["items"]
    assert found == [
        {"version": "10.17.2.61", "license_service": "SES"},
        {"version": "10.16.3.12", "license_service": "SES"},
    ]
    assert_problem(api.get("/api/v1/applications/Nothing/versions"), 404)


def test_users_are_only_the_organisations_and_searchable(api: Api) -> None:
    emails = [u["email"] for u in api.get("/api/v1/users", params={"q": "ana"}).json()["items"]]
    assert emails == ["ana@example.com"]
    everyone = [u["email"] for u in api.get("/api/v1/users").json()["items"]]
    assert "admin@studio.example" not in everyone


def test_activation_keys_of_a_country(api: Api) -> None:
    found = api.get("/api/v1/activation-keys", params={"country": "gb"}).json()["items"]
    assert found == [{"key": "GB-KEY-1", "country": "GB"}]
    assert_problem(api.get("/api/v1/activation-keys", params={"country": "FR"}), 422, "country")
    assert_problem(api.get("/api/v1/activation-keys", params={"country": "1"}), 422, "country")
