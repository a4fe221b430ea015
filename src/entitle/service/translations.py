"""The gettext catalogs of ``entitle/locale`` and the language text is written in.

Two domains: ``messages`` (templates, the portal's Python and the e-mails) and ``js`` (the
portal's JavaScript modules, served to the page as one catalog). The ``.po`` files are kept in
the repository and compiled to ``.mo`` when the server is built or installed (``make`` does it
for a working copy); English is the source text itself.

``language`` is the language of the text being written now: the portal sets it for each page
it renders, an e-mail for its recipient. Dates and numbers are written by Babel in the same
language, so server-rendered text and the browser's ``Intl`` agree.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from entitle.domain.languages import DEFAULT, LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAINS = ("messages", "js")

language: ContextVar[str] = ContextVar("language", default=DEFAULT)
# The reader's variant of the language that dates and numbers follow (``en-GB``), when known.
formats: ContextVar[str | None] = ContextVar("formats", default=None)


class CatalogMissing(RuntimeError):
    """A language's compiled catalog is not installed (the build did not compile it)."""


@cache
def translations(code: str, domain: str = "messages") -> gettext_module.NullTranslations:
    if code == DEFAULT or code not in LANGUAGES:
        return gettext_module.NullTranslations()
    compiled = LOCALE_DIR / code / "LC_MESSAGES" / f"{domain}.mo"
    if not compiled.is_file():
        raise CatalogMissing(
            f"{compiled} is missing: compile the catalogs (make locale, or reinstall entitle)"
        )
    with compiled.open("rb") as handle:
        return gettext_module.GNUTranslations(handle)


@contextmanager
def writing_in(code: str, variant: str | None = None) -> Iterator[None]:
    """Text made inside the block is in ``code``, its dates and numbers in ``variant`` of it
    (``en-GB``) when given."""
    token = language.set(code if code in LANGUAGES else DEFAULT)
    reader = formats.set(variant)
    try:
        yield
    finally:
        formats.reset(reader)
        language.reset(token)


def gettext(message: str) -> str:
    return translations(language.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(language.get()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    return translations(language.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Marks ``message`` for the catalog where it is defined; it is translated where shown."""
    return message


def _(message: str, **values: Any) -> str:
    """``message`` in the current language, its ``%(name)s`` placeholders filled."""
    text = gettext(message)
    return text % values if values else text


def js_catalog(code: str) -> dict[str, str | list[str]]:
    """The ``js`` domain of ``code`` as the page's script reads it: msgid to text, or to its
    plural forms in the order of the language's plural rule."""
    catalog: dict[str | tuple[str, int], str] = getattr(translations(code, "js"), "_catalog", {})
    entries: dict[str, str | list[str]] = {}
    forms: dict[str, dict[int, str]] = {}
    for key, text in catalog.items():
        if isinstance(key, tuple):
            forms.setdefault(key[0], {})[key[1]] = text
        elif key and text:
            entries[key] = text
    for msgid, by_index in forms.items():
        entries[msgid] = [by_index[index] for index in sorted(by_index)]
    return entries


def _locale() -> Locale:
    written_in = language.get()
    variant = formats.get()
    if variant:
        try:
            found = Locale.parse(variant, sep="-")
        except (ValueError, UnknownLocaleError):
            found = None
        if found is not None and found.language == written_in:
            return found
    return Locale.parse(written_in)


# The portal's grid writes dates with the browser's Intl: a day in the medium date style, a
# moment as that day and the short time style (no seconds). Babel's CLDR puts a narrow no-break
# space before AM/PM where browsers write a plain space. These write the same text.


def _as_browsers_write(text: str) -> str:
    return text.replace("\u202f", " ")


def format_date(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC)
    return babel_dates.format_date(value, format=style, locale=_locale())


def format_datetime(value: datetime | None, style: str = "medium") -> str:
    """A moment in UTC, as the language writes a date (``style``) and a time (short)."""
    if value is None:
        return ""
    joined = str(_locale().datetime_formats[style])
    return joined.replace("{1}", format_date(value, style)).replace("{0}", format_time(value))


def format_time(value: datetime | None, style: str = "short") -> str:
    if value is None:
        return ""
    written = babel_dates.format_time(value, format=style, tzinfo=babel_dates.UTC, locale=_locale())
    return _as_browsers_write(written)


def format_number(value: float | int) -> str:
    return babel_numbers.format_decimal(value, locale=_locale())
