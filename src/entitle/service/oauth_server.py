"""The OAuth 2.0 server that signs entitle-tool in, built from Authlib's endpoints and grants.

entitle-tool is the one client (``client_id=entitle-tool``, public: no secret). Authlib answers
the protocol; this module gives it the storage it asks for (:mod:`entitle.store.devices`):

* device authorization (RFC 8628 §3.1-3.2): a device code, a user code such as ``BCDF-GHJK``,
  where to enter it, and how often to poll; the tool names its machine and its version
  (``machine``, ``tool_version``), which the approval page shows;
* the token endpoint (RFC 6749 §5): the device code grant (RFC 8628 §3.4-3.5:
  ``authorization_pending``, ``slow_down``, which adds 5 seconds to the interval for good,
  ``access_denied``, ``expired_token``; a device code used once or unknown is
  ``invalid_grant``) and the refresh token grant, which replaces the refresh token on each
  use; a replaced refresh token presented again revokes its credential (OAuth 2.0 Security
  BCP, RFC 9700 §4.14.2), since only a copy can be presented twice;
* revocation (RFC 7009): any token of a device credential revokes the credential.

Each request is one transaction: :func:`answer` builds a server around its unit of work's
connection (one per request, so no request sees another's state), lets Authlib answer and
commits. Every write decides the answer and comes before Authlib raises or answers, so what
is committed is whole whatever the answer is.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from authlib.oauth2.rfc6749 import (
    AccessDeniedError,
    AuthorizationServer,
    ClientMixin,
    InvalidGrantError,
    InvalidRequestError,
    OAuth2Request,
    TokenMixin,
)
from authlib.oauth2.rfc6749.grants import RefreshTokenGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc8628 import (
    DEVICE_CODE_GRANT_TYPE,
    DeviceAuthorizationEndpoint,
    DeviceCodeGrant,
    DeviceCredentialMixin,
)
from sqlalchemy import Connection

from entitle import settings
from entitle.domain.model import User
from entitle.domain.user_codes import user_code_key
from entitle.service import single_sign_on
from entitle.service.context import Services
from entitle.service.tokens import ACCESS_PREFIX, MAX_LABEL, REFRESH_PREFIX, token_digest
from entitle.store import audit, devices, organisations
from entitle.store import auth as store

CLIENT_ID = "entitle-tool"
SCOPE = "api"
"""The one scope: act as the signed-in user in the API, as an API token does (the default)."""
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=90)
SLOW_DOWN_SECONDS = 5
"""What ``slow_down`` adds to the interval, for this request and every later one (§3.5)."""
MAX_MACHINE = 255
MAX_TOOL_VERSION = 64
VERIFICATION_PATH = "/device"
# Authlib refuses to build a request for a URL other than https or loopback. Whether clients
# reach the server over TLS is the deployment's to say (a proxy in front terminates it,
# SECURITY.md), so requests are built on this URL and then given their own.
_ANY_SECURE_URL = "https://entitle.invalid/"


@dataclass(frozen=True)
class Answer:
    """What the endpoint answers: status, JSON body (RFC 6749 §5.1 or §5.2), headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """One request to an endpoint: its form fields (each once), where it came from."""

    url: str
    base_url: str
    form: Mapping[str, str]
    headers: Mapping[str, str]
    address: str


def device_authorization(services: Services, call: Call) -> Answer:
    """RFC 8628 §3.1: start a sign-in of entitle-tool."""
    return _answer(services, call, lambda server, request: server.device_authorization(request))


def token(services: Services, call: Call) -> Answer:
    """RFC 6749 §3.2: the device code grant and the refresh token grant. A user who signed in
    through the organisation's identity provider is refreshed only while the provider still
    signs them in (entitle.service.single_sign_on.still_signed_in)."""
    presented = call.form.get("refresh_token")
    if call.form.get("grant_type") == "refresh_token" and presented:
        with services.uow(read_only=True) as uow:
            stored = devices.token(uow.conn, token_digest(presented))
        if stored is not None and stored.credential_revoked_at is None:
            refused = single_sign_on.still_signed_in(services, stored.user_id, call.address)
            if refused is not None:
                return refusal("invalid_grant", refused)
    return _answer(services, call, lambda server, request: server.create_token_response(request))


def revoke(services: Services, call: Call) -> Answer:
    """RFC 7009 §2: revoke the device credential a token belongs to."""
    answer = _answer(
        services,
        call,
        lambda server, request: server.create_endpoint_response("revocation", request),
    )
    if answer.status == 401 and answer.body.get("error") == "unsupported_token_type":
        # RFC 7009 §2.2.1 answers it as an RFC 6749 §5.2 error (400); Authlib says 401.
        return Answer(400, answer.body, answer.headers)
    return answer


def refusal(error: str, description: str) -> Answer:
    """An RFC 6749 §5.2 error for a request that did not reach Authlib (400)."""
    return Answer(400, {"error": error, "error_description": description}, _NO_STORE)


def _answer(
    services: Services, call: Call, respond: Callable[[ToolAuthorizationServer, FormRequest], Any]
) -> Answer:
    with services.uow() as uow:
        server = ToolAuthorizationServer(services, uow.conn, call)
        answer: Answer = respond(server, FormRequest(call))
        uow.commit()
    return answer


_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class FormRequest(OAuth2Request):
    """A form-encoded request as Authlib reads it."""

    def __init__(self, call: Call) -> None:
        super().__init__("POST", _ANY_SECURE_URL, headers=dict(call.headers))
        self.uri = call.url
        self.payload = BasicOAuth2Payload(dict(call.form))
        self._form = dict(call.form)

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        return self._form


class ToolClient(ClientMixin):
    """entitle-tool: a public client (no secret), allowed the device code and refresh grants."""

    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        if not scope:
            return SCOPE
        return scope if set(scope.split()) <= {SCOPE} else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in (DEVICE_CODE_GRANT_TYPE, RefreshTokenGrant.GRANT_TYPE)


TOOL = ToolClient()


class ToolAuthorizationServer(AuthorizationServer):
    """Authlib's server for one request, on that request's connection."""

    def __init__(self, services: Services, conn: Connection, call: Call) -> None:
        super().__init__(scopes_supported=[SCOPE])
        self.conn = conn
        self.now = services.now()
        self.call = call
        configured = settings.current()
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                _secret(ACCESS_PREFIX),
                _secret(REFRESH_PREFIX),
                int(ACCESS_LIFETIME.total_seconds()),
            ),
        )
        self.register_grant(DeviceCode)
        self.register_grant(Refresh)
        self.register_endpoint(
            DeviceAuthorization(
                self, configured.device_code_seconds, configured.device_poll_seconds
            )
        )
        self.register_endpoint(Revocation(self))

    def device_authorization(self, request: FormRequest) -> Answer:
        answer: Answer = self.create_endpoint_response(DeviceAuthorization.ENDPOINT_NAME, request)
        return answer

    def query_client(self, client_id: str) -> ToolClient | None:
        return TOOL if client_id == CLIENT_ID else None

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def handle_response(
        self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]
    ) -> Answer:
        return Answer(status, dict(body), {**dict(headers), **_NO_STORE})

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass  # nothing listens

    def save_token(self, token: dict[str, Any], request: FormRequest) -> None:
        if isinstance(request.credential, SignIn):
            token_id = self._new_credential(request.credential.authorization, request.user)
        else:
            assert isinstance(request.refresh_token, RefreshToken)
            old = request.refresh_token.stored
            if not devices.replace(self.conn, old.id, self.now):
                raise InvalidGrantError("The refresh token was used already.")
            token_id = old.token_id
            devices.forget_tokens_before(self.conn, token_id, self.now)
            store.mark_used(self.conn, token_id, self.now, self.now)
        devices.add_token(
            self.conn,
            token_id,
            devices.ACCESS,
            token_digest(token["access_token"]),
            self.now,
            self.now + ACCESS_LIFETIME,
        )
        devices.add_token(
            self.conn,
            token_id,
            devices.REFRESH,
            token_digest(token["refresh_token"]),
            self.now,
            self.now + REFRESH_LIFETIME,
        )

    def _new_credential(self, authorization: devices.DeviceAuthorization, user: User) -> int:
        if not devices.use(self.conn, authorization.id, self.now):
            raise InvalidGrantError("The device code was used already.")
        label = f"entitle-tool {authorization.tool_version} on {authorization.machine}"[:MAX_LABEL]
        token_id = store.add_device_credential(
            self.conn, user.id, label, authorization.machine, authorization.tool_version, self.now
        )
        devices.link_credential(self.conn, authorization.id, token_id)
        audit.record(
            self.conn,
            user.organisation_id,
            self.now,
            user.email,
            "token.create",
            f"token {token_id}",
            self.call.address,
            f"device sign-in: entitle-tool {authorization.tool_version} on {authorization.machine}",
        )
        return token_id

    def revoke_credential(self, stored: devices.DeviceToken, why: str) -> None:
        """End a device credential: its access and refresh tokens stop working at once."""
        if not store.revoke(self.conn, stored.token_id, self.now):
            return
        owner = organisations.user_by_id(self.conn, stored.user_id)
        if owner is None:
            return
        audit.record(
            self.conn,
            owner.organisation_id,
            self.now,
            owner.email,
            "token.revoke",
            f"token {stored.token_id}",
            self.call.address,
            why,
        )


def _secret(prefix: str) -> Callable[..., str]:
    def generate(**_: Any) -> str:
        return prefix + secrets.token_urlsafe(32)

    return generate


def _printable(value: str | None, name: str, limit: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > limit or not text.isprintable():
        raise InvalidRequestError(f"'{name}' is 1 to {limit} printable characters.")
    return text


class DeviceAuthorization(DeviceAuthorizationEndpoint):
    CLIENT_AUTH_METHODS = ["none"]  # noqa: RUF012 - Authlib's class attribute

    def __init__(self, server: ToolAuthorizationServer, expires_in: int, interval: int) -> None:
        super().__init__(server)
        self.EXPIRES_IN = expires_in
        self.INTERVAL = interval
        self.tool_server = server

    def create_endpoint_response(self, request: FormRequest) -> Any:
        self.machine = _printable(request.form.get("machine"), "machine", MAX_MACHINE)
        self.tool_version = _printable(
            request.form.get("tool_version"), "tool_version", MAX_TOOL_VERSION
        )
        return super().create_endpoint_response(request)

    def generate_user_code(self) -> str:
        while True:  # 20^8 codes: a code in use is drawn again, almost never twice
            code: str = super().generate_user_code()
            if not devices.user_code_taken(self.tool_server.conn, user_code_key(code)):
                return code

    def get_verification_uri(self) -> str:
        return self.tool_server.call.base_url.rstrip("/") + VERIFICATION_PATH

    def save_device_credential(
        self, client_id: str, scope: str | None, data: dict[str, Any]
    ) -> None:
        server = self.tool_server
        devices.forget_authorizations_before(server.conn, server.now - timedelta(days=1))
        devices.add_authorization(
            server.conn,
            device_code_hash=token_digest(data["device_code"]),
            user_code=user_code_key(data["user_code"]),
            client_id=client_id,
            scope=scope or SCOPE,
            machine=self.machine,
            tool_version=self.tool_version,
            address=server.call.address,
            now=server.now,
            expires_at=server.now + timedelta(seconds=self.EXPIRES_IN),
            interval=self.INTERVAL,
        )


class SignIn(DeviceCredentialMixin):
    """A stored sign-in as Authlib's device code grant reads it."""

    def __init__(self, authorization: devices.DeviceAuthorization, now: datetime) -> None:
        self.authorization = authorization
        self.now = now

    def get_client_id(self) -> str:
        return self.authorization.client_id

    def get_scope(self) -> str:
        return self.authorization.scope

    def get_user_code(self) -> str:
        return self.authorization.user_code

    def is_expired(self) -> bool:
        return self.authorization.expires_at <= self.now


class DeviceCode(DeviceCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012 - Authlib's class attribute
    server: ToolAuthorizationServer

    def query_device_credential(self, device_code: str) -> SignIn:
        found = devices.by_device_code(self.server.conn, token_digest(device_code))
        if found is None:
            raise InvalidGrantError("The device code is not one this server gave.")
        if found.used_at is not None:
            raise InvalidGrantError("The device code was used already; sign in again.")
        self.sign_in = SignIn(found, self.server.now)
        return self.sign_in

    def query_user_grant(self, user_code: str) -> tuple[User, bool] | None:
        authorization = self.sign_in.authorization
        if authorization.answered_at is None or authorization.user_id is None:
            return None
        if not authorization.approved:
            raise AccessDeniedError("The user denied the sign-in.")
        user = organisations.user_by_id(self.server.conn, authorization.user_id)
        if user is None or not user.active:
            raise AccessDeniedError("The user who approved the sign-in is gone or deactivated.")
        return user, True

    def should_slow_down(self, credential: SignIn) -> bool:
        authorization = credential.authorization
        now = self.server.now
        last = authorization.last_polled_at
        too_soon = last is not None and now < last + timedelta(seconds=authorization.interval)
        interval = authorization.interval + (SLOW_DOWN_SECONDS if too_soon else 0)
        devices.record_poll(self.server.conn, authorization.id, now, interval)
        return too_soon


class RefreshToken(TokenMixin):
    """A stored refresh token as Authlib's refresh grant reads it."""

    def __init__(self, stored: devices.DeviceToken) -> None:
        self.stored = stored

    def check_client(self, client: ClientMixin) -> bool:
        return bool(client.get_client_id() == CLIENT_ID)

    def get_scope(self) -> str:
        return SCOPE


class Refresh(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012 - Authlib's class attribute
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: ToolAuthorizationServer

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        stored = devices.token(self.server.conn, token_digest(refresh_token))
        if stored is None or stored.kind != devices.REFRESH or stored.credential_revoked_at:
            return None
        if stored.replaced_at is not None:
            self.server.revoke_credential(stored, "a replaced refresh token was presented again")
            return None
        if stored.expires_at <= self.server.now:
            return None
        return RefreshToken(stored)

    def authenticate_user(self, refresh_token: RefreshToken) -> User | None:
        user = organisations.user_by_id(self.server.conn, refresh_token.stored.user_id)
        return user if user is not None and user.active else None

    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        pass  # replaced in save_token, before the new tokens are stored


class DeviceTokenRecord(TokenMixin):
    """A stored access or refresh token as Authlib's revocation endpoint reads it."""

    def __init__(self, stored: devices.DeviceToken) -> None:
        self.stored = stored

    def check_client(self, client: ClientMixin) -> bool:
        return bool(client.get_client_id() == CLIENT_ID)


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["none"]  # noqa: RUF012 - Authlib's class attribute
    server: ToolAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        stored = devices.token(self.server.conn, token_digest(token_string))
        return DeviceTokenRecord(stored) if stored is not None else None

    def revoke_token(self, token: DeviceTokenRecord, request: FormRequest) -> None:
        self.server.revoke_credential(token.stored, "signed out from entitle-tool")
