"""The catalog's admin API: browsing it (Administrators and Co-Administrators), and importing
a CSV file with a preview (Administrators of an organisation that maintains the catalog)."""

from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from entitle.domain.catalog_file import MAX_CATALOG_BYTES
from entitle.service.import_catalog import import_catalog
from entitle.store.tables import application_versions, audit_events
from tests.integration.api.conftest import Api, assert_problem

IMPORT = "/api/v1/catalog/import"
CSV = {"Content-Type": "text/csv"}
HEADER = "application,version,license_service\n"
FILE = (
    HEADER + "Atlas Designer,10.18.0.4,SES\n"  # a new version of a known application
    "Atlas Designer,10.17.2.61,SES\n"  # already there
    "Harbor View,1.0,SES\n"  # a new application
    "Harbor View,0.9,SELECTserver\n"
)


def _import(api: Api, text: str | bytes, dry_run: bool = True, who: str = "admin") -> Any:
    params = {"dry_run": "true" if dry_run else "false"}
    return api.post(IMPORT, who, content=text, headers=CSV, params=params)


def _versions(api: Api) -> int:
    with api.world.services.uow(read_only=True) as uow:
        return int(
            uow.conn.execute(select(func.count()).select_from(application_versions)).scalar()
        )


def _import_events(api: Api) -> list[Any]:
    with api.world.services.uow(read_only=True) as uow:
        return list(
            uow.conn.execute(
                select(audit_events).where(audit_events.c.action == "catalog.import")
            ).all()
        )


def test_the_catalog_lists_applications_with_their_versions_per_license_service(api: Api) -> None:
    body = api.get("/api/v1/catalog/applications").json()
    assert body["total"] == 3
    assert body["may_import"] is True
    atlas = body["items"][0]
    assert atlas["name"] == "Atlas Designer"
    assert atlas["versions"] == [
        {"version": "10.17.2.61", "license_service": "SES"},
        {"version": "10.16.3.12", "license_service": "SES"},
        {"version": "10.12.0.40", "license_service": "SELECTserver"},
    ]
    co = api.get("/api/v1/catalog/applications", "co_admin").json()
    assert (co["total"], co["may_import"]) == (3, False)
    # Every organisation sees the same catalog; Studio does not maintain it.
    studio = api.get("/api/v1/catalog/applications", "other_admin").json()
    assert (studio["total"], studio["may_import"]) == (3, False)
    assert_problem(api.get("/api/v1/catalog/applications", "user"), 403)


def test_the_catalog_is_searched_by_name_filtered_by_service_and_paged(api: Api) -> None:
    path = "/api/v1/catalog/applications"
    found = api.get(path, params={"q": "SURV"}).json()
    assert [a["name"] for a in found["items"]] == ["GeoSurvey"]
    selectserver = api.get(path, params={"license_service": "SELECTserver"}).json()
    assert [a["name"] for a in selectserver["items"]] == ["Atlas Designer", "GeoSurvey"]
    assert selectserver["items"][0]["versions"] == [
        {"version": "10.12.0.40", "license_service": "SELECTserver"}
    ]
    second = api.get(path, params={"page": 2, "page_size": 2}).json()
    assert (second["total"], [a["name"] for a in second["items"]]) == (3, ["GeoSurvey"])
    assert api.get(path, params={"q": "100%_"}).json()["items"] == []
    assert_problem(api.get(path, params={"page_size": 501}), 422)


def test_a_preview_says_what_changes_and_stores_nothing(api: Api) -> None:
    before = _versions(api)
    response = _import(api, FILE)
    assert response.status_code == 200, response.text
    preview = response.json()
    assert (preview["applied"], preview["added"]) == (False, 0)
    assert preview["new_applications"] == ["Harbor View"]
    assert [
        (r["line"], r["application"], r["version"], r["new_application"])
        for r in preview["new_versions"]
    ] == [
        (2, "Atlas Designer", "10.18.0.4", False),
        (4, "Harbor View", "1.0", True),
        (5, "Harbor View", "0.9", True),
    ]
    assert [(r["line"], r["version"]) for r in preview["unchanged"]] == [(3, "10.17.2.61")]
    assert preview["problems"] == []
    assert len(preview["sha256"]) == 64
    assert _versions(api) == before
    assert _import_events(api) == []


def test_applying_adds_once_with_one_audit_event_and_a_retry_adds_nothing(api: Api) -> None:
    before = _versions(api)
    applied = _import(api, FILE, dry_run=False).json()
    assert (applied["applied"], applied["added"]) == (True, 3)
    assert _versions(api) == before + 3
    (event,) = _import_events(api)
    assert event.actor == "admin@example.com"
    assert event.subject == f"sha256:{applied['sha256']}"
    assert event.detail == "1 new applications, 3 new versions, 1 rows unchanged"
    retried = _import(api, FILE, dry_run=False).json()
    assert (retried["added"], retried["new_versions"], len(retried["unchanged"])) == (0, [], 4)
    assert _versions(api) == before + 3
    assert len(_import_events(api)) == 1
    versions = api.get("/api/v1/applications/Harbor%20View/versions").json()["items"]
    assert versions == [
        {"version": "1.0", "license_service": "SES"},
        {"version": "0.9", "license_service": "SELECTserver"},
    ]


def test_every_bad_row_is_named_with_its_line_and_an_apply_with_any_changes_nothing(
    api: Api,
) -> None:
    text = (
        HEADER + "Harbor View,1.0,SES\n"
        ",1.0,SES\n"
        "Harbor View,1.x,SES\n"
        "Harbor View,2.0,FlexLM\n"
        "Atlas Designer,10.17.2.61,SELECTserver\n"
        "Harbor\x00View,3.0,SES\n"
        "Harbor View,4.0\n"
    )
    preview = _import(api, text).json()
    assert [(p["line"], p["code"]) for p in preview["problems"]] == [
        (3, "APPLICATION_REQUIRED"),
        (4, "VERSION_MALFORMED"),
        (5, "LICENSE_SERVICE_UNKNOWN"),
        (6, "CATALOG_SERVICE_CHANGE"),
        (7, "CATALOG_ROW"),
        (8, "CATALOG_ROW"),
    ]
    assert "'1.x' is not a version" in preview["problems"][1]["message"]
    assert "uses SES in the catalog, not SELECTserver" in preview["problems"][3]["message"]
    before = _versions(api)
    refused = assert_problem(_import(api, text, dry_run=False), 422, "file")
    assert refused["code"] == "CATALOG_ROW"
    assert [e["message"].split(":")[0] for e in refused["errors"]] == [
        f"Line {n}" for n in (3, 4, 5, 6, 7, 8)
    ]
    assert refused["detail"].startswith("6 bad rows, nothing imported. Line 3:")
    assert _versions(api) == before
    assert _import_events(api) == []


def test_a_file_that_is_not_a_catalog_is_refused_whole(api: Api) -> None:
    cases = [
        ("app,ver\nAtlas,1.0\n", "CATALOG_HEADER"),
        ("", "CATALOG_HEADER"),
        (HEADER, "CATALOG_EMPTY"),
        (b"application,version,license_service\nCaf\xe9,1.0,SES\n", "FILE_UNREADABLE"),
        (HEADER + "A,1.0,SES\n" * (MAX_CATALOG_BYTES // 10), "CATALOG_TOO_LARGE"),
    ]
    for text, code in cases:
        body = assert_problem(_import(api, text), 422, "file")
        assert body["code"] == code, body


def test_only_administrators_of_a_maintaining_organisation_import(api: Api) -> None:
    for who in ("co_admin", "other_admin", "user"):
        body = assert_problem(_import(api, FILE, who=who), 403)
        assert body["code"] == "ROLE_CANNOT_CHANGE_CATALOG"
    studio = assert_problem(_import(api, FILE, who="other_admin"), 403)
    assert "Studio does not maintain the catalog" in studio["detail"]
    assert "Northwind" not in studio["detail"]
    assert_problem(_import(api, FILE, who=None), 401)


def test_two_confirmations_at_once_add_each_version_once_with_one_audit_event(api: Api) -> None:
    before = _versions(api)
    start = threading.Barrier(2)

    def confirm() -> int:
        start.wait()
        done = import_catalog(api.world.services, api.world.admin, FILE, apply=True)
        return done.added

    with ThreadPoolExecutor(2) as pool:
        added = sorted(pool.map(lambda _: confirm(), range(2)))
    assert added == [0, 3]
    assert _versions(api) == before + 3
    assert len(_import_events(api)) == 1


def test_the_portal_apply_of_a_file_that_went_bad_shows_its_rows_again_and_adds_nothing(
    api: Api,
) -> None:
    # Between preview and Apply another import gave 10.18.0.4 the other license service.
    _import(api, HEADER + "Atlas Designer,10.18.0.4,SELECTserver\n", dry_run=False)
    before = _versions(api)
    content = base64.b64encode(FILE.encode()).decode()
    page = api.post("/catalog/apply", data={"content": content, "file_name": "catalog.csv"})
    assert page.status_code == 422
    assert "Not imported." in page.text
    assert "Line 2: Atlas Designer 10.18.0.4 uses SELECTserver in the catalog" in page.text
    assert _versions(api) == before
