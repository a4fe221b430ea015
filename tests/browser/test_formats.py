"""A day and a moment read the same in server-rendered text (the templates' ``|day`` and
``|moment``, Babel) and in the grids (``format.js``, Chromium's Intl), in every language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from entitle.domain.languages import variant
from entitle.service import translations
from entitle.web.templating import env

pytestmark = pytest.mark.browser

# Browsers of each language, English in two regions that write dates differently; moments in
# UTC, as the server writes them.
BROWSERS = {"en-US": "en", "en-GB": "en", "de-DE": "de", "ja-JP": "ja"}
DAYS = [date(2027, 12, 31), date(2026, 9, 4), date(2028, 2, 29), date(2027, 1, 5)]
MOMENTS = [
    datetime(2027, 3, 4, 15, 7, 9, tzinfo=UTC),
    datetime(2026, 12, 31, 0, 30, tzinfo=UTC),
    datetime(2027, 9, 10, 9, 5, tzinfo=UTC),
    datetime(2027, 6, 30, 23, 59, 59, tzinfo=UTC),
]

READ_IN_BROWSER = """async ([days, moments]) => {
    const { formatDay, formatMoment } = await import("/static/js/format.js");
    return { days: days.map(formatDay), moments: moments.map(formatMoment) };
}"""


@pytest.mark.parametrize("locale", sorted(BROWSERS))
def test_the_server_and_the_grid_write_the_same_days_and_moments(
    browser,  # type: ignore[no-untyped-def]
    demo_server: str,
    locale: str,
) -> None:
    language = BROWSERS[locale]
    context = browser.new_context(locale=locale, timezone_id="UTC")
    try:
        page = context.new_page()
        answer = page.goto(f"{demo_server}/login")
        assert answer is not None
        page_headers = answer.request.all_headers()
        assert page.evaluate("document.documentElement.lang") == language
        shown = page.evaluate(
            READ_IN_BROWSER,
            [[d.isoformat() for d in DAYS], [m.isoformat() for m in MOMENTS]],
        )
    finally:
        context.close()
    # The server writes in the variant the browser's Accept-Language names, as a page does.
    with translations.writing_in(language, variant(language, page_headers["accept-language"])):
        rendered_days = [env.filters["day"](d) for d in DAYS]
        rendered_moments = [env.filters["moment"](m) for m in MOMENTS]
    assert shown["days"] == rendered_days
    assert shown["moments"] == rendered_moments
