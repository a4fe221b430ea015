"""The admin API of users: invite with a one-time link, change role and country, deactivate."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from entitle.service import users
from tests.integration.api.conftest import Api, assert_problem
from tests.integration.fixtures import PASSWORD

USERS = "/api/v1/admin/users"
INVITE = {"email": "li.wei@example.com", "display_name": "Li Wei", "usage_country": "GB"}


def _id_of(api: Api, email: str) -> int:
    found = [u for u in api.get(USERS).json()["items"] if u["email"] == email]
    assert found, email
    identifier: int = found[0]["id"]
    return identifier


def _token_of(link: dict[str, Any]) -> str:
    return parse_qs(urlsplit(link["url"]).query)["token"][0]


def test_co_administrators_see_every_user_with_role_country_and_access(api: Api) -> None:
    response = api.get(USERS, "co_admin")
    assert response.status_code == 200
    listed = {u["email"]: u for u in response.json()["items"]}
    assert set(listed) == {"admin@example.com", "ana@example.com", "co@example.com"}
    assert listed["co@example.com"] | {"id": 0} == {
        "id": 0,
        "email": "co@example.com",
        "display_name": "Sam Okafor",
        "usage_country": "GB",
        "role": "Co-Administrator",
        "active": True,
        "last_login_at": None,
    }


def test_an_invited_user_sets_a_password_with_the_link_once_and_logs_in(api: Api) -> None:
    response = api.post(USERS, json={**INVITE, "role": "Co-Administrator"})
    assert response.status_code == 201, response.text
    link = response.json()
    assert link["user"]["role"] == "Co-Administrator"
    assert link["url"].startswith("http://testserver/set-password?token=")
    services = api.world.services
    signed_in = users.set_password_with_link(services, _token_of(link), "a new password 1")
    assert signed_in.user.email == "li.wei@example.com"
    login = api.client.post(
        "/api/v1/session", json={"email": "li.wei@example.com", "password": "a new password 1"}
    )
    assert login.status_code == 200
    again = api.client.post(
        "/set-password",
        data={"token": _token_of(link), "password": "another password", "confirm": "x"},
    )
    assert "used already" in again.text
    listed = {u["email"]: u for u in api.get(USERS).json()["items"]}
    assert listed["li.wei@example.com"]["last_login_at"] is not None


def test_an_invitation_names_each_wrong_field(api: Api) -> None:
    body = assert_problem(
        api.post(USERS, json={"email": "not an email", "usage_country": "FR"}), 422
    )
    assert {e["field"]: e["code"] for e in body["errors"]} == {
        "email": "EMAIL_INVALID",
        "usage_country": "COUNTRY_NOT_ENTITLED",
    }
    duplicate = assert_problem(api.post(USERS, json={**INVITE, "email": "ANA@example.com"}), 409)
    assert duplicate["code"] == "USER_EXISTS"
    assert [e["field"] for e in duplicate["errors"]] == ["email"]


def test_co_administrators_and_users_cannot_invite_or_change_users(api: Api) -> None:
    for who in ("co_admin", "user"):
        assert assert_problem(api.post(USERS, who, json=INVITE), 403)["code"] in {
            "ROLE_CANNOT_MANAGE_USERS"
        }
    ana = _id_of(api, "ana@example.com")
    refused = api.client.patch(
        f"{USERS}/{ana}", json={"role": "Administrator"}, headers=api.auth("co_admin")
    )
    assert assert_problem(refused, 403)["code"] == "ROLE_CANNOT_MANAGE_USERS"


def test_a_deactivated_user_loses_their_tokens_and_cannot_log_in_until_reactivated(
    api: Api,
) -> None:
    ana = _id_of(api, "ana@example.com")
    assert api.get("/api/v1/me/checkouts", "user").status_code == 200
    changed = api.client.patch(f"{USERS}/{ana}", json={"active": False}, headers=api.auth("admin"))
    assert changed.status_code == 200, changed.text
    assert changed.json()["active"] is False
    assert api.get("/api/v1/me/checkouts", "user").status_code == 401
    suggested = api.get("/api/v1/users", params={"q": "ana@"}).json()["items"]
    assert suggested == []  # the New panel no longer offers her
    login = {"email": "ana@example.com", "password": PASSWORD}
    assert_problem(api.client.post("/api/v1/session", json=login), 401)
    again = api.client.patch(f"{USERS}/{ana}", json={"active": True}, headers=api.auth("admin"))
    assert again.json()["active"] is True
    assert api.client.post("/api/v1/session", json=login).status_code == 200
    # Her old token stays revoked: reactivating gives no credential back.
    assert api.get("/api/v1/me/checkouts", "user").status_code == 401
    [latest, *_] = api.get("/api/v1/audit", params={"page_size": 3}).json()["items"]
    assert (latest["action"], latest["subject"]) == ("login", "")


def test_role_and_usage_country_change_and_are_audited(api: Api) -> None:
    ana = _id_of(api, "ana@example.com")
    changed = api.client.patch(
        f"{USERS}/{ana}",
        json={"role": "Co-Administrator", "usage_country": "gb"},
        headers=api.auth("admin"),
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["role"], changed.json()["usage_country"]) == ("Co-Administrator", "GB")
    [event] = api.get("/api/v1/audit", params={"page_size": 1}).json()["items"]
    assert event["action"] == "user.change"
    assert "role User → Co-Administrator" in event["detail"]


def test_the_last_administrator_can_be_neither_demoted_nor_deactivated(api: Api) -> None:
    admin = _id_of(api, "admin@example.com")
    for change, field in (({"role": "User"}, "role"), ({"active": False}, "active")):
        refused = api.client.patch(f"{USERS}/{admin}", json=change, headers=api.auth("admin"))
        body = assert_problem(refused, 409, field)
        assert body["code"] == "LAST_ADMINISTRATOR"
    co = _id_of(api, "co@example.com")
    promoted = api.client.patch(
        f"{USERS}/{co}", json={"role": "Administrator"}, headers=api.auth("admin")
    )
    assert promoted.status_code == 200
    demoted = api.client.patch(f"{USERS}/{admin}", json={"role": "User"}, headers=api.auth("admin"))
    assert demoted.status_code == 200


def test_another_organisations_user_is_not_found(api: Api) -> None:
    ana = _id_of(api, "ana@example.com")
    refused = api.client.patch(
        f"{USERS}/{ana}", json={"active": False}, headers=api.auth("other_admin")
    )
    assert assert_problem(refused, 404)["code"] == "USER_ID_NOT_FOUND"
    link = api.post(f"{USERS}/{ana}/set-password-link", "other_admin")
    assert assert_problem(link, 404)["code"] == "USER_ID_NOT_FOUND"


def test_a_new_link_ends_the_earlier_one(api: Api) -> None:
    first = api.post(USERS, json=INVITE).json()
    user_id = first["user"]["id"]
    second = api.post(f"{USERS}/{user_id}/set-password-link")
    assert second.status_code == 201
    services = api.world.services
    old = api.client.post("/set-password", data={"token": _token_of(first), "password": "x" * 9})
    assert "has expired" in old.text
    assert users.user_of_link(services, _token_of(second.json())).id == user_id
