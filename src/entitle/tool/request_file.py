"""Checkout request files: what an air-gapped workstation hands its administrator.

``entitle-tool request`` writes one without any network: this machine's name and fingerprint,
the OS user, the applications wanted and, optionally, the wanted expiry and entitlement
country. Plain JSON, not signed (the administrator decides what to check out), in the format
the README documents and ``docs/checkout-request.schema.json`` describes::

    {"format": "entitle-checkout-request/1",
     "machine_name": "LAB-AIRGAP-01",
     "machine_fingerprint": "<64 hex digits: entitle-tool machine>",
     "os_user": "ana",
     "applications": [{"application": "Atlas Designer", "version": "10.17.2.61"}],
     "expires_on": "2027-03-31",
     "country": "DE",
     "created_at": "2027-01-15T09:30:00Z",
     "tool_version": "0.2.0"}

The administrator imports it in the portal's New panel (or ``POST /api/v1/checkout-requests``);
the license file comes back bound to this machine's fingerprint, and is imported here with
``entitle-tool import``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from entitle import __version__
from entitle.machine_names import is_machine_name
from entitle.tool.errors import ToolError
from entitle.tool.home import this_machine, user_profile

REQUEST_FORMAT = "entitle-checkout-request/1"
MAX_APPLICATIONS = 50
VERSION_PATTERN = r"\d{1,9}(\.\d{1,9}){0,5}"
"""A version as the request format takes it: up to six dot-separated numbers."""


class WrittenRequest(NamedTuple):
    """The request written, and where."""

    path: str
    document: dict[str, Any]


def checkout_request(
    applications: Sequence[tuple[str, str]],
    *,
    expires_on: date | None = None,
    days: int | None = None,
    country: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The request of this machine for ``applications`` (``(name, version)`` pairs).

    ``days`` instead of ``expires_on``: that many days from today (UTC), as the server counts
    them. Raises ValueError for a malformed argument, and
    :class:`~entitle.tool.errors.ToolError` when this machine's name cannot be named in a
    checkout (:class:`~entitle.tool.errors.MachineIdUnavailable` when it has no machine id).
    """
    moment = (datetime.now(UTC) if now is None else now).astimezone(UTC).replace(microsecond=0)
    lines = _applications(applications)
    if expires_on is not None and days is not None:
        raise ValueError("give expires_on or days, not both")
    if days is not None:
        if not 1 <= days <= 365:
            raise ValueError("days is 1 to 365")
        expires_on = moment.date() + timedelta(days=days)
    machine = this_machine()
    if not is_machine_name(machine.name):
        raise ToolError(
            f"This machine's name {machine.name!r} cannot be named in a checkout (1 to 63 "
            "letters, digits and hyphens, not only digits): ask the system administrator to "
            "rename it."
        )
    document: dict[str, Any] = {
        "format": REQUEST_FORMAT,
        "machine_name": machine.name,
        "machine_fingerprint": machine.fingerprint,
        "os_user": user_profile(),
        "applications": lines,
    }
    if expires_on is not None:
        document["expires_on"] = expires_on.isoformat()
    if country:
        document["country"] = _country(country)
    document["created_at"] = moment.isoformat().replace("+00:00", "Z")
    document["tool_version"] = __version__
    return document


def write_request(
    path: str | os.PathLike[str],
    applications: Sequence[tuple[str, str]],
    *,
    expires_on: date | None = None,
    days: int | None = None,
    country: str | None = None,
    now: datetime | None = None,
) -> WrittenRequest:
    """Write :func:`checkout_request` to ``path`` (replaced whole, readable by everyone: it
    holds nothing secret and travels on a USB stick)."""
    from entitle.tool.files import write_atomic

    document = checkout_request(
        applications, expires_on=expires_on, days=days, country=country, now=now
    )
    name = os.path.abspath(os.fspath(path))
    try:
        write_atomic(name, to_bytes(document), mode=0o644)
    except OSError as error:
        raise ToolError(f"Cannot write {name} ({error.strerror}).") from None
    return WrittenRequest(name, document)


def to_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def is_version(text: str) -> bool:
    """Whether ``text`` is a version the request format takes, such as ``10.17.2.61``."""
    import re

    return re.fullmatch(VERSION_PATTERN, text.strip()) is not None


def _applications(applications: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    if not applications:
        raise ValueError("a request names at least one application")
    if len(applications) > MAX_APPLICATIONS:
        raise ValueError(f"a request names at most {MAX_APPLICATIONS} applications")
    lines = []
    for name, version in applications:
        if not name.strip() or len(name) > 254:
            raise ValueError("an application's name is 1 to 254 characters")
        if not is_version(version):
            raise ValueError(f"{version!r} is not a version such as 10.17.2.61")
        lines.append({"application": name.strip(), "version": version.strip()})
    return lines


def _country(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError(f"{text!r} is not a country code: two letters, such as US")
    return code
