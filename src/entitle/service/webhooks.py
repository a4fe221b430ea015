"""An organisation's webhook endpoints, as its Administrators keep them: add (the secret is
shown once), change, disable or enable, remove; the delivery log, redeliver, and a test event."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection

from entitle import settings
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from entitle.domain.events import EventType
from entitle.domain.model import Organisation, User
from entitle.domain.webhooks import endpoint_url
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit, outbox
from entitle.store import webhooks as store
from entitle.store.webhooks import Attempt, Delivery, Endpoint

_T = TypeVar("_T")
MAX_DESCRIPTION = 200
# The event types an endpoint may ask for (a test event goes to the endpoint it tests).
SUBSCRIBABLE = tuple(t.value for t in EventType if t is not EventType.TEST)

MANAGE_REFUSALS = (Code.ROLE_CANNOT_MANAGE_WEBHOOKS,)
ONE_REFUSALS = (*MANAGE_REFUSALS, Code.WEBHOOK_NOT_FOUND)
EDIT_REFUSALS = (
    *MANAGE_REFUSALS,
    Code.WEBHOOK_URL_INVALID,
    Code.WEBHOOK_URL_NOT_HTTPS,
    Code.WEBHOOK_URL_INTERNAL,
    Code.WEBHOOK_EVENT_TYPE_UNKNOWN,
    Code.WEBHOOK_DESCRIPTION_NOT_TEXT,
)


@dataclass(frozen=True)
class NewEndpoint:
    """An endpoint just added, with its secret: shown this once."""

    endpoint: Endpoint
    secret: str


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _require_manages_webhooks(actor: User) -> None:
    if not actor.role.manages_webhooks:
        raise Forbidden(
            Code.ROLE_CANNOT_MANAGE_WEBHOOKS,
            "Only the organisation's Administrators keep its webhooks.",
        )


def _url(text: str) -> str:
    return endpoint_url(text, allow_loopback=settings.current().webhook_allow_loopback)


def _types(types: Sequence[str]) -> list[str]:
    unknown = [t for t in types if t not in SUBSCRIBABLE]
    if unknown:
        raise InvalidInput(
            Code.WEBHOOK_EVENT_TYPE_UNKNOWN,
            f"{', '.join(unknown)}: not an event type entitle sends; choose from "
            f"{', '.join(SUBSCRIBABLE)} (none: all of them).",
            field="event_types",
        )
    return sorted(set(types))


def _description(text: str) -> str:
    kept = text.strip()
    bad = next((c for c in kept if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise InvalidInput(
            Code.WEBHOOK_DESCRIPTION_NOT_TEXT,
            f"A description cannot hold the control character U+{ord(bad):04X}.",
            field="description",
        )
    return kept[:MAX_DESCRIPTION]


def _guard(errors: list[DomainError], check: Callable[[], _T]) -> _T | None:
    try:
        return check()
    except DomainError as refusal:
        errors.extend(refusal.errors)
        return None


def _managed(conn: Connection, actor_ref: ActorRef) -> tuple[User, Organisation]:
    actor, organisation = actor_and_organisation(conn, actor_ref)
    _require_manages_webhooks(actor)
    return actor, organisation


def _endpoint_of(conn: Connection, organisation: Organisation, endpoint_id: int) -> Endpoint:
    found = store.endpoint(conn, organisation.id, endpoint_id)
    if found is None:
        raise NotFound(
            Code.WEBHOOK_NOT_FOUND, f"Your organisation has no webhook endpoint {endpoint_id}."
        )
    return found


def list_endpoints(services: Services, actor_ref: ActorRef) -> list[Endpoint]:
    with services.uow(read_only=True) as uow:
        _actor, organisation = _managed(uow.conn, actor_ref)
        return store.endpoints(uow.conn, organisation.id)


def get_endpoint(services: Services, actor_ref: ActorRef, endpoint_id: int) -> Endpoint:
    with services.uow(read_only=True) as uow:
        _actor, organisation = _managed(uow.conn, actor_ref)
        return _endpoint_of(uow.conn, organisation, endpoint_id)


def add_endpoint(
    services: Services,
    actor_ref: ActorRef,
    url: str,
    event_types: Sequence[str] = (),
    description: str = "",
    address: str = "",
) -> NewEndpoint:
    """Add an endpoint; ``event_types`` empty: every type. Audited."""
    now = services.now()
    with services.uow() as uow:
        actor, organisation = _managed(uow.conn, actor_ref)
        errors: list[DomainError] = []
        kept_url = _guard(errors, lambda: _url(url))
        types = _guard(errors, lambda: _types(event_types))
        kept_description = _guard(errors, lambda: _description(description))
        if errors:
            raise DomainError.of_all(errors)
        assert kept_url is not None
        assert types is not None
        assert kept_description is not None
        secret = new_secret()
        endpoint_id = store.add_endpoint(
            uow.conn, organisation.id, kept_url, kept_description, types, secret, now, actor.email
        )
        audit.record(
            uow.conn,
            organisation.id,
            now,
            actor.email,
            "webhook.add",
            kept_url[:200],
            address,
            ", ".join(types) or "every event type",
        )
        added = _endpoint_of(uow.conn, organisation, endpoint_id)
        uow.commit()
    return NewEndpoint(added, secret)


def change_endpoint(
    services: Services,
    actor_ref: ActorRef,
    endpoint_id: int,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    address: str = "",
) -> Endpoint:
    """Change what is given; enabling an endpoint that was disabled resumes its pending
    deliveries. Audited."""
    now = services.now()
    with services.uow() as uow:
        actor, organisation = _managed(uow.conn, actor_ref)
        endpoint = _endpoint_of(uow.conn, organisation, endpoint_id)
        errors: list[DomainError] = []
        values: dict[str, object] = {}
        if url is not None:
            values["url"] = _guard(errors, lambda: _url(url))
        if event_types is not None:
            values["event_types"] = _guard(errors, lambda: _types(event_types))
        if description is not None:
            values["description"] = _guard(errors, lambda: _description(description))
        if errors:
            raise DomainError.of_all(errors)
        if enabled is not None and enabled != endpoint.enabled:
            values["disabled_at"] = None if enabled else now
            values["disabled_reason"] = None if enabled else f"disabled by {actor.email}"
        if values:
            store.update_endpoint(uow.conn, endpoint.id, **values)
            audit.record(
                uow.conn,
                organisation.id,
                now,
                actor.email,
                "webhook.change",
                endpoint.url[:200],
                address,
                ", ".join(f"{k} changed" for k in values if k != "disabled_reason"),
            )
        changed = _endpoint_of(uow.conn, organisation, endpoint.id)
        uow.commit()
    return changed


def remove_endpoint(
    services: Services, actor_ref: ActorRef, endpoint_id: int, address: str = ""
) -> None:
    """Remove the endpoint with its deliveries and their log. Audited."""
    now = services.now()
    with services.uow() as uow:
        actor, organisation = _managed(uow.conn, actor_ref)
        endpoint = _endpoint_of(uow.conn, organisation, endpoint_id)
        store.delete_endpoint(uow.conn, endpoint.id)
        audit.record(
            uow.conn,
            organisation.id,
            now,
            actor.email,
            "webhook.remove",
            endpoint.url[:200],
            address,
        )
        uow.commit()


def deliveries(
    services: Services, actor_ref: ActorRef, endpoint_id: int, limit: int = 100
) -> list[Delivery]:
    """The endpoint's latest deliveries, newest first: status, attempts, last answer."""
    with services.uow(read_only=True) as uow:
        _actor, organisation = _managed(uow.conn, actor_ref)
        endpoint = _endpoint_of(uow.conn, organisation, endpoint_id)
        return store.deliveries(uow.conn, endpoint.id, limit)


def attempts(
    services: Services, actor_ref: ActorRef, endpoint_id: int, delivery_id: int
) -> tuple[Delivery, list[Attempt]]:
    with services.uow(read_only=True) as uow:
        _actor, organisation = _managed(uow.conn, actor_ref)
        endpoint = _endpoint_of(uow.conn, organisation, endpoint_id)
        found = _delivery_of(uow.conn, endpoint, delivery_id)
        return found, store.attempts(uow.conn, found.id)


def _delivery_of(conn: Connection, endpoint: Endpoint, delivery_id: int) -> Delivery:
    found = store.delivery(conn, endpoint.id, delivery_id)
    if found is None:
        raise NotFound(
            Code.WEBHOOK_DELIVERY_NOT_FOUND, f"The endpoint has no delivery {delivery_id}."
        )
    return found


def redeliver(
    services: Services, actor_ref: ActorRef, endpoint_id: int, delivery_id: int, address: str = ""
) -> Delivery:
    """Send the delivery again soon, with its event's own webhook-id. Audited."""
    now = services.now()
    with services.uow() as uow:
        actor, organisation = _managed(uow.conn, actor_ref)
        endpoint = _endpoint_of(uow.conn, organisation, endpoint_id)
        _require_enabled(endpoint)
        found = _delivery_of(uow.conn, endpoint, delivery_id)
        store.redeliver(uow.conn, found.id, now)
        audit.record(
            uow.conn,
            organisation.id,
            now,
            actor.email,
            "webhook.redeliver",
            endpoint.url[:200],
            address,
            found.event_id,
        )
        again = _delivery_of(uow.conn, endpoint, found.id)
        uow.commit()
    return again


def send_test_event(
    services: Services, actor_ref: ActorRef, endpoint_id: int, address: str = ""
) -> Delivery:
    """A ``webhook.test`` event to this endpoint alone; answers its delivery."""
    now = services.now()
    with services.uow() as uow:
        actor, organisation = _managed(uow.conn, actor_ref)
        endpoint = _endpoint_of(uow.conn, organisation, endpoint_id)
        _require_enabled(endpoint)
        event_id = outbox.emit(
            uow.conn,
            organisation.id,
            EventType.TEST.value,
            {"endpoint": {"id": endpoint.id, "url": endpoint.url}, "actor": actor.email},
            now,
            only_endpoint=endpoint.id,
        )
        sent = next(d for d in store.deliveries(uow.conn, endpoint.id, 5) if d.event_id == event_id)
        uow.commit()
    return sent


def _require_enabled(endpoint: Endpoint) -> None:
    if not endpoint.enabled:
        raise Conflict(
            Code.WEBHOOK_DISABLED,
            f"The endpoint is disabled ({endpoint.disabled_reason}): enable it first.",
        )


REDELIVER_REFUSALS = (*ONE_REFUSALS, Code.WEBHOOK_DISABLED, Code.WEBHOOK_DELIVERY_NOT_FOUND)
TEST_REFUSALS = (*ONE_REFUSALS, Code.WEBHOOK_DISABLED)
