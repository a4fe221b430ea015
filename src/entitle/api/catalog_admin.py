"""The catalog every organisation shares: browsed by Administrators and Co-Administrators,
imported from a CSV file by the Administrators of an organisation that maintains it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import (
    CatalogApplicationOut,
    CatalogImportOut,
    CatalogPageOut,
    CatalogProblemOut,
    CatalogRowOut,
    Text,
    VersionOut,
)
from entitle.domain.catalog_file import CatalogChange, CatalogRow
from entitle.domain.codes import Code
from entitle.domain.model import LicenseService
from entitle.service.browse_catalog import browse_catalog
from entitle.service.import_catalog import IMPORT_REFUSALS, CatalogImport, import_catalog

router = APIRouter(prefix="/catalog", tags=["administration"])
CSV_EXAMPLE = (
    "application,version,license_service\nAtlas Designer,10.18.0.4,SES\nHarbor View,1.0,SES\n"
)


@router.get(
    "/applications",
    summary="The catalog: applications and their versions (Administrators, Co-Administrators)",
    operation_id="listCatalogApplications",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS),
)
def applications(
    actor: Actor,
    services: ServicesDep,
    q: Annotated[Text, Query(description="Text in the application's name, any case")] = "",
    license_service: Annotated[LicenseService | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> CatalogPageOut:
    """The catalog every organisation of the server shares, by application name, paged in
    SQL: each application with its released versions, newest first, and the license service
    each uses. With `license_service`, only applications with a version of it, and only those
    versions. `may_import` says whether the caller may import a file."""
    view = browse_catalog(services, actor.user, q, license_service, page, page_size)
    return CatalogPageOut(
        items=[
            CatalogApplicationOut(
                name=name,
                versions=[
                    VersionOut(version=str(r.version), license_service=r.license_service)
                    for r in versions
                ],
            )
            for name, versions in view.page.items
        ],
        total=view.page.total,
        page=page,
        page_size=page_size,
        may_import=view.may_import,
    )


@router.post(
    "/import",
    summary="Preview or apply a catalog file (Administrators of a maintaining organisation)",
    operation_id="importCatalog",
    openapi_extra={
        **refuses(*IMPORT_REFUSALS),
        "requestBody": {
            "required": True,
            "description": "CSV, UTF-8, at most 512 KiB: the header "
            "`application,version,license_service`, then one released version a row",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
        },
    },
)
async def import_file(
    request: Request,
    actor: Actor,
    services: ServicesDep,
    dry_run: Annotated[bool, Query(description="true: only say what the file would change")] = True,
) -> CatalogImportOut:
    """What the file changes: the applications and versions it adds, the rows the catalog
    holds already, and every bad row with its line number and code. With `dry_run=false` the
    versions are added in one transaction, audited once (`catalog.import`, with the counts and
    the file's SHA-256); a file with any bad row is refused whole (`CATALOG_ROW`, each row in
    `errors`). Adding is idempotent: applying the same file again adds nothing. An import
    neither changes a version's license service nor retires a version."""
    data = await request.body()
    done = await run_in_threadpool(
        import_catalog, services, actor.user, data, apply=not dry_run, address=actor.address
    )
    return import_out(done)


def import_out(done: CatalogImport) -> CatalogImportOut:
    change = done.change
    return CatalogImportOut(
        sha256=change.sha256,
        applied=done.applied,
        added=done.added,
        new_applications=list(change.new_applications),
        new_versions=[_row(change, r) for r in change.added],
        unchanged=[_row(change, r) for r in change.unchanged],
        problems=[
            CatalogProblemOut(line=p.line, code=p.code.name, message=p.message)
            for p in change.problems
        ],
    )


def _row(change: CatalogChange, row: CatalogRow) -> CatalogRowOut:
    release = row.release
    return CatalogRowOut(
        line=row.line,
        application=release.application,
        version=str(release.version),
        license_service=release.license_service,
        new_application=change.is_new_application(release.application),
    )
