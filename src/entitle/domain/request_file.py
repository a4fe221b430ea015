"""Checkout request files: what an air-gapped workstation hands its administrator.

Plain JSON, not signed (the administrator decides what to check out), written by
``entitle-tool request``::

    {"format": "entitle-checkout-request/1",
     "machine_name": "LAB-AIRGAP-01",
     "machine_fingerprint": "<64 hex digits: entitle-tool machine>",
     "os_user": "ana",
     "applications": [{"application": "Atlas Designer", "version": "10.17.2.61"}],
     "expires_on": "2027-03-31",            (optional: the latest allowed)
     "country": "DE",                       (optional)
     "created_at": "2027-01-15T09:30:00Z",  (optional)
     "tool_version": "0.2.0"}               (optional)

Members this version does not know are ignored, so a newer tool's file still reads. Every
field that is wrong is named at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from entitle.domain import names
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput
from entitle.domain.versions import Version

FORMAT = "entitle-checkout-request/1"
MAX_TEXT = 254
MAX_APPLICATIONS = 50


@dataclass(frozen=True)
class RequestFile:
    """A request file that reads: the workstation's identity and what it asks for."""

    machine_name: str
    machine_fingerprint: str
    applications: tuple[tuple[str, str], ...]
    os_user: str | None = None
    expires_on: date | None = None
    country: str | None = None
    created_at: datetime | None = None
    tool_version: str | None = None


def parse_request_file(data: str | bytes) -> RequestFile:
    """The request in ``data``, or a refusal naming each field that is wrong."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        raise _invalid(
            "The file is not JSON: choose the request file entitle-tool wrote."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _invalid(
            f"The file is not a checkout request: its 'format' is not {FORMAT!r}.", "format"
        )
    errors: list[DomainError] = []

    def read(field: str, parse: Any, required: bool = False) -> Any:
        value = document.get(field)
        if value is None:
            if required:
                errors.append(_invalid(f"The request names no {field}.", field))
            return None
        try:
            return parse(value, field)
        except InvalidInput as refusal:
            refusal.field = field if refusal.field in {None, "machine"} else refusal.field
            errors.append(refusal)
            return None

    machine = read("machine_name", lambda v, f: names.machine_name(_text(v, f)), True)
    fingerprint = read(
        "machine_fingerprint", lambda v, f: names.machine_fingerprint(_text(v, f), field=f), True
    )
    lines = read("applications", _applications, True)
    found = RequestFile(
        machine_name=machine,
        machine_fingerprint=fingerprint,
        applications=lines,
        os_user=read("os_user", _text),
        expires_on=read("expires_on", _day),
        country=read("country", lambda v, f: names.country(_text(v, f), field=f)),
        created_at=read("created_at", _moment),
        tool_version=read("tool_version", _text),
    )
    if errors:
        raise DomainError.of_all(errors)
    return found


def _invalid(message: str, field: str = "file") -> InvalidInput:
    return InvalidInput(Code.REQUEST_FILE_INVALID, message, field=field)


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT or "\x00" in value:
        raise _invalid(f"{field} is text of 1 to {MAX_TEXT} characters.", field)
    return value.strip()


def _applications(value: Any, field: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise _invalid("applications is a list of {application, version}.", field)
    if not value:
        raise InvalidInput(
            Code.APPLICATIONS_REQUIRED, "The request names no application.", field=field
        )
    if len(value) > MAX_APPLICATIONS:
        raise InvalidInput(
            Code.TOO_MANY_APPLICATIONS,
            f"A checkout holds at most {MAX_APPLICATIONS} applications.",
            field=field,
        )
    lines = []
    for position, item in enumerate(value):
        where = f"{field}[{position}]"
        if not isinstance(item, dict):
            raise _invalid(f"{where} is an object with application and version.", where)
        name = _text(item.get("application"), f"{where}.application")
        version_text = _text(item.get("version"), f"{where}.version")
        try:
            version = Version.parse(version_text)
        except InvalidInput as refusal:
            refusal.field = f"{where}.version"
            raise
        lines.append((name, str(version)))
    return tuple(lines)


def _day(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(_text(value, field))
    except ValueError:
        raise InvalidInput(
            Code.DATE_INVALID, f"{field} is a date written as YYYY-MM-DD.", field=field
        ) from None


def _moment(value: Any, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(_text(value, field))
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(
            Code.TIMESTAMP_OUT_OF_RANGE,
            f"{field} is a time such as 2027-01-15T09:30:00Z.",
            field=field,
        ) from None
