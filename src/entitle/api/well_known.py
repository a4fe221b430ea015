"""Public endpoints: what workstations need to trust this server, liveness and readiness."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response

from entitle.api.deps import ServicesDep
from entitle.api.problems import problem_response
from entitle.api.schemas import HealthOut
from entitle.licensefile import wellknown
from entitle.service.health import database_ready
from entitle.service.publication import publisher, revocation_list

router = APIRouter()
PEM = "application/x-pem-file"
_PEM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {PEM: {"schema": {"type": "string"}}}}
}


def _pem(data: bytes) -> Response:
    return Response(data, media_type=PEM)


@router.get(
    wellknown.ROOT_PATH,
    tags=["keys"],
    summary="The issuer root certificate: pin its fingerprint (entitle keys fingerprint)",
    response_class=Response,
    responses=_PEM_RESPONSE,
)
def root_certificate(services: ServicesDep) -> Response:
    return _pem(publisher(services).root_pem())


@router.get(
    wellknown.CERTIFICATES_PATH,
    tags=["keys"],
    summary="The root and every signing certificate it issued that is valid and not revoked",
    response_class=Response,
    responses=_PEM_RESPONSE,
)
def certificates(services: ServicesDep) -> Response:
    return _pem(publisher(services).certificates_pem(services.now()))


@router.get(
    wellknown.CRL_PATH,
    tags=["keys"],
    summary="The root-signed X.509 CRL of revoked signing certificates (DER)",
    response_class=Response,
    responses={200: {"content": {"application/pkix-crl": {"schema": {"type": "string"}}}}},
)
def crl(services: ServicesDep) -> Response:
    return Response(publisher(services).crl, media_type="application/pkix-crl")


@router.get(
    wellknown.REVOCATIONS_PREFIX + "{organisation_id}",
    tags=["keys"],
    summary="An organisation's signed revocation list: checkouts checked in, revoked keys",
    description="A compact JWS (see entitle.licensefile.revocation). Answers an ETag; "
    "If-None-Match with it answers 304 while the list says the same.",
    response_class=Response,
    responses={
        200: {"content": {"application/jose": {"schema": {"type": "string"}}}},
        304: {"description": "The list has not changed"},
    },
)
def revocations(
    services: ServicesDep,
    organisation_id: Annotated[str, Path(max_length=20)],
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
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
)
def jwks(services: ServicesDep) -> dict[str, Any]:
    return publisher(services).jwks(services.now())


@router.get(
    wellknown.XML_CERTIFICATES_PATH,
    tags=["keys"],
    summary="The certificates that verify .xml files (trust before issuer roots)",
    response_class=Response,
    responses=_PEM_RESPONSE,
)
def xml_certificates(services: ServicesDep) -> Response:
    return _pem(publisher(services).xml_certificates_pem(services.now()))


@router.get("/healthz", tags=["health"], summary="The process answers")
def healthz() -> HealthOut:
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    tags=["health"],
    summary="The database answers and has the schema",
    response_model=HealthOut,
    responses={503: {"description": "Not ready"}},
)
def readyz(services: ServicesDep) -> Response:
    if not database_ready(services):
        return problem_response(503, "DATABASE_UNAVAILABLE", "The database is not reachable.")
    return Response(HealthOut(status="ready").model_dump_json(), media_type="application/json")
