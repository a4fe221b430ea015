"""The rules a new checkout and a check-in must satisfy, as ordered guard clauses."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from entitle.domain import names
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from entitle.domain.expiry import choose_expiry, expiry_cap
from entitle.domain.listing import status_of
from entitle.domain.model import (
    ActivationKey,
    ApplicationVersion,
    Checkout,
    CheckoutLine,
    CreatedVia,
    LicenseService,
    Organisation,
    Status,
    User,
)
from entitle.domain.policy import (
    CheckoutPolicy,
    application_refusal,
    checkouts_refusal,
    choose_self_service_country,
    self_service_refusal,
)
from entitle.domain.versions import Version, closest

MAX_APPLICATIONS = 50
_T = TypeVar("_T")


@dataclass(frozen=True)
class CheckoutRequest:
    """What an administrator, a request file or a user for themselves asks for, as typed.

    ``license_service`` None: the one the versions use. ``days`` instead of ``expires_on``:
    that many days from today. A ``machine_fingerprint`` binds the license file to the
    workstation that reported it, beside its name.
    """

    country: str
    license_service: str | None
    user: str
    machine: str
    applications: Sequence[tuple[str, str]]
    activation_key: str | None = None
    expires_on: date | None = None
    via: CreatedVia = CreatedVia.ADMIN
    machine_fingerprint: str | None = None
    days: int | None = None


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
    via: CreatedVia = CreatedVia.ADMIN
    machine_fingerprint: str | None = None


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
    Code.MACHINE_FINGERPRINT_INVALID,
    Code.ACTIVATION_KEY_NOT_ALLOWED,
    Code.ACTIVATION_KEY_REQUIRED,
    Code.ACTIVATION_KEY_NOT_IN_COUNTRY,
    Code.APPLICATIONS_REQUIRED,
    Code.TOO_MANY_APPLICATIONS,
    Code.APPLICATION_UNKNOWN,
    Code.APPLICATION_NOT_IN_SERVICE,
    Code.APPLICATION_REPEATED,
    Code.APPLICATION_EXCLUDED,
    Code.APPLICATION_NOT_ALLOWED,
    Code.VERSION_UNKNOWN,
    Code.CONTRACT_ENDED,
    Code.EXPIRY_TOO_SOON,
    Code.EXPIRY_AFTER_CAP,
)
"""What :func:`plan_checkout` refuses an administrator's request with, in the order it checks."""

SELF_SERVICE_REFUSALS = (
    Code.COUNTRY_REQUIRED,
    Code.COUNTRY_INVALID,
    Code.COUNTRY_NOT_ENTITLED,
    Code.CHECKOUTS_DISABLED,
    Code.SELF_SERVICE_OFF,
    Code.SELF_SERVICE_NOT_ALLOWED_FOR_USER,
    Code.MACHINE_NAME_INVALID,
    Code.MACHINE_FINGERPRINT_INVALID,
    Code.ACTIVATION_KEY_REQUIRED,
    Code.ACTIVATION_KEY_NOT_ALLOWED,
    Code.ACTIVATION_KEY_NOT_IN_COUNTRY,
    Code.APPLICATIONS_REQUIRED,
    Code.TOO_MANY_APPLICATIONS,
    Code.APPLICATION_UNKNOWN,
    Code.LICENSE_SERVICES_MIXED,
    Code.APPLICATION_REPEATED,
    Code.APPLICATION_EXCLUDED,
    Code.APPLICATION_NOT_ALLOWED,
    Code.VERSION_UNKNOWN,
    Code.EXPIRY_OR_DAYS,
    Code.CONTRACT_ENDED,
    Code.EXPIRY_TOO_SOON,
    Code.EXPIRY_AFTER_CAP,
    Code.SELF_SERVICE_DAYS_OVER_MAX,
)
"""What :func:`plan_checkout` refuses a user's checkout for themselves with, in order."""


def plan_checkout(
    request: CheckoutRequest,
    organisation: Organisation,
    actor: User,
    releases: Mapping[str, Sequence[ApplicationVersion]],
    activation_keys: Sequence[ActivationKey],
    today: date,
) -> CheckoutPlan:
    """Check a request against every rule; ``releases`` maps lower-cased names to versions.

    The guards, in order: who may ask (an administrator, or for self-service the country's
    policy for the user), the country, then every field at once, each refusal naming its field.
    """
    self_service = request.via is CreatedVia.SELF_SERVICE
    requested_country = request.country
    if self_service:
        requested_country = choose_self_service_country(
            request.country.strip() or None,
            organisation.countries,
            organisation.name,
            actor.email,
            actor.usage_country,
        )
    else:
        require_manager(actor)
    errors: list[DomainError] = []

    def guard(check: Callable[[], _T]) -> _T | None:
        try:
            return check()
        except InvalidInput as refusal:
            errors.append(refusal)
            return None

    country = guard(lambda: _country(requested_country, organisation))
    policy = organisation.policy_for(country) if country else None
    if self_service and policy is not None:
        refusal = self_service_refusal(policy, organisation.name, actor.email)
        if isinstance(refusal, Forbidden):
            raise refusal
    service = (
        None
        if request.license_service is None
        else guard(lambda: LicenseService.parse(request.license_service or ""))
    )
    user_email = guard(lambda: names.email(request.user))
    machine = guard(lambda: names.machine_name(request.machine))
    fingerprint = (
        None
        if request.machine_fingerprint is None
        else guard(lambda: names.machine_fingerprint(request.machine_fingerprint or ""))
    )
    found = guard(lambda: _lines(request.applications, service, releases, policy, organisation))
    lines, service = found if found else ((), service)
    if request.license_service is None and not found:
        service = None
    # A request that names no license service (the workstation's) names no key either: the
    # country's only key, when it has one, is the key.
    only_key = request.license_service is None
    key = guard(
        lambda: _activation_key(request.activation_key, service, country, activation_keys, only_key)
    )
    expires_on = None
    if policy is not None:
        expires_on = guard(lambda: _expiry(request, today, organisation, policy))
    if errors:
        raise DomainError.of_all(errors)
    assert country
    assert service
    assert user_email
    assert machine
    assert lines
    assert expires_on
    return CheckoutPlan(
        country, service, user_email, machine, key, lines, expires_on, request.via, fingerprint
    )


def _expiry(
    request: CheckoutRequest, today: date, organisation: Organisation, policy: CheckoutPolicy
) -> date:
    requested, field = request.expires_on, "expires_on"
    if request.days is not None:
        if request.expires_on is not None:
            raise InvalidInput(
                Code.EXPIRY_OR_DAYS, "Give expires_on or days, not both.", field="days"
            )
        requested, field = today + timedelta(days=request.days), "days"
    return choose_expiry(
        requested,
        today,
        organisation.contract_end,
        policy,
        self_service=request.via is CreatedVia.SELF_SERVICE,
        organisation=organisation.name,
        field=field,
    )


def entitled_policy(organisation: Organisation, code: str) -> CheckoutPolicy:
    """The organisation's policy for the country ``code``, refused when it is not one of the
    organisation's entitlement countries (the refusal names those it has)."""
    policy = organisation.policy_for(code)
    if policy is None:
        known = ", ".join(c.country for c in organisation.countries) or "none"
        raise InvalidInput(
            Code.COUNTRY_NOT_ENTITLED,
            f"{code} is not one of your entitlement countries ({known}).",
            field="country",
        )
    return policy


def _country(text: str, organisation: Organisation) -> str:
    code = names.country(text)
    policy = entitled_policy(organisation, code)
    refusal = checkouts_refusal(policy)
    if refusal is not None:
        raise refusal
    return code


def _activation_key(
    text: str | None,
    service: LicenseService | None,
    country: str | None,
    keys: Sequence[ActivationKey],
    only_key: bool = False,
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
    of_country = [k for k in keys if k.country == country]
    if not key and only_key and len(of_country) == 1:
        return of_country[0].key
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
    policy: CheckoutPolicy | None,
    organisation: Organisation,
) -> tuple[tuple[CheckoutLine, ...], LicenseService | None]:
    """The checkout's lines, and the license service: the one asked for, or the versions'."""
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
    services: dict[LicenseService, str] = {}
    for name, version_text in wanted:
        known = releases.get(name.strip().lower())
        if not known:
            raise InvalidInput(
                Code.APPLICATION_UNKNOWN,
                f"'{name}' is not an application in the catalog; pick one from the list.",
                field="applications",
            )
        application = known[0].application
        if policy is not None:
            refusal = application_refusal(policy, application, organisation.name)
            if refusal is not None:
                raise refusal
        offered = [r for r in known if service is None or r.license_service is service]
        if not offered:
            raise InvalidInput(
                Code.APPLICATION_NOT_IN_SERVICE,
                f"No version of {application} uses {service}; choose the other license service.",
                field="applications",
            )
        version = _version(version_text, application, offered)
        release = next(r for r in offered if r.version == version)
        services.setdefault(release.license_service, f"{application} {version}")
        line = CheckoutLine(application, version)
        if line in lines:
            raise InvalidInput(
                Code.APPLICATION_REPEATED,
                f"{line.application} {line.version} is listed twice; remove one.",
                field="applications",
            )
        lines.append(line)
    if len(services) > 1:
        examples = " and ".join(f"{what} uses {used}" for used, what in services.items())
        raise InvalidInput(
            Code.LICENSE_SERVICES_MIXED,
            f"{examples}: a checkout has one license service, so check them out one by one.",
            field="applications",
        )
    return tuple(lines), service or next(iter(services))


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

ACTIVE_REFUSALS = (Code.ALREADY_CHECKED_IN, Code.ALREADY_EXPIRED)
"""What :func:`require_active` refuses a return or a renewal with."""


def require_check_in_allowed(checkout: Checkout, organisation: Organisation, now: datetime) -> None:
    """Guards for an administrator's check-in, in order of precedence."""
    if not organisation.has_select:
        raise Forbidden(
            Code.NON_SELECT_CHECK_IN,
            "Accounts without a maintenance agreement (non-SELECT) cannot check in from the "
            "portal: clear the license on the workstation with the licensing tool "
            "(entitle-tool clear).",
        )
    require_active(checkout, now)


def require_active(checkout: Checkout, now: datetime) -> None:
    """The checkout is neither checked in nor expired."""
    status = status_of(checkout, now)
    if status is Status.CHECKED_IN:
        raise Conflict(Code.ALREADY_CHECKED_IN, "This checkout is already checked in.")
    if status is Status.EXPIRED:
        raise Conflict(
            Code.ALREADY_EXPIRED, "This checkout has expired, so it was checked in at its expiry."
        )


RENEW_REFUSALS = (
    *ACTIVE_REFUSALS,
    Code.CHECKOUTS_DISABLED,
    Code.SELF_SERVICE_OFF,
    Code.SELF_SERVICE_NOT_ALLOWED_FOR_USER,
    Code.APPLICATION_EXCLUDED,
    Code.APPLICATION_NOT_ALLOWED,
    Code.EXPIRY_OR_DAYS,
    Code.CONTRACT_ENDED,
    Code.EXPIRY_TOO_SOON,
    Code.EXPIRY_AFTER_CAP,
    Code.SELF_SERVICE_DAYS_OVER_MAX,
)
"""What :func:`plan_renewal` refuses with, in order."""


NOTES_MAX_LENGTH = 2000


def checkout_notes(text: str | None) -> str | None:
    """Notes as kept: trimmed, none when empty, at most ``NOTES_MAX_LENGTH`` characters of
    text (line breaks and tabs, but no other control character such as NUL)."""
    kept = (text or "").strip()
    bad = next((c for c in kept if (ord(c) < 32 and c not in "\n\r\t") or ord(c) == 127), None)
    if bad is not None:
        raise InvalidInput(
            Code.NOTES_NOT_TEXT,
            f"Notes cannot hold the control character U+{ord(bad):04X}; "
            "remove it and keep line breaks and tabs only.",
            field="notes",
        )
    if len(kept) > NOTES_MAX_LENGTH:
        raise InvalidInput(
            Code.NOTES_TOO_LONG,
            f"Notes are at most {NOTES_MAX_LENGTH:,} characters; these are {len(kept):,}.",
            field="notes",
        )
    return kept or None


EXTEND_REFUSALS = (
    Code.ROLE_CANNOT_MANAGE_CHECKOUTS,
    *ACTIVE_REFUSALS,
    Code.COUNTRY_NOT_ENTITLED,
    Code.CHECKOUTS_DISABLED,
    Code.APPLICATION_EXCLUDED,
    Code.APPLICATION_NOT_ALLOWED,
    Code.CONTRACT_ENDED,
    Code.EXPIRY_TOO_SOON,
    Code.EXPIRY_AFTER_CAP,
    Code.EXTENSION_NOT_LATER,
)
"""What :func:`plan_extension` refuses with, in order."""


def plan_extension(
    checkout: Checkout,
    organisation: Organisation,
    actor: User,
    expires_on: date | None,
    now: datetime,
) -> date:
    """The new expiry an administrator extends a checkout to, by today's policy of its country.

    An extension is an administrator's checkout of the same applications for the same machine:
    the country must still allow checkouts and hold the applications, and the new expiry (the
    latest allowed when none is given) must be later than the current one, within the cap.
    """
    require_manager(actor)
    require_active(checkout, now)
    policy = organisation.policy_for(checkout.country)
    if policy is None:
        raise InvalidInput(
            Code.COUNTRY_NOT_ENTITLED,
            f"{checkout.country} is no longer an entitlement country of {organisation.name}.",
            field="country",
        )
    refusal = checkouts_refusal(policy)
    if refusal is not None:
        raise refusal
    for line in checkout.lines:
        excluded = application_refusal(policy, line.application, organisation.name)
        if excluded is not None:
            raise excluded
    request = CheckoutRequest(
        checkout.country, None, checkout.user_email, checkout.machine, (), expires_on=expires_on
    )
    new_expiry = _expiry(request, now.date(), organisation, policy)
    current = checkout.expires_at.date() - timedelta(days=1)
    if new_expiry <= current:
        raise InvalidInput(
            Code.EXTENSION_NOT_LATER,
            f"The checkout already runs until {current.isoformat()}; "
            f"extend it to a later date (at most {_latest(now, organisation, policy)}).",
            field="expires_on",
        )
    return new_expiry


def _latest(now: datetime, organisation: Organisation, policy: CheckoutPolicy) -> str:
    return expiry_cap(now.date(), organisation.contract_end, policy).isoformat()


def plan_renewal(
    checkout: Checkout,
    organisation: Organisation,
    actor: User,
    expires_on: date | None,
    days: int | None,
    now: datetime,
) -> date:
    """The new expiry of a user's own checkout, by today's self-service policy of its country.

    A renewal is a self-service checkout of the same applications for the same machine: the
    country must still allow the user to self-serve and hold the applications, and the new
    expiry is counted from today within the longest self-service checkout.
    """
    require_active(checkout, now)
    policy = organisation.policy_for(checkout.country)
    if policy is None:
        raise Forbidden(
            Code.SELF_SERVICE_OFF,
            f"{checkout.country} is no longer an entitlement country of {organisation.name}.",
            field="country",
        )
    refusal = self_service_refusal(policy, organisation.name, actor.email)
    if refusal is not None:
        raise refusal
    for line in checkout.lines:
        excluded = application_refusal(policy, line.application, organisation.name)
        if excluded is not None:
            raise excluded
    request = CheckoutRequest(
        checkout.country,
        None,
        actor.email,
        checkout.machine,
        (),
        expires_on=expires_on,
        via=CreatedVia.SELF_SERVICE,
        days=days,
    )
    return _expiry(request, now.date(), organisation, policy)
