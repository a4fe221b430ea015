"""Checkout policies: what an organisation allows in one entitlement country, and the guards.

One policy per organisation and entitlement country, used by every way of making a checkout
(an administrator's create in the portal or the API, a request file, the workstation's
self-service). The account manager (the operator, ``entitle country set``) turns checkouts on
or off and sets the longest checkout; the organisation's administrators decide the rest:

- **self-service** (off by default): whether users may check out for themselves from the
  workstation, for at most ``self_service_max_days`` (never beyond ``max_days``), and who:
  every user of the organisation, or only the listed ones;
- **applications**: every application of the catalog, only the listed ones (an allow-list), or
  all but the listed ones (an exclude-list), for any checkout, an administrator's included.

Each guard returns the refusal (a stable code, and a sentence that names the policy and who
can change it) or ``None``; the expiry cap itself is :mod:`entitle.domain.expiry`'s.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, Forbidden, InvalidInput
from entitle.domain.names import country_name, email

MAX_CHECKOUT_DAYS = 365
DEFAULT_SELF_SERVICE_DAYS = 30


class ApplicationRule(enum.StrEnum):
    """Which applications a country's checkouts may hold."""

    ALL = "all"
    ALLOW = "allow"
    EXCLUDE = "exclude"


@dataclass(frozen=True)
class CheckoutPolicy:
    """What one organisation allows in one entitlement country.

    ``applications`` are catalog names, compared without regard to case; they mean nothing
    while ``application_rule`` is ``all``. ``self_service_users`` is ``None`` for every user of
    the organisation, else the emails of the users who may self-serve.
    """

    country: str
    checkouts_enabled: bool = True
    max_days: int = MAX_CHECKOUT_DAYS
    self_service: bool = False
    self_service_max_days: int = DEFAULT_SELF_SERVICE_DAYS
    application_rule: ApplicationRule = ApplicationRule.ALL
    applications: tuple[str, ...] = ()
    self_service_users: tuple[str, ...] | None = None

    @property
    def place(self) -> str:
        """The country as refusals name it: ``Germany (DE)``."""
        name = country_name(self.country)
        return f"{name} ({self.country})" if name else self.country

    @property
    def longest_self_service(self) -> int:
        """The longest self-service checkout, in days: never beyond the country's maximum."""
        return min(self.self_service_max_days, self.max_days, MAX_CHECKOUT_DAYS)

    def allows_application(self, application: str) -> bool:
        listed = application.lower() in {name.lower() for name in self.applications}
        if self.application_rule is ApplicationRule.ALLOW:
            return listed
        if self.application_rule is ApplicationRule.EXCLUDE:
            return not listed
        return True

    def allows_self_service_for(self, email: str) -> bool:
        if self.self_service_users is None:
            return True
        return email.lower() in {listed.lower() for listed in self.self_service_users}


def checkouts_refusal(policy: CheckoutPolicy) -> InvalidInput | None:
    if policy.checkouts_enabled:
        return None
    return InvalidInput(
        Code.CHECKOUTS_DISABLED,
        f"Checkouts are turned off for {policy.place}; ask your account manager to enable them.",
        field="country",
    )


def application_refusal(
    policy: CheckoutPolicy, application: str, organisation: str
) -> InvalidInput | None:
    """Whether the country's checkouts may hold ``application`` (a catalog name)."""
    if policy.allows_application(application):
        return None
    if policy.application_rule is ApplicationRule.EXCLUDE:
        return InvalidInput(
            Code.APPLICATION_EXCLUDED,
            f"{application} is excluded from checkout in {policy.place}; "
            f"an administrator of {organisation} can allow it.",
            field="applications",
        )
    return InvalidInput(
        Code.APPLICATION_NOT_ALLOWED,
        f"{application} is not one of the applications that can be checked out in "
        f"{policy.place} ({', '.join(policy.applications)}); "
        f"an administrator of {organisation} can add it.",
        field="applications",
    )


def self_service_refusal(
    policy: CheckoutPolicy, organisation: str, email: str
) -> DomainError | None:
    """Whether ``email`` may check out for themselves in the policy's country, in order."""
    refusal = checkouts_refusal(policy)
    if refusal is not None:
        return refusal
    if not policy.self_service:
        return Forbidden(
            Code.SELF_SERVICE_OFF,
            f"Self-service checkout is turned off for {policy.place}; "
            f"an administrator of {organisation} can turn it on.",
            field="country",
        )
    if not policy.allows_self_service_for(email):
        return Forbidden(
            Code.SELF_SERVICE_NOT_ALLOWED_FOR_USER,
            f"Self-service checkout in {policy.place} is open to listed users only, and "
            f"{email} is not listed; an administrator of {organisation} can add you.",
            field="country",
        )
    return None


def self_service_countries(
    policies: Iterable[CheckoutPolicy], organisation: str, email: str
) -> list[CheckoutPolicy]:
    """The countries where ``email`` may check out for themselves."""
    return [p for p in policies if self_service_refusal(p, organisation, email) is None]


def choose_self_service_country(
    requested: str | None,
    policies: Sequence[CheckoutPolicy],
    organisation: str,
    email: str,
    usage_country: str = "",
) -> str:
    """The country of a self-service checkout: the one asked for, else the only one it can be.

    Without a country: the only country open to the user for self-service. When none is, the
    organisation's only country, or else the user's usage country, so that the user reads that
    policy's refusal. Otherwise the country is required.
    """
    if requested:
        return requested
    open_ones = self_service_countries(policies, organisation, email)
    if len(open_ones) == 1:
        return open_ones[0].country
    if not open_ones:
        if len(policies) == 1:
            return policies[0].country
        if any(p.country == usage_country for p in policies):
            return usage_country
    known = ", ".join(p.country for p in policies)
    where = ", ".join(p.country for p in open_ones)
    raise InvalidInput(
        Code.COUNTRY_REQUIRED,
        f"Name the entitlement country: {organisation} has several ({known}), and "
        f"self-service checkout is open to you in {where}."
        if open_ones
        else f"Self-service checkout is open to you in none of {organisation}'s entitlement "
        f"countries ({known}); an administrator of {organisation} can turn it on.",
        field="country",
    )


MAX_LISTED = 500


def validated(policy: CheckoutPolicy) -> CheckoutPolicy:
    """The policy as an administrator set it, or every field error at once.

    Emails are checked for their form and lower-cased in their domain; whether the listed
    applications and users exist is the service's to check (it has the catalog and users).
    """
    errors: list[DomainError] = []
    if not 1 <= policy.max_days <= MAX_CHECKOUT_DAYS:
        errors.append(
            InvalidInput(
                Code.MAX_DAYS_RANGE,
                f"The maximum duration is 1 to {MAX_CHECKOUT_DAYS} days.",
                field="max_days",
            )
        )
    if not 1 <= policy.self_service_max_days <= policy.max_days:
        errors.append(
            InvalidInput(
                Code.SELF_SERVICE_MAX_DAYS_RANGE,
                f"The longest self-service checkout in {policy.place} is 1 to "
                f"{policy.max_days} days (the country's longest checkout).",
                field="self_service_max_days",
            )
        )
    names = tuple(dict.fromkeys(n.strip() for n in policy.applications if n.strip()))
    if policy.application_rule is ApplicationRule.ALL:
        names = ()
    elif not names and policy.application_rule is ApplicationRule.ALLOW:
        errors.append(
            InvalidInput(
                Code.ALLOW_LIST_EMPTY,
                "An allow-list names at least one application; to allow every application, "
                "clear the list instead.",
                field="applications",
            )
        )
    if len(names) > MAX_LISTED or len(policy.self_service_users or ()) > MAX_LISTED:
        errors.append(
            InvalidInput(
                Code.POLICY_LIST_TOO_LONG,
                f"A policy lists at most {MAX_LISTED} applications and {MAX_LISTED} users.",
                field="applications" if len(names) > MAX_LISTED else "self_service_users",
            )
        )
    users = None
    if policy.self_service_users is not None:
        found: list[str] = []
        for position, text in enumerate(policy.self_service_users):
            try:
                found.append(email(text, field=f"self_service_users[{position}]"))
            except InvalidInput as refusal:
                errors.append(refusal)
        users = tuple(dict.fromkeys(found))
    if errors:
        raise DomainError.of_all(errors)
    return replace(policy, applications=names, self_service_users=users)
