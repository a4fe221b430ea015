"""Single sign-on from the login page: "Sign in with <provider>" for an email whose domain an
organisation's identity provider signs in, the provider's answer, and logging out there too.

What the sign-in started with (state, nonce, PKCE verifier, where to go back to) is kept in a
short-lived signed cookie, HttpOnly and SameSite=Lax, so any server of the deployment can take
the provider's answer. Any failure is the login page with one sentence (and an audit event).
"""

from __future__ import annotations

import hmac
from dataclasses import asdict

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from entitle.api.auth import start_session
from entitle.api.deps import ServicesDep, address_of
from entitle.api.request_info import note_caller
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError
from entitle.service import auth, identity_providers, single_sign_on
from entitle.service.context import Services
from entitle.service.oidc_client import Pending
from entitle.web.pages import offer, safe_next
from entitle.web.templating import templates

router = APIRouter(include_in_schema=False)
SSO_COOKIE = "entitle_sso"
SSO_SECONDS = 600
CALLBACK_PATH = "/login/sso/callback"
LOGIN_PATH = "/login"


def _signer(request: Request, services: Services) -> URLSafeTimedSerializer:
    state = request.app.state
    if getattr(state, "sso_signer", None) is None:
        state.sso_signer = URLSafeTimedSerializer(auth.session_secret(services), salt="entitle.sso")
    signer: URLSafeTimedSerializer = state.sso_signer
    return signer


def callback_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + CALLBACK_PATH


def login_failed(
    request: Request, refusal: DomainError, email: str = "", next_path: str = ""
) -> Response:
    return templates.TemplateResponse(
        request,
        "login.html",
        {"next": safe_next(next_path), "email": email, "error": refusal, **offer(None, "", "")},
        status_code=status.HTTP_401_UNAUTHORIZED,
    )


@router.get("/login/sso-offer", response_class=HTMLResponse)
def sso_offer(
    request: Request, services: ServicesDep, email: str = "", next: str | None = None
) -> Response:
    provider = identity_providers.provider_for_email(services, email[:254])
    return templates.TemplateResponse(
        request, "_sso_offer.html", offer(provider, email[:254], safe_next(next))
    )


@router.get("/login/sso")
def sso_begin(
    request: Request, services: ServicesDep, email: str = "", next: str | None = None
) -> Response:
    target = safe_next(next)
    try:
        url, pending = single_sign_on.begin(
            services, email[:254], callback_url(request), target, address_of(request)
        )
    except DomainError as refusal:
        return login_failed(request, refusal, email[:254], target)
    response = RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SSO_COOKIE,
        _signer(request, services).dumps(asdict(pending)),
        max_age=SSO_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/login/sso",
    )
    return response


@router.get(CALLBACK_PATH)
def sso_callback(
    request: Request,
    services: ServicesDep,
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> Response:
    pending = _pending(request, services)
    if pending is None or not state or not hmac.compare_digest(state, pending.state):
        return login_failed(
            request,
            DomainError(
                Code.SSO_LOGIN_FAILED,
                "The sign-in through your identity provider took too long or began in another "
                "browser: sign in again.",
            ),
        )
    try:
        signed_in = single_sign_on.finish(
            services,
            pending,
            callback_url(request),
            code=code,
            error=error,
            error_description=(error_description or "")[:300] or None,
            address=address_of(request),
        )
    except DomainError as refusal:
        response = login_failed(request, refusal, next_path=pending.next)
        response.delete_cookie(SSO_COOKIE, path="/login/sso")
        return response
    response = RedirectResponse(safe_next(pending.next), status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SSO_COOKIE, path="/login/sso")
    note_caller(signed_in.user, "session")
    start_session(request, response, services, signed_in.session, signed_in.user)
    return response


def _pending(request: Request, services: Services) -> Pending | None:
    cookie = request.cookies.get(SSO_COOKIE)
    if not cookie:
        return None
    try:
        data = _signer(request, services).loads(cookie, max_age=SSO_SECONDS)
        return Pending(**data)
    except (BadSignature, TypeError):
        return None
