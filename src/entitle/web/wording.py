"""The portal's words for values of the domain (roles, delivery statuses, countries, months),
and notices: a sentence a page shows after an action. All are written in the language of the
page that shows them, when it renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from babel import dates as babel_dates

from entitle.domain.errors import DomainError
from entitle.domain.languages import DEFAULT
from entitle.domain.model import Role
from entitle.domain.names import country_name
from entitle.domain.usage_alerts import month_start
from entitle.service import translations
from entitle.service.translations import N_, _
from entitle.web.problem_texts import SENTENCES

ROLE_NAMES = {
    Role.ADMINISTRATOR.value: N_("Administrator"),
    Role.CO_ADMINISTRATOR.value: N_("Co-Administrator"),
    Role.USER.value: N_("User"),
}
DELIVERY_STATUSES = {
    "pending": N_("pending"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
}


def role_name(role: Role | str) -> str:
    """A role's name in the page's language."""
    return translations.gettext(ROLE_NAMES[Role(role).value])


def refusal_text(refusal: DomainError | str | None) -> str:
    """What a page says for a refusal: in English its own message, in another language its
    code's sentence (the message when the code has none)."""
    if refusal is None:
        return ""
    if isinstance(refusal, str):
        return refusal
    sentence = SENTENCES.get(refusal.code)
    if translations.language.get() == DEFAULT or sentence is None:
        return refusal.message
    return translations.gettext(sentence)


@dataclass(frozen=True)
class Shown:
    """A refusal as a page shows it, written when the page renders (:func:`refusal_text`)."""

    refusal: DomainError

    def __str__(self) -> str:
        return refusal_text(self.refusal)


@dataclass(frozen=True)
class Notice:
    """``message`` (marked with ``N_``) with its ``%(name)s`` placeholders filled, written in
    the language of the page that shows it."""

    message: str
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return _(self.message, **self.values)


def country(code: str) -> str:
    """The country's name (``DE``: Germany, Deutschland, ドイツ); the code when it has none."""
    written_in = translations.language.get()
    if written_in != DEFAULT:
        name = Locale.parse(written_in).territories.get(code)
        if name:
            return str(name)
    return country_name(code) or code


def place(code: str) -> str:
    """The country as the pages name it: ``Germany (DE)``."""
    name = country(code)
    return f"{name} ({code})" if name != code else code


def month(number: int) -> str:
    """The month :func:`entitle.domain.usage_alerts.month_number` numbered (November 2026)."""
    return babel_dates.format_skeleton(
        "yMMMM", month_start(number), locale=Locale.parse(translations.language.get())
    )
