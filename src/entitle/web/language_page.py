"""/language: the language menu's choice, kept on the signed-in user's profile and in the
``entitle_language`` cookie (which is what a browser not signed in goes by), then back to the
page it was made on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from entitle.api.auth import CSRF_FIELD, OptionalActor, remember_language
from entitle.api.deps import ServicesDep
from entitle.domain import languages
from entitle.domain.errors import DomainError
from entitle.service import account
from entitle.web.pages import safe_next
from entitle.web.templating import templates

router = APIRouter(include_in_schema=False)
LANGUAGE_PATH = "/language"


@router.get(LANGUAGE_PATH, response_class=HTMLResponse)
def language_page(request: Request, actor: OptionalActor, next: str | None = None) -> Response:
    return _page(request, actor, safe_next(next), None)


@router.post(LANGUAGE_PATH, response_class=HTMLResponse)
def choose_language(
    request: Request,
    actor: OptionalActor,
    services: ServicesDep,
    language: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Keep the choice (none: follow the browser's language) and go back to ``next``."""
    target = safe_next(next)
    try:
        chosen = languages.choice(language)
        if actor is not None:
            account.set_language(services, actor.user, chosen)
    except DomainError as refusal:
        return _page(request, actor, target, refusal)
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    remember_language(request, response, chosen)
    return response


def _page(
    request: Request, actor: OptionalActor, target: str, refusal: DomainError | None
) -> Response:
    return templates.TemplateResponse(
        request,
        "language.html",
        {
            "next": target,
            "error": refusal,
            "csrf_token": actor.csrf_token if actor else "",
            "csrf_field": CSRF_FIELD,
        },
        status_code=refusal.status if refusal else status.HTTP_200_OK,
    )
