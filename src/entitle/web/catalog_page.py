"""The Catalog page: the applications every organisation of the server shares and their
versions per license service, searched by name and filtered by service, paged in SQL
(Administrators and Co-Administrators). Administrators of an organisation that maintains the
catalog import a CSV file: a preview of what it changes first, then Apply. Both are the admin
API's use cases (``GET /api/v1/catalog/applications``, ``POST /api/v1/catalog/import``)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from entitle.api.auth import CSRF_FIELD, Caller, OptionalActor
from entitle.api.deps import ServicesDep
from entitle.domain.catalog_file import MAX_CATALOG_BYTES
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, InvalidInput
from entitle.domain.model import LicenseService
from entitle.service.account import account
from entitle.service.browse_catalog import browse_catalog
from entitle.service.context import Services
from entitle.service.import_catalog import CatalogImport, import_catalog
from entitle.web.pages import MY_CHECKOUTS_PATH, login_redirect
from entitle.web.templating import templates
from entitle.web.wording import Shown

router = APIRouter(include_in_schema=False)
CATALOG_PATH = "/catalog"
PAGE_SIZE = 50
FileName = Annotated[str, Form(max_length=254)]


@router.get(CATALOG_PATH, response_class=HTMLResponse)
def catalog_page(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    if actor is None:
        return login_redirect(request)
    return _page(request, services, actor)


@router.post(CATALOG_PATH + "/preview", response_class=HTMLResponse)
async def preview(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if actor is None:
        return login_redirect(request)
    name = (file.filename or "catalog.csv")[:200] if file else ""
    data = await file.read(MAX_CATALOG_BYTES + 1) if file else b""
    return await run_in_threadpool(_preview, request, services, actor, name, data)


def _preview(
    request: Request, services: Services, actor: Caller, name: str, data: bytes
) -> Response:
    try:
        if not name:
            raise InvalidInput(Code.CATALOG_EMPTY, "Choose a CSV file to import.", field="file")
        found = import_catalog(services, actor.user, data, apply=False, address=actor.address)
    except DomainError as refusal:
        return _page(request, services, actor, refusal=refusal)
    return _page(request, services, actor, preview=found, file_name=name, data=data)


@router.post(CATALOG_PATH + "/apply", response_class=HTMLResponse)
def apply(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    content: Annotated[str, Form(max_length=2 * MAX_CATALOG_BYTES)] = "",
    file_name: FileName = "catalog.csv",
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    try:
        done = import_catalog(services, actor.user, data, apply=True, address=actor.address)
    except DomainError as refusal:
        again = None
        if refusal.problem is Code.CATALOG_ROW:  # the file's bad rows: show them again
            again = import_catalog(services, actor.user, data, apply=False)
        return _page(
            request, services, actor, refusal=refusal, preview=again, file_name=file_name, data=data
        )
    return _page(request, services, actor, applied=done, file_name=file_name)


def _page(
    request: Request,
    services: Services,
    actor: Caller,
    *,
    refusal: DomainError | None = None,
    preview: CatalogImport | None = None,
    data: bytes = b"",
    **extra: Any,
) -> Response:
    mine = account(services, actor.email)
    if not mine.manages_checkouts:
        return RedirectResponse(MY_CHECKOUTS_PATH, status_code=status.HTTP_303_SEE_OTHER)
    params = request.query_params
    text = params.get("q", "")[:254].replace("\x00", "")
    chosen = params.get("license_service", "")
    service = next((s for s in LicenseService if s.value == chosen), None)
    page = int(params["page"]) if params.get("page", "").isdigit() else 1
    page = max(1, min(page, 1_000_000))
    view = browse_catalog(services, actor.user, text, service, page, PAGE_SIZE)
    kept = {k: v for k, v in {"q": text, "license_service": chosen}.items() if v}
    pages = max(1, -(-view.page.total // PAGE_SIZE))
    return templates.TemplateResponse(
        request,
        "catalog.html",
        {
            "account": mine,
            "current_page": "catalog",
            "csrf_token": actor.csrf_token or "",
            "csrf_field": CSRF_FIELD,
            "view": view,
            "services": list(LicenseService),
            "typed": {"q": text, "license_service": service.value if service else ""},
            "page": page,
            "pages": pages,
            "previous_url": f"{CATALOG_PATH}?{urlencode({**kept, 'page': page - 1})}",
            "next_url": f"{CATALOG_PATH}?{urlencode({**kept, 'page': page + 1})}",
            "max_kib": MAX_CATALOG_BYTES // 1024,
            "errors": _by_field(refusal),
            "preview": preview.change if preview else None,
            "content": base64.b64encode(data).decode() if preview else "",
            **extra,
        },
        status_code=refusal.status if refusal else status.HTTP_200_OK,
        headers={"Cache-Control": "no-store"},
    )


def _by_field(refusal: DomainError | None) -> dict[str, Shown]:
    if refusal is None:
        return {}
    return {refusal.field or "": Shown(refusal)}
