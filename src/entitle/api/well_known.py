"""Public endpoints: the keys workstations trust, liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from entitle.api.deps import ServicesDep
from entitle.api.problems import problem_response
from entitle.api.schemas import HealthOut
from entitle.service.health import database_ready, public_keys

router = APIRouter()


@router.get(
    "/.well-known/jwks.json",
    tags=["keys"],
    summary="The Ed25519 public keys that verify .belic files",
)
def jwks(services: ServicesDep) -> dict[str, Any]:
    return public_keys(services).jwks(services.now())


@router.get(
    "/.well-known/entitle-xml-cert.pem",
    tags=["keys"],
    summary="The certificates that verify .xml license files",
    response_class=Response,
    responses={200: {"content": {"application/x-pem-file": {"schema": {"type": "string"}}}}},
)
def xml_certificates(services: ServicesDep) -> Response:
    pem = public_keys(services).xml_certificates_pem(services.now())
    return Response(pem, media_type="application/x-pem-file")


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
