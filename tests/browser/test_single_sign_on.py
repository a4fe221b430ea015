"""Single sign-on in Chromium against a real OpenID provider (oidc-provider on loopback).

The login page offers "Sign in with Northwind ID" for the organisation's email domain; the
provider's own sign-in and consent pages follow (its development interactions: any login name
is the account's subject). Authorization code with PKCE brings the person back signed in, with
the profile the provider's claims give.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests import servers
from tests.browser.conftest import shot
from tests.browser.portal import PASSWORD, SELECT_ADMIN, go_to, log_in
from tests.browser.server import entitle, serving
from tests.identity_provider import CLIENT_ID, CLIENT_SECRET, IdentityProvider, identity_provider
from tests.workstation import Login, tool_environment

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DOMAIN = "northwind.example"
KAI = {
    "name": "Kai Moreno",
    "email": f"kai@{DOMAIN}",
    "country": "GB",
    "groups": ["engineering", "licensing-leads"],
}
MACHINE = "SSO-WS-1"
APPLICATION, VERSION = "Atlas Designer", "10.17.2.61"
LEE = {"name": "Lee Park", "email": f"lee@{DOMAIN}", "country": "US", "groups": ["engineering"]}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sso-portal")


@pytest.fixture(scope="module")
def sso(
    data_dir: Path, tmp_path_factory: pytest.TempPathFactory, browser
) -> Iterator[tuple[str, IdentityProvider]]:  # type: ignore[no-untyped-def]
    """The demo behind a real server, its organisation signing in through a real provider."""
    entitle(data_dir, "db", "upgrade")
    entitle(data_dir, "demo")
    with (
        serving(data_dir) as url,
        identity_provider(
            tmp_path_factory.mktemp("provider"),
            [f"{url}/login/sso/callback"],
            [f"{url}/login"],
        ) as provider,
    ):
        provider.set_accounts({"kai-0001": KAI, "lee-0002": LEE})
        register(url, provider)
        yield url, provider


@contextmanager
def administrator(url: str) -> Iterator[httpx.Client]:
    """The demo organisation's Administrator, signed in over the API."""
    with httpx.Client(base_url=url, timeout=30, headers={"Origin": url}) as client:
        session = client.post("/api/v1/session", json={"email": SELECT_ADMIN, "password": PASSWORD})
        assert session.status_code == 200, session.text
        client.headers["X-CSRF-Token"] = session.json()["csrf_token"]
        yield client


def register(url: str, provider: IdentityProvider, **changes: Any) -> None:
    with administrator(url) as client:
        saved = client.put(
            "/api/v1/admin/identity-provider",
            json={
                "name": "Northwind ID",
                "issuer": provider.issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "email_domains": [DOMAIN],
                "groups_claim": "groups",
                "group_roles": {"licensing-leads": "Co-Administrator"},
                **changes,
            },
        )
        assert saved.status_code == 200, saved.text


def _loopback_only(route: Route) -> None:
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.fulfill(status=200, content_type="text/css", body="")


@pytest.fixture
def offline(page: Page) -> Page:
    """The provider's development pages import a web font: nothing leaves loopback."""
    page.context.route("**/*", _loopback_only)
    return page


def sign_in_at_provider(
    page: Page, url: str, email: str, subject: str, next_path: str = ""
) -> None:
    """From the login page, through the provider's sign-in and consent, back to entitle."""
    query = f"?email={email}" + (f"&next={next_path}" if next_path else "")
    page.goto(f"{url}/login{query}")
    page.get_by_role("link", name="Sign in with Northwind ID").click()
    page.locator("input[name=login]").fill(subject)
    page.locator("input[name=password]").fill("any password: the provider checks it")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_sign_in_with_pkce_creates_the_user_from_claims_with_a_role_from_groups(
    offline: Page, sso: tuple[str, IdentityProvider]
) -> None:
    url, provider = sso
    page = offline
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(KAI["email"])
    offer = page.get_by_role("link", name="Sign in with Northwind ID")
    expect(offer).to_be_visible()
    shot(page, "sso-login-offer")
    # The authorization request is a code flow with PKCE (S256) and a nonce.
    with page.expect_request(lambda r: r.url.startswith(f"{provider.issuer}/auth")) as sent:
        offer.click()
    asked = parse_qs(urlsplit(sent.value.url).query)
    assert asked["response_type"] == ["code"]
    assert asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) == 43
    assert asked["nonce"]
    assert asked["state"]
    page.locator("input[name=login]").fill("kai-0001")
    page.locator("input[name=password]").fill("any")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    expect(page.locator(".who-name")).to_have_text("Kai Moreno")
    expect(page.locator(".who-detail")).to_contain_text("Co-Administrator")
    me = page.request.get(f"{url}/api/v1/session").json()["user"]
    assert me == {
        "email": KAI["email"],
        "display_name": "Kai Moreno",
        "usage_country": "GB",
        "role": "Co-Administrator",
    }
    shot(page, "sso-signed-in")


def test_a_user_without_a_mapped_group_gets_the_default_role(
    offline: Page, sso: tuple[str, IdentityProvider]
) -> None:
    url, _provider = sso
    sign_in_at_provider(offline, url, LEE["email"], "lee-0002")
    expect(offline.get_by_role("heading", name="My checkouts")).to_be_visible()
    me = offline.request.get(f"{url}/api/v1/session").json()["user"]
    assert (me["usage_country"], me["role"]) == ("US", "User")


def test_logout_signs_out_at_the_provider_too(
    offline: Page, sso: tuple[str, IdentityProvider]
) -> None:
    url, provider = sso
    page = offline
    sign_in_at_provider(page, url, KAI["email"], "kai-0001")
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    with page.expect_request(lambda r: r.url.startswith(f"{provider.issuer}/session/end")):
        page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.request.get(f"{url}/api/v1/session").status == 401
    # Signed out at the provider as well: it asks who is signing in again.
    page.goto(f"{url}/login?email={KAI['email']}")
    page.get_by_role("link", name="Sign in with Northwind ID").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_the_tool_signs_in_through_the_provider_and_checks_out_for_the_sso_user(
    offline: Page, sso: tuple[str, IdentityProvider], data_dir: Path, tmp_path: Path
) -> None:
    """Self-service end to end with an SSO user: Kai (usage country GB, where the demo allows
    self-service) approves entitle-tool on the /device page after signing in through the
    provider, then checks out from the workstation."""
    url, _provider = sso
    page = offline
    workstation = tool_environment(
        tmp_path / "workstation", machine=MACHINE, config_dir=tmp_path / "etc-entitle"
    )
    root = servers.entitle(servers.server_environment(data_dir), "keys", "fingerprint")
    pinned = _tool(
        workstation, "trust", "--system", url, "--fingerprint", root.strip().splitlines()[-1]
    )
    assert pinned.returncode == 0, pinned.stderr
    login = Login(workstation, url)
    page.goto(f"{url}/device?user_code={login.user_code}")
    # The login page, with where to come back to kept through the provider's pages.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(KAI["email"])
    page.get_by_role("link", name="Sign in with Northwind ID").click()
    page.locator("input[name=login]").fill("kai-0001")
    page.locator("input[name=password]").fill("any")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#device-code")).to_have_text(login.user_code)
    expect(page.locator("#device-machine")).to_have_text(MACHINE)
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="entitle-tool is signed in")).to_be_visible()
    code, out, err = login.finish()
    assert code == 0, err
    assert out.splitlines()[-1] == f"Signed in as {KAI['email']} to {url}."

    done = _tool(workstation, "checkout", "--app", APPLICATION, "--version", VERSION, "--days", "7")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(
        rf"Checked out {APPLICATION} {VERSION} until \S+ for {MACHINE} \(checkout \S+\); "
        r"it runs offline until then\.",
        done.stdout.strip(),
    ), done.stdout
    page.goto(f"{url}/my-checkouts")
    row = page.locator("#my-checkouts tbody tr").filter(has_text=MACHINE)
    expect(row).to_contain_text("Self-service")
    shot(page, "sso-tool-self-service")


def _tool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("entitle-tool")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


# The refused sign-in is the login page with its status, 401, which Chromium logs.
@pytest.mark.parametrize("expected_console_errors", [["401 (Unauthorized)"]])
def test_an_account_disabled_at_the_provider_is_refused_at_the_next_sign_in(
    offline: Page,
    sso: tuple[str, IdentityProvider],
    browser,  # type: ignore[no-untyped-def]
) -> None:
    url, provider = sso
    provider.set_accounts({**provider.accounts(), "max-0003": {**LEE, "email": f"max@{DOMAIN}"}})
    sign_in_at_provider(offline, url, f"max@{DOMAIN}", "max-0003")
    expect(offline.get_by_role("heading", name="My checkouts")).to_be_visible()

    provider.disable("max-0003")
    later = browser.new_context(viewport={"width": 1360, "height": 900})
    later.route("**/*", _loopback_only)
    page = later.new_page()
    try:
        sign_in_at_provider(page, url, f"max@{DOMAIN}", "max-0003")
        alert = page.get_by_role("alert")
        expect(alert).to_have_text(
            "The identity provider refused the sign-in: grant request is invalid."
        )
        shot(page, "sso-refused")
        assert page.request.get(f"{url}/api/v1/session").status == 401
        with administrator(url) as client:
            events = client.get("/api/v1/audit", params={"action": "login.sso_failed"}).json()
        assert "grant request is invalid" in events["items"][0]["detail"]
    finally:
        later.close()


# A refused form is the page with its status, 422, which Chromium logs.
@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_an_administrator_sets_up_and_tests_the_provider_on_the_sign_in_page(
    offline: Page, sso: tuple[str, IdentityProvider]
) -> None:
    url, provider = sso
    page = offline
    log_in(page, url)
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    go_to(page, "Sign-in settings")
    expect(page.get_by_role("heading", name="Identity provider")).to_be_visible()
    expect(page.get_by_label("Issuer URL")).to_have_value(provider.issuer)
    expect(page.locator("#redirect-uri")).to_have_text(f"{url}/login/sso/callback")
    expect(page.get_by_label("Groups to roles")).to_have_value("licensing-leads = Co-Administrator")

    page.get_by_label("Issuer URL").fill("not a url")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#issuer-error")).to_contain_text("is not an issuer URL")
    expect(page.get_by_label("Issuer URL")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Issuer URL").fill(provider.issuer)
    page.get_by_label("Groups to roles").fill(
        "licensing-leads = Co-Administrator\nlicensing-admins = Administrator"
    )
    page.get_by_role("button", name="Save").click()  # the stored secret is kept
    expect(page.locator("#sign-in-done")).to_have_text("Saved the identity provider.")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#test-ok")).to_have_text(
        f"Connected to {provider.issuer}: 1 signing key published, "
        "and logging out of entitle signs out there too."
    )
    shot(page, "sso-settings")
