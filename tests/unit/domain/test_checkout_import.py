"""Reading an import file: its separators, encodings, header, rows and their numbers."""

from __future__ import annotations

import pytest

from entitle.domain.checkout_import import applications, read_import_file
from entitle.domain.errors import InvalidInput


def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_empty_rows_are_left_out() -> None:
    read = read_import_file(
        b"user,machine,country,applications\r\n"
        b"ana@example.com,WS-1,US,Atlas Designer 10.17.2.61\r\n"
        b",,,\r\n"
        b'ben@example.com,WS-2,US,"Atlas Designer 10.17.2.61; GeoSurvey 8.5.0.2"\r\n'
    )
    assert [row.number for row in read.rows] == [2, 4]
    assert read.rows[1].request is not None
    assert read.rows[1].request.applications == (
        ("Atlas Designer", "10.17.2.61"),
        ("GeoSurvey", "8.5.0.2"),
    )
    assert read.header_problems == ()


def test_a_semicolon_file_with_a_bom_and_headers_in_any_case_and_order() -> None:
    read = read_import_file(
        "\ufeffCountry; User ;machine;applications;notes\n"
        'us;ana@example.com;WS-1;Atlas Designer 10.17.2.61;"Deck; two"\n'.encode()
    )
    [row] = read.rows
    assert row.request is not None
    assert (row.request.country, row.request.user, row.notes) == (
        "us",
        "ana@example.com",
        "Deck; two",
    )


def test_a_row_with_more_cells_than_columns_and_a_bad_date_are_problems_of_their_row() -> None:
    read = read_import_file(
        b"user,machine,country,applications,expires_on\n"
        b"ana@example.com,WS-1,US,Atlas Designer 10.17.2.61; GeoSurvey 8.5.0.2,,extra\n"
        b"ben@example.com,WS-2,US,Atlas Designer 10.17.2.61,31/12/2027\n"
    )
    first, second = read.rows
    assert [p.code.name for p in first.problems] == ["IMPORT_ROW_MALFORMED"]
    assert [(p.column, p.code.name) for p in second.problems] == [("expires_on", "DATE_INVALID")]


def test_an_application_without_a_version_keeps_an_empty_version_for_the_rules_to_name() -> None:
    assert applications("Atlas Designer;  ; GeoSurvey 8.5.0.2") == (
        ("Atlas Designer", ""),
        ("GeoSurvey", "8.5.0.2"),
    )
    assert applications("Bridgeworks") == (("Bridgeworks", ""),)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "IMPORT_FILE_EMPTY"),
        (b"user,machine,country,applications\n", "IMPORT_FILE_EMPTY"),
        (b"user,machine\n\xff\xfe\n", "IMPORT_NOT_TEXT"),
        (b"user,machine\nana\x00,WS-1\n", "IMPORT_NOT_TEXT"),
        (b'user,machine\n"ana,WS-1\n', "IMPORT_NOT_TEXT"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(data: bytes, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_import_file(data)
    assert refused.value.code == code
