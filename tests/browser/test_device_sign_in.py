"""``entitle-tool login`` approved in Chromium: the link it prints leads through the login page
to the /device page, which names the machine asking; Approve signs the tool in."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shot
from tests.browser.portal import PASSWORD
from tests.workstation import Login, tool_environment

pytestmark = [pytest.mark.browser, pytest.mark.slow]
USER = "ana.lima@example.com"
MACHINE = "BROWSER-WS-7"


def test_login_is_approved_on_the_device_page_after_signing_in_to_the_portal(
    page,
    demo_server: str,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    workstation = tool_environment(
        tmp_path / "workstation", machine=MACHINE, config_dir=tmp_path / "etc-entitle"
    )
    login = Login(workstation, demo_server)

    page.goto(f"{demo_server}/device?user_code={login.user_code}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()  # the login page
    page.get_by_label("Email").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Sign in entitle-tool as you?")).to_be_visible()
    expect(page.locator("#device-code")).to_have_text(login.user_code)
    expect(page.locator("#device-machine")).to_have_text(MACHINE)
    shot(page, "device-sign-in")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="entitle-tool is signed in")).to_be_visible()

    code, out, err = login.finish()
    assert code == 0, err
    assert out.splitlines()[-1] == f"Signed in as {USER} to {demo_server}."
    page.goto(f"{demo_server}/device")
    expect(page.locator("#workstations")).to_contain_text(MACHINE)
    shot(page, "device-workstations")


# The page with the field message comes with its status, 422, which Chromium logs.
@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_a_mistyped_code_is_a_field_message_on_the_device_page(
    page,
    demo_server: str,  # type: ignore[no-untyped-def]
) -> None:
    page.goto(f"{demo_server}/login?next=/device")
    page.get_by_label("Email").fill(USER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    field = page.get_by_label("Code")
    field.fill("BBBB-BBBB")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("No sign-in waits with this code")
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
