"""A user's own checkouts, from the workstation: check out, list, download, renew, return.

Any role may do these, for themselves only: another user's checkout is not found. A checkout
is made by :func:`entitle.service.create_checkout.create_checkout` like every other, under the
country's self-service policy (entitle.domain.policy). Each action is audited with the machine
and the licensing tool's version the workstation reports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Connection

from entitle.domain.checkouts import CheckoutRequest, plan_renewal, require_active
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, NotFound
from entitle.domain.expiry import expiry_cap
from entitle.domain.model import CheckInMethod, Checkout, CreatedVia, User
from entitle.domain.policy import CheckoutPolicy, self_service_refusal
from entitle.service import events
from entitle.service.actors import ActorRef, acting_user, actor_and_organisation
from entitle.service.context import Services
from entitle.service.create_checkout import audit_line, create_checkout
from entitle.service.reissue import reissue
from entitle.store import audit
from entitle.store import checkouts as store
from entitle.store.checkouts import CheckoutPage, CheckoutQuery


@dataclass(frozen=True)
class Workstation:
    """What the licensing tool says of the machine it runs on; names and versions, for the
    audit trail (the machine name and fingerprint of a checkout are in its request)."""

    machine: str = ""
    tool_version: str = ""

    def note(self) -> str:
        said = [f"machine {self.machine}" if self.machine else ""]
        said.append(f"entitle-tool {self.tool_version}" if self.tool_version else "")
        return ", ".join(s for s in said if s)


@dataclass(frozen=True)
class OwnCheckout:
    applications: tuple[tuple[str, str], ...]
    machine: str
    machine_fingerprint: str | None = None
    country: str = ""
    expires_on: date | None = None
    days: int | None = None
    activation_key: str | None = None


def check_out(
    services: Services,
    actor_ref: str | User,
    wanted: OwnCheckout,
    workstation: Workstation,
    *,
    idempotency_key: str | None = None,
    address: str = "",
) -> tuple[Checkout, bytes]:
    """The user's own checkout for their workstation, and its license file."""
    email = actor_ref if isinstance(actor_ref, str) else actor_ref.email
    request = CheckoutRequest(
        country=wanted.country,
        license_service=None,
        user=email,
        machine=wanted.machine,
        applications=wanted.applications,
        activation_key=wanted.activation_key,
        expires_on=wanted.expires_on,
        via=CreatedVia.SELF_SERVICE,
        machine_fingerprint=wanted.machine_fingerprint,
        days=wanted.days,
    )
    checkout = create_checkout(
        services,
        actor_ref,
        request,
        idempotency_key=idempotency_key,
        address=address,
        note=f"entitle-tool {workstation.tool_version}" if workstation.tool_version else "",
    )
    # The answer carries the file: the create is audited, this read of it is not a download.
    with services.uow(read_only=True) as uow:
        data = store.license_files(uow.conn, checkout.organisation_id, [checkout.id])[checkout.id]
    return checkout, data


@dataclass(frozen=True)
class OwnCountry:
    """An entitlement country as the user sees it for self-service."""

    policy: CheckoutPolicy
    refusal: DomainError | None
    latest_expires_on: date | None


def own_countries(services: Services, actor_ref: ActorRef) -> list[OwnCountry]:
    """Each country of the user's organisation: may they self-serve there, and until when."""
    today = services.now().date()
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
    found = []
    for policy in organisation.countries:
        refusal = self_service_refusal(policy, organisation.name, actor.email)
        cap = expiry_cap(today, organisation.contract_end, policy, self_service=True)
        latest = cap if refusal is None and cap > today else None
        found.append(OwnCountry(policy, refusal, latest))
    return found


def own_checkouts(services: Services, actor_ref: ActorRef, query: CheckoutQuery) -> CheckoutPage:
    """A page of the user's own checkouts (``query``'s organisation and owner are replaced)."""
    with services.uow(read_only=True) as uow:
        actor = acting_user(uow.conn, actor_ref)
        return store.search(
            uow.conn,
            replace(query, organisation_id=actor.organisation_id, owner=actor.email),
            services.now(),
        )


def own_checkout(services: Services, actor_ref: ActorRef, checkout_id: str) -> Checkout:
    with services.uow(read_only=True) as uow:
        actor = acting_user(uow.conn, actor_ref)
        return _own(uow.conn, actor, checkout_id)


def license_file(
    services: Services, actor_ref: ActorRef, checkout_id: str, address: str = ""
) -> tuple[Checkout, bytes]:
    """The current license file of the user's own checkout; the download is audited."""
    with services.uow() as uow:
        actor = acting_user(uow.conn, actor_ref)
        checkout = _own(uow.conn, actor, checkout_id)
        data = store.license_files(uow.conn, actor.organisation_id, [checkout.id])[checkout.id]
        audit.record(
            uow.conn,
            actor.organisation_id,
            services.now(),
            actor.email,
            "checkout.download",
            checkout.id,
            address,
            "own checkout",
        )
        uow.commit()
    return checkout, data


def renew(
    services: Services,
    actor_ref: ActorRef,
    checkout_id: str,
    expires_on: date | None,
    days: int | None,
    workstation: Workstation,
    address: str = "",
) -> tuple[Checkout, bytes]:
    """A new license file for the same checkout, to a new expiry; the old file is superseded
    (the organisation's revocation list names its digest) and the booking follows the expiry."""
    now = services.now().replace(microsecond=0)
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        checkout = _own(uow.conn, actor, checkout_id)
        new_expiry = plan_renewal(checkout, organisation, actor, expires_on, days, now)
        renewed, data = reissue(
            services,
            uow.conn,
            checkout,
            organisation,
            new_expiry,
            now,
            actor=actor.email,
            action="checkout.renew",
            note=audit_line(checkout, workstation.note()),
            address=address,
        )
        uow.commit()
    return renewed, data


def return_checkout(
    services: Services,
    actor_ref: ActorRef,
    checkout_id: str,
    workstation: Workstation,
    address: str = "",
) -> Checkout:
    """Check the user's own checkout in from the workstation, now: booking ends here.

    Organisations without SELECT return from the workstation too: it is the workstation's
    check-in, not the portal's.
    """
    now = services.now()
    with services.uow() as uow:
        actor = acting_user(uow.conn, actor_ref)
        checkout = _own(uow.conn, actor, checkout_id)
        require_active(checkout, now)
        if not store.check_in(uow.conn, checkout.id, now, actor.email, CheckInMethod.CLIENT):
            raise Conflict(Code.ALREADY_CHECKED_IN, "This checkout was checked in meanwhile.")
        audit.record(
            uow.conn,
            actor.organisation_id,
            now,
            actor.email,
            "checkout.return",
            checkout.id,
            address,
            workstation.note() or f"machine {checkout.machine}",
        )
        returned = store.get(uow.conn, actor.organisation_id, checkout.id)
        assert returned is not None
        events.checkouts_checked_in(
            uow.conn, [returned], now, actor.email, CheckInMethod.CLIENT.value
        )
        uow.commit()
    services.observer.checked_in(returned, CheckInMethod.CLIENT)
    return returned


def _own(conn: Connection, actor: User, checkout_id: str) -> Checkout:
    """The user's own checkout; another's, as one that does not exist."""
    found = store.get(conn, actor.organisation_id, checkout_id)
    if found is None or found.user_email.lower() != actor.email.lower():
        raise NotFound(Code.CHECKOUT_NOT_FOUND, f"You have no checkout {checkout_id}.")
    return found
