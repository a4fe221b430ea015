"""The rules a new checkout and a check-in must satisfy, as ordered guard clauses."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from entitle.domain import names
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from entitle.domain.expiry import choose_expiry
from entitle.domain.listing import status_of
from entitle.domain.model import (
    ActivationKey,
    ApplicationVersion,
    Checkout,
    CheckoutLine,
    LicenseService,
    Organisation,
    Status,
    User,
)
from entitle.domain.versions import Version, closest

MAX_APPLICATIONS = 50
_T = TypeVar("_T")


@dataclass(frozen=True)
class CheckoutRequest:
    """What an administrator asks for, as typed."""

    country: str
    license_service: str
    user: str
    machine: str
    applications: Sequence[tuple[str, str]]
    activation_key: str | None = None
    expires_on: date | None = None


@dataclass(frozen=True)
class CheckoutPlan:
    """A request that passed every rule: ready to be signed and stored."""

    country: str
    license_service: LicenseService
    user_email: str
    machine: str
    activation_key: str | None
    lines: tuple[CheckoutLine, ...]
    expires_on: date


def require_manager(actor: User) -> None:
    if not actor.role.manages_checkouts:
        raise Forbidden(
            Code.ROLE_CANNOT_MANAGE_CHECKOUTS,
            "Only an Administrator or Co-Administrator can create or check in checkouts.",
        )


PLAN_REFUSALS = (
    Code.ROLE_CANNOT_MANAGE_CHECKOUTS,
    Code.COUNTRY_INVALID,
    Code.COUNTRY_NOT_ENTITLED,
    Code.CHECKOUTS_DISABLED,
    Code.LICENSE_SERVICE_UNKNOWN,
    Code.EMAIL_INVALID,
    Code.MACHINE_NAME_INVALID,
    Code.ACTIVATION_KEY_NOT_ALLOWED,
    Code.ACTIVATION_KEY_REQUIRED,
    Code.ACTIVATION_KEY_NOT_IN_COUNTRY,
    Code.APPLICATIONS_REQUIRED,
    Code.TOO_MANY_APPLICATIONS,
    Code.APPLICATION_UNKNOWN,
    Code.APPLICATION_NOT_IN_SERVICE,
    Code.APPLICATION_REPEATED,
    Code.VERSION_UNKNOWN,
    Code.CONTRACT_ENDED,
    Code.EXPIRY_TOO_SOON,
    Code.EXPIRY_AFTER_CAP,
)
"""What :func:`plan_checkout` refuses a request with, in the order it checks."""


def plan_checkout(
    request: CheckoutRequest,
    organisation: Organisation,
    actor: User,
    releases: Mapping[str, Sequence[ApplicationVersion]],
    activation_keys: Sequence[ActivationKey],
    today: date,
) -> CheckoutPlan:
    """Check a request against every rule; ``releases`` maps lower-cased names to versions."""
    require_manager(actor)
    errors: list[DomainError] = []

    def guard(check: Callable[[], _T]) -> _T | None:
        try:
            return check()
        except InvalidInput as refusal:
            errors.append(refusal)
            return None

    country = guard(lambda: _country(request.country, organisation))
    service = guard(lambda: LicenseService.parse(request.license_service))
    user_email = guard(lambda: names.email(request.user))
    machine = guard(lambda: names.machine_name(request.machine))
    key = guard(lambda: _activation_key(request.activation_key, service, country, activation_keys))
    lines = guard(lambda: _lines(request.applications, service, releases))
    expires_on = None
    if country is not None:
        settings = organisation.settings_for(country)
        assert settings is not None
        expires_on = guard(
            lambda: choose_expiry(request.expires_on, today, organisation.contract_end, settings)
        )
    if errors:
        raise DomainError.of_all(errors)
    assert country
    assert service
    assert user_email
    assert machine
    assert lines
    assert expires_on
    return CheckoutPlan(country, service, user_email, machine, key, lines, expires_on)


def _country(text: str, organisation: Organisation) -> str:
    code = names.country(text)
    settings = organisation.settings_for(code)
    if settings is None:
        known = ", ".join(c.country for c in organisation.countries) or "none"
        raise InvalidInput(
            Code.COUNTRY_NOT_ENTITLED,
            f"{code} is not one of your entitlement countries ({known}).",
            field="country",
        )
    if not settings.checkouts_enabled:
        raise InvalidInput(
            Code.CHECKOUTS_DISABLED,
            f"Checkouts are turned off for {code}; ask your account manager to enable them.",
            field="country",
        )
    return code


def _activation_key(
    text: str | None,
    service: LicenseService | None,
    country: str | None,
    keys: Sequence[ActivationKey],
) -> str | None:
    key = (text or "").strip()
    if service is None:
        return None
    if not service.needs_activation_key:
        if key:
            raise InvalidInput(
                Code.ACTIVATION_KEY_NOT_ALLOWED,
                "Activation keys are for SELECTserver checkouts only; leave the key empty for SES.",
                field="activation_key",
            )
        return None
    if not key:
        raise InvalidInput(
            Code.ACTIVATION_KEY_REQUIRED,
            "A SELECTserver checkout needs an activation key of the entitlement country.",
            field="activation_key",
        )
    match = next((k for k in keys if k.key.upper() == key.upper()), None)
    if match is None or (country is not None and match.country != country):
        raise InvalidInput(
            Code.ACTIVATION_KEY_NOT_IN_COUNTRY,
            f"Activation key {key} is not one of your keys for {country or 'that country'}.",
            field="activation_key",
        )
    return match.key


def _lines(
    wanted: Sequence[tuple[str, str]],
    service: LicenseService | None,
    releases: Mapping[str, Sequence[ApplicationVersion]],
) -> tuple[CheckoutLine, ...]:
    if not wanted:
        raise InvalidInput(
            Code.APPLICATIONS_REQUIRED, "Add at least one application.", field="applications"
        )
    if len(wanted) > MAX_APPLICATIONS:
        raise InvalidInput(
            Code.TOO_MANY_APPLICATIONS,
            f"A checkout holds at most {MAX_APPLICATIONS} applications.",
            field="applications",
        )
    lines: list[CheckoutLine] = []
    for name, version_text in wanted:
        known = releases.get(name.strip().lower())
        if not known:
            raise InvalidInput(
                Code.APPLICATION_UNKNOWN,
                f"'{name}' is not an application in the catalog; pick one from the list.",
                field="applications",
            )
        offered = [r for r in known if service is None or r.license_service is service]
        if not offered:
            raise InvalidInput(
                Code.APPLICATION_NOT_IN_SERVICE,
                f"No version of {known[0].application} uses {service}; "
                "choose the other license service.",
                field="applications",
            )
        version = _version(version_text, known[0].application, offered)
        line = CheckoutLine(known[0].application, version)
        if line in lines:
            raise InvalidInput(
                Code.APPLICATION_REPEATED,
                f"{line.application} {line.version} is listed twice; remove one.",
                field="applications",
            )
        lines.append(line)
    return tuple(lines)


def _version(text: str, application: str, offered: Sequence[ApplicationVersion]) -> Version:
    versions = [r.version for r in offered]
    try:
        version = Version.parse(text)
    except InvalidInput:
        version = None
    if version is None or version not in versions:
        hint = ", ".join(closest(text.strip(), versions))
        raise InvalidInput(
            Code.VERSION_UNKNOWN,
            f"{application} has no released version '{text.strip()}' for this license service; "
            f"closest: {hint}.",
            field="applications",
        )
    return version


CHECK_IN_REFUSALS = (Code.NON_SELECT_CHECK_IN, Code.ALREADY_CHECKED_IN, Code.ALREADY_EXPIRED)
"""What :func:`require_check_in_allowed` refuses an administrator's check-in with, in order."""


def require_check_in_allowed(checkout: Checkout, organisation: Organisation, now: datetime) -> None:
    """Guards for an administrator's check-in, in order of precedence."""
    if not organisation.has_select:
        raise Forbidden(
            Code.NON_SELECT_CHECK_IN,
            "Accounts without a maintenance agreement (non-SELECT) cannot check in from the "
            "portal: clear the license on the workstation with the licensing tool "
            "(entitle-tool clear).",
        )
    status = status_of(checkout, now)
    if status is Status.CHECKED_IN:
        raise Conflict(Code.ALREADY_CHECKED_IN, "This checkout is already checked in.")
    if status is Status.EXPIRED:
        raise Conflict(
            Code.ALREADY_EXPIRED, "This checkout has expired, so it was checked in at its expiry."
        )
