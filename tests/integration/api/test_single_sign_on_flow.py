"""Single sign-on through the app and a real OpenID provider (oidc-provider on loopback), on
both stores: the authorization code flow with PKCE, and a disabled account losing its
workstation sign-in and its portal sessions at the tool's next token refresh."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from entitle.service import audit_log, identity_providers
from entitle.service.identity_providers import ProviderSettings
from tests.identity_provider import CLIENT_ID, CLIENT_SECRET, IdentityProvider, identity_provider
from tests.integration.api.conftest import Api
from tests.integration.api.test_device_sign_in import error_of, poll, refresh, start, who

APP = "http://testserver"
CALLBACK = f"{APP}/login/sso/callback"
DOMAIN = "northwind.example"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    with identity_provider(tmp_path_factory.mktemp("provider"), [CALLBACK]) as started:
        yield started


@pytest.fixture
def registered(api: Api, provider: IdentityProvider) -> IdentityProvider:
    """Northwind signs in through the provider, on today's clock (the provider's tokens are
    issued now, not on the fixtures' day)."""
    api.world.clock.now = datetime.now(UTC)
    identity_providers.save_provider(
        api.world.services,
        api.world.admin,
        ProviderSettings(
            name="Northwind ID",
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            email_domains=[DOMAIN],
        ),
    )
    return provider


def person(provider: IdentityProvider, subject: str, **claims: Any) -> str:
    email = f"{subject}@{DOMAIN}"
    accounts = provider.accounts()
    accounts[subject] = {"name": subject.title(), "email": email, "country": "GB", **claims}
    provider.set_accounts(accounts)
    return email


def sign_in(api: Api, subject: str, next_path: str = "/checkouts") -> httpx.Response:
    """The browser's way: entitle's login, the provider's sign-in and consent forms, back."""
    begun = api.client.get(
        "/login/sso",
        params={"email": f"{subject}@{DOMAIN}", "next": next_path},
        follow_redirects=False,
    )
    assert begun.status_code == 303, begun.text
    with httpx.Client(follow_redirects=False, timeout=30) as browser:
        answer = browser.get(begun.headers["location"])
        for _ in range(10):
            if answer.is_redirect:
                target = urljoin(str(answer.url), answer.headers["location"])
                if target.startswith(CALLBACK):
                    return api.client.get(target[len(APP) :], follow_redirects=False)
                answer = browser.get(target)
                continue
            assert answer.status_code == 200, answer.text
            action = re.search(r'action="([^"]+)"', answer.text)
            prompt = re.search(r'name="prompt" value="([^"]+)"', answer.text)
            assert action is not None
            assert prompt is not None
            form = {"prompt": prompt[1]}
            if prompt[1] == "login":
                form |= {"login": subject, "password": "any"}
            answer = browser.post(urljoin(str(answer.url), action[1]), data=form)
    raise AssertionError("the provider never sent the browser back")


def test_the_code_flow_signs_in_and_comes_back_where_the_person_was_going(
    api: Api, registered: IdentityProvider
) -> None:
    email = person(registered, "kai")
    back = sign_in(api, "kai", next_path="/device?user_code=BCDF-GHJK")
    assert back.status_code == 303, back.text
    assert back.headers["location"] == "/device?user_code=BCDF-GHJK"
    me = api.client.get("/api/v1/session").json()["user"]
    assert (me["email"], me["usage_country"], me["role"]) == (email, "GB", "User")


def test_an_answer_for_another_sign_in_is_refused(api: Api, registered: IdentityProvider) -> None:
    person(registered, "ines")
    api.client.get("/login/sso", params={"email": f"ines@{DOMAIN}"}, follow_redirects=False)
    answer = api.client.get("/login/sso/callback", params={"code": "x", "state": "forged"})
    assert answer.status_code == 401
    assert "began in another browser" in answer.text
    assert api.client.get("/api/v1/session").status_code == 401


def test_a_disabled_account_loses_the_tools_credential_and_its_sessions_at_the_next_refresh(
    api: Api, registered: IdentityProvider
) -> None:
    email = person(registered, "max")
    assert sign_in(api, "max").status_code == 303
    started = start(api)
    approved = api.client.post(
        "/device",
        data={
            "user_code": started["user_code"],
            "decision": "approve",
            "csrf_token": api.client.cookies["entitle_csrf"],
        },
    )
    assert approved.status_code == 200, approved.text
    tool = poll(api, started["device_code"]).json()
    # While the provider signs the account in, the tool's refresh works (and the provider's
    # refresh token is used, and replaced, each time).
    renewed = refresh(api, tool["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    tool = renewed.json()

    registered.disable("max")
    refused = refresh(api, tool["refresh_token"])
    assert error_of(refused) == "invalid_grant"
    assert "no longer signs you in" in refused.json()["error_description"]
    assert who(api, tool["access_token"]).status_code == 401
    assert api.client.get("/api/v1/session").status_code == 401
    events = audit_log.audit_trail(
        api.world.services, api.world.admin, 1, 10, audit_log.AuditQuery(action="login.sso_ended")
    ).items
    assert [e.subject for e in events] == [email]
    assert "1 sessions and 1 tokens ended" in events[0].detail
