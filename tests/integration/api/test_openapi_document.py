"""/openapi.json as a client generator reads it: ids, descriptions, examples, and the problems.

That each operation answers no problem it does not list is checked on every request the API
tests make (tests.integration.api.documented); here, that the document is complete, and lists
no problem an operation's own shape rules out. The OAuth endpoints of the tool's sign-in answer
their errors as RFC 6749 JSON, as OAuth clients expect; the document says so, and lists their
``error`` codes the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from entitle.api.openapi import codes_of, oauth_errors_of
from entitle.api.problems import PROBLEM_TYPE
from entitle.domain.codes import Code
from tests.integration.api.conftest import Api

METHODS = ("get", "post", "put", "patch", "delete")
CAMEL_CASE = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]+)*$")
OAUTH_PATHS = ("/oauth/device_authorization", "/oauth/token", "/oauth/revoke")
# RFC 6749 §5.2, RFC 7009 §2.2.1 and RFC 8628 §3.5: the errors an OAuth client switches on.
OAUTH_ERRORS = {
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "unsupported_token_type",
    "authorization_pending",
    "slow_down",
    "access_denied",
    "expired_token",
}
PEM_ROUTES = (
    "/.well-known/entitle-root.pem",
    "/.well-known/entitle-certificates.pem",
    "/.well-known/entitle-root.crl",
    "/.well-known/jwks.json",
    "/.well-known/entitle-xml-cert.pem",
)


@pytest.fixture
def document(api: Api) -> dict[str, Any]:
    response = api.get("/openapi.json", None)
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    if reference is None:
        return schema
    resolved: dict[str, Any] = document["components"]["schemas"][reference.rsplit("/", 1)[1]]
    return resolved


def test_every_operation_has_a_readable_unique_operation_id_and_a_description(
    document: dict[str, Any],
) -> None:
    ids = []
    for path, method, operation in _operations(document):
        label = f"{method.upper()} {path}"
        assert CAMEL_CASE.match(operation.get("operationId", "")), label
        assert operation.get("description", "").strip(), label
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids)) >= 30
    create = document["paths"]["/api/v1/checkouts"]["post"]["operationId"]
    assert create == "createCheckout"


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    bodies = 0
    for path, method, operation in _operations(document):
        for media in operation.get("requestBody", {}).get("content", {}).values():
            bodies += 1
            schema = _resolve(document, media["schema"])
            assert media.get("example") or media.get("examples") or schema.get("examples"), (
                f"{method.upper()} {path}"
            )
    assert bodies >= 6


def test_each_error_response_is_problem_json_listing_its_codes_with_an_example_of_each(
    document: dict[str, Any],
) -> None:
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            oauth = path in OAUTH_PATHS and status == "400"
            if int(status) < 400 or oauth or (path, status) == ("/readyz", "503"):
                continue
            content = response["content"]
            assert list(content) == [PROBLEM_TYPE], (path, method, status)
            schema = content[PROBLEM_TYPE]["schema"]
            assert schema["allOf"][0] == {"$ref": "#/components/schemas/Problem"}
            codes = schema["allOf"][1]["properties"]["code"]["enum"]
            assert codes, (path, method, status)
            assert all(Code[code].status == int(status) for code in codes), (path, status)
            examples = content[PROBLEM_TYPE]["examples"]
            assert set(examples) == set(codes)
            assert all(examples[c]["value"]["code"] == c for c in codes)


def test_the_oauth_endpoints_answer_rfc_6749_errors_and_say_so(document: dict[str, Any]) -> None:
    oauth = [
        (path, method)
        for path, method, _ in _operations(document)
        if oauth_errors_of(document, path, method)
    ]
    assert sorted(oauth) == sorted((path, "post") for path in OAUTH_PATHS)
    for path in OAUTH_PATHS:
        operation = document["paths"][path]["post"]
        assert "not problem+json" in " ".join(operation["description"].split()), path
        response = operation["responses"]["400"]
        schema = response["content"]["application/json"]["schema"]
        assert schema["allOf"][0] == {"$ref": "#/components/schemas/OAuthError"}
        errors = oauth_errors_of(document, path, "post")
        assert set(errors) <= OAUTH_ERRORS, path
        assert set(response["content"]["application/json"]["examples"]) == set(errors)
        assert "application/x-www-form-urlencoded" in operation["requestBody"]["content"]
        # What the app refuses before the endpoint runs is still a problem.
        assert set(codes_of(document, path, "post")) == {403, 413, 503}
    token = set(oauth_errors_of(document, "/oauth/token", "post"))
    assert {"authorization_pending", "slow_down", "access_denied", "expired_token"} <= token
    assert "invalid_grant" in token


def test_no_operation_lists_a_problem_its_shape_rules_out(document: dict[str, Any]) -> None:
    for path, method, operation in _operations(document):
        listed = {code for codes in codes_of(document, path, method).values() for code in codes}
        label = f"{method.upper()} {path}"
        if method == "get":
            assert not listed & {"CROSS_SITE_REQUEST", "CSRF_TOKEN_MISSING"}, label
        if "requestBody" not in operation:
            assert not listed & {"BODY_TOO_LARGE", "BAD_REQUEST"}, label
        if "requestBody" not in operation and not operation.get("parameters"):
            assert "INVALID_INPUT" not in listed, label
        if "security" not in operation:
            assert not listed & {"NOT_AUTHENTICATED", "CSRF_TOKEN_MISSING"}, label
        assert "INTERNAL_ERROR" not in listed, label


def test_liveness_lists_no_error_and_the_published_keys_no_database_outage(
    document: dict[str, Any],
) -> None:
    assert codes_of(document, "/healthz", "get") == {}
    for path in PEM_ROUTES:
        assert codes_of(document, path, "get") == {404: ["KEYS_NOT_PUBLISHED"]}, path


def test_every_operation_that_uses_the_database_lists_both_outages_under_503(
    document: dict[str, Any],
) -> None:
    without_database = {"/healthz", "/readyz", *PEM_ROUTES}
    for path, method, _operation in _operations(document):
        if path not in without_database:
            listed = codes_of(document, path, method)
            assert listed.get(503) == ["DATABASE_UNAVAILABLE", "STORAGE_FULL"], (method, path)


def test_readiness_documents_its_report_for_ready_and_not_ready(
    document: dict[str, Any],
) -> None:
    responses = document["paths"]["/readyz"]["get"]["responses"]
    assert set(responses) == {"200", "503"}
    for status in ("200", "503"):
        schema = responses[status]["content"]["application/json"]["schema"]
        report = _resolve(document, schema)
        assert set(report["properties"]) == {"status", "database", "schema"}, status


def test_the_codes_a_client_must_handle_for_a_create_are_listed_by_status(
    document: dict[str, Any],
) -> None:
    listed = codes_of(document, "/api/v1/checkouts", "post")
    assert set(listed) == {400, 401, 403, 409, 413, 422, 503}
    assert {"EXPIRY_AFTER_CAP", "COUNTRY_NOT_ENTITLED", "INVALID_INPUT"} <= set(listed[422])
    assert set(listed[409]) == {
        "IDEMPOTENCY_KEY_REUSED",
        "IDEMPOTENCY_RACE",
        "SIGNING_CERTIFICATE_ENDS",
    }
    assert set(listed[503]) == {"DATABASE_UNAVAILABLE", "STORAGE_FULL"}


def test_an_answer_with_a_code_its_operation_does_not_list_fails_the_request(api: Api) -> None:
    # The check every API test runs under, caught out: with NOT_AUTHENTICATED taken off the
    # session read's list, a read without credentials fails the test that sends it.
    document = api.client.app.openapi()
    read = document["paths"]["/api/v1/session"]["get"]["responses"]
    listed = read["401"]["content"][PROBLEM_TYPE]["schema"]["allOf"][1]["properties"]["code"]
    original = list(listed["enum"])
    listed["enum"] = ["LOGIN_FAILED"]
    try:
        with pytest.raises(AssertionError, match="does not list"):
            api.get("/api/v1/session", None)
    finally:
        listed["enum"] = original
