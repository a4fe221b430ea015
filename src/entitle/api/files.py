"""License file downloads: one file, or many in a zip."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from entitle.api.auth import Actor
from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import CheckoutId, Ids
from entitle.domain.codes import Code
from entitle.service.bundle_license_files import bundle_license_files, license_file

router = APIRouter(tags=["license files"])


def _binary(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": description, "content": dict.fromkeys(media_types, binary)}}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/checkouts/{checkout_id}/license-file",
    summary="The checkout's signed license file (.belic or .xml), the same bytes every time",
    response_class=Response,
    responses=_binary(
        "The license file as an attachment", "application/octet-stream", "application/xml"
    ),
    operation_id="downloadLicenseFile",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.CHECKOUT_NOT_FOUND),
)
def download(
    checkout_id: Annotated[CheckoutId, Path()], actor: Actor, services: ServicesDep
) -> Response:
    """The license file signed when the checkout was made, to import with `entitle-tool import`.

    SES checkouts answer a `.belic` file (a JWS), SELECTserver checkouts an `.xml` file
    (XML-DSig); the attachment's name says who, which machine and which checkout. Each download
    is recorded in the audit trail.
    """
    name, data = license_file(services, actor.email, checkout_id, actor.address)
    media_type = "application/xml" if name.endswith(".xml") else "application/octet-stream"
    return Response(data, media_type=media_type, headers=_attachment(name))


@router.post(
    "/checkouts/license-files",
    summary="Many license files in one zip, each under its own name",
    response_class=Response,
    responses=_binary("A zip of license files", "application/zip"),
    operation_id="downloadLicenseFiles",
    openapi_extra=refuses(Code.ROLE_CANNOT_MANAGE_CHECKOUTS, Code.CHECKOUT_NOT_FOUND),
)
def download_many(body: Ids, actor: Actor, services: ServicesDep) -> Response:
    """The license files of several checkouts in one zip, each under a name of its own.

    An id that is not one of the organisation's checkouts refuses the whole request.
    """
    data = bundle_license_files(services, actor.email, body.ids, actor.address)
    return Response(data, media_type="application/zip", headers=_attachment("license-files.zip"))
