"""A new user's first license, from the portal and the workstation alone (no ``entitle``
command): an Administrator invites them on the Users page, they set a password with the
one-time link, the Administrator turns self-service on for their country, and they check out
from their workstation with ``entitle-tool login`` approved on the /device page and
``entitle-tool checkout``; the checkout is on their My checkouts and on the Administrator's
Checkouts list."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT, shot
from tests.browser.portal import go_to, log_in, open_checkouts, row_of, wait_for_rows
from tests.servers import ServerProcess, entitle, server_environment, serving
from tests.workstation import Login, tool_environment

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NEWCOMER, NAME = "lena.fischer@example.com", "Lena Fischer"
NEW_PASSWORD = "a long password of her own"
MACHINE = "LENA-WS-01"
APPLICATION, VERSION = "Atlas Designer", "10.17.2.61"
CHECKOUT = (
    "checkout",
    "--app",
    APPLICATION,
    "--version",
    VERSION,
    "--days",
    "7",
    "--country",
    "US",
)


@pytest.fixture
def server(tmp_path: Path, browser) -> Iterator[ServerProcess]:  # type: ignore[no-untyped-def]
    """The demo behind a server of this test's own, since the test changes US's policy."""
    env = server_environment(tmp_path / "server", ENTITLE_DEVICE_POLL_SECONDS="1")
    entitle(env, "db", "upgrade")
    entitle(env, "demo")
    with serving(env, tmp_path / "serve.log") as running:
        yield running


def _tool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("entitle-tool")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def _invite(admin: Page) -> str:
    go_to(admin, "Users")
    expect(admin.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    form = admin.locator("#invite-form")
    form.get_by_label("Email").fill(NEWCOMER)
    form.get_by_label("Name").fill(NAME)
    form.get_by_label("Usage country").select_option("US")
    form.get_by_label("Role").select_option("User")
    form.get_by_role("button", name="Invite").click()
    expect(admin.locator("#set-password-link")).to_contain_text(f"Set-password link for {NEWCOMER}")
    row = admin.locator(f"#users-table tr[data-user='{NEWCOMER}']")
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text("never")
    return admin.locator("#link-url").input_value()


def _set_password(newcomer: Page, link: str, url: str) -> None:
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", name="Set your password")).to_be_visible()
    newcomer.get_by_label("New password").fill(NEW_PASSWORD)
    newcomer.get_by_label("Type it again").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Set password and sign in").click()
    expect(newcomer.get_by_role("heading", name="My checkouts")).to_be_visible()
    newcomer.get_by_role("button", name="Log out").click()
    log_in(newcomer, url, NEWCOMER, NEW_PASSWORD)
    expect(newcomer.get_by_role("heading", name="My checkouts")).to_be_visible()
    expect(newcomer.locator("#my-checkouts-empty")).to_contain_text("You have no checkouts")


def _turn_self_service_on(admin: Page) -> None:
    go_to(admin, "Countries")
    tabs = admin.get_by_role("navigation", name="Entitlement countries")
    tabs.get_by_role("link", name="United States (US)").click()
    expect(admin.get_by_role("heading", name="United States (US)", exact=True)).to_be_visible()
    switch = admin.get_by_label("Users may check out for themselves")
    expect(switch).not_to_be_checked()  # the demo's US has no self-service
    switch.check()
    admin.get_by_label("Longest self-service checkout (days)").fill("14")
    admin.get_by_role("button", name="Save policy").click()
    expect(admin.locator("#policy-saved")).to_have_text("Saved the policy of United States (US).")
    expect(admin.get_by_label("Users may check out for themselves")).to_be_checked()


def test_an_invited_user_checks_out_from_the_workstation_with_no_shell_on_the_server(
    page: Page, browser: Browser, server: ServerProcess, tmp_path: Path
) -> None:
    admin = page
    open_checkouts(admin, server.url)
    fingerprint = admin.locator("#issuer-fingerprint").inner_text().strip()
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", fingerprint), fingerprint
    link = _invite(admin)
    shot(admin, "onboarding-invited")

    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    newcomer = context.new_page()
    try:
        _set_password(newcomer, link, server.url)
        us = newcomer.locator("#self-service-countries li").filter(has_text="(US)")
        expect(us).not_to_contain_text("you may check out for yourself")

        # The workstation's administrator pins the root the portal shows, once per machine.
        workstation = tool_environment(
            tmp_path / "workstation", machine=MACHINE, config_dir=tmp_path / "etc-entitle"
        )
        pinned = _tool(workstation, "trust", "--system", server.url, "--fingerprint", fingerprint)
        assert pinned.returncode == 0, pinned.stderr

        login = Login(workstation, server.url)
        assert any(f"{server.url}/device" in line for line in login.printed), login.printed
        newcomer.goto(f"{server.url}/device?user_code={login.user_code}")
        expect(newcomer.get_by_role("heading", name="Sign in entitle-tool as you?")).to_be_visible()
        expect(newcomer.locator("#device-code")).to_have_text(login.user_code)
        expect(newcomer.locator("#device-machine")).to_have_text(MACHINE)
        newcomer.get_by_role("button", name="Approve").click()
        expect(newcomer.get_by_role("heading", name="entitle-tool is signed in")).to_be_visible()
        code, out, err = login.finish()
        assert code == 0, err
        assert out.splitlines()[-1] == f"Signed in as {NEWCOMER} to {server.url}."

        refused = _tool(workstation, *CHECKOUT)
        assert refused.returncode == 1
        assert refused.stderr.strip() == (
            "entitle-tool: Self-service checkout is turned off for United States (US); "
            "an administrator of Northwind Engineering can turn it on."
        )

        _turn_self_service_on(admin)
        shot(admin, "onboarding-self-service-on")
        newcomer.goto(f"{server.url}/my-checkouts")
        expect(us).to_contain_text(
            "United States (US): you may check out for yourself for up to 14 days"
        )

        done = _tool(workstation, *CHECKOUT)
        assert done.returncode == 0, done.stderr
        found = re.fullmatch(
            rf"Checked out {APPLICATION} {VERSION} until \S+ for {MACHINE} \(checkout (\S+)\); "
            r"it runs offline until then\.",
            done.stdout.strip(),
        )
        assert found, done.stdout
        checked = _tool(workstation, "check", "--app", APPLICATION, "--version", VERSION)
        assert checked.returncode == 0, checked.stderr
        assert f"(checkout {found.group(1)})" in checked.stdout

        newcomer.goto(f"{server.url}/my-checkouts")
        mine = newcomer.locator("#my-checkouts tbody tr")
        expect(mine).to_have_count(1)
        expect(mine).to_contain_text(MACHINE)
        expect(mine).to_contain_text(f"{APPLICATION} {VERSION}")
        expect(mine).to_contain_text("Self-service")
        expect(mine).to_contain_text("US")
        expect(mine.get_by_role("link", name="Download license")).to_be_visible()
        shot(newcomer, "onboarding-my-checkouts")
    finally:
        context.close()

    admin.get_by_role("navigation", name="Portal").get_by_role(
        "link", name="License Checkout"
    ).click()
    wait_for_rows(admin, "#checkouts-table")
    listed = row_of(admin, MACHINE)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(NEWCOMER)
    expect(listed).to_contain_text("Self-service")
    wait_for_rows(admin, "#history-table")
    history = row_of(admin, MACHINE, "#history-table")
    expect(history).to_contain_text("Self-service")
    expect(history).to_contain_text(f"{APPLICATION} {VERSION}")
    shot(admin, "onboarding-checkouts-list")
