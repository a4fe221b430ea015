"""The things a checkout is made of, in the words of the people who use them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput

# Re-exported: an organisation's countries are its checkout policies.
from entitle.domain.policy import MAX_CHECKOUT_DAYS as MAX_CHECKOUT_DAYS
from entitle.domain.policy import CheckoutPolicy as CheckoutPolicy
from entitle.domain.versions import Version


class Role(enum.StrEnum):
    ADMINISTRATOR = "Administrator"
    CO_ADMINISTRATOR = "Co-Administrator"
    USER = "User"

    @property
    def manages_checkouts(self) -> bool:
        return self is not Role.USER

    @property
    def manages_users(self) -> bool:
        """Administrators invite users and change their roles, countries and access;
        Co-Administrators see the list of users, read-only."""
        return self is Role.ADMINISTRATOR

    @property
    def manages_webhooks(self) -> bool:
        """Administrators keep the organisation's webhooks and notifications: their secrets
        and what leaves entitle."""
        return self is Role.ADMINISTRATOR

    @property
    def sees_users(self) -> bool:
        return self is not Role.USER


class LicenseService(enum.StrEnum):
    SES = "SES"
    SELECTSERVER = "SELECTserver"

    @property
    def file_extension(self) -> str:
        return ".belic" if self is LicenseService.SES else ".xml"

    @property
    def needs_activation_key(self) -> bool:
        return self is LicenseService.SELECTSERVER

    @classmethod
    def parse(cls, text: str) -> LicenseService:
        """``SES`` or ``SELECTserver`` as typed, in any case."""
        for service in cls:
            if text.strip().lower() == service.value.lower():
                return service
        raise InvalidInput(
            Code.LICENSE_SERVICE_UNKNOWN,
            f"'{text}' is not a license service: choose SES or SELECTserver.",
            field="license_service",
        )


class CheckInMethod(enum.StrEnum):
    """How a checkout was checked in: by an administrator in the portal or the API, from the
    workstation (the licensing tool's receipt, or its online return), or at its expiry."""

    PORTAL = "portal"
    CLIENT = "client"
    EXPIRY = "expiry"


class CreatedVia(enum.StrEnum):
    """How a checkout was made: by an administrator (portal or API), by an administrator from a
    workstation's request file (the file binds the workstation's fingerprint), or by the user
    for themselves from the workstation."""

    ADMIN = "admin"
    REQUEST_FILE = "request_file"
    SELF_SERVICE = "self_service"


class Status(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    CHECKED_IN = "checked_in"


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    has_select: bool
    contract_end: date
    countries: tuple[CheckoutPolicy, ...] = ()
    # Its Administrators import the catalog, which every organisation of the server shares.
    maintains_catalog: bool = False

    def policy_for(self, country: str) -> CheckoutPolicy | None:
        return next((c for c in self.countries if c.country == country), None)


@dataclass(frozen=True)
class User:
    id: int
    organisation_id: int
    email: str
    display_name: str
    usage_country: str
    role: Role
    # An Administrator may deactivate a user: no login, and their sessions and tokens ended.
    active: bool = True
    last_login_at: datetime | None = field(default=None, compare=False)
    # Their own language (entitle.domain.languages), or None: the browser's, e-mails English.
    language: str | None = None


@dataclass(frozen=True)
class ActivationKey:
    key: str
    country: str
    retired: bool = False


@dataclass(frozen=True)
class ApplicationVersion:
    application: str
    version: Version
    license_service: LicenseService


@dataclass(frozen=True)
class CheckoutLine:
    """One application, at one version, held by a checkout."""

    application: str
    version: Version


@dataclass(frozen=True)
class Checkout:
    id: str
    organisation_id: int
    country: str
    license_service: LicenseService
    user_email: str
    machine: str
    activation_key: str | None
    lines: tuple[CheckoutLine, ...]
    created_at: datetime
    created_by: str
    expires_at: datetime
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    check_in_method: CheckInMethod | None = None
    user_display_name: str | None = None
    # A client check-in's clear time as the workstation stated it (entitle.domain.receipts).
    client_cleared_at: datetime | None = None
    license_digest: str | None = field(default=None, compare=False)
    created_via: CreatedVia = CreatedVia.ADMIN
    # The workstation's fingerprint the license file is bound to, beside its name (if any).
    machine_fingerprint: str | None = None
    # What administrators keep with the checkout (entitle.domain.checkouts.checkout_notes).
    notes: str | None = None
