"""POST /api/v1/checkouts/import on each database: the preview, all or nothing, the valid rows
only, a retried upload, and the import's result sheet and zip."""

from __future__ import annotations

import csv
import io
import zipfile

from entitle.domain.checkout_import import MAX_BYTES
from entitle.domain.policy import ApplicationRule
from entitle.service import admin
from tests.integration.api.conftest import Api, assert_problem
from tests.integration.test_import_checkouts import file_of

IMPORT = "/api/v1/checkouts/import"
CSV = {"Content-Type": "text/csv"}


def _exclude_bridgeworks(api: Api) -> None:
    admin.set_country(
        api.world.services,
        "Northwind",
        "US",
        application_rule=ApplicationRule.EXCLUDE,
        applications=["Bridgeworks"],
    )


def test_the_preview_lists_the_three_problems_by_row_and_column_and_creates_nothing(
    api: Api,
) -> None:
    _exclude_bridgeworks(api)
    answer = api.post(IMPORT, params={"dry_run": "true"}, content=file_of(), headers=CSV)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["id"], body["rows"], body["valid_rows"], body["created"]) == (None, 200, 197, 0)
    assert [(p["row"], p["column"], p["code"]) for p in body["problems"]] == [
        (11, "applications", "VERSION_UNKNOWN"),
        (51, "applications", "APPLICATION_EXCLUDED"),
        (151, "expires_on", "EXPIRY_AFTER_CAP"),
    ]
    first = body["items"][0]
    assert (first["row"], first["status"], first["checkout_id"], first["problems"]) == (
        2,
        "valid",
        None,
        [],
    )
    assert first["cells"]["machine"] == "WS-0000"
    assert body["items"][9]["status"] == "invalid"
    assert api.get("/api/v1/checkouts").json()["total"] == 0


def test_all_or_nothing_is_a_422_naming_each_row_and_creates_nothing(api: Api) -> None:
    _exclude_bridgeworks(api)
    answer = api.post(IMPORT, content=file_of(), headers=CSV)
    body = assert_problem(answer, 422, "rows[151].expires_on")
    assert body["code"] == "IMPORT_ROWS_INVALID"
    assert "3 of 200 rows have problems" in body["detail"]
    assert [e["field"] for e in body["errors"]] == [
        "rows[11].applications",
        "rows[51].applications",
        "rows[151].expires_on",
    ]
    assert api.get("/api/v1/checkouts").json()["total"] == 0


def test_skip_invalid_creates_197_then_a_retry_with_the_key_creates_nothing_more(
    api: Api,
) -> None:
    _exclude_bridgeworks(api)
    options = {"params": {"skip_invalid": "true"}, "content": file_of()}
    key = {**CSV, "Idempotency-Key": "site-ship-7"}
    first = api.post(IMPORT, headers=key, **options)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["created"], body["replayed"], len(body["checkouts"])) == (197, False, 197)
    assert first.headers["location"] == f"/api/v1/checkouts/imports/{body['id']}"
    assert api.get("/api/v1/checkouts").json()["total"] == 197
    again = api.post(IMPORT, headers=key, **options)
    assert again.status_code == 201
    assert again.json()["replayed"] is True
    assert again.json()["id"] == body["id"]
    assert api.get("/api/v1/checkouts").json()["total"] == 197
    other = api.post(IMPORT, headers=key, content=file_of(5))
    assert assert_problem(other, 409)["code"] == "IDEMPOTENCY_KEY_REUSED"

    sheet = api.get(body["result_csv"])
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert len(rows) == 200
    assert rows[0]["checkout_id"] == body["checkouts"][0]["id"]
    assert (rows[49]["row"], rows[49]["status"]) == ("51", "skipped")
    assert "excluded" in rows[49]["problems"]
    archive = api.get(body["license_files"])
    assert archive.headers["content-type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(archive.content)).namelist()) == 197
    assert api.get(f"/api/v1/checkouts/imports/{body['id']}").json()["created"] == 197


def test_semicolons_and_a_bom_parse_and_the_template_imports_as_it_is(api: Api) -> None:
    template = api.get("/api/v1/checkouts/import/template.csv")
    assert template.status_code == 200
    assert template.text.startswith("user,machine,country,license_service,applications")
    semicolons = template.text.replace(",", ";")  # the quoted applications keep their ";"
    assert api.post(IMPORT, content=template.content, headers=CSV).status_code == 201
    answer = api.post(
        IMPORT,
        params={"dry_run": "true"},
        content="\ufeff".encode() + semicolons.encode(),
        headers=CSV,
    )
    assert answer.status_code == 200
    assert answer.json()["valid_rows"] == 2, answer.json()["problems"]


def test_an_oversized_file_is_refused_with_its_limit(api: Api) -> None:
    answer = api.post(IMPORT, content=file_of(1) + b"#" * MAX_BYTES, headers=CSV)
    body = assert_problem(answer, 413)
    assert f"{MAX_BYTES:,} bytes" in body["detail"]
    too_many = api.post(IMPORT, params={"dry_run": "true"}, content=file_of(10_001), headers=CSV)
    assert assert_problem(too_many, 422)["code"] == "IMPORT_TOO_MANY_ROWS"
    assert "at most 10,000" in too_many.json()["detail"]


def test_a_file_that_is_not_utf8_text_says_so(api: Api) -> None:
    answer = api.post(IMPORT, content="user,machine\nJosé".encode("latin-1"), headers=CSV)
    assert assert_problem(answer, 422)["code"] == "IMPORT_NOT_TEXT"
    nul = api.post(IMPORT, content=b"user,machine\x00\n", headers=CSV)
    assert assert_problem(nul, 422)["code"] == "IMPORT_NOT_TEXT"


def test_a_plain_user_may_not_import_and_another_organisation_cannot_read_it(api: Api) -> None:
    assert_problem(api.post(IMPORT, "user", content=file_of(2), headers=CSV), 403)
    made = api.post(IMPORT, content=file_of(2), headers=CSV).json()
    assert_problem(api.get(made["result_csv"], "other_admin"), 404)
    assert_problem(api.get(made["license_files"], "other_admin"), 404)
