"""What a license says: the one vocabulary both file formats carry."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from entitle.licensefile.timestamps import UTC, datetime

FORMAT_VERSION = 1
SES = "SES"
SELECTSERVER = "SELECTserver"


class ClaimsError(ValueError):
    """The claims inside a file are missing, of the wrong type or inconsistent."""


class Frozen:
    """Immutable value objects without ``dataclasses``, which costs the workstation's
    licensing tool several milliseconds of imports on every product start.

    A subclass lists its attributes in ``_fields`` (and ``__slots__``) and sets them in
    ``__init__`` with :meth:`_init`; equality, hashing, ``repr`` and :meth:`replace` follow.
    """

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({fields})"

    def _init(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied, built (and checked) by ``__init__`` like a new one."""
        values = {name: getattr(self, name) for name in self._fields}
        return type(self)(**(values | changes))


class LicensedApplication(Frozen):
    """An application and version a license covers; ordered by name, then version."""

    _fields = ("name", "version")
    __slots__ = _fields
    name: str
    version: str

    def __init__(self, name: str, version: str) -> None:
        self._init(name=name, version=version)

    def __lt__(self, other: LicensedApplication) -> bool:
        return (self.name, self.version) < (other.name, other.version)

    def __le__(self, other: LicensedApplication) -> bool:
        return (self.name, self.version) <= (other.name, other.version)

    def __gt__(self, other: LicensedApplication) -> bool:
        return (self.name, self.version) > (other.name, other.version)

    def __ge__(self, other: LicensedApplication) -> bool:
        return (self.name, self.version) >= (other.name, other.version)


class LicenseClaims(Frozen):
    """Everything a product may rely on; both ``.belic`` and ``.xml`` decode to this.

    Immutable and compared by value. Times are UTC and kept to whole seconds, the precision
    both file formats carry.
    """

    _fields = (
        "checkout_id",
        "issuer",
        "organisation_id",
        "organisation_name",
        "user_email",
        "machine_name",
        "country",
        "license_service",
        "activation_key",
        "issued_at",
        "expires_at",
        "applications",
        "format_version",
        "machine_fingerprint",
    )
    __slots__ = _fields
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
    format_version: int
    machine_fingerprint: str | None

    def __init__(
        self,
        checkout_id: str,
        issuer: str,
        organisation_id: str,
        organisation_name: str,
        user_email: str,
        machine_name: str,
        country: str,
        license_service: str,
        activation_key: str | None,
        issued_at: datetime,
        expires_at: datetime,
        applications: tuple[LicensedApplication, ...],
        format_version: int = FORMAT_VERSION,
        machine_fingerprint: str | None = None,
    ) -> None:
        if license_service not in (SES, SELECTSERVER):
            raise ClaimsError(f"unknown license service {license_service!r}")
        if (license_service == SELECTSERVER) != (activation_key is not None):
            raise ClaimsError("an activation key goes with SELECTserver licenses only")
        for moment in (issued_at, expires_at):
            if moment.tzinfo is None or moment.utcoffset() != UTC.utcoffset(None):
                raise ClaimsError("license times must be in UTC")
        issued_at = issued_at.replace(microsecond=0)
        expires_at = expires_at.replace(microsecond=0)
        if expires_at <= issued_at:
            raise ClaimsError("a license must expire after it is issued")
        if not applications:
            raise ClaimsError("a license names at least one application")
        if machine_fingerprint is not None and (
            not isinstance(machine_fingerprint, str) or not machine_fingerprint
        ):
            raise ClaimsError("a machine fingerprint is non-empty text")
        self._init(
            checkout_id=checkout_id,
            issuer=issuer,
            organisation_id=organisation_id,
            organisation_name=organisation_name,
            user_email=user_email,
            machine_name=machine_name,
            country=country,
            license_service=license_service,
            activation_key=activation_key,
            issued_at=issued_at,
            expires_at=expires_at,
            applications=tuple(applications),
            format_version=format_version,
            machine_fingerprint=machine_fingerprint,
        )

    @property
    def file_extension(self) -> str:
        return ".belic" if self.license_service == SES else ".xml"

    def covers(self, application: str, version: str) -> bool:
        return any(
            a.name.lower() == application.lower() and _same_version(a.version, version)
            for a in self.applications
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready claims; times are whole seconds since the epoch, as in JWT.

        ``machine_fingerprint`` appears only when the license is bound to one, so a license
        bound by name alone reads exactly as those issued before fingerprints existed.
        """
        data: dict[str, Any] = {
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
        if self.machine_fingerprint is not None:
            data["machine_fingerprint"] = self.machine_fingerprint
        return data

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
                activation_key=None
                if data["activation_key"] is None
                else _str(data["activation_key"]),
                issued_at=datetime.fromtimestamp(_int(data["iat"]), UTC),
                expires_at=datetime.fromtimestamp(_int(data["exp"]), UTC),
                applications=tuple(
                    LicensedApplication(_str(a["name"]), _str(a["version"])) for a in data["apps"]
                ),
                machine_fingerprint=_str(data["machine_fingerprint"])
                if "machine_fingerprint" in data
                else None,
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
