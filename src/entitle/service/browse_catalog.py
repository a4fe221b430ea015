"""The catalog as the Catalog page and the admin API show it: applications and their versions
per license service, searched by name and filtered by service, paged in SQL; with who
maintains it and whether the caller may import."""

from __future__ import annotations

from dataclasses import dataclass

from entitle.domain.catalog_file import may_import
from entitle.domain.checkouts import require_manager
from entitle.domain.model import LicenseService
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.store import catalog, organisations
from entitle.store.catalog import ApplicationsPage


@dataclass(frozen=True)
class CatalogView:
    page: ApplicationsPage
    maintainers: list[str]
    may_import: bool


def browse_catalog(
    services: Services,
    actor_ref: ActorRef,
    text: str = "",
    service: LicenseService | None = None,
    page: int = 1,
    page_size: int = 50,
) -> CatalogView:
    """Applications whose name contains ``text`` (any case) with a version of ``service``,
    by name (Administrators and Co-Administrators)."""
    with services.uow(read_only=True) as uow:
        actor, organisation = actor_and_organisation(uow.conn, actor_ref)
        require_manager(actor)
        found = catalog.applications_page(uow.conn, text, service, page, page_size)
        return CatalogView(
            found, organisations.catalog_maintainers(uow.conn), may_import(actor, organisation)
        )
