"""Public endpoints: what workstations need to trust this server, liveness and readiness."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response

from entitle.api.deps import ServicesDep
from entitle.api.openapi import refuses
from entitle.api.schemas import HealthOut, ReadinessOut
from entitle.domain.codes import DATABASE, Code
from entitle.licensefile import wellknown
from entitle.service.health import readiness
from entitle.service.publication import publisher, revocation_list

router = APIRouter()
PEM = "application/x-pem-file"
_PEM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {PEM: {"schema": {"type": "string"}}}}
}


# Served from the keys loaded at start-up: no database.
_PUBLISHED = refuses(Code.KEYS_NOT_PUBLISHED)


def _pem(data: bytes) -> Response:
    return Response(data, media_type=PEM)


@router.get(
    wellknown.ROOT_PATH,
    tags=["keys"],
    summary="The issuer root certificate: pin its fingerprint (entitle keys fingerprint)",
    response_class=Response,
    responses=_PEM_RESPONSE,
    operation_id="getIssuerRoot",
    openapi_extra=_PUBLISHED,
)
def root_certificate(services: ServicesDep) -> Response:
    """The PEM certificate of the issuer root that certifies every signing key. Workstations
    pin its fingerprint, the SHA-256 of its DER, as `entitle keys fingerprint` prints it."""
    return _pem(publisher(services).root_pem())


@router.get(
    wellknown.CERTIFICATES_PATH,
    tags=["keys"],
    summary="The root and every signing certificate it issued that is valid and not revoked",
    response_class=Response,
    responses=_PEM_RESPONSE,
    operation_id="getCertificates",
    openapi_extra=_PUBLISHED,
)
def certificates(services: ServicesDep) -> Response:
    """PEM certificates: the root first, then each signing certificate valid now and not
    revoked; the licensing tool caches them for files issued before the root existed."""
    return _pem(publisher(services).certificates_pem(services.now()))


@router.get(
    wellknown.CRL_PATH,
    tags=["keys"],
    summary="The root-signed X.509 CRL of revoked signing certificates (DER)",
    response_class=Response,
    responses={200: {"content": {"application/pkix-crl": {"schema": {"type": "string"}}}}},
    operation_id="getRevokedCertificates",
    openapi_extra=_PUBLISHED,
)
def crl(services: ServicesDep) -> Response:
    """The X.509 CRL, signed by the root, of the signing certificates revoked with
    `entitle keys revoke`."""
    return Response(publisher(services).crl, media_type="application/pkix-crl")


@router.get(
    wellknown.REVOCATIONS_PREFIX + "{organisation_id}",
    tags=["keys"],
    summary="An organisation's signed revocation list: checkouts checked in, revoked keys",
    response_class=Response,
    responses={
        200: {"content": {"application/jose": {"schema": {"type": "string"}}}},
        304: {"description": "The list has not changed"},
    },
    operation_id="getRevocationList",
    openapi_extra=refuses(Code.KEYS_NOT_PUBLISHED, Code.ORGANISATION_NOT_FOUND, *DATABASE),
)
def revocations(
    services: ServicesDep,
    organisation_id: Annotated[str, Path(max_length=20)],
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """The organisation's signed revocation list, a compact JWS (entitle.licensefile.revocation):
    the checkouts checked in before their expiry and the root's CRL, for workstations to refuse
    files that were checked in. It answers an ETag; If-None-Match with it answers 304 while the
    list says the same."""
    signed = revocation_list(services, organisation_id)
    etag = f'"{signed.etag}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if if_none_match is not None and etag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(signed.data, media_type="application/jose", headers=headers)


@router.get(
    wellknown.JWKS_PATH,
    tags=["keys"],
    summary="The Ed25519 public keys that verify .belic files (trust before issuer roots)",
    operation_id="getJwks",
    openapi_extra=_PUBLISHED,
)
def jwks(services: ServicesDep) -> dict[str, Any]:
    """A JSON Web Key Set of the signing keys valid now, for workstations that trust keys one
    by one (`entitle-tool trust URL`) rather than pin the root."""
    return publisher(services).jwks(services.now())


@router.get(
    wellknown.XML_CERTIFICATES_PATH,
    tags=["keys"],
    summary="The certificates that verify .xml files (trust before issuer roots)",
    response_class=Response,
    responses=_PEM_RESPONSE,
    operation_id="getXmlCertificates",
    openapi_extra=_PUBLISHED,
)
def xml_certificates(services: ServicesDep) -> Response:
    """The PEM certificates of the RSA keys that sign `.xml` files, for workstations that trust
    keys one by one rather than pin the root."""
    return _pem(publisher(services).xml_certificates_pem(services.now()))


@router.get(
    "/healthz", tags=["health"], summary="The process answers", operation_id="checkLiveness"
)
def healthz() -> HealthOut:
    """Liveness: the process answers HTTP. It asks nothing of the database."""
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    tags=["health"],
    summary="The database answers and its schema is at this server's head",
    response_model=ReadinessOut,
    responses={503: {"model": ReadinessOut, "description": "Not ready: the body says why"}},
    operation_id="checkReadiness",
)
def readyz(services: ServicesDep) -> Response:
    """Readiness: 200 while the database answers and its schema is at the newest revision of
    this server's migrations, else 503; a load balancer sends requests to ready servers only.
    Either way the body says what was found: whether the database answers, and where its
    schema stands (`behind` until `entitle db upgrade` has run)."""
    found = readiness(services)
    body = ReadinessOut(
        status="ready" if found.ready else "not ready",
        database=found.database,
        schema=found.describe_schema(),
    )
    return Response(
        body.model_dump_json(by_alias=True),
        status_code=200 if found.ready else 503,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
