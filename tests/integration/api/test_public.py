from __future__ import annotations

from cryptography import x509

from tests.integration.api.conftest import Api, assert_problem


def test_the_well_known_keys_are_public(api: Api) -> None:
    jwks = api.get("/.well-known/jwks.json", None).json()
    assert jwks["keys"]
    assert all(k["kty"] == "OKP" for k in jwks["keys"])
    pem = api.get("/.well-known/entitle-xml-cert.pem", None)
    assert pem.status_code == 200
    assert x509.load_pem_x509_certificates(pem.content)


def test_health_and_readiness(api: Api) -> None:
    assert api.get("/healthz", None).json() == {"status": "ok"}
    ready = api.get("/readyz", None)
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_every_response_carries_the_security_headers(api: Api) -> None:
    for response in (api.get("/healthz", None), api.get("/api/v1/checkouts", None)):
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


def test_a_body_over_one_mebibyte_is_a_413_problem(api: Api) -> None:
    response = api.post("/api/v1/checkouts/check-in", json={"ids": ["x" * 60] * 20_000})
    assert_problem(response, 413)


def test_an_unknown_path_is_a_404_problem(api: Api) -> None:
    assert_problem(api.get("/api/v1/nothing-here"), 404)


def test_the_openapi_document_describes_problem_responses(api: Api) -> None:
    document = api.get("/openapi.json", None).json()
    create = document["paths"]["/api/v1/checkouts"]["post"]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert "Problem" in document["components"]["schemas"]
