"""Read and change an entitlement country's checkout policy (entitle.domain.policy).

The operator (``entitle country set``) adds countries and sets every field; an organisation's
Administrators and Co-Administrators set what is theirs to decide (self-service, its longest
checkout and its users, the applications), never whether checkouts are on or their longest
duration, which are the account manager's. An administrator's change is audited in the
same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from sqlalchemy import Connection

from entitle.domain import names
from entitle.domain.checkouts import entitled_policy, require_manager
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput, NotFound
from entitle.domain.model import Organisation
from entitle.domain.policy import MAX_LISTED, ApplicationRule, CheckoutPolicy, validated
from entitle.service import events
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit, catalog, organisations

EVERY_USER = "all"


@dataclass(frozen=True)
class PolicyChange:
    """The fields to change; ``None`` keeps a field as it is.

    ``self_service_users`` is ``"all"`` for every user of the organisation, else emails.
    """

    checkouts_enabled: bool | None = None
    max_days: int | None = None
    self_service: bool | None = None
    self_service_max_days: int | None = None
    application_rule: ApplicationRule | None = None
    applications: Sequence[str] | None = None
    self_service_users: Sequence[str] | Literal["all"] | None = None

    @property
    def sets_account_terms(self) -> bool:
        """Whether it changes what only the account manager sets."""
        return self.checkouts_enabled is not None or self.max_days is not None


POLICY_REFUSALS = (
    Code.COUNTRY_INVALID,
    Code.COUNTRY_NOT_ENTITLED,
    Code.SELF_SERVICE_MAX_DAYS_RANGE,
    Code.ALLOW_LIST_EMPTY,
    Code.POLICY_LIST_TOO_LONG,
    Code.EMAIL_INVALID,
    Code.APPLICATION_UNKNOWN,
    Code.SELF_SERVICE_USER_UNKNOWN,
)
"""What :func:`set_policy` refuses an administrator's change with (beyond the role)."""


def get_policy(services: Services, actor_ref: ActorRef, country: str) -> CheckoutPolicy:
    code = names.country(country)
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
    require_manager(actor)
    return _entitled(organisation, code)


def set_policy(
    services: Services,
    actor_ref: ActorRef,
    country: str,
    change: PolicyChange,
    address: str = "",
) -> CheckoutPolicy:
    """An administrator changes their organisation's policy for one of its countries."""
    assert not change.sets_account_terms, "checkouts on/off and max_days are the operator's"
    code = names.country(country)
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        require_manager(actor)
        current = _entitled(organisation, code)
        policy = _changed(uow.conn, organisation, current, change)
        organisations.set_policy(uow.conn, organisation.id, policy)
        _audit(uow.conn, organisation, actor.email, address, current, policy, services)
        uow.commit()
    return policy


def set_country(
    services: Services, organisation_name: str, country: str, change: PolicyChange
) -> Organisation:
    """The operator adds an entitlement country or changes any field of its policy (like the
    operator's other commands, not in the organisation's audit trail); answers the
    organisation with its countries as they are now."""
    code = names.country(country)
    with services.uow() as uow:
        organisation = organisations.by_name(uow.conn, organisation_name.strip())
        if organisation is None:
            raise NotFound(
                Code.ORGANISATION_NOT_FOUND, f"No organisation named {organisation_name}."
            )
        current = organisation.policy_for(code) or CheckoutPolicy(code)
        policy = _changed(uow.conn, organisation, current, change)
        organisations.set_policy(uow.conn, organisation.id, policy)
        if policy != organisation.policy_for(code):
            events.policy_event(uow.conn, organisation.id, policy, services.now(), "entitle")
        changed = organisations.get(uow.conn, organisation.id)
        uow.commit()
    assert changed is not None
    return changed


def _entitled(organisation: Organisation, code: str) -> CheckoutPolicy:
    return entitled_policy(organisation, code)


def _changed(
    conn: Connection, organisation: Organisation, current: CheckoutPolicy, change: PolicyChange
) -> CheckoutPolicy:
    given: dict[str, Any] = {
        name: value
        for name, value in asdict(change).items()
        if value is not None and name not in {"applications", "self_service_users"}
    }
    if change.applications is not None:
        given["applications"] = tuple(change.applications)
    if change.self_service_users is not None:
        users = change.self_service_users
        given["self_service_users"] = None if users == EVERY_USER else tuple(users)
    candidate = replace(current, **given)
    errors: list[DomainError] = []
    try:
        policy = validated(candidate)
    except DomainError as refusal:
        # Every field's error at once: the catalog is asked about the applications as well.
        errors.extend(refusal.errors)
        policy = candidate
    listed = policy.applications if len(policy.applications) <= MAX_LISTED else ()
    releases = catalog.releases_of(conn, listed)
    canonical = []
    for position, name in enumerate(listed):
        known = releases.get(name.lower())
        if known:
            canonical.append(known[0].application)
        else:
            errors.append(
                InvalidInput(
                    Code.APPLICATION_UNKNOWN,
                    f"'{name}' is not an application in the catalog.",
                    field=f"applications[{position}]",
                )
            )
    refused = {error.field for error in errors}
    listed_users = policy.self_service_users or ()
    for position, email in enumerate(listed_users if len(listed_users) <= MAX_LISTED else ()):
        if f"self_service_users[{position}]" in refused:
            continue
        user = organisations.user_by_email(conn, email)
        if user is None or user.organisation_id != organisation.id:
            errors.append(
                InvalidInput(
                    Code.SELF_SERVICE_USER_UNKNOWN,
                    f"{email} is not a user of {organisation.name}.",
                    field=f"self_service_users[{position}]",
                )
            )
    if errors:
        raise DomainError.of_all(errors)
    return replace(policy, applications=tuple(dict.fromkeys(canonical)))


def describe(policy: CheckoutPolicy) -> str:
    """One line for people (the audit trail, the command line)."""
    parts = [
        f"checkouts {'on' if policy.checkouts_enabled else 'off'}",
        f"max {policy.max_days} d",
    ]
    if policy.self_service:
        who = (
            "every user"
            if policy.self_service_users is None
            else ", ".join(policy.self_service_users) or "no user"
        )
        parts.append(f"self-service on (max {policy.longest_self_service} d, {who})")
    else:
        parts.append("self-service off")
    if policy.application_rule is ApplicationRule.ALLOW:
        parts.append(f"only {', '.join(policy.applications)}")
    elif policy.application_rule is ApplicationRule.EXCLUDE:
        parts.append(f"excluding {', '.join(policy.applications)}")
    else:
        parts.append("every application")
    return "; ".join(parts)


def _audit(
    conn: Connection,
    organisation: Organisation,
    actor: str,
    address: str,
    before: CheckoutPolicy,
    after: CheckoutPolicy,
    services: Services,
) -> None:
    if before == after:
        return
    audit.record(
        conn,
        organisation.id,
        services.now(),
        actor,
        "policy.set",
        after.country,
        address,
        describe(after)[:2000],
    )
    events.policy_event(conn, organisation.id, after, services.now(), actor)
