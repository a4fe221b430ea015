"""An administrator extends a checkout: a new license file for the same checkout, to a later
expiry within today's cap; the old file is superseded, as a user's renewal supersedes it."""

from __future__ import annotations

from datetime import date

from entitle.domain.checkouts import plan_extension, require_manager
from entitle.domain.codes import Code
from entitle.domain.errors import NotFound
from entitle.domain.model import Checkout
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.service.create_checkout import audit_line
from entitle.service.reissue import reissue
from entitle.store import checkouts as store


def extend_checkout(
    services: Services,
    actor_ref: ActorRef,
    checkout_id: str,
    expires_on: date | None,
    address: str = "",
) -> tuple[Checkout, bytes]:
    """The extended checkout and its new license file; ``expires_on`` None: the latest allowed."""
    now = services.now().replace(microsecond=0)
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        require_manager(actor)
        checkout = store.get(uow.conn, organisation.id, checkout_id)
        if checkout is None:
            raise NotFound(
                Code.CHECKOUT_NOT_FOUND, f"No checkout {checkout_id} in your organisation."
            )
        new_expiry = plan_extension(checkout, organisation, actor, expires_on, now)
        extended = reissue(
            services,
            uow.conn,
            checkout,
            organisation,
            new_expiry,
            now,
            actor=actor.email,
            action="checkout.extend",
            note=audit_line(checkout),
            address=address,
        )
        uow.commit()
    return extended
