"""/openapi.json as a client generator reads it: ids, descriptions, examples, and the problems.

That each operation answers no problem it does not list is checked on every request the API
tests make (tests.integration.api.documented); here, that the document is complete, and lists
no problem an operation's own shape rules out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from entitle.api.openapi import codes_of
from entitle.api.problems import PROBLEM_TYPE
from entitle.domain.codes import Code
from tests.integration.api.conftest import Api

METHODS = ("get", "post", "put", "patch", "delete")
CAMEL_CASE = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]+)*$")
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
            if int(status) < 400:
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
