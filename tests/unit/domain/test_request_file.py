"""Request files: a plain JSON format; every wrong field is named, unknown members ignored."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from entitle.domain.errors import DomainError
from entitle.domain.request_file import FORMAT, parse_request_file

FINGERPRINT = "0f" * 32
GOOD: dict[str, Any] = {
    "format": FORMAT,
    "machine_name": "LAB-AIRGAP-01",
    "machine_fingerprint": FINGERPRINT.upper(),
    "os_user": "ana",
    "applications": [{"application": "Atlas Designer", "version": "10.17.02.61"}],
    "expires_on": "2027-03-31",
    "country": "de",
    "created_at": "2027-01-15T09:30:00Z",
    "tool_version": "0.2.0",
    "from_a_newer_tool": True,
}


def refusals(document: Any) -> set[tuple[str, str | None]]:
    with pytest.raises(DomainError) as refused:
        parse_request_file(json.dumps(document))
    return {(e.code, e.field) for e in refused.value.errors}


def test_a_request_file_reads_with_its_values_normalised() -> None:
    found = parse_request_file(json.dumps(GOOD).encode())
    assert found.machine_name == "LAB-AIRGAP-01"
    assert found.machine_fingerprint == FINGERPRINT
    assert found.applications == (("Atlas Designer", "10.17.2.61"),)
    assert found.expires_on == date(2027, 3, 31)
    assert found.country == "DE"
    assert found.created_at == datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
    assert (found.os_user, found.tool_version) == ("ana", "0.2.0")


def test_only_the_three_identity_fields_are_required() -> None:
    minimal = {
        k: GOOD[k] for k in ("format", "machine_name", "machine_fingerprint", "applications")
    }
    assert parse_request_file(json.dumps(minimal)).expires_on is None


def test_every_wrong_field_is_named_at_once() -> None:
    bad = GOOD | {
        "machine_name": "not a name",
        "machine_fingerprint": "abc",
        "applications": [{"application": "Atlas", "version": "ten"}],
        "expires_on": "31/03/2027",
        "country": "Germany",
    }
    assert refusals(bad) == {
        ("MACHINE_NAME_INVALID", "machine_name"),
        ("MACHINE_FINGERPRINT_INVALID", "machine_fingerprint"),
        ("VERSION_MALFORMED", "applications[0].version"),
        ("DATE_INVALID", "expires_on"),
        ("COUNTRY_INVALID", "country"),
    }
    assert refusals({"format": FORMAT}) == {
        ("REQUEST_FILE_INVALID", "machine_name"),
        ("REQUEST_FILE_INVALID", "machine_fingerprint"),
        ("REQUEST_FILE_INVALID", "applications"),
    }
    assert refusals(GOOD | {"applications": []}) == {("APPLICATIONS_REQUIRED", "applications")}


@pytest.mark.parametrize("text", ["not json", "[]", '{"format": "entitle-checkout-request/2"}'])
def test_what_is_no_request_file_is_refused_as_such(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_request_file(text)
    assert refused.value.code == "REQUEST_FILE_INVALID"
