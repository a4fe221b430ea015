"""Signing this OS user's tool in to a license server, and requests made as the signed-in user.

``entitle-tool login URL`` (:func:`login`) prints where to approve the sign-in and waits; the
approved credential is kept in ``<home>/credential.json`` (the user's own store directory,
:func:`~entitle.tool.home.tool_home`; the file readable by this OS user alone, mode 0600): the
server's URL, the user's email, an access token good for an hour and the refresh token that
gets the next one. :func:`logout` revokes it at the server and deletes it here.

Later commands call the server as the signed-in user with :func:`authorised_request`::

    from entitle.tool.signin import authorised_request

    answer = authorised_request("POST", "/api/v1/me/checkouts", {"applications": [...]})
    if answer.status == 201:
        created = answer.json()

It sends the access token, refreshing it first when it has expired (or when the server
refuses it once), and saves the new refresh token the server hands out; a credential the
server no longer accepts is deleted and reported as :class:`NotSignedIn`. Refreshing holds a
file lock, so two commands at once never spend one refresh token twice (which the server
takes for a stolen copy, and answers by revoking the credential).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from entitle.tool import oauth
from entitle.tool.errors import NotSignedIn, ToolError
from entitle.tool.home import tool_home
from entitle.tool.http import HttpAnswer, base_url, send

CREDENTIAL_FILE = "credential.json"
LOCK_FILE = "credential.lock"
CREDENTIAL_FORMAT = "entitle-tool-credential/1"
EARLY = timedelta(seconds=30)
"""An access token this close to its expiry is refreshed before it is sent."""
LOCK_TIMEOUT_SECONDS = 60.0


class Credential:
    """What this OS user's tool is signed in with: ``server``, ``email``, the tokens, the
    ``machine`` it signed in as and when (``signed_in_at``)."""

    __slots__ = (
        "access_expires_at",
        "access_token",
        "email",
        "machine",
        "refresh_token",
        "server",
        "signed_in_at",
    )

    def __init__(
        self,
        server: str,
        email: str,
        access_token: str,
        access_expires_at: datetime,
        refresh_token: str,
        machine: str,
        signed_in_at: datetime,
    ) -> None:
        self.server = server
        self.email = email
        self.access_token = access_token
        self.access_expires_at = access_expires_at
        self.refresh_token = refresh_token
        self.machine = machine
        self.signed_in_at = signed_in_at

    def with_tokens(self, tokens: oauth.Tokens, now: datetime) -> Credential:
        return Credential(
            self.server,
            self.email,
            tokens.access_token,
            now + timedelta(seconds=tokens.expires_in),
            tokens.refresh_token,
            self.machine,
            self.signed_in_at,
        )

    def to_bytes(self) -> bytes:
        document = {
            "format": CREDENTIAL_FORMAT,
            "server": self.server,
            "email": self.email,
            "access_token": self.access_token,
            "access_expires_at": self.access_expires_at.isoformat(),
            "refresh_token": self.refresh_token,
            "machine": self.machine,
            "signed_in_at": self.signed_in_at.isoformat(),
        }
        return json.dumps(document, indent=2).encode("utf-8") + b"\n"

    @classmethod
    def from_bytes(cls, data: bytes) -> Credential:
        document = json.loads(data)
        if not isinstance(document, dict) or document.get("format") != CREDENTIAL_FORMAT:
            raise ValueError(f"its format is not {CREDENTIAL_FORMAT}")
        return cls(
            str(document["server"]),
            str(document["email"]),
            str(document["access_token"]),
            _moment(document["access_expires_at"]),
            str(document["refresh_token"]),
            str(document.get("machine") or ""),
            _moment(document["signed_in_at"]),
        )


class SignedOut:
    """What :func:`logout` did: ``server``, and whether the server revoked the credential
    (``revoked``; False when it could not be reached, with the ``reason``)."""

    __slots__ = ("reason", "revoked", "server")

    def __init__(self, server: str, revoked: bool, reason: str = "") -> None:
        self.server = server
        self.revoked = revoked
        self.reason = reason


def credential_path(home: str | None = None) -> str:
    return os.path.join(home or tool_home(), CREDENTIAL_FILE)


def signed_in(home: str | None = None) -> Credential | None:
    """The stored credential, or None when this OS user's tool is not signed in."""
    path = credential_path(home)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ToolError(f"Cannot read {path} ({error.strerror}).") from None
    try:
        return Credential.from_bytes(data)
    except (ValueError, KeyError, TypeError):
        raise ToolError(
            f"{path} is not a usable sign-in; run 'entitle-tool logout' and log in again."
        ) from None


def login(
    server_url: str,
    show: Callable[[oauth.DeviceAuthorization], None],
    home: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Credential:
    """Sign this OS user's tool in to ``server_url``: ``show`` tells the user where to approve
    and which code to enter; then wait for the approval and store the credential.

    Raises :class:`~entitle.tool.errors.SignInDenied`, ``SignInExpired`` or ``SignInRefused``
    when the sign-in ends without approval, and ``ServerUnreachable`` when the server does
    not answer the start. A credential held before is replaced, and revoked when its server
    answers.
    """
    from entitle import __version__
    from entitle.tool.home import machine_name

    server = base_url(server_url)
    machine = machine_name()
    authorization = oauth.start(server, machine, __version__)
    show(authorization)
    tokens = oauth.wait_for_approval(authorization, sleep)
    now = _now()
    answer = send("GET", server + "/api/v1/session", headers=_bearer(tokens.access_token))
    document = answer.json()
    user = document.get("user") if isinstance(document, dict) else None
    if answer.status != 200 or not isinstance(user, dict) or not user.get("email"):
        raise ToolError(f"{server} gave a credential it does not accept (HTTP {answer.status}).")
    credential = Credential(
        server,
        str(user["email"]),
        tokens.access_token,
        now + timedelta(seconds=tokens.expires_in),
        tokens.refresh_token,
        machine,
        now,
    )
    with _locked(home):
        previous = _read_quietly(home)
        _write(credential, home)
    if previous is not None:
        with contextlib.suppress(ToolError):
            oauth.revoke(previous.server, previous.refresh_token)
    return credential


def logout(home: str | None = None) -> SignedOut:
    """Revoke the credential at its server and delete it here; it is deleted even when the
    server cannot be reached (``revoked`` False then). Raises
    :class:`~entitle.tool.errors.NotSignedIn` when there is none."""
    with _locked(home):
        credential = signed_in(home)
        if credential is None:
            raise NotSignedIn("This user's entitle-tool is not signed in.")
        try:
            oauth.revoke(credential.server, credential.refresh_token)
        except ToolError as error:
            outcome = SignedOut(credential.server, False, error.message)
        else:
            outcome = SignedOut(credential.server, True)
        _delete(home)
    return outcome


def authorised_request(
    method: str,
    path: str,
    document: Any = None,
    home: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpAnswer:
    """``method`` ``path`` (such as ``/api/v1/me/checkouts``) on the signed-in server, as the
    signed-in user, with ``document`` as JSON when given; the answer, whatever its status.

    The access token is refreshed first when it has expired, and once more when the server
    answers 401; the new refresh token is saved. Raises
    :class:`~entitle.tool.errors.NotSignedIn` when there is no credential or the server
    no longer accepts it (it is deleted then), ``ServerUnreachable`` when the server does not
    answer.
    """
    if not path.startswith("/"):
        raise ValueError("authorised_request takes a path on the signed-in server: /api/v1/...")
    credential = signed_in(home)
    if credential is None:
        raise NotSignedIn(
            "This user's entitle-tool is not signed in: run 'entitle-tool login SERVER_URL'."
        )
    if credential.access_expires_at - EARLY <= _now():
        credential = _refreshed(credential, home)
    answer = _send_as(credential, method, path, document, headers)
    if answer.status == 401:
        credential = _refreshed(credential, home)
        answer = _send_as(credential, method, path, document, headers)
    return answer


def _send_as(
    credential: Credential,
    method: str,
    path: str,
    document: Any,
    headers: dict[str, str] | None,
) -> HttpAnswer:
    return send(
        method,
        credential.server + path,
        document,
        headers={**(headers or {}), **_bearer(credential.access_token)},
    )


def _refreshed(credential: Credential, home: str | None) -> Credential:
    """The credential with a new access token, refreshed once whichever process asks."""
    with _locked(home):
        current = signed_in(home)
        if current is None:
            raise NotSignedIn("This user's entitle-tool was signed out.")
        if current.refresh_token != credential.refresh_token:
            return current  # another command refreshed it meanwhile
        tokens = oauth.refresh(current.server, current.refresh_token)
        if tokens is None:
            _delete(home)
            raise NotSignedIn(
                f"{current.server} no longer accepts this workstation's sign-in (it was "
                f"revoked or has expired): run 'entitle-tool login {current.server}' again."
            )
        renewed = current.with_tokens(tokens, _now())
        _write(renewed, home)
    return renewed


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _write(credential: Credential, home: str | None) -> None:
    from entitle.tool.files import write_atomic

    write_atomic(credential_path(home), credential.to_bytes(), mode=0o600)


def _delete(home: str | None) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(credential_path(home))


def _read_quietly(home: str | None) -> Credential | None:
    try:
        return signed_in(home)
    except ToolError:
        return None


@contextlib.contextmanager
def _locked(home: str | None) -> Iterator[None]:
    from filelock import FileLock, Timeout

    from entitle.tool.files import ensure_private_dir

    directory = home or tool_home()
    ensure_private_dir(directory)
    lock = FileLock(os.path.join(directory, LOCK_FILE), timeout=LOCK_TIMEOUT_SECONDS)
    try:
        lock.acquire()
    except Timeout:
        raise ToolError("The sign-in is busy (another entitle-tool is using it).") from None
    try:
        yield
    finally:
        lock.release()


def _moment(text: Any) -> datetime:
    moment = datetime.fromisoformat(str(text))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)


__all__ = [
    "Credential",
    "SignedOut",
    "authorised_request",
    "credential_path",
    "login",
    "logout",
    "signed_in",
]
