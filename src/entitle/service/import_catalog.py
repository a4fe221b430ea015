"""Import a catalog file: preview what it changes, or apply it in one transaction.

The portal, the API and ``entitle catalog import`` all come here. The preview and the apply
read the catalog the same way, in the transaction that applies; an apply with any bad row
changes nothing, and one that adds nothing (a retried confirmation) writes nothing, not even
an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from entitle.domain.catalog_file import CatalogChange, parse_catalog, plan_import, require_importer
from entitle.domain.codes import Code
from entitle.service.actors import ActorRef, actor_and_organisation
from entitle.service.context import Services
from entitle.store import audit, catalog

OPERATOR = "operator"
IMPORT_REFUSALS = (
    Code.ROLE_CANNOT_CHANGE_CATALOG,
    Code.CATALOG_TOO_LARGE,
    Code.FILE_UNREADABLE,
    Code.CATALOG_HEADER,
    Code.CATALOG_EMPTY,
    Code.CATALOG_ROW,
    Code.APPLICATION_REQUIRED,
    Code.VERSION_MALFORMED,
    Code.LICENSE_SERVICE_UNKNOWN,
    Code.CATALOG_SERVICE_CHANGE,
)


@dataclass(frozen=True)
class CatalogImport:
    """What the file changes; ``applied``: it was applied, adding ``added`` versions."""

    change: CatalogChange
    applied: bool
    added: int = 0


def import_catalog(
    services: Services,
    actor_ref: ActorRef | None,
    data: str | bytes,
    *,
    apply: bool,
    address: str = "",
) -> CatalogImport:
    """Preview (``apply=False``) or apply a catalog file. ``actor_ref`` ``None`` is the
    operator at the server's command line."""
    with services.uow(read_only=not apply) as uow:
        organisation_id = None
        actor = OPERATOR
        if actor_ref is not None:
            user, organisation = actor_and_organisation(uow.conn, actor_ref)
            require_importer(user, organisation)
            organisation_id, actor = organisation.id, user.email
        file = parse_catalog(data)
        known = catalog.releases_of(uow.conn, {row.release.application for row in file.rows})
        change = plan_import(file, known)
        if not apply:
            return CatalogImport(change, applied=False)
        refusal = change.refusal()
        if refusal is not None:
            raise refusal
        added = catalog.add_releases(uow.conn, [row.release for row in change.added])
        if added:
            audit.record(
                uow.conn,
                organisation_id,
                services.now(),
                actor,
                "catalog.import",
                f"sha256:{change.sha256}",
                address,
                f"{len(change.new_applications)} new applications, {added} new versions, "
                f"{len(change.unchanged)} rows unchanged",
            )
        uow.commit()
    return CatalogImport(change, applied=True, added=added)
