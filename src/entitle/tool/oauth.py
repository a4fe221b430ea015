"""The client side of signing in: OAuth 2.0 as ``entitle-tool login`` and ``logout`` speak it.

* :func:`start` asks for a device authorization (RFC 8628 §3.1-3.2), naming this machine and
  the tool's version;
* :func:`wait_for_approval` polls the token endpoint (§3.4-3.5) every ``interval`` seconds
  until the user answers: ``authorization_pending`` waits on, ``slow_down`` adds 5 seconds to
  the interval for good, ``access_denied`` and ``expired_token`` end the wait (as does the
  codes' own lifetime); an ``invalid_grant`` (a code used already, or unknown) too;
* :func:`refresh` trades the refresh token for new tokens (RFC 6749 §6; the server replaces
  the refresh token each time);
* :func:`revoke` ends the credential at the server (RFC 7009).

The server's endpoints are at fixed paths under its URL (``/oauth/...``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from entitle.tool.errors import (
    ServerUnreachable,
    SignInDenied,
    SignInExpired,
    SignInRefused,
)
from entitle.tool.http import HttpAnswer, base_url, post_form

CLIENT_ID = "entitle-tool"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEVICE_AUTHORIZATION_PATH = "/oauth/device_authorization"
TOKEN_PATH = "/oauth/token"  # noqa: S105 - a path, not a secret
REVOCATION_PATH = "/oauth/revoke"
SLOW_DOWN_SECONDS = 5


class DeviceAuthorization:
    """What the server answered to :func:`start`: the codes, where to enter the user code,
    how long they last and how often to poll."""

    __slots__ = (
        "device_code",
        "expires_in",
        "interval",
        "server",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
    )

    def __init__(self, server: str, document: dict[str, Any]) -> None:
        self.server = server
        self.device_code = str(document["device_code"])
        self.user_code = str(document["user_code"])
        self.verification_uri = str(document["verification_uri"])
        self.verification_uri_complete = str(
            document.get("verification_uri_complete") or self.verification_uri
        )
        self.expires_in = int(document["expires_in"])
        self.interval = int(document.get("interval") or 5)


class Tokens:
    """An access token (``expires_in`` seconds from when it was received) and the refresh
    token that gets the next one."""

    __slots__ = ("access_token", "expires_in", "refresh_token")

    def __init__(self, document: dict[str, Any]) -> None:
        self.access_token = str(document["access_token"])
        self.refresh_token = str(document["refresh_token"])
        self.expires_in = int(document.get("expires_in") or 3600)


def start(server: str, machine: str, tool_version: str) -> DeviceAuthorization:
    """Ask ``server`` to start a sign-in; raises :class:`SignInRefused` when it will not."""
    server = base_url(server)
    answer = post_form(
        server + DEVICE_AUTHORIZATION_PATH,
        {"client_id": CLIENT_ID, "machine": machine, "tool_version": tool_version},
    )
    document = answer.json()
    if answer.status != 200 or not isinstance(document, dict) or "device_code" not in document:
        raise _refused(server, answer, "start a sign-in")
    try:
        return DeviceAuthorization(server, document)
    except (KeyError, TypeError, ValueError):
        raise SignInRefused(f"{server} answered the sign-in with something unusable.") from None


def wait_for_approval(
    authorization: DeviceAuthorization,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Tokens:
    """Poll until the user approves (the tokens) or the sign-in ends (a :class:`SignInRefused`).

    A poll the network loses is tried again at the next interval, until the codes expire.
    """
    server = authorization.server
    interval = authorization.interval
    deadline = clock() + authorization.expires_in
    while True:
        sleep(interval)
        if clock() >= deadline:
            raise SignInExpired(server)
        try:
            answer = post_form(
                server + TOKEN_PATH,
                {
                    "grant_type": DEVICE_GRANT,
                    "client_id": CLIENT_ID,
                    "device_code": authorization.device_code,
                },
            )
        except ServerUnreachable:
            continue
        error = _error(answer)
        if error is None:
            return _tokens(server, answer)
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += SLOW_DOWN_SECONDS
            continue
        if error == "access_denied":
            raise SignInDenied()
        if error == "expired_token":
            raise SignInExpired(server)
        if error == "invalid_grant":
            raise SignInRefused(
                f"{server} refused the sign-in code: it was used already or is unknown; "
                f"run 'entitle-tool login {server}' again."
            )
        raise _refused(server, answer, "sign in")


def refresh(server: str, refresh_token: str) -> Tokens | None:
    """New tokens for ``refresh_token``; None when the server refuses it (the credential was
    revoked, or the refresh token expired or was used already)."""
    server = base_url(server)
    answer = post_form(
        server + TOKEN_PATH,
        {"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": refresh_token},
    )
    error = _error(answer)
    if error is None:
        return _tokens(server, answer)
    if error in ("invalid_grant", "invalid_client", "unauthorized_client"):
        return None
    raise _refused(server, answer, "refresh the sign-in")


def revoke(server: str, token: str, hint: str = "refresh_token") -> None:
    """End the credential ``token`` belongs to (RFC 7009); raises :class:`ServerUnreachable`
    when the server does not answer, :class:`SignInRefused` when it refuses."""
    server = base_url(server)
    answer = post_form(
        server + REVOCATION_PATH,
        {"client_id": CLIENT_ID, "token": token, "token_type_hint": hint},
    )
    if answer.status != 200:
        raise _refused(server, answer, "sign out")


def _error(answer: HttpAnswer) -> str | None:
    if answer.status == 200:
        return None
    document = answer.json()
    error = document.get("error") if isinstance(document, dict) else None
    return error if isinstance(error, str) else f"HTTP {answer.status}"


def _tokens(server: str, answer: HttpAnswer) -> Tokens:
    document = answer.json()
    try:
        return Tokens(document)
    except (KeyError, TypeError, ValueError):
        raise SignInRefused(f"{server} answered with tokens it did not complete.") from None


def _refused(server: str, answer: HttpAnswer, what: str) -> SignInRefused:
    document = answer.json()
    detail = ""
    if isinstance(document, dict):
        detail = str(document.get("error_description") or document.get("error") or "")
    if answer.status == 404:
        return SignInRefused(
            f"{server} has no device sign-in (HTTP 404); is it an entitle server, "
            "of a version that signs the tool in?"
        )
    return SignInRefused(
        f"{server} would not {what} (HTTP {answer.status}{': ' + detail if detail else ''})."
    )
