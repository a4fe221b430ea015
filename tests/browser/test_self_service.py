"""My checkouts for plain users; the New panel under a country's policy and a request file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.portal import api_get, log_in, open_checkouts, pick_suggestion, row_of
from tests.browser.test_new_checkout import verified

pytestmark = pytest.mark.browser
FINGERPRINT = "5e" * 32


def test_a_plain_user_sees_their_checkouts_downloads_one_and_reads_how_to_check_out(
    page: Page, demo_server: str
) -> None:
    log_in(page, demo_server, "ana.lima@example.com")
    table = page.locator("#my-checkouts")
    row = table.locator("tbody tr").filter(has_text="ANA-LAPTOP")
    expect(row).to_contain_text("Self-service")
    expect(row).to_contain_text("Atlas Designer 10.17.2.61")
    # Only her own: every row is a checkout made for her.
    own = api_get(page, demo_server, "/me/checkouts?status=listed")["items"]
    assert {c["user"] for c in own} == {"ana.lima@example.com"}
    expect(table.locator("tbody tr")).to_have_count(len(own))
    with page.expect_download() as downloading:
        row.get_by_role("link", name="Download license").click()
    claims = verified(demo_server, Path(downloading.value.path()), "ANA-LAPTOP")
    assert claims.user_email == "ana.lima@example.com"
    expect(page.get_by_text(f"entitle-tool login {demo_server}")).to_be_visible()
    expect(page.locator("#self-service-countries")).to_contain_text(
        "United Kingdom (GB): you may check out for yourself for up to 30 days"
    )
    expect(page.locator("#self-service-countries")).to_contain_text(
        "Self-service checkout is turned off for United States (US)"
    )
    shot(page, "my-checkouts")


def _csrf(page: Page) -> dict[str, str]:
    cookie = next(c for c in page.context.cookies() if c["name"] == "entitle_csrf")
    return {"X-CSRF-Token": cookie["value"]}


@pytest.fixture
def excluded(page: Page, demo_server: str) -> Iterator[None]:
    """US excludes Road Planner while the test runs (the demo server is shared)."""
    open_checkouts(page, demo_server)
    policy = f"{demo_server}/api/v1/countries/US/policy"
    body: dict[str, Any] = {"application_rule": "exclude", "applications": ["Road Planner"]}
    assert page.request.put(policy, data=body, headers=_csrf(page)).ok
    yield
    assert page.request.put(policy, data={"application_rule": "all"}, headers=_csrf(page)).ok


def test_the_new_panel_refuses_an_excluded_application_beside_its_field(
    page: Page, demo_server: str, excluded: None, expected_console_errors: list[str]
) -> None:
    expected_console_errors.append("status of 422")
    page.get_by_role("button", name="New").click()
    panel = page.get_by_role("dialog", name="New checkout")
    panel.get_by_role("radio", name="SES", exact=True).check()
    pick_suggestion(page, panel.get_by_label("User or email"), "grace", "Grace Kim")
    panel.get_by_label("Machine name").fill("QA-EXCL-01")
    pick_suggestion(page, panel.get_by_label("Application name"), "Road", "Road Planner")
    panel.get_by_role("button", name="Add", exact=True).click()
    pick_suggestion(page, panel.get_by_label("Version of Road Planner"), "10.14", "10.14.0.81")
    panel.get_by_role("button", name="License Checkout").click()
    expect(panel.locator("#error-applications")).to_have_text(
        "Road Planner is excluded from checkout in United States (US); "
        "an administrator of Northwind Engineering can allow it."
    )
    expect(panel.get_by_role("alert").first).to_have_text("Some fields need attention.")
    expect(row_of(page, "QA-EXCL-01")).to_have_count(0)


def test_importing_a_request_file_fills_the_form_and_binds_the_fingerprint(
    page: Page, demo_server: str, tmp_path: Path
) -> None:
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps(
            {
                "format": "entitle-checkout-request/1",
                "machine_name": "QA-AIRGAP-07",
                "machine_fingerprint": FINGERPRINT,
                "os_user": "field.engineer",
                "applications": [
                    {"application": "atlas designer", "version": "10.17.2.61"},
                    {"application": "Bridgeworks", "version": "24.0.1.5"},
                ],
                "country": "US",
                # Soon: the Checkouts list shows the earliest expiry first.
                "expires_on": (date.today() + timedelta(days=2)).isoformat(),
                "tool_version": "0.2.0",
            }
        )
    )
    open_checkouts(page, demo_server)
    page.get_by_role("button", name="New").click()
    panel = page.get_by_role("dialog", name="New checkout")
    panel.get_by_label("Import request file").set_input_files(str(request))
    machine = panel.get_by_label("Machine name")
    expect(machine).to_have_value("QA-AIRGAP-07")
    expect(machine).to_have_attribute("readonly", "")
    fingerprint = panel.get_by_label("Machine fingerprint")
    expect(fingerprint).to_have_value(FINGERPRINT)
    expect(fingerprint).to_have_attribute("readonly", "")
    expect(panel.get_by_role("radio", name="SES", exact=True)).to_be_checked()
    expect(panel.get_by_label("Version of Atlas Designer")).to_have_value("10.17.2.61")
    expect(panel.get_by_label("Version of Bridgeworks")).to_have_value("24.0.1.5")
    expect(panel.locator("#hint-request")).to_have_text(
        "Imported the request of QA-AIRGAP-07 (user field.engineer, entitle-tool 0.2.0)."
    )
    pick_suggestion(page, panel.get_by_label("User or email"), "jon", "Jon Berg")
    shot(page, "new-checkout-request-file", full_page=False)
    submit = panel.get_by_role("button", name="License Checkout")
    expect(submit).to_be_enabled()
    with page.expect_download():
        submit.click()
    row = row_of(page, "QA-AIRGAP-07")
    expect(row).to_contain_text("Request file")
    row.get_by_role("button", name="Show the applications").click()
    expect(row.locator(".detail-facts")).to_contain_text(FINGERPRINT)
    expect(row.locator(".detail-facts")).to_contain_text("Request file")
    # Leave the shared demo's active checkouts as they were.
    checkout_id = row.locator(".detail-facts").get_attribute("data-checkout-id")
    assert page.request.post(
        f"{demo_server}/api/v1/checkouts/{checkout_id}/check-in", headers=_csrf(page)
    ).ok
