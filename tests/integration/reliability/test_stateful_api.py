"""schemathesis' stateful mode: chains of calls that follow the links between operations
(inferred from the schema: a created checkout's id feeds its reads, downloads and check-ins)."""

from __future__ import annotations

import zlib
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from hypothesis.stateful import run_state_machine_as_test

from entitle.server import create_app
from entitle.service import tokens
from tests.integration.api.test_openapi_conformance import CHECKS
from tests.integration.fixtures import World
from tests.integration.reliability.deployment import SOAK

VALID_CREATE = {
    "country": "US",
    "license_service": "SES",
    "user": "ana@example.com",
    "machine": "SF-0",
    "applications": [{"name": "Atlas Designer", "version": "10.17.2.61"}],
}
STEPS = 6
RUNS = 20
SCENARIOS = 100 if SOAK else 12


@pytest.mark.slow
def test_chains_of_linked_calls_never_answer_5xx_or_break_the_schema(world: World) -> None:
    app = create_app(world.services)
    # The chains that matter start at a created checkout; the rest of the API is covered by
    # the conformance test. Among every operation the walk rarely reached a linked one with a
    # real id (the user's own /me routes answer 404 for the administrator's checkouts).
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(
        path_regex=r"^/api/v1/checkouts(/|$)"
    )
    machine = schema.as_state_machine()
    token = tokens.create_token(world.services, world.admin).token
    linked = schema.operations_with_incoming_links()
    assert "GET /api/v1/checkouts/{checkout_id}" in linked, linked
    called: list[str] = []
    scenarios: list[int] = []

    class Stateful(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def before_call(self, case: Any) -> None:
            # Most generated creates break a domain rule; make two in three valid, so the
            # linked reads, downloads and check-ins work on real checkouts. The choice depends
            # on the generated case only, so a replayed scenario gets the same answers.
            create = case.method == "POST" and case.path == "/api/v1/checkouts"
            if create and zlib.crc32(repr(case.body).encode()) % 3:
                case.body = {**VALID_CREATE, "machine": f"SF-{len(called)}"}

        def teardown(self) -> None:
            scenarios.append(len(called))

        def after_call(self, response: Any, case: Any) -> None:
            called.append(f"{case.method} {case.path} {response.status_code}")

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    with TestClient(app):
        for _run in range(RUNS):
            if len(scenarios) >= SCENARIOS:
                break
            try:
                run_state_machine_as_test(
                    Stateful,
                    settings=settings(
                        max_examples=max(1, SCENARIOS - len(scenarios)),
                        stateful_step_count=STEPS,
                        phases=[Phase.generate],
                        deadline=None,
                        database=None,
                        suppress_health_check=list(HealthCheck),
                    ),
                )
            except Flaky:
                # The database outlives a scenario, so a later one may find other answers than
                # hypothesis remembers; schemathesis' own runner starts again in that case too.
                continue
            break
    assert len(scenarios) >= SCENARIOS, f"only {len(scenarios)} scenarios in {RUNS} runs"
    assert any(c.startswith("POST /api/v1/checkouts 201") for c in called), called
    followed = [c for c in called if "{checkout_id}" in c and c.endswith(" 200")]
    assert followed, called
