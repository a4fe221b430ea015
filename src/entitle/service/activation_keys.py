"""An organisation's SELECTserver activation keys per entitlement country, as its
Administrators and Co-Administrators keep them: listed (retired ones too), added, retired and
brought back. A retired key stays on the checkouts that hold it; the New checkout panel no
longer offers it and new checkouts cannot use it. Each change is audited in its transaction."""

from __future__ import annotations

import re
from collections.abc import Sequence

from entitle.domain import names
from entitle.domain.checkouts import entitled_policy, require_manager
from entitle.domain.codes import Code
from entitle.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from entitle.domain.model import ActivationKey, Organisation
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit, organisations

_KEY = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,63}$")
MAX_KEYS = 100
ADD_REFUSALS = (
    Code.ROLE_CANNOT_MANAGE_CHECKOUTS,
    Code.COUNTRY_INVALID,
    Code.COUNTRY_NOT_ENTITLED,
    Code.KEYS_REQUIRED,
    Code.ACTIVATION_KEY_INVALID,
    Code.ACTIVATION_KEY_TAKEN,
)
RETIRE_REFUSALS = (Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.ACTIVATION_KEY_NOT_FOUND)


def list_keys(services: Services, actor_ref: ActorRef, country: str) -> list[ActivationKey]:
    code = names.country(country)
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        require_manager(actor)
        _entitled(organisation, code)
        return organisations.keys_of(uow.conn, organisation.id, code, with_retired=True)


def add_keys(
    services: Services, actor_ref: ActorRef, country: str, keys: Sequence[str], address: str = ""
) -> list[ActivationKey]:
    """Add keys to a country (a key it has already is kept as it is); answers its keys."""
    code = names.country(country)
    cleaned = list(dict.fromkeys(k.strip().upper() for k in keys if k.strip()))
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        require_manager(actor)
        _entitled(organisation, code)
        errors: list[DomainError] = []
        if not cleaned:
            errors.append(
                InvalidInput(Code.KEYS_REQUIRED, "Give at least one activation key.", field="keys")
            )
        if len(cleaned) > MAX_KEYS:
            errors.append(
                InvalidInput(
                    Code.KEYS_REQUIRED, f"Add at most {MAX_KEYS} keys at once.", field="keys"
                )
            )
        for key in cleaned[:MAX_KEYS]:
            if not _KEY.match(key):
                errors.append(
                    InvalidInput(
                        Code.ACTIVATION_KEY_INVALID,
                        f"'{key[:80]}' is not an activation key: letters, digits and hyphens.",
                        field="keys",
                    )
                )
                continue
            owner = organisations.key_owner(uow.conn, key)
            if owner is not None and owner != (organisation.id, code):
                errors.append(
                    Conflict(
                        Code.ACTIVATION_KEY_TAKEN,
                        f"{key} is already a key of another country or organisation.",
                        field="keys",
                    )
                )
        if errors:
            raise DomainError.of_all(errors)
        organisations.add_keys(uow.conn, organisation.id, [ActivationKey(k, code) for k in cleaned])
        audit.record(
            uow.conn,
            organisation.id,
            services.now(),
            actor.email,
            "key.add",
            code,
            address,
            ", ".join(cleaned)[:2000],
        )
        found = organisations.keys_of(uow.conn, organisation.id, code, with_retired=True)
        uow.commit()
    return found


def retire_key(
    services: Services, actor_ref: ActorRef, key: str, retired: bool = True, address: str = ""
) -> ActivationKey:
    """Retire a key (``retired=False`` brings it back); answers the key as it is now."""
    wanted = key.strip().upper()
    now = services.now()
    with services.uow() as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        require_manager(actor)
        found = next(
            (
                k
                for k in organisations.keys_of(uow.conn, organisation.id, with_retired=True)
                if k.key == wanted
            ),
            None,
        )
        if found is None:
            raise NotFound(
                Code.ACTIVATION_KEY_NOT_FOUND,
                f"{organisation.name} has no activation key {key[:80]}.",
                field="key",
            )
        if organisations.set_key_retired(
            uow.conn, organisation.id, wanted, now if retired else None
        ):
            action = "key.retire" if retired else "key.restore"
            audit.record(uow.conn, organisation.id, now, actor.email, action, wanted, address)
        uow.commit()
    return ActivationKey(found.key, found.country, retired)


def _entitled(organisation: Organisation, code: str) -> None:
    entitled_policy(organisation, code)
