"""Create a checkout: check every rule, sign the license file, store both in one transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from entitle.domain.calendar import end_of_day
from entitle.domain.checkouts import CheckoutPlan, CheckoutRequest, plan_checkout
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, InvalidInput
from entitle.domain.events import EventType
from entitle.domain.model import Checkout, CreatedVia, Organisation, User
from entitle.licensefile.claims import LicenseClaims, LicensedApplication
from entitle.licensefile.keyerrors import CertificateDoesNotCover
from entitle.service import events
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit, catalog, idempotency, organisations
from entitle.store import checkouts as store

MAX_IDEMPOTENCY_KEY = 200


def create_checkout(
    services: Services,
    actor_ref: ActorRef,
    request: CheckoutRequest,
    *,
    idempotency_key: str | None = None,
    address: str = "",
    note: str = "",
) -> Checkout:
    """Create one checkout and its signed license file; a retried key returns the first result.

    Every way of making a checkout comes here (an administrator's, a request file's, the
    user's own from the workstation), so each is planned by the same rules, booked the same
    way and audited alike; ``note`` adds to the audit line (the licensing tool's version).
    """
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(
            Code.IDEMPOTENCY_KEY_INVALID,
            f"An Idempotency-Key has 1 to {MAX_IDEMPOTENCY_KEY} characters.",
            field="Idempotency-Key",
        )
    digest = _request_digest(request)
    for _attempt in range(3):
        try:
            return _create(services, actor_ref, request, idempotency_key, digest, address, note)
        except IntegrityError:
            # A concurrent request with the same key won the race: answer with its checkout.
            if idempotency_key is None:
                raise
    raise Conflict(Code.IDEMPOTENCY_RACE, "Retry the request: it raced with another.")


def _create(
    services: Services,
    actor_ref: ActorRef,
    request: CheckoutRequest,
    idempotency_key: str | None,
    digest: str,
    address: str,
    note: str,
) -> Checkout:
    now = services.now().replace(microsecond=0)
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        if idempotency_key is not None:
            earlier = idempotency.find(uow.conn, organisation.id, idempotency_key)
            if earlier is not None:
                return _replay(uow.conn, organisation.id, earlier, digest)
        releases = catalog.releases_of(uow.conn, [name for name, _ in request.applications])
        keys = organisations.keys_of(uow.conn, organisation.id)
        plan = plan_checkout(request, organisation, actor, releases, keys, now.date())
        known_user = organisations.user_by_email(uow.conn, plan.user_email)
        checkout, license_file = signed_checkout(
            services, plan, organisation, actor, known_user, now
        )
        store.insert(uow.conn, checkout, license_file)
        if idempotency_key is not None:
            idempotency.remember(
                uow.conn, organisation.id, idempotency_key, digest, checkout.id, now
            )
        audit.record(
            uow.conn,
            organisation.id,
            now,
            actor.email,
            "checkout.create",
            checkout.id,
            address,
            audit_line(checkout, note),
        )
        events.checkout_event(uow.conn, EventType.CHECKOUT_CREATED, checkout, now, actor.email)
        uow.commit()
    services.observer.checkout_created(checkout)
    return checkout


def signed_checkout(
    services: Services,
    plan: CheckoutPlan,
    organisation: Organisation,
    actor: User,
    known_user: User | None,
    now: datetime,
    notes: str | None = None,
) -> tuple[Checkout, bytes]:
    """The checkout a plan makes, and its license file signed: ready to be stored."""
    checkout = Checkout(
        id=str(uuid.uuid4()),
        organisation_id=organisation.id,
        country=plan.country,
        license_service=plan.license_service,
        user_email=plan.user_email,
        user_display_name=(
            known_user.display_name
            if known_user and known_user.organisation_id == organisation.id
            else None
        ),
        machine=plan.machine,
        activation_key=plan.activation_key,
        lines=plan.lines,
        created_at=now,
        created_by=actor.email,
        expires_at=end_of_day(plan.expires_on),
        created_via=plan.via,
        machine_fingerprint=plan.machine_fingerprint,
        notes=notes,
    )
    license_file = sign(services, license_claims(checkout, organisation, services.issuer))
    return with_digest(checkout, license_file), license_file


def audit_line(checkout: Checkout, note: str = "") -> str:
    """What the audit trail says of a checkout's create or renewal."""
    line = f"{checkout.user_email} on {checkout.machine}: {store.summary(checkout.lines)}"
    if checkout.created_via is not CreatedVia.ADMIN:
        line += f" ({checkout.created_via.value.replace('_', ' ')})"
    return f"{line}; {note}" if note else line


def license_claims(
    checkout: Checkout,
    organisation: Organisation,
    issuer: str,
    issued_at: datetime | None = None,
) -> LicenseClaims:
    """The claims a checkout's license file carries: the one mapping from checkout to file.

    ``issued_at`` is the checkout's creation unless a renewal issues the file later.
    """
    return LicenseClaims(
        checkout_id=checkout.id,
        issuer=issuer,
        organisation_id=str(organisation.id),
        organisation_name=organisation.name,
        user_email=checkout.user_email,
        machine_name=checkout.machine,
        country=checkout.country,
        license_service=checkout.license_service.value,
        activation_key=checkout.activation_key,
        issued_at=issued_at or checkout.created_at,
        expires_at=checkout.expires_at,
        applications=tuple(
            LicensedApplication(line.application, str(line.version)) for line in checkout.lines
        ),
        machine_fingerprint=checkout.machine_fingerprint,
    )


def sign(services: Services, claims: LicenseClaims) -> bytes:
    try:
        return services.signer.sign(claims)
    except CertificateDoesNotCover as refusal:
        # A key signs only licenses inside its certificate (entitle.licensefile.keys).
        raise Conflict(
            Code.SIGNING_CERTIFICATE_ENDS,
            f"This server's license signing certificate ends on "
            f"{refusal.not_after:%Y-%m-%d}, before this checkout would expire: choose an "
            "earlier expiry, or ask the operator to rotate the signing keys "
            "(entitle keys rotate).",
            field="expires_on",
        ) from None


def with_digest(checkout: Checkout, license_file: bytes) -> Checkout:
    return replace(checkout, license_digest=hashlib.sha256(license_file).hexdigest())


def _replay(
    conn: Connection, organisation_id: int, earlier: tuple[str, str], digest: str
) -> Checkout:
    stored_digest, checkout_id = earlier
    if stored_digest != digest:
        raise Conflict(
            Code.IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was used for a different checkout; use a new key.",
            field="Idempotency-Key",
        )
    found = store.get(conn, organisation_id, checkout_id)
    assert found is not None
    return found


def _request_digest(request: CheckoutRequest) -> str:
    body = asdict(request)
    body["applications"] = [list(a) for a in request.applications]
    text = json.dumps(body, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
