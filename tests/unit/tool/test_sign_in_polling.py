"""How ``entitle-tool login`` polls: at the interval, slower for good after ``slow_down``, and
what ends the wait, against a scripted token endpoint on the loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from entitle.tool import oauth
from entitle.tool.errors import SignInDenied, SignInExpired, SignInRefused

TOKENS = {"access_token": "entd_a", "refresh_token": "entr_r", "token_type": "Bearer"}


class Script:
    """A token endpoint that answers each poll with the next of ``answers``."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.forms: list[dict[str, list[str]]] = []


@pytest.fixture
def endpoint() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            script.forms.append(parse_qs(body.decode()))
            status, document = script.answers.pop(0)
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", script
    finally:
        server.shutdown()
        server.server_close()


def authorization(
    server: str, interval: int = 5, expires_in: int = 600
) -> oauth.DeviceAuthorization:
    return oauth.DeviceAuthorization(
        server,
        {
            "device_code": "dc",
            "user_code": "BCDF-GHJK",
            "verification_uri": f"{server}/device",
            "expires_in": expires_in,
            "interval": interval,
        },
    )


def pending() -> tuple[int, dict[str, Any]]:
    return 400, {"error": "authorization_pending"}


def test_polls_at_the_interval_and_five_seconds_slower_for_good_after_slow_down(
    endpoint: tuple[str, Script],
) -> None:
    server, script = endpoint
    script.answers = [pending(), (400, {"error": "slow_down"}), pending(), (200, TOKENS)]
    slept: list[float] = []
    tokens = oauth.wait_for_approval(authorization(server), sleep=slept.append)
    assert slept == [5, 5, 10, 10]
    assert tokens.access_token == "entd_a"
    assert tokens.refresh_token == "entr_r"
    assert script.forms[0]["grant_type"] == [oauth.DEVICE_GRANT]
    assert script.forms[0]["device_code"] == ["dc"]
    assert script.forms[0]["client_id"] == ["entitle-tool"]


@pytest.mark.parametrize(
    ("error", "refusal", "says"),
    [
        ("access_denied", SignInDenied, "The sign-in was denied in the portal"),
        ("expired_token", SignInExpired, "The sign-in code expired before it was approved"),
        ("invalid_grant", SignInRefused, "it was used already or is unknown"),
    ],
)
def test_a_denied_expired_or_used_code_ends_the_wait_with_its_own_sentence(
    endpoint: tuple[str, Script], error: str, refusal: type[Exception], says: str
) -> None:
    server, script = endpoint
    script.answers = [pending(), (400, {"error": error})]
    with pytest.raises(refusal, match=says) as raised:
        oauth.wait_for_approval(authorization(server), sleep=lambda _: None)
    assert "\n" not in str(raised.value)


def test_the_wait_ends_when_the_codes_lifetime_is_over_even_if_the_server_says_nothing(
    endpoint: tuple[str, Script],
) -> None:
    server, script = endpoint
    script.answers = [pending(), pending()]
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(SignInExpired):
        oauth.wait_for_approval(
            authorization(server, interval=5, expires_in=12), sleep=sleep, clock=lambda: now[0]
        )
    assert len(script.forms) == 2  # polled at 5 and 10 seconds, then gave up at 15
