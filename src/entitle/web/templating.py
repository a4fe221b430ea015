"""Jinja2 templates in the page's language, and static file URLs that change with the file."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from entitle.api.auth import LANGUAGE_COOKIE
from entitle.domain.languages import DEFAULT, LANGUAGES, negotiate, variant
from entitle.service import translations
from entitle.web.problem_texts import SENTENCES
from entitle.web.wording import country, refusal_text, role_name

WEB = Path(__file__).parent
STATIC_DIR = WEB / "static"
TEMPLATES_DIR = WEB / "templates"


@cache
def _fingerprint(path: str) -> str:
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    """``/static/<path>?v=<digest>``: browsers keep a file until its content changes."""
    return f"/static/{path}?v={_fingerprint(path)}"


@cache
def js_catalog_script(language: str) -> str:
    """The script that gives the page's modules the ``js`` catalog of ``language``."""
    catalog = json.dumps(translations.js_catalog(language), ensure_ascii=False, sort_keys=True)
    problems = json.dumps(problem_texts(language), ensure_ascii=False, sort_keys=True)
    return f"globalThis.entitleCatalog = {catalog};\nglobalThis.entitleProblems = {problems};\n"


def problem_texts(language: str) -> dict[str, str]:
    """The portal's sentence for each problem code, in ``language``; none in English, where
    the refusal's own, more precise, words are shown."""
    if language == DEFAULT:
        return {}
    catalog = translations.translations(language)
    return {code: catalog.gettext(sentence) for code, sentence in SENTENCES.items()}


def js_catalog_url(language: str) -> str:
    digest = hashlib.sha256(js_catalog_script(language).encode()).hexdigest()[:12]
    return f"/i18n/{language}.js?v={digest}"


def page_language(request: Request) -> str:
    """The language of the page answering ``request``: the signed-in user's choice (set on
    ``request.state`` by the page's account), else the language cookie, else the browser's
    ``Accept-Language``, else English."""
    chosen = getattr(request.state, "language", None) or request.cookies.get(LANGUAGE_COOKIE)
    return negotiate(chosen, request.headers.get("accept-language"))


def _in_language(request: Request) -> dict[str, Any]:
    language = page_language(request)
    # The page renders right after this, in this context: its text is in this language, its
    # dates and numbers in the reader's variant of it, as the page's scripts write them.
    translations.language.set(language)
    translations.formats.set(variant(language, request.headers.get("accept-language")))
    return {
        "language": language,
        "languages": LANGUAGES,
        "js_catalog_url": js_catalog_url(language),
    }


templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[_in_language])
env = templates.env
env.add_extension("jinja2.ext.i18n")
env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=translations.gettext,
    ngettext=translations.ngettext,
    pgettext=translations.pgettext,
    newstyle=True,
)
env.globals["static_url"] = static_url
env.globals["refusal_text"] = refusal_text
env.globals["role_name"] = role_name
env.filters["day"] = translations.format_date
env.filters["moment"] = translations.format_datetime
env.filters["clock"] = translations.format_time
env.filters["number"] = translations.format_number
env.filters["country"] = country
