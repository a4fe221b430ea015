"""An administrator keeps notes with a checkout; each change is audited."""

from __future__ import annotations

from entitle.domain.checkouts import checkout_notes, require_manager
from entitle.domain.codes import Code
from entitle.domain.errors import NotFound
from entitle.domain.model import Checkout
from entitle.service.actors import ActorRef, acting_user
from entitle.service.context import Services
from entitle.store import audit
from entitle.store import checkouts as store


def set_notes(
    services: Services, actor_ref: ActorRef, checkout_id: str, text: str | None, address: str = ""
) -> Checkout:
    """The checkout with its new notes (empty text clears them)."""
    notes = checkout_notes(text)
    with services.uow() as uow:
        actor = acting_user(uow.conn, actor_ref)
        require_manager(actor)
        if not store.set_notes(uow.conn, actor.organisation_id, checkout_id, notes):
            raise NotFound(
                Code.CHECKOUT_NOT_FOUND, f"No checkout {checkout_id} in your organisation."
            )
        audit.record(
            uow.conn,
            actor.organisation_id,
            services.now(),
            actor.email,
            "checkout.notes",
            checkout_id,
            address,
            f"notes: {notes}"[:2000] if notes else "notes cleared",
        )
        found = store.get(uow.conn, actor.organisation_id, checkout_id)
        uow.commit()
    assert found is not None
    return found
