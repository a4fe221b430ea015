"""Readiness: the database answers and has the schema; the published keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from entitle.domain.errors import NotFound
from entitle.service.context import Services
from entitle.store.database import is_current


@runtime_checkable
class PublishesKeys(Protocol):
    def jwks(self, now: datetime | None = None) -> dict[str, Any]: ...

    def xml_certificates_pem(self, now: datetime | None = None) -> bytes: ...


def database_ready(services: Services) -> bool:
    try:
        with services.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return is_current(services.engine)
    except SQLAlchemyError:
        return False


def public_keys(services: Services) -> PublishesKeys:
    """The keys workstations trust, as the signer publishes them."""
    if not isinstance(services.signer, PublishesKeys):
        raise NotFound("KEYS_NOT_PUBLISHED", "This server publishes no keys.")
    return services.signer
