"""The templates' date filters write each language's own medium date and short time (the
browser tests check that the grids' Intl writes the same)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from entitle.service import translations
from entitle.web.templating import env


def test_the_languages_write_their_own_dates() -> None:
    """Each language writes its own medium date and short time."""
    moment = datetime(2027, 3, 4, 15, 7, tzinfo=UTC)
    written = {}
    for language in ("en", "de", "ja"):
        with translations.writing_in(language):
            written[language] = (env.filters["day"](moment), env.filters["moment"](moment))
    assert written == {
        "en": ("Mar 4, 2027", "Mar 4, 2027, 3:07 PM"),
        "de": ("04.03.2027", "04.03.2027, 15:07"),
        "ja": ("2027/03/04", "2027/03/04 15:07"),
    }


def test_a_moment_is_written_in_utc_whatever_its_zone() -> None:
    tokyo = datetime(2027, 3, 5, 0, 7, tzinfo=timezone(timedelta(hours=9)))
    with translations.writing_in("de"):
        assert env.filters["moment"](tokyo) == "04.03.2027, 15:07"
        assert env.filters["day"](tokyo) == "04.03.2027"
        assert env.filters["day"](date(2027, 3, 4)) == "04.03.2027"
