"""The portal's language: the signed-in user's own choice, else the language menu's cookie,
else the browser's Accept-Language, else English; the menu's POST /language keeps the choice;
PATCH /api/v1/me sets it from the API, whose own answers stay English."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from entitle.server import create_app
from entitle.service import tokens
from tests.integration.fixtures import PASSWORD, World

ANA = "ana@example.com"


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.services)) as made:
        yield made


def _lang(page: str) -> str:
    found = re.search(r'<html lang="(\w+)"', page)
    assert found is not None
    return found.group(1)


def _sign_in(client: TestClient, email: str = ANA) -> str:
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/my-checkouts"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(client.cookies["entitle_csrf"])


def _choose(client: TestClient, language: str, csrf: str | None = None, next: str = "/login"):  # type: ignore[no-untyped-def]
    data = {"language": language, "next": next}
    if csrf is not None:
        data["csrf_token"] = csrf
    return client.post("/language", data=data, follow_redirects=False)


def test_without_any_choice_the_login_page_is_english(client: TestClient) -> None:
    page = client.get("/login").text
    assert _lang(page) == "en"
    assert "<h1>Sign in</h1>" in page


def test_the_browsers_language_comes_before_english(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "fr-FR, de-DE;q=0.8"}).text
    assert _lang(page) == "de"
    assert "<h1>Anmelden</h1>" in page


def test_the_menus_cookie_comes_before_the_browsers_language(client: TestClient) -> None:
    chosen = _choose(client, "ja")
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/login"
    assert "entitle_language=ja" in chosen.headers["set-cookie"]
    page = client.get("/login", headers={"Accept-Language": "de-DE"}).text
    assert _lang(page) == "ja"
    assert "<h1>サインイン</h1>" in page


def test_the_users_own_language_comes_before_the_cookie(client: TestClient, world: World) -> None:
    csrf = _sign_in(client)
    assert _choose(client, "de", csrf, "/my-checkouts").status_code == 303
    # Another browser's choice, and a browser asking for Japanese: the profile wins.
    client.cookies.set("entitle_language", "ja")
    page = client.get("/my-checkouts", headers={"Accept-Language": "ja"}).text
    assert _lang(page) == "de"
    assert ">Abmelden</button>" in page
    assert ">Meine Checkouts</a>" in page


def test_choosing_the_browsers_language_clears_the_profile_and_the_cookie(
    client: TestClient,
) -> None:
    csrf = _sign_in(client)
    _choose(client, "ja", csrf, "/my-checkouts")
    cleared = _choose(client, "", csrf, "/my-checkouts")
    assert cleared.status_code == 303
    assert "entitle_language" not in client.cookies
    assert client.get("/api/v1/me").json()["language"] is None
    page = client.get("/my-checkouts", headers={"Accept-Language": "de"}).text
    assert _lang(page) == "de"


def test_the_choice_needs_the_sessions_csrf_token_when_signed_in(client: TestClient) -> None:
    _sign_in(client)
    refused = _choose(client, "de")
    assert refused.status_code == 403
    assert client.get("/api/v1/me").json()["language"] is None


def test_a_language_the_portal_does_not_have_is_a_field_message(client: TestClient) -> None:
    csrf = _sign_in(client)
    refused = _choose(client, "fr", csrf)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert 'id="language-error"' in refused.text
    assert "is not a language of the portal: choose one of en, de, ja" in refused.text
    assert client.get("/api/v1/me").json()["language"] is None
    german = client.post(
        "/language",
        data={"language": "fr", "next": "/", "csrf_token": csrf},
        headers={"Accept-Language": "de"},
    )
    assert "Wählen Sie English, Deutsch oder 日本語." in german.text


@pytest.mark.parametrize(
    "target", ["https://attacker.example/", "//attacker.example/x", "/\\attacker.example"]
)
def test_the_choice_goes_back_to_this_site_only(client: TestClient, target: str) -> None:
    response = _choose(client, "de", next=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/checkouts"


def test_the_choice_goes_back_to_the_page_it_was_made_on(client: TestClient) -> None:
    response = _choose(client, "de", next="/login?next=%2Fusage")
    assert response.headers["location"] == "/login?next=%2Fusage"


def test_a_refused_sign_in_says_the_codes_sentence_in_german_and_the_precise_words_in_english(
    client: TestClient,
) -> None:
    wrong = {"email": ANA, "password": "not it", "next": "/"}
    english = client.post("/login", data=wrong)
    assert english.status_code == 401
    assert "The email or password is not right." in english.text
    german = client.post("/login", data=wrong, headers={"Accept-Language": "de"})
    assert german.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist nicht richtig." in german.text


def test_the_language_is_on_the_apis_profile(client: TestClient, world: World) -> None:
    bearer = {"Authorization": f"Bearer {tokens.create_token(world.services, ANA).token}"}
    assert client.get("/api/v1/me", headers=bearer).json() == {
        "email": ANA,
        "display_name": "Ana Lima",
        "usage_country": "US",
        "role": "User",
        "language": None,
    }
    changed = client.patch("/api/v1/me", json={"language": "ja"}, headers=bearer)
    assert changed.status_code == 200, changed.text
    assert changed.json()["language"] == "ja"
    assert client.get("/api/v1/me", headers=bearer).json()["language"] == "ja"
    assert client.patch("/api/v1/me", json={}, headers=bearer).json()["language"] == "ja"
    cleared = client.patch("/api/v1/me", json={"language": None}, headers=bearer)
    assert cleared.json()["language"] is None


def test_an_unsupported_language_is_refused_in_english_whatever_the_browser_asks(
    client: TestClient, world: World
) -> None:
    bearer = {"Authorization": f"Bearer {tokens.create_token(world.services, ANA).token}"}
    refused = client.patch(
        "/api/v1/me", json={"language": "fr"}, headers={**bearer, "Accept-Language": "de"}
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["code"] == "LANGUAGE_NOT_SUPPORTED"
    assert body["errors"][0]["field"] == "language"
    assert "choose one of en, de, ja" in body["detail"]
    assert client.get("/api/v1/me", headers=bearer).json()["language"] is None


def test_signing_in_brings_the_users_language_to_this_browser(world: World) -> None:
    # Chosen on one browser...
    with TestClient(create_app(world.services)) as first:
        assert _choose(first, "ja", _sign_in(first), "/my-checkouts").status_code == 303
    # ...another browser, asking for English, signs in, then out: its login page stays Japanese.
    with TestClient(create_app(world.services)) as other:
        _sign_in(other)
        assert other.cookies.get("entitle_language") == "ja"
        other.post("/logout", data={"csrf_token": other.cookies["entitle_csrf"]})
        page = other.get("/login", headers={"Accept-Language": "en-US"}).text
        assert _lang(page) == "ja"
