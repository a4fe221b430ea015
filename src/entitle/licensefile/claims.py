"""What a license says: the one vocabulary both file formats carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT_VERSION = 1
SES = "SES"
SELECTSERVER = "SELECTserver"


class ClaimsError(ValueError):
    """The claims inside a file are missing, of the wrong type or inconsistent."""


@dataclass(frozen=True, order=True)
class LicensedApplication:
    name: str
    version: str


@dataclass(frozen=True)
class LicenseClaims:
    """Everything a product may rely on; both ``.belic`` and ``.xml`` decode to this."""

    checkout_id: str
    issuer: str
    organisation_id: str
    organisation_name: str
    user_email: str
    machine_name: str
    country: str
    license_service: str
    activation_key: str | None
    issued_at: datetime
    expires_at: datetime
    applications: tuple[LicensedApplication, ...]
    format_version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        if self.license_service not in (SES, SELECTSERVER):
            raise ClaimsError(f"unknown license service {self.license_service!r}")
        if (self.license_service == SELECTSERVER) != (self.activation_key is not None):
            raise ClaimsError("an activation key goes with SELECTserver licenses only")
        for moment in (self.issued_at, self.expires_at):
            if moment.tzinfo is None or moment.utcoffset() != UTC.utcoffset(None):
                raise ClaimsError("license times must be in UTC")
        if self.expires_at <= self.issued_at:
            raise ClaimsError("a license must expire after it is issued")
        if not self.applications:
            raise ClaimsError("a license names at least one application")

    @property
    def file_extension(self) -> str:
        return ".belic" if self.license_service == SES else ".xml"

    def covers(self, application: str, version: str) -> bool:
        return any(
            a.name.lower() == application.lower() and _same_version(a.version, version)
            for a in self.applications
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready claims; times are whole seconds since the epoch, as in JWT."""
        return {
            "ver": self.format_version,
            "jti": self.checkout_id,
            "iss": self.issuer,
            "org": {"id": self.organisation_id, "name": self.organisation_name},
            "sub": self.user_email,
            "machine": self.machine_name,
            "country": self.country,
            "service": self.license_service,
            "activation_key": self.activation_key,
            "iat": int(self.issued_at.timestamp()),
            "exp": int(self.expires_at.timestamp()),
            "apps": [{"name": a.name, "version": a.version} for a in self.applications],
        }

    @classmethod
    def from_dict(cls, data: Any) -> LicenseClaims:
        try:
            org = data["org"]
            return cls(
                format_version=_int(data["ver"]),
                checkout_id=_str(data["jti"]),
                issuer=_str(data["iss"]),
                organisation_id=_str(org["id"]),
                organisation_name=_str(org["name"]),
                user_email=_str(data["sub"]),
                machine_name=_str(data["machine"]),
                country=_str(data["country"]),
                license_service=_str(data["service"]),
                activation_key=None if data["activation_key"] is None else _str(
                    data["activation_key"]
                ),
                issued_at=datetime.fromtimestamp(_int(data["iat"]), UTC),
                expires_at=datetime.fromtimestamp(_int(data["exp"]), UTC),
                applications=tuple(
                    LicensedApplication(_str(a["name"]), _str(a["version"])) for a in data["apps"]
                ),
            )
        except (KeyError, TypeError, IndexError, OverflowError, OSError, ValueError) as error:
            if isinstance(error, ClaimsError):
                raise
            raise ClaimsError(f"the license claims are incomplete or malformed: {error}") from None


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ClaimsError("expected a non-empty text value")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ClaimsError("expected a whole number")
    return value


def _same_version(a: str, b: str) -> bool:
    try:
        return tuple(int(p) for p in a.split(".")) == tuple(int(p) for p in b.split("."))
    except ValueError:
        return a == b
