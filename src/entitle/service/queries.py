"""Read-only use cases: the checkout list and one checkout, scoped to the caller's organisation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from entitle.domain.checkouts import require_manager
from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput, NotFound
from entitle.domain.model import Checkout
from entitle.service.actors import ActorRef, acting_user, actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit
from entitle.store import checkouts as store
from entitle.store.checkouts import SORTABLE, STATUSES, CheckoutPage, CheckoutQuery

MAX_PAGE_SIZE = 500


def parse_sort(text: str | Sequence[str] | None) -> tuple[tuple[str, bool], ...]:
    """``"user,-expires_at"`` to ``(("user", False), ("expires_at", True))``."""
    if text is None or text == "":
        return (("created_at", True),)
    parts = text.split(",") if isinstance(text, str) else list(text)
    order: list[tuple[str, bool]] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        name = part.lstrip("-+")
        if name not in SORTABLE:
            raise InvalidInput(
                Code.SORT_FIELD_UNKNOWN,
                f"Cannot sort by '{name}'; use any of {', '.join(SORTABLE)} (prefix - to reverse).",
                field="sort",
            )
        if name not in (n for n, _ in order):
            order.append((name, part.startswith("-")))
    return tuple(order) or (("created_at", True),)


def list_checkouts(services: Services, actor_ref: ActorRef, query: CheckoutQuery) -> CheckoutPage:
    """A page of the caller's organisation's checkouts; ``query.organisation_id`` is replaced."""
    if query.status not in STATUSES:
        raise InvalidInput(
            Code.STATUS_UNKNOWN, f"status is one of {', '.join(STATUSES)}.", field="status"
        )
    if not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            Code.PAGE_SIZE, f"page_size is between 1 and {MAX_PAGE_SIZE}.", field="page_size"
        )
    if query.page < 1:
        raise InvalidInput(Code.PAGE, "page starts at 1.", field="page")
    with services.uow(read_only=True) as uow:
        actor = acting_user(uow.conn, actor_ref)
        require_manager(actor)
        return store.search(
            uow.conn, replace(query, organisation_id=actor.organisation_id), services.now()
        )


def get_checkout(services: Services, actor_ref: ActorRef, checkout_id: str) -> Checkout:
    with services.uow(read_only=True) as uow:
        actor = acting_user(uow.conn, actor_ref)
        require_manager(actor)
        found = store.get(uow.conn, actor.organisation_id, checkout_id)
    if found is None:
        raise NotFound(Code.CHECKOUT_NOT_FOUND, f"No checkout {checkout_id} in your organisation.")
    return found


def license_files(
    services: Services, actor_email: str, checkout_ids: Sequence[str], address: str = ""
) -> list[tuple[Checkout, bytes]]:
    """The stored license files, in the order asked; every download is audited."""
    ids = list(dict.fromkeys(checkout_ids))
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_email)
        require_manager(actor)
        files = store.license_files(uow.conn, organisation.id, ids)
        missing = [i for i in ids if i not in files]
        if missing:
            raise NotFound(
                Code.CHECKOUT_NOT_FOUND,
                f"No checkout {missing[0]} in your organisation.",
                field="ids",
            )
        by_id = {c.id: c for c in store.get_many(uow.conn, organisation.id, ids)}
        now = services.now()
        audit.record_many(
            uow.conn,
            [
                {
                    "organisation_id": organisation.id,
                    "at": now,
                    "actor": actor.email,
                    "action": "checkout.download",
                    "subject": checkout_id,
                    "address": address,
                    "detail": "",
                }
                for checkout_id in ids
            ],
        )
        uow.commit()
    return [(by_id[i], files[i]) for i in ids]


def export_checkouts(
    services: Services, actor_ref: ActorRef, query: CheckoutQuery
) -> Iterator[Sequence[object]]:
    """The checkouts the query matches, every one of them in its order, as the history shows
    them: first the header (``store.EXPORT_FIELDS``), then one row each, read in one
    transaction from a server-side cursor. The caller's role is checked before the header, so
    the first ``next()`` raises any refusal before anything is sent."""
    if query.status not in STATUSES:
        raise InvalidInput(
            Code.STATUS_UNKNOWN, f"status is one of {', '.join(STATUSES)}.", field="status"
        )
    with services.uow(stream=True) as uow:
        actor = acting_user(uow.conn, actor_ref)
        require_manager(actor)
        yield store.EXPORT_FIELDS
        now = services.now()
        scoped = replace(query, organisation_id=actor.organisation_id)
        yield from store.export_rows(uow.conn, scoped, now)
