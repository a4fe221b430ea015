"""The portal's pages in the reader's language: German and Japanese text, and dates written as
each language writes them, chosen by the browser's Accept-Language."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.api.conftest import Api
from tests.integration.fixtures import PASSWORD


def _page(api: Api, email: str, path: str, language: str) -> httpx.Response:
    session = api.client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert session.status_code == 200, session.text
    page = api.client.get(path, headers={"Accept-Language": language})
    assert page.status_code == 200, page.text
    assert f'<html lang="{language}">' in page.text
    return page


@pytest.mark.parametrize(
    ("language", "translated"),
    [
        ("de", ["Lizenz-Checkout", "Checkout-Verlauf", "Berechtigungsland", "Neuer Checkout"]),
        ("ja", ["ライセンスのチェックアウト", "チェックアウト履歴", "ライセンス対象国"]),
    ],
)
def test_the_checkouts_page_speaks_the_browsers_language(
    api: Api, language: str, translated: list[str]
) -> None:
    page = _page(api, api.world.admin, "/checkouts", language).text
    for text in translated:
        assert text in page
    for english in ("Checkout History", "Rows per page", "Search checkouts", "Import checkouts"):
        assert english not in page
    # Ids, names and data attributes stay as the page's script reads them.
    assert 'id="history-table"' in page
    assert 'name="license_service" value="SES"' in page


@pytest.mark.parametrize(
    ("language", "translated"),
    [
        ("de", ["Nutzung pro Tag", "Letzte 30 Tage", "Gruppieren nach", "D steht für die Tage"]),
        ("ja", ["日別の使用量", "過去 30 日間", "グループ化", "D は日数"]),
    ],
)
def test_the_usage_page_speaks_the_browsers_language_and_explains_d_hh_mm(
    api: Api, language: str, translated: list[str]
) -> None:
    page = _page(api, api.world.admin, "/usage", language).text
    for text in translated:
        assert text in page
    for english in ("Usage per day", "Last 30 days", "Group by", "Durations are written"):
        assert english not in page
    assert 'value="last-30-days"' in page


@pytest.mark.parametrize(
    ("language", "expires", "translated", "english"),
    [
        ("de", "20.12.2026", ["Meine Checkouts", "Lizenz herunterladen"], "Dec 20, 2026"),
        ("ja", "2026/12/20", ["マイチェックアウト", "ライセンスをダウンロード"], "Dec 20, 2026"),
        ("en", "Dec 20, 2026", ["My checkouts", "Download license"], "20.12.2026"),
    ],
)
def test_my_checkouts_writes_the_expiry_date_as_the_language_does(
    api: Api, language: str, expires: str, translated: list[str], english: str
) -> None:
    api.create(expires_on="2026-12-20")
    page = _page(api, api.world.user, "/my-checkouts", language).text
    assert f'<time datetime="2026-12-20">{expires}</time>' in page
    for text in translated:
        assert text in page
    assert english not in page
