"""Reading a catalog file names every bad row; planning an import only adds."""

from __future__ import annotations

from datetime import date

import pytest

from entitle.domain.catalog_file import (
    MAX_CATALOG_BYTES,
    may_import,
    parse_catalog,
    plan_import,
    require_importer,
)
from entitle.domain.codes import Code
from entitle.domain.errors import Forbidden, InvalidInput
from entitle.domain.model import ApplicationVersion, LicenseService, Organisation, Role, User
from entitle.domain.versions import Version

HEADER = "application,version,license_service\n"
ATLAS = ApplicationVersion("Atlas", Version.parse("1.0"), LicenseService.SES)


def test_every_bad_row_is_named_with_its_line_and_the_good_rows_are_kept() -> None:
    file = parse_catalog(HEADER + "Atlas,1.0,ses\n,2.0,SES\n\nAtlas,x,SES\nAtlas,3.0\n")
    assert [(r.line, str(r.release.version)) for r in file.rows] == [(2, "1.0")]
    assert file.rows[0].release.license_service is LicenseService.SES
    assert [(p.line, p.code) for p in file.problems] == [
        (3, Code.APPLICATION_REQUIRED),
        (5, Code.VERSION_MALFORMED),
        (6, Code.CATALOG_ROW),
    ]


def test_a_quoted_field_over_two_lines_keeps_the_line_numbers_of_the_file() -> None:
    file = parse_catalog(HEADER + '"Atlas\nDesigner",1.0,SES\nBridge,1.x,SES\n')
    assert [p.line for p in file.problems] == [3, 4]  # the control character, then the version


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("app,version\n", Code.CATALOG_HEADER),
        ("", Code.CATALOG_HEADER),
        (HEADER + "\n\n", Code.CATALOG_EMPTY),
        (b"\xff\xfe" + HEADER.encode(), Code.FILE_UNREADABLE),
        (HEADER + "A,1,SES\n" * (MAX_CATALOG_BYTES // 8), Code.CATALOG_TOO_LARGE),
    ],
)
def test_a_file_that_is_not_a_catalog_is_refused_whole(data: str | bytes, code: Code) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_catalog(data)
    assert (refused.value.problem, refused.value.field) == (code, "file")


def test_a_byte_order_mark_and_a_header_in_capitals_are_read() -> None:
    file = parse_catalog(b"\xef\xbb\xbfApplication,Version,License_Service\r\nAtlas,1.0,SES\r\n")
    assert len(file.rows) == 1


def test_an_import_adds_what_is_missing_and_leaves_what_is_there() -> None:
    file = parse_catalog(HEADER + "atlas,1.0,SES\nAtlas,1.1,SES\nBridge,2.0,SES\nbridge,02.0,SES\n")
    change = plan_import(file, {"atlas": [ATLAS]})
    assert [r.line for r in change.added] == [3, 4]
    assert [r.line for r in change.unchanged] == [2, 5]  # 02.0 is 2.0, listed twice
    assert change.new_applications == ("Bridge",)
    assert change.is_new_application("BRIDGE")
    assert not change.is_new_application("Atlas")
    assert change.refusal() is None


def test_an_import_does_not_change_the_license_service_of_a_version() -> None:
    file = parse_catalog(HEADER + "Atlas,1.0,SELECTserver\nNew,1,SES\nNew,1,SELECTserver\n")
    change = plan_import(file, {"atlas": [ATLAS]})
    assert [(p.line, p.code) for p in change.problems] == [
        (2, Code.CATALOG_SERVICE_CHANGE),
        (4, Code.CATALOG_SERVICE_CHANGE),
    ]
    assert "uses SES in the catalog" in change.problems[0].message
    assert "uses SES in line 3" in change.problems[1].message
    refusal = change.refusal()
    assert refusal is not None
    assert refusal.message.startswith("2 bad rows, nothing imported. Line 2: ")
    assert [e.message[:6] for e in refusal.errors] == ["Line 2", "Line 4"]


def test_only_administrators_of_a_maintaining_organisation_may_import() -> None:
    keeper = Organisation(1, "Keeper", True, date(2027, 1, 1), maintains_catalog=True)
    other = Organisation(2, "Other", True, date(2027, 1, 1))

    def user(role: Role) -> User:
        return User(1, 1, "a@example.com", "A", "US", role)

    assert may_import(user(Role.ADMINISTRATOR), keeper)
    assert not may_import(user(Role.CO_ADMINISTRATOR), keeper)
    assert not may_import(user(Role.ADMINISTRATOR), other)
    with pytest.raises(Forbidden, match="Other does not maintain the catalog"):
        require_importer(user(Role.ADMINISTRATOR), other)
    with pytest.raises(Forbidden, match="only Administrators import it"):
        require_importer(user(Role.CO_ADMINISTRATOR), keeper)
