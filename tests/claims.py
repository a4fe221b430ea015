"""License claims for tests: one ordinary license, changed where a test needs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from entitle.licensefile import SELECTSERVER, SES, LicenseClaims, LicensedApplication

NOW = datetime.now(UTC).replace(microsecond=0)
MACHINE = "WS-1"
KEYS_MADE = NOW - timedelta(days=400)
"""When test key rings are made: early enough that their signing certificates cover every
license the tests issue, including the integration tests' fixed clock."""


def make_claims(service: str = SES, **changes: Any) -> LicenseClaims:
    """A license for machine ``WS-1``, issued a day ago, valid for 30 days; ``changes`` win."""
    values: dict[str, Any] = {
        "checkout_id": "chk-0001",
        "issuer": "https://licenses.example.com",
        "organisation_id": "org-42",
        "organisation_name": "Müller & Söhne <GmbH>",
        "user_email": "ada@example.com",
        "machine_name": MACHINE,
        "country": "DE",
        "license_service": service,
        "activation_key": "AK-1234-5678" if service == SELECTSERVER else None,
        "issued_at": NOW - timedelta(days=1),
        "expires_at": NOW + timedelta(days=30),
        "applications": (
            LicensedApplication("Designer", "2.1"),
            LicensedApplication("Viewer", "10.0.3"),
        ),
    }
    values.update(changes)
    return LicenseClaims(**values)
