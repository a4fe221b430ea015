"""The Users page in Chromium: an Administrator invites a user, who sets a password with the
one-time link and lands on My checkouts; deactivating ends their session; refusals show at
the field they concern."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT, shot
from tests.browser.portal import PASSWORD, STUDIO_ADMIN, go_to, log_in

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a long new password"


def _open_users(page: Page, url: str, email: str = "admin@example.com") -> None:
    log_in(page, url, email)
    go_to(page, "Users")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()


def _invite(page: Page, email: str, name: str, country: str = "GB") -> str:
    form = page.locator("#invite-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Name").fill(name)
    form.get_by_label("Usage country").select_option(country)
    form.get_by_label("Role").select_option("User")
    form.get_by_role("button", name="Invite").click()
    expect(page.locator("#set-password-link")).to_contain_text(email)
    return page.locator("#link-url").input_value()


def _second_person(browser: Browser) -> Page:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    return context.new_page()


def test_an_invited_user_sets_a_password_with_the_link_and_lands_on_my_checkouts(
    page: Page, browser: Browser, demo_server: str
) -> None:
    _open_users(page, demo_server)
    link = _invite(page, "noor.haddad@example.com", "Noor Haddad")
    shot(page, "users-invited")
    row = page.locator("#users-table tr[data-user='noor.haddad@example.com']")
    expect(row).to_contain_text("never")

    invited = _second_person(browser)
    try:
        invited.goto(link)
        expect(invited.get_by_role("heading", name="Set your password")).to_be_visible()
        invited.get_by_label("New password").fill(NEW_PASSWORD)
        invited.get_by_label("Type it again").fill(NEW_PASSWORD)
        shot(invited, "set-password")
        invited.get_by_role("button", name="Set password and sign in").click()
        expect(invited.get_by_role("heading", name="My checkouts")).to_be_visible()
        invited.get_by_role("button", name="Log out").click()
        log_in(invited, demo_server, "noor.haddad@example.com", NEW_PASSWORD)
        expect(invited.get_by_role("heading", name="My checkouts")).to_be_visible()
        invited.goto(link)  # the link worked once
        expect(invited.get_by_role("alert")).to_contain_text("used already")
    finally:
        invited.context.close()
    page.goto(f"{demo_server}/admin/users")  # not a reload: that would post the invitation again
    expect(row).not_to_contain_text("never")


@pytest.mark.parametrize("expected_console_errors", [["401", "Unauthorized"]])
def test_a_deactivated_user_is_signed_out_at_once_and_can_log_in_after_reactivation(
    page: Page, browser: Browser, demo_server: str
) -> None:
    _open_users(page, demo_server)
    link = _invite(page, "otto.berg@example.com", "Otto Berg")
    person = _second_person(browser)
    try:
        person.goto(link)
        person.get_by_label("New password").fill(NEW_PASSWORD)
        person.get_by_label("Type it again").fill(NEW_PASSWORD)
        person.get_by_role("button", name="Set password and sign in").click()
        expect(person.get_by_role("heading", name="My checkouts")).to_be_visible()

        page.get_by_role("button", name="Deactivate otto.berg@example.com").click()
        expect(page.locator("#users-done")).to_contain_text("Deactivated otto.berg@example.com")
        row = page.locator("#users-table tr[data-user='otto.berg@example.com']")
        expect(row).to_contain_text("Deactivated")

        person.reload()
        expect(person.get_by_role("heading", name="Sign in")).to_be_visible()
        log_in(person, demo_server, "otto.berg@example.com", NEW_PASSWORD)
        expect(person.get_by_role("alert")).to_contain_text("The email or password is not right")

        page.get_by_role("button", name="Reactivate otto.berg@example.com").click()
        expect(row).to_contain_text("Active")
        log_in(person, demo_server, "otto.berg@example.com", NEW_PASSWORD)
        expect(person.get_by_role("heading", name="My checkouts")).to_be_visible()
    finally:
        person.context.close()


@pytest.mark.parametrize("expected_console_errors", [["409 (Conflict)"]])
def test_a_taken_email_is_refused_at_the_email_field(page: Page, demo_server: str) -> None:
    _open_users(page, demo_server)
    form = page.locator("#invite-form")
    form.get_by_label("Email").fill("ana.lima@example.com")
    form.get_by_role("button", name="Invite").click()
    email = page.locator("#invite-form").get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#invite-email-error")).to_have_text(
        "A user ana.lima@example.com exists already."
    )
    expect(email).to_have_value("ana.lima@example.com")


@pytest.mark.parametrize("expected_console_errors", [["409 (Conflict)"]])
def test_the_last_administrator_cannot_be_demoted_and_the_role_field_says_why(
    page: Page, demo_server: str
) -> None:
    _open_users(page, demo_server, STUDIO_ADMIN)
    page.get_by_label(f"Role of {STUDIO_ADMIN}").select_option("User")
    page.get_by_role("button", name=f"Save {STUDIO_ADMIN}").click()
    role = page.get_by_label(f"Role of {STUDIO_ADMIN}")
    expect(role).to_have_attribute("aria-invalid", "true")
    row = page.locator(f"#users-table tr[data-user='{STUDIO_ADMIN}']")
    expect(row.get_by_role("alert")).to_contain_text("last active Administrator")
    expect(role).to_have_value("Administrator")
    shot(page, "users-last-administrator")


def test_co_administrators_see_the_users_but_no_invite_or_changes(
    page: Page, demo_server: str
) -> None:
    _open_users(page, demo_server, "coadmin@example.com")
    expect(page.locator("#users-table")).to_contain_text("admin@example.com")
    expect(page.get_by_role("heading", name="Invite a user")).to_have_count(0)
    expect(page.get_by_role("button", name="Deactivate admin@example.com")).to_have_count(0)


@pytest.mark.parametrize("expected_console_errors", [["422 (Unprocessable Entity)"]])
def test_a_mistyped_confirmation_is_refused_at_its_field(
    page: Page, browser: Browser, demo_server: str
) -> None:
    _open_users(page, demo_server)
    link = _invite(page, "ines.vidal@example.com", "Ines Vidal")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(link)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Type it again").fill(NEW_PASSWORD + "!")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_label("Type it again")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#confirm-error")).to_contain_text("The two passwords differ")
    assert PASSWORD != NEW_PASSWORD
