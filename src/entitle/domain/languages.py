"""The portal's languages, and which one a page is written in.

The user's own choice (their profile, or the language menu before they sign in) comes first,
then the browser's ``Accept-Language`` (RFC 9110, section 12.5.4), then English. The API's
answers stay English whatever the page's language: clients switch on codes, not on words.
"""

from __future__ import annotations

from typing import Final

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput

# Each language by its code, with its name written in itself (as the language menu shows it).
LANGUAGES: Final[dict[str, str]] = {"en": "English", "de": "Deutsch", "ja": "日本語"}
DEFAULT: Final = "en"


def supported(code: str | None) -> str | None:
    """The supported language ``code`` names (``de-AT`` names ``de``), or None."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def _ranked(header: str | None) -> list[str]:
    """The tags of an ``Accept-Language`` header, most wanted first (q=0 left out)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, parameters = item.strip().partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag.strip() and 0 < weight <= 1:
            ranked.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def accepted(header: str | None) -> list[str]:
    """The supported languages of an ``Accept-Language`` header, most wanted first."""
    seen: list[str] = []
    for tag in _ranked(header):
        language = supported(tag)
        if language is not None and language not in seen:
            seen.append(language)
    return seen


def variant(language: str, accept_language: str | None) -> str:
    """The reader's own variant of ``language`` that dates and numbers follow: the browser's
    most wanted tag of that language (``en-GB`` writes 31 Dec 2027), else the language."""
    for tag in _ranked(accept_language):
        if supported(tag) == language and all(part.isalnum() for part in tag.split("-")):
            return tag
    return language


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The page's language: the user's choice, else the browser's first supported, else English."""
    own = supported(chosen)
    if own is not None:
        return own
    wanted = accepted(accept_language)
    return wanted[0] if wanted else DEFAULT


def choice(code: str | None) -> str | None:
    """A language a user chooses for themselves: one of LANGUAGES, or None (empty too) to
    follow the browser."""
    if not code:
        return None
    if code in LANGUAGES:
        return code
    raise InvalidInput(
        Code.LANGUAGE_NOT_SUPPORTED,
        f"{code[:20]!r} is not a language of the portal: choose one of "
        f"{', '.join(LANGUAGES)}, or none to follow the browser.",
        field="language",
    )
