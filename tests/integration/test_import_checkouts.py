"""Importing checkouts from a CSV file, on each database: the rules of one checkout for every
row, all or nothing, the valid rows only, and a retried upload that creates nothing twice."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import func, select

from entitle.domain.checkout_import import MAX_BYTES, MAX_ROWS
from entitle.domain.errors import Conflict, Forbidden, InvalidInput
from entitle.domain.policy import ApplicationRule
from entitle.licensefile import verify
from entitle.service import admin
from entitle.service.import_checkouts import (
    ImportRefused,
    import_checkouts,
    import_license_files,
    result_sheet,
)
from entitle.store.tables import audit_events, checkout_applications, checkouts
from tests.integration.fixtures import World

HEADER = "user,machine,country,license_service,applications,expires_on,activation_key,notes"
BAD_ROWS = {11: "VERSION_UNKNOWN", 51: "APPLICATION_EXCLUDED", 151: "EXPIRY_AFTER_CAP"}


def row(i: int) -> str:
    application, expires = "Atlas Designer 10.17.2.61", "2027-03-31"
    number = i + 2
    if number == 11:
        application = "Atlas Designer 10.99.0.0"
    if number == 51:
        application = "Bridgeworks 24.0.1.5"
    if number == 151:
        expires = "2027-09-01"
    return f"user{i}@example.com,WS-{i:04d},US,SES,{application},{expires},,Field office {i}"


def file_of(rows: int = 200, header: str = HEADER, separator: str = "\r\n") -> bytes:
    return separator.join([header, *(row(i) for i in range(rows))]).encode() + b"\r\n"


@pytest.fixture
def excluding(world: World) -> World:
    admin.set_country(
        world.services,
        "Northwind",
        "US",
        application_rule=ApplicationRule.EXCLUDE,
        applications=["Bridgeworks"],
    )
    return world


def count(world: World, table=checkouts) -> int:  # type: ignore[no-untyped-def]
    with world.services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def imports_audited(world: World) -> list[str]:
    with world.services.engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_events.c.detail).where(audit_events.c.action == "checkout.import")
            ).scalars()
        )


def test_a_preview_of_200_rows_names_exactly_the_three_bad_rows_and_their_columns(
    excluding: World,
) -> None:
    result = import_checkouts(excluding.services, excluding.admin, file_of(), dry_run=True)
    found = {(p.row, p.column, p.code.name) for p in result.problems}
    assert found == {
        (11, "applications", "VERSION_UNKNOWN"),
        (51, "applications", "APPLICATION_EXCLUDED"),
        (151, "expires_on", "EXPIRY_AFTER_CAP"),
    }
    assert result.valid_rows == 197
    assert [r.number for r in result.rows if not r.problems][:3] == [2, 3, 4]
    assert count(excluding) == 0
    assert not result.created


def test_all_or_nothing_creates_nothing_when_one_row_is_bad(excluding: World) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_checkouts(excluding.services, excluding.admin, file_of())
    assert "3 of 200 rows have problems" in refused.value.message
    assert {e.field for e in refused.value.errors} == {
        "rows[11].applications",
        "rows[51].applications",
        "rows[151].expires_on",
    }
    assert count(excluding) == 0
    assert count(excluding, checkout_applications) == 0
    assert imports_audited(excluding) == []


def test_skip_invalid_creates_the_197_valid_rows_with_files_usage_and_audit(
    excluding: World, key_ring
) -> None:  # type: ignore[no-untyped-def]
    result = import_checkouts(
        excluding.services, excluding.admin, file_of(), skip_invalid=True, address="10.0.0.9"
    )
    assert len(result.checkouts) == 197
    assert count(excluding) == 197
    assert count(excluding, checkout_applications) == 197
    by_row = {r.number: r for r in result.rows}
    assert by_row[11].checkout_id is None
    assert by_row[11].status(True) == "skipped"
    first = next(c for c in result.checkouts if c.id == by_row[2].checkout_id)
    assert (first.user_email, first.machine, first.notes) == (
        "user0@example.com",
        "WS-0000",
        "Field office 0",
    )
    assert first.expires_at.date().isoformat() == "2027-04-01"  # through 31 March
    with excluding.services.engine.connect() as conn:
        creates = conn.execute(
            select(func.count())
            .select_from(audit_events)
            .where(audit_events.c.action == "checkout.create")
        ).scalar_one()
    assert creates == 197
    [detail] = imports_audited(excluding)
    assert result.file_digest in detail
    assert "3 invalid row(s) skipped" in detail
    archive = zipfile.ZipFile(
        io.BytesIO(import_license_files(excluding.services, excluding.admin, result.id or ""))
    )
    names = archive.namelist()
    assert len(names) == 197
    claims = verify(
        archive.read(names[0]), key_ring.trusted(), now=excluding.clock.now, machine_name="ws-0000"
    )
    assert claims.user_email == "user0@example.com"
    sheet = list(csv.DictReader(io.StringIO(result_sheet(result))))
    assert (sheet[9]["row"], sheet[9]["status"], sheet[9]["checkout_id"]) == ("11", "skipped", "")
    assert sheet[9]["problems"].endswith("closest: 10.17.2.61, 10.16.3.12.")
    assert (sheet[0]["status"], sheet[0]["checkout_id"]) == ("created", first.id)


def test_a_retried_upload_with_the_same_key_creates_nothing_more(excluding: World) -> None:
    first = import_checkouts(
        excluding.services, excluding.admin, file_of(), skip_invalid=True, idempotency_key="k-1"
    )
    again = import_checkouts(
        excluding.services, excluding.admin, file_of(), skip_invalid=True, idempotency_key="k-1"
    )
    assert again.replayed
    assert again.id == first.id
    assert [c.id for c in again.checkouts] == [c.id for c in first.checkouts]
    assert count(excluding) == 197
    assert len(imports_audited(excluding)) == 1
    with pytest.raises(Conflict) as reused:
        import_checkouts(excluding.services, excluding.admin, file_of(20), idempotency_key="k-1")
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_a_semicolon_file_with_a_bom_and_quoted_cells_parses(world: World) -> None:
    text = (
        "\ufeffuser;machine;country;license_service;applications;expires_on;activation_key;notes\n"
        'ana@example.com;WS-1;US;SES;"Atlas Designer 10.17.2.61; Bridgeworks 24.0.1.5";;;'
        '"Deck; two"\n'
        "ben@example.com;WS-2;GB;SELECTserver;GeoSurvey 8.4.1.0;2027-01-31;GB-KEY-1;\n"
    )
    result = import_checkouts(world.services, world.admin, text.encode())
    assert result.problems == []
    made = {c.user_email: c for c in result.checkouts}
    assert [line.application for line in made["ana@example.com"].lines] == [
        "Atlas Designer",
        "Bridgeworks",
    ]
    assert made["ana@example.com"].notes == "Deck; two"
    assert made["ben@example.com"].activation_key == "GB-KEY-1"


def test_the_files_own_rules_unknown_and_missing_columns_and_duplicates(world: World) -> None:
    text = "user,machine,colour,applications\nana@example.com,WS-1,red,Atlas Designer 10.17.2.61\n"
    result = import_checkouts(world.services, world.admin, text.encode(), dry_run=True)
    assert {(p.row, p.column, p.code.name) for p in result.header_problems} == {
        (1, "colour", "IMPORT_COLUMN_UNKNOWN"),
        (1, "country", "IMPORT_COLUMN_MISSING"),
    }
    with pytest.raises(ImportRefused):
        import_checkouts(world.services, world.admin, text.encode(), skip_invalid=True)
    twice = (
        f"{HEADER}\n"
        "ana@example.com,WS-1,US,SES,Atlas Designer 10.17.2.61,,,\n"
        "ANA@example.com,ws-1,US,SES,Atlas Designer 10.16.3.12,,,\n"
    )
    result = import_checkouts(world.services, world.admin, twice.encode(), dry_run=True)
    [problem] = result.problems
    assert (problem.row, problem.code.name) == (3, "IMPORT_DUPLICATE")
    assert "Row 2 already checks out Atlas Designer" in problem.message


def test_an_oversized_file_is_refused_with_its_limit(world: World) -> None:
    with pytest.raises(InvalidInput) as too_many:
        import_checkouts(world.services, world.admin, file_of(MAX_ROWS + 1), dry_run=True)
    assert too_many.value.code == "IMPORT_TOO_MANY_ROWS"
    assert "at most 10,000" in too_many.value.message
    padded = file_of(1) + b"#" * MAX_BYTES
    with pytest.raises(InvalidInput) as too_big:
        import_checkouts(world.services, world.admin, padded, dry_run=True)
    assert too_big.value.code == "IMPORT_FILE_TOO_LARGE"
    assert f"at most {MAX_BYTES:,} bytes" in too_big.value.message


def test_a_plain_user_cannot_import(world: World) -> None:
    with pytest.raises(Forbidden):
        import_checkouts(world.services, world.user, file_of(2), dry_run=True)
