"""The administration pages in the browser's language: German and Japanese words, country
names, and dates written the way the language writes them (the world's clock is 28 November
2026, 12:00 UTC)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from entitle.server import create_app
from entitle.service import webhooks
from tests.integration.fixtures import PASSWORD, World

WORDS = {
    "de": {
        "/admin/users": ["Benutzer einladen", "Letzte Anmeldung", "Deaktivieren", "28.11.2026"],
        "/admin/webhooks": ["Neuer Endpunkt", "Testereignis senden", "hinzugefügt von"],
        "/admin/countries/US": ["Vereinigte Staaten (US)", "Richtlinie speichern", "365 Tage"],
    },
    "ja": {
        "/admin/users": ["ユーザーを招待", "最終ログイン", "無効化", "2026/11/28"],
        "/admin/webhooks": ["新しいエンドポイント", "テストイベントを送信", "が追加"],
        "/admin/countries/US": ["アメリカ合衆国 (US)", "ポリシーを保存", "365 日"],
    },
}
ENGLISH = {
    "/admin/users": ["Invite a user", "Last login", ">Deactivate<", "Nov 28, 2026"],
    "/admin/webhooks": ["New endpoint", "Send test event", "added by", "Nov 28, 2026"],
    "/admin/countries/US": ["United States (US)", "Save policy", "365 days"],
}


@pytest.fixture
def portal(world: World) -> Iterator[TestClient]:
    webhooks.add_endpoint(
        world.services,
        world.admin,
        "https://tickets.example.com/hooks/entitle",
        ["checkout.expiring"],
        "Ticketing",
        "192.0.2.1",
    )
    with TestClient(create_app(world.services)) as client:
        signed_in = client.post(
            "/api/v1/session", json={"email": world.admin, "password": PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        yield client


@pytest.mark.parametrize("language", sorted(WORDS))
@pytest.mark.parametrize("path", sorted(ENGLISH))
def test_an_admin_page_is_in_the_browsers_language(
    portal: TestClient, language: str, path: str
) -> None:
    page = portal.get(path, headers={"Accept-Language": f"{language},en;q=0.5"})
    assert page.status_code == 200, page.text
    assert f'<html lang="{language}">' in page.text
    for word in WORDS[language][path]:
        assert word in page.text
    for word in ENGLISH[path]:
        assert word not in page.text
    if path == "/admin/webhooks":
        written = {"de": "28.11.2026", "ja": "2026/11/28"}[language]
        assert written in page.text


@pytest.mark.parametrize("path", sorted(ENGLISH))
def test_without_a_language_the_admin_pages_stay_english(portal: TestClient, path: str) -> None:
    page = portal.get(path)
    assert page.status_code == 200, page.text
    for word in ENGLISH[path]:
        assert word in page.text
