"""The server's log: one line per request, text or JSON, with its request id and no secret."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from entitle import settings
from entitle.api import logs
from entitle.server import create_app
from entitle.service import queries, tokens
from entitle.service.account import account
from tests.integration.api.conftest import Api
from tests.integration.fixtures import PASSWORD, World

Lines = Callable[[], list[str]]


@pytest.fixture
def log_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], Lines]]:
    """Sets the server's log up as ``entitle serve`` does, in a format; the lines written."""
    root = logging.getLogger()
    level = root.level
    # The test's own HTTP client logs each URL it asks for; the server's lines are the point.
    client_log = logging.getLogger("httpx")
    client_level = client_log.level
    client_log.setLevel(logging.WARNING)

    def configure(log_format: str) -> Lines:
        monkeypatch.setenv("ENTITLE_LOG_FORMAT", log_format)
        logs.configure(settings.current())
        capsys.readouterr()
        return lambda: capsys.readouterr().err.splitlines()

    yield configure
    for handler in [h for h in root.handlers if h.get_name() == "entitle"]:
        root.removeHandler(handler)
    root.setLevel(level)
    client_log.setLevel(client_level)


def _json(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines]


def _request_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["event"] == "request"]


def test_each_request_writes_one_json_line_with_route_template_status_duration_and_caller(
    api: Api, log_lines: Callable[[str], Lines]
) -> None:
    made = api.create()
    written = log_lines("json")
    response = api.get(f"/api/v1/checkouts/{made['id']}")
    (line,) = _request_lines(_json(written()))
    assert line["method"] == "GET"
    assert line["route"] == "/api/v1/checkouts/{checkout_id}"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")
    admin = account(api.world.services, api.world.admin).user
    assert (line["organisation_id"], line["user_id"]) == (admin.organisation_id, admin.id)


def test_a_request_without_credentials_names_no_caller(
    api: Api, log_lines: Callable[[str], Lines]
) -> None:
    written = log_lines("json")
    api.get("/no/such/page", None)
    (line,) = _request_lines(_json(written()))
    assert line["route"] == "unmatched"
    assert line["status"] == 404
    assert "organisation_id" not in line
    assert "user_id" not in line


def test_no_token_cookie_password_or_query_string_reaches_the_log(
    api: Api, log_lines: Callable[[str], Lines]
) -> None:
    written = log_lines("json")
    login = api.post("/api/v1/session", None, json={"email": api.world.admin, "password": PASSWORD})
    assert login.status_code == 200
    cookie = login.cookies["entitle_session"]
    csrf = login.json()["csrf_token"]
    token = api.tokens["admin"]
    api.client.cookies.clear()
    session = {"Cookie": f"entitle_session={cookie}", "X-CSRF-Token": csrf}
    assert api.get("/api/v1/session", None, headers=session).status_code == 200
    listed = api.get("/api/v1/checkouts?user=query-secret-41&page_size=1", "admin")
    assert listed.status_code == 200
    refused = api.get("/api/v1/session", None, headers={"Authorization": "Bearer wrong-7c1d"})
    assert refused.status_code == 401
    text = "\n".join(written())
    lines = _request_lines(_json(text.splitlines()))
    assert [line["route"] for line in lines] == ["/api/v1/session"] * 2 + [
        "/api/v1/checkouts",
        "/api/v1/session",
    ]
    for secret in (token, cookie, csrf, PASSWORD, "query-secret-41", "wrong-7c1d"):
        assert secret not in text


def test_every_log_line_written_while_answering_names_the_request(
    world: World, log_lines: Callable[[str], Lines], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A use case that logs a line and then breaks: the line from the route's thread, the
    # traceback of the unhandled error and the request line all name the request.
    def breaks(*_args: object) -> None:
        logging.getLogger("entitle.service").warning("about to break")
        raise RuntimeError("broken on purpose")

    token = tokens.create_token(world.services, world.admin).token
    monkeypatch.setattr(queries, "get_checkout", breaks)
    written = log_lines("json")
    with TestClient(create_app(world.services), raise_server_exceptions=False) as client:
        response = client.get(
            "/api/v1/checkouts/00000000-0000-4000-8000-000000000000",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "trace-500"},
        )
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "trace-500"
    assert response.json()["request_id"] == "trace-500"
    assert response.json()["code"] == "INTERNAL_ERROR"
    lines = [line for line in _json(written()) if line.get("request_id") == "trace-500"]
    assert lines[0]["event"] == "about to break"
    assert "broken on purpose" in lines[1]["exception"]
    assert lines[-1]["event"] == "request"
    assert lines[-1]["status"] == 500


def test_the_default_log_is_text_with_the_same_fields(
    api: Api, log_lines: Callable[[str], Lines]
) -> None:
    written = log_lines("text")
    response = api.get("/healthz", None)
    (line,) = [line for line in written() if " request " in line]
    request_id = response.headers["x-request-id"]
    for field in ("method=GET", "route=/healthz", "status=200", f"request_id={request_id}"):
        assert field in line
    assert "duration_ms=" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_the_request_line_can_be_turned_off(
    world: World, log_lines: Callable[[str], Lines], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTITLE_ACCESS_LOG", "off")
    written = log_lines("json")
    with TestClient(create_app(world.services)) as client:
        assert client.get("/healthz").status_code == 200
    assert _request_lines(_json(written())) == []
