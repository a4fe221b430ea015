"""schemathesis against /openapi.json: no 5xx, and every response as documented."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from entitle.service import oidc_client, tokens
from tests.integration.api.conftest import Api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 6


@pytest.fixture(autouse=True)
def identity_providers_stay_unreached(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated provider settings name made-up hosts: testing one fetches nothing."""

    def unreached(url: str, what: str) -> dict[str, object]:
        raise oidc_client.ProviderError(f"The identity provider's {what} at {url} is not fetched.")

    monkeypatch.setattr(oidc_client, "_get_json", unreached)


def test_every_operation_answers_as_documented_and_never_5xx(api: Api) -> None:
    api.create()
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def call(case):  # type: ignore[no-untyped-def]
                # A fresh token each time: the generated calls may revoke the one they had.
                token = tokens.create_token(api.world.services, api.world.admin).token
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:
                pass  # an operation without inputs has no negative case
            except Exception as failure:  # collected, then reported together
                failures.append(f"{operation.label} ({mode.value}): {failure}")
    assert not failures, "\n\n".join(failures)
