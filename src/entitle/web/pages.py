"""The portal's pages: log in and out, and the License Checkout page for administrators
(plain users go to My checkouts, entitle.web.my_checkouts)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle.api.auth import CSRF_FIELD, CSRF_HEADER, OptionalActor, log_in, log_out
from entitle.api.deps import ServicesDep
from entitle.api.outages import outage_log
from entitle.domain.codes import Code
from entitle.domain.errors import DomainError, Unavailable
from entitle.domain.identity_provider import IdentityProvider
from entitle.service import catalog, identity_providers, oidc_client, single_sign_on
from entitle.service.account import Account, account
from entitle.service.publication import issuer_fingerprint
from entitle.web.templating import templates

router = APIRouter(include_in_schema=False)
CHECKOUTS_PATH = "/checkouts"
MY_CHECKOUTS_PATH = "/my-checkouts"


def offer(provider: IdentityProvider | None, email: str, next_path: str) -> dict[str, Any]:
    """What the login page shows for this email: "Sign in with <provider>", or nothing."""
    if provider is None:
        return {"sso": None}
    query = urlencode({"email": email.strip(), "next": next_path})
    return {
        "sso": {
            "name": provider.name,
            "href": f"/login/sso?{query}",
            "passwords_allowed": provider.passwords_allowed,
        }
    }


def safe_next(target: str | None) -> str:
    """Only paths of this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return CHECKOUTS_PATH


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse(CHECKOUTS_PATH, status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    next: str | None = None,
    email: str = "",
) -> Response:
    if actor is not None:
        return RedirectResponse(safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    email = email[:254]
    provider = identity_providers.provider_for_email(services, email)
    return templates.TemplateResponse(
        request,
        "login.html",
        {
            "next": safe_next(next),
            "email": email,
            "error": None,
            **offer(provider, email, safe_next(next)),
        },
    )


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    services: ServicesDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = CHECKOUTS_PATH,
) -> Response:
    target = safe_next(next)
    response: Response
    if request.headers.get("HX-Request"):
        response = Response(status_code=status.HTTP_204_NO_CONTENT, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    try:
        log_in(request, response, services, email, password)
    except DomainError as refusal:
        # htmx swaps the form in place; a plain form post gets the page with the real status.
        # An outage is said in the form too, where the email typed is kept.
        if isinstance(refusal, Unavailable):
            outage_log(request.app).record(refusal)
        swapped = bool(request.headers.get("HX-Request"))
        retry_after = getattr(refusal, "retry_after", None)
        # In an outage the database cannot say which provider the email's domain has.
        outage = isinstance(refusal, Unavailable)
        provider = None if outage else identity_providers.provider_for_email(services, email)
        return templates.TemplateResponse(
            request,
            "login_form.html" if swapped else "login.html",
            {
                "next": target,
                "email": email,
                "error": refusal,
                **offer(provider, email, target),
            },
            status_code=status.HTTP_200_OK if swapped else refusal.status,
            headers={"Retry-After": str(retry_after)} if retry_after is not None else None,
        )
    return response


@router.post("/logout")
def logout(request: Request, actor: OptionalActor, services: ServicesDep) -> Response:
    """End the entitle session; a user who signed in through an identity provider whose
    discovery offers an end_session_endpoint is sent there to sign out too (RP-initiated
    logout), and comes back to the login page."""
    target = "/login"
    provider = single_sign_on.provider_of(services, actor.user) if actor else None
    if provider is not None:
        back = str(request.base_url).rstrip("/") + "/login"
        target = oidc_client.end_session_url(provider, back) or target
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    log_out(response, services, actor)
    return response


def login_redirect(request: Request, back_to: str | None = None) -> RedirectResponse:
    """To the login page, and back to ``back_to`` (else this page, its query kept) once
    signed in."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    query = urlencode({"next": back_to or here})
    return RedirectResponse(f"/login?{query}", status_code=status.HTTP_303_SEE_OTHER)


def unavailable_page(request: Request, outage: Unavailable) -> Response:
    """During an outage: the service is briefly unavailable (503), and a page that was only
    read reloads itself when the server said to try again."""
    return templates.TemplateResponse(
        request,
        "unavailable.html",
        {
            "storage_full": outage.problem is Code.STORAGE_FULL,
            "retry_after": outage.retry_after,
            "reload": request.method == "GET",
        },
        status_code=outage.status,
    )


def not_allowed(request: Request, mine: Account, csrf_token: str | None) -> Response:
    """The explanation that a page is for Administrators and Co-Administrators."""
    return templates.TemplateResponse(
        request,
        "not_allowed.html",
        {
            "account": mine,
            "csrf_token": csrf_token or "",
            "csrf_field": CSRF_FIELD,
        },
    )


@router.get(CHECKOUTS_PATH, response_class=HTMLResponse)
def checkouts_page(
    request: Request, actor: OptionalActor, services: ServicesDep, country: str | None = None
) -> Response:
    if actor is None:
        return login_redirect(request)
    mine = account(services, actor.email)
    if not mine.manages_checkouts:
        # Plain users have their own checkouts.
        return RedirectResponse(MY_CHECKOUTS_PATH, status_code=status.HTTP_303_SEE_OTHER)
    choices = catalog.countries(services, actor.email)
    codes = [c.country for c in choices]
    wanted = (country or "").upper()
    if wanted not in codes:
        wanted = mine.user.usage_country if mine.user.usage_country in codes else ""
    selected = wanted or (codes[0] if codes else "")
    return templates.TemplateResponse(
        request,
        "checkouts.html",
        {
            "account": mine,
            "current_page": "checkouts",
            "countries": choices,
            "selected_country": selected,
            "csrf_token": actor.csrf_token or "",
            "csrf_header": CSRF_HEADER,
            "csrf_field": CSRF_FIELD,
            "issuer_fingerprint": issuer_fingerprint(services),
        },
    )
