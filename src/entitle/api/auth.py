"""Who is calling: an API bearer token, or the portal's signed session cookie.

Routes take ``actor: Actor``. A session is a signed cookie (``entitle_session``: HttpOnly,
SameSite=Lax, Secure over https) holding the random id of a session kept in the database and
a CSRF token; the same CSRF token is in the readable ``entitle_csrf`` cookie. Logging out or a
new password ends the session in the database, so every server refuses the cookie at once.
Unsafe requests made with the session cookie must send the CSRF token back in the
``X-CSRF-Token`` header (or a ``csrf_token`` form field); bearer-token requests need no CSRF
token. The portal logs people in with :func:`log_in` and out with :func:`log_out`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from entitle.api.deps import Address, ServicesDep, address_of
from entitle.api.request_info import note_caller
from entitle.domain.codes import Code
from entitle.domain.errors import Forbidden
from entitle.domain.model import User
from entitle.service import auth
from entitle.service.actors import ApiToken
from entitle.service.context import Services
from entitle.service.tokens import ACCESS_PREFIX

SESSION_COOKIE = "entitle_session"
CSRF_COOKIE = "entitle_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = int(auth.SESSION_LIFETIME.total_seconds())
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `entitle token create`, or the access token of "
    "`entitle-tool login`",
)
session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Portal session")


@dataclass(frozen=True)
class Caller:
    """Who is calling; ``device`` names the machine and tool version when the bearer token is
    the access token of entitle-tool signed in on a workstation."""

    user: User
    address: str
    via: Literal["token", "session"]
    csrf_token: str | None = None
    session: str | None = field(default=None, repr=False)
    device: auth.Device | None = None

    @property
    def email(self) -> str:
        return self.user.email


def _signer(request: Request, services: Services) -> URLSafeTimedSerializer:
    """Made once per process: the secret lives in the database, shared by every process."""
    state = request.app.state
    if getattr(state, "session_signer", None) is None:
        state.session_signer = URLSafeTimedSerializer(
            auth.session_secret(services), salt="entitle.session"
        )
    signer: URLSafeTimedSerializer = state.session_signer
    return signer


def _session(request: Request, services: Services) -> dict[str, Any] | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        data = _signer(request, services).loads(cookie, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


async def optional_caller(
    request: Request,
    services: ServicesDep,
    address: Address,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    _cookie: Annotated[str | None, Depends(session_cookie)],
) -> Caller | None:
    """The caller, or None when the request carries no valid credentials."""
    # The database calls run in the thread pool: on the event loop they would stall every
    # other request of this process while they wait.
    if request.headers.get("authorization"):
        token = credentials.credentials if credentials else ""
        found = (
            (
                auth.recent_bearer(services, token)
                or await run_in_threadpool(auth.bearer_for_token, services, token)
            )
            if token
            else None
        )
        if found is None:
            return None
        note_caller(found.user, "token")
        return Caller(found.user, address, "token", device=found.device)
    session = await run_in_threadpool(_session, request, services)
    session_id = session.get("sid") if session else None
    if session is None or not isinstance(session_id, str) or not session_id:
        return None
    user = await run_in_threadpool(auth.user_for_session, services, session_id)
    if user is None:
        return None
    note_caller(user, "session")
    # The portal's page is in the user's own language, when they chose one
    # (entitle.web.templating.page_language reads it).
    request.state.language = user.language
    caller = Caller(user, address, "session", str(session.get("csrf", "")), session_id)
    if request.method not in SAFE_METHODS:
        await _require_csrf(request, caller)
    return caller


async def _require_csrf(request: Request, caller: Caller) -> None:
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    expected = caller.csrf_token or ""
    if not submitted or not expected or not hmac.compare_digest(submitted, expected):
        raise Forbidden(
            Code.CSRF_TOKEN_MISSING,
            f"Send the session's CSRF token in the {CSRF_HEADER} header.",
            field=CSRF_HEADER,
        )


async def current_caller(caller: Annotated[Caller | None, Depends(optional_caller)]) -> Caller:
    if caller is None:
        raise auth.Unauthenticated(Code.NOT_AUTHENTICATED, auth.NOT_AUTHENTICATED)
    return caller


@dataclass(frozen=True)
class TokenCaller:
    """A caller with an API token that the route's use case looks up in its own transaction
    (:class:`entitle.service.actors.ApiToken`): one connection and one trip to the thread pool
    fewer. An unknown or revoked token is refused there with the same 401."""

    token: ApiToken
    address: str


async def caller_or_token(
    request: Request,
    services: ServicesDep,
    address: Address,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    cookie: Annotated[str | None, Depends(session_cookie)],
) -> Caller | TokenCaller:
    """An API token as it came (looked up by the use case), else the caller as :data:`Actor`."""
    token = credentials.credentials.strip() if credentials else ""
    if request.headers.get("authorization") and token and not token.startswith(ACCESS_PREFIX):
        return TokenCaller(ApiToken(token, _noted), address)
    return await current_caller(
        await optional_caller(request, services, address, credentials, cookie)
    )


def _noted(user: User) -> None:
    note_caller(user, "token")


Actor = Annotated[Caller, Depends(current_caller)]
# For a use case that takes an ActorRef and resolves an API token itself (a create).
ActorOrToken = Annotated[Caller | TokenCaller, Depends(caller_or_token)]
OptionalActor = Annotated[Caller | None, Depends(optional_caller)]


LANGUAGE_COOKIE = "entitle_language"
LANGUAGE_COOKIE_SECONDS = 400 * 24 * 3600  # the longest a browser keeps a cookie (RFC 6265bis)


def remember_language(request: Request, response: Response, language: str | None) -> None:
    """Keep the portal's language in this browser (none: follow its ``Accept-Language``), for
    the pages it shows before anyone signs in."""
    if language is None:
        response.delete_cookie(LANGUAGE_COOKIE, path="/", samesite="lax")
        return
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_SECONDS,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def start_session(
    request: Request, response: Response, services: Services, session: str, user: User
) -> str:
    """Set the session and CSRF cookies on ``response``, and the user's own language when they
    chose one (so the login page after signing out speaks it too); returns the CSRF token."""
    csrf = secrets.token_urlsafe(32)
    value = _signer(request, services).dumps({"sid": session, "csrf": csrf})
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=SESSION_SECONDS, samesite="lax", secure=secure, path="/"
    )
    if user.language is not None:
        remember_language(request, response, user.language)
    return csrf


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    response.delete_cookie(CSRF_COOKIE, path="/", samesite="lax")


def log_in(
    request: Request, response: Response, services: Services, email: str, password: str
) -> tuple[User, str]:
    """Check the password (rate-limited, audited) and start a session: (user, CSRF token)."""
    signed_in = auth.login(services, email, password, address_of(request))
    note_caller(signed_in.user, "session")
    return signed_in.user, start_session(
        request, response, services, signed_in.session, signed_in.user
    )


def log_out(response: Response, services: Services, caller: Caller | None) -> None:
    """End the caller's session on every server, and clear this browser's cookies."""
    if caller is not None:
        auth.log_out(services, caller.user, caller.session, caller.address)
    end_session(response)
