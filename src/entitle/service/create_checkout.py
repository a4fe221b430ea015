"""Create a checkout: check every rule, sign the license file, store both in one transaction."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from entitle.domain import names
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
from entitle.store import audit, idempotency
from entitle.store import checkouts as store
from entitle.store.create_inputs import create_inputs
from entitle.store.tables import audit_events, idempotency_keys

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
    # What a retry with the same key is compared by; nothing to compare without a key.
    digest = "" if idempotency_key is None else _request_digest(request)
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
    # Everything is read, checked and signed before the first write (see reads_first).
    with services.uow(reads_first=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        if idempotency_key is not None:
            earlier = idempotency.find(uow.conn, organisation.id, idempotency_key)
            if earlier is not None:
                return _replay(uow.conn, organisation.id, earlier, digest)
        inputs = create_inputs(
            uow.conn,
            organisation.id,
            [name for name, _ in request.applications],
            _email(request.user),
            EventType.CHECKOUT_CREATED.value,
        )
        plan = plan_checkout(request, organisation, actor, inputs.releases, inputs.keys, now.date())
        checkout, license_file = signed_checkout(
            services, plan, organisation, actor, inputs.display_name, now
        )
        uow.writing()
        # The checkout, its lines, its idempotency key, its audit event and its outbox event:
        # one statement on PostgreSQL (entitle.store.bulk.insert_together).
        rows = store.created_rows(checkout, license_file)
        if idempotency_key is not None:
            key = idempotency.key_row(organisation.id, idempotency_key, digest, checkout.id, now)
            rows.append((idempotency_keys, [key]))
        line = audit_line(checkout, note)
        event = audit.event_row(
            organisation.id, now, actor.email, "checkout.create", checkout.id, address, line
        )
        rows.append((audit_events, [event]))
        events.checkout_event(
            uow.conn,
            EventType.CHECKOUT_CREATED,
            checkout,
            now,
            actor.email,
            alongside=rows,
            endpoints=inputs.endpoints,
        )
        uow.commit()
    services.observer.checkout_created(checkout)
    return checkout


def signed_checkout(
    services: Services,
    plan: CheckoutPlan,
    organisation: Organisation,
    actor: User,
    display_name: str | None,
    now: datetime,
    notes: str | None = None,
) -> tuple[Checkout, bytes]:
    """The checkout a plan makes, and its license file signed: ready to be stored.
    ``display_name``: the user's, when they are a user of the organisation
    (:func:`member_display_name`)."""
    checkout = Checkout(
        id=checkout_id(now),
        organisation_id=organisation.id,
        country=plan.country,
        license_service=plan.license_service,
        user_email=plan.user_email,
        user_display_name=display_name,
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


def member_display_name(user: User | None, organisation: Organisation) -> str | None:
    """The display name a checkout shows for ``user``: theirs when they are a user of the
    organisation (what :func:`entitle.store.create_inputs.create_inputs` reads in SQL)."""
    return user.display_name if user and user.organisation_id == organisation.id else None


def _email(user: str) -> str | None:
    """The email the plan will take from the request, or None when it will refuse it."""
    try:
        return names.email(user)
    except InvalidInput:
        return None


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


def checkout_id(at: datetime) -> str:
    """A new checkout's id: a UUID version 7 (RFC 9562), its first 48 bits the milliseconds of
    ``at`` and 74 random bits after them (as unguessable as a UUID could be of 122).

    Ids made one after another sort one after another, so the primary key's index is appended
    to instead of given a random page by every create: at a million checkouts that page was
    seldom in PostgreSQL's shared buffers, and its first change since a checkpoint writes the
    whole 8 kB page to the WAL.
    """
    milliseconds = int(at.timestamp() * 1000) & ((1 << 48) - 1)
    random = secrets.randbits(74)
    value = (
        milliseconds << 80
        | 0x7 << 76  # version 7
        | (random >> 62) << 64  # rand_a, 12 bits
        | 0b10 << 62  # the RFC's variant
        | random & ((1 << 62) - 1)  # rand_b, 62 bits
    )
    return str(uuid.UUID(int=value))


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
