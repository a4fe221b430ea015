"""Log in, switch country, and create SES and SELECTserver checkouts in the "New" panel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from entitle.licensefile import LicenseClaims, TrustedKeys, verify
from tests.browser.conftest import shot
from tests.browser.portal import (
    api_get,
    log_in,
    open_checkouts,
    pick_suggestion,
    row_of,
    rows,
    shown_day,
    wait_for_rows,
)

pytestmark = pytest.mark.browser


def verified(url: str, file: Path, machine: str) -> LicenseClaims:
    """Check the file the way a workstation does: against the server's published keys."""
    jwks = httpx.get(f"{url}/.well-known/jwks.json").json()
    pem = httpx.get(f"{url}/.well-known/entitle-xml-cert.pem").content
    trusted = TrustedKeys.from_documents(jwks, pem)
    return verify(file.read_bytes(), trusted, now=datetime.now(UTC), machine_name=machine)


def test_login_refuses_a_wrong_password_then_opens_the_page_and_logs_out(
    page: Page, demo_server: str
) -> None:
    log_in(page, demo_server, password="not-the-password")
    expect(page.get_by_role("alert")).to_have_text("The email or password is not right.")
    # The email is kept and the cursor waits in the password field for another try.
    expect(page.get_by_label("Email")).to_have_value("admin@example.com")
    expect(page.get_by_label("Password")).to_be_focused()
    page.get_by_label("Password").fill("entitle-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="License Checkout")).to_be_visible()
    expect(page.get_by_text("Morgan Reyes")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{demo_server}/checkouts")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_user_who_is_not_an_administrator_gets_their_own_checkouts(
    page: Page, demo_server: str
) -> None:
    log_in(page, demo_server, "ana.lima@example.com")
    expect(page.get_by_role("heading", name="My checkouts")).to_be_visible()
    expect(page).to_have_url(f"{demo_server}/my-checkouts")
    expect(page.get_by_role("button", name="New")).to_have_count(0)
    page.goto(f"{demo_server}/usage")
    expect(page.get_by_role("heading", name="This page is for administrators")).to_be_visible()
    expect(page.get_by_role("link", name="My checkouts").last).to_be_visible()


def test_the_entitlement_country_scopes_the_lists_and_the_activation_keys(
    page: Page, demo_server: str
) -> None:
    open_checkouts(page, demo_server)
    country = page.get_by_label("Entitlement Country")
    expect(country).to_have_value("US")
    expect(rows(page).first).to_contain_text("US-WS-")
    country.select_option("GB")
    expect(page).to_have_url(f"{demo_server}/checkouts?country=GB")
    wait_for_rows(page, "#checkouts-table")
    expect(rows(page).first).to_contain_text("GB-WS-")
    expect(rows(page).filter(has_text="US-WS-")).to_have_count(0)
    expect(rows(page, "#history-table").filter(has_text="US-WS-")).to_have_count(0)
    page.get_by_role("button", name="New").click()
    expect(page.get_by_role("dialog", name="New checkout")).to_be_visible()
    expect(page.get_by_text("Entitlement country GB", exact=True)).to_be_visible()
    page.get_by_role("radio", name="SELECTserver").check()
    keys = page.get_by_label("Activation key").locator("option")
    expect(keys).to_have_text(["Choose a key…", "GB-5TRE-2KLM-0PZX", "GB-9NNB-4CVX-77YU"])


def test_an_ses_checkout_with_two_applications_downloads_a_belic_that_verifies(
    page: Page, demo_server: str
) -> None:
    open_checkouts(page, demo_server)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="New").click()
    panel = page.get_by_role("dialog", name="New checkout")
    submit = panel.get_by_role("button", name="License Checkout")
    expect(submit).to_be_disabled()

    cap = next(c for c in api_get(page, demo_server, "/countries")["items"] if c["country"] == "US")
    # The field shows the day as the page's English writes it for this browser (en-GB);
    # the date input behind it holds the ISO day the form sends, and its limits.
    latest = date.fromisoformat(cap["latest_expires_on"])
    expect(panel.get_by_label("Expiration date")).to_have_value(latest.strftime("%d/%m/%Y"))
    expiry = panel.locator("#new-expires")
    expect(expiry).to_have_value(cap["latest_expires_on"])
    expect(expiry).to_have_attribute("max", cap["latest_expires_on"])
    expect(panel.get_by_label("Activation key")).to_be_hidden()

    panel.get_by_role("radio", name="SES", exact=True).check()
    pick_suggestion(page, panel.get_by_label("User or email"), "grace", "Grace Kim")
    expect(panel.get_by_label("User or email")).to_have_value("grace.kim@example.com")
    machine = panel.get_by_label("Machine name")
    machine.fill("not a name!")
    machine.blur()
    expect(panel.locator("#error-machine")).to_contain_text("letters, digits and hyphens")
    machine.fill("QA-SES-01")
    expect(panel.locator("#error-machine")).to_be_hidden()

    application = panel.get_by_label("Application name")
    add = panel.get_by_role("button", name="Add", exact=True)
    pick_suggestion(page, application, "Atl", "Atlas Designer")
    add.click()
    pick_suggestion(page, panel.get_by_label("Version of Atlas Designer"), "10.17", "10.17.2.61")
    expect(submit).to_be_enabled()
    application.fill("Bridgeworks")
    expect(add).to_be_enabled()
    add.click()
    expect(submit).to_be_disabled()
    panel.get_by_label("Version of Bridgeworks").fill("24.0.01.5")
    expect(submit).to_be_enabled()
    pick_suggestion(page, application, "Road", "Road Planner")
    add.click()
    panel.get_by_role("button", name="Remove Road Planner").click()
    expect(panel.get_by_label("Version of Road Planner")).to_have_count(0)
    shot(page, "new-checkout-panel", full_page=False)

    with page.expect_download() as downloading:
        submit.click()
    download = downloading.value
    assert download.suggested_filename.endswith(".belic")
    claims = verified(demo_server, Path(download.path()), "QA-SES-01")
    assert claims.user_email == "grace.kim@example.com"
    assert [(a.name, a.version) for a in claims.applications] == [
        ("Atlas Designer", "10.17.2.61"),
        ("Bridgeworks", "24.0.1.5"),
    ]
    expect(panel).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="downloaded")).to_be_visible()
    row = row_of(page, "QA-SES-01")
    expect(row).to_contain_text("Grace Kim")
    row.get_by_role("button", name="Show the applications").click()
    detail = row.locator(".detail-table")
    expected_day = shown_day(date.fromisoformat(cap["latest_expires_on"]))
    expect(detail.locator("tbody tr")).to_have_text(
        [f"Atlas Designer10.17.2.61{expected_day}", f"Bridgeworks24.0.1.5{expected_day}"]
    )
    assert page.evaluate("window.notReloaded") is True


def test_a_selectserver_checkout_uses_a_key_of_the_country_and_downloads_a_verified_xml(
    page: Page, demo_server: str, expected_console_errors: list[str]
) -> None:
    open_checkouts(page, demo_server)
    page.get_by_role("button", name="New").click()
    panel = page.get_by_role("dialog", name="New checkout")
    panel.get_by_role("radio", name="SELECTserver").check()
    key = panel.get_by_label("Activation key")
    expect(key.locator("option")).to_have_text(
        ["Choose a key…", "US-3HDF-88ZA-Q1W2", "US-7KQ2-MX41-PL90"]
    )
    panel.get_by_label("User or email").fill("visiting.engineer@partner.example")
    panel.get_by_label("Machine name").fill("QA-SS-01")
    pick_suggestion(page, panel.get_by_label("Application name"), "Geo", "GeoSurvey")
    panel.get_by_role("button", name="Add", exact=True).click()
    pick_suggestion(page, panel.get_by_label("Version of GeoSurvey"), "8.4", "8.4.1.0")
    submit = panel.get_by_role("button", name="License Checkout")
    expect(submit).to_be_disabled()
    key.select_option("US-3HDF-88ZA-Q1W2")
    expect(submit).to_be_enabled()

    # The server has the last word: a refusal is shown beside the field it names.
    expected_console_errors.append("status of 422")
    expiry = panel.locator("#new-expires")
    cap = expiry.input_value()
    expiry.evaluate("input => input.removeAttribute('max')")
    expiry.fill(f"{int(cap[:4]) + 1}{cap[4:]}")
    submit.click()
    expect(panel.locator("#error-expires_on")).to_contain_text("latest expiry date allowed")
    expect(panel.get_by_role("alert").first).to_have_text("Some fields need attention.")
    expiry.fill(cap)

    with page.expect_download() as downloading:
        submit.click()
    download = downloading.value
    assert download.suggested_filename.endswith(".xml")
    claims = verified(demo_server, Path(download.path()), "QA-SS-01")
    assert claims.activation_key == "US-3HDF-88ZA-Q1W2"
    assert claims.license_service == "SELECTserver"
    expect(row_of(page, "QA-SS-01")).to_contain_text("visiting.engineer@partner.example")
