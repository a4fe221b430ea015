"""Signing entitle-tool in (RFC 8628) through the app, on both stores: the protocol as a client
sees it, the /device page as the user does, and the credential it makes as the API does."""

from __future__ import annotations

from typing import Any

import httpx

from entitle.service import audit_log
from tests.integration.api.conftest import Api
from tests.integration.fixtures import PASSWORD

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TOOL = "entitle-tool"


def start(api: Api, machine: str = "WS-0042", version: str = "0.2.0") -> dict[str, Any]:
    answer = api.client.post(
        "/oauth/device_authorization",
        data={"client_id": TOOL, "machine": machine, "tool_version": version},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def poll(api: Api, device_code: str) -> httpx.Response:
    return api.client.post(
        "/oauth/token",
        data={"grant_type": DEVICE_GRANT, "client_id": TOOL, "device_code": device_code},
    )


def refresh(api: Api, refresh_token: str) -> httpx.Response:
    return api.client.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "client_id": TOOL, "refresh_token": refresh_token},
    )


def error_of(answer: httpx.Response) -> str:
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    error: str = answer.json()["error"]
    return error


def portal(api: Api, email: str) -> str:
    """Log the test client's browser in as ``email``; the session's CSRF token."""
    answer = api.client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    csrf: str = answer.json()["csrf_token"]
    return csrf


def decide(api: Api, user_code: str, decision: str, email: str | None = None) -> httpx.Response:
    csrf = portal(api, email or api.world.user)
    return api.client.post(
        "/device", data={"user_code": user_code, "decision": decision, "csrf_token": csrf}
    )


def signed_in(api: Api) -> dict[str, Any]:
    """A sign-in approved by Ana, and the tokens the tool's next poll gets."""
    started = start(api)
    assert decide(api, started["user_code"], "approve").status_code == 200
    answer = poll(api, started["device_code"])
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


def audited(api: Api) -> list[str]:
    """The actions in Northwind's audit trail, newest first."""
    return [
        e.action for e in audit_log.audit_trail(api.world.services, api.world.admin, 1, 100).items
    ]


def who(api: Api, access_token: str) -> httpx.Response:
    return api.client.get(
        "/api/v1/session", headers={"Authorization": f"Bearer {access_token}"}, cookies={}
    )


def test_a_sign_in_hands_out_a_short_code_the_page_to_enter_it_and_the_poll_interval(
    api: Api,
) -> None:
    started = start(api)
    user_code = started["user_code"]
    assert len(user_code) == 9
    assert user_code[4] == "-"
    assert set(user_code.replace("-", "")) <= set("BCDFGHJKLMNPQRSTVWXZ")
    assert started["verification_uri"] == "http://testserver/device"
    assert started["verification_uri_complete"] == (
        f"http://testserver/device?user_code={user_code}"
    )
    assert started["expires_in"] == 600
    assert started["interval"] == 5
    assert start(api)["user_code"] != user_code


def test_the_tool_must_name_its_machine_and_version(api: Api) -> None:
    answer = api.client.post("/oauth/device_authorization", data={"client_id": TOOL})
    assert error_of(answer) == "invalid_request"
    other = api.client.post(
        "/oauth/device_authorization",
        data={"client_id": "someone-else", "machine": "WS-1", "tool_version": "1"},
    )
    assert error_of(other) == "invalid_client"


def test_an_approved_sign_in_is_a_bearer_token_of_the_user_the_api_accepts(api: Api) -> None:
    started = start(api)
    assert error_of(poll(api, started["device_code"])) == "authorization_pending"

    page = api.client.get(
        "/device", params={"user_code": started["user_code"].lower()}, follow_redirects=False
    )
    assert page.status_code == 303  # not signed in: the login page first, the code kept
    assert page.headers["location"] == (
        f"/login?next=%2Fdevice%3Fuser_code%3D{started['user_code'].lower()}"
    )
    portal(api, api.world.user)
    page = api.client.get("/device", params={"user_code": started["user_code"].lower()})
    assert page.status_code == 200
    assert "WS-0042" in page.text
    assert "entitle-tool 0.2.0" in page.text
    assert started["user_code"] in page.text

    assert decide(api, started["user_code"], "approve").status_code == 200
    api.world.clock.advance(seconds=5)
    answer = poll(api, started["device_code"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    tokens = answer.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["refresh_token"]

    assert who(api, tokens["access_token"]).json()["user"]["email"] == api.world.user
    listed = api.get("/api/v1/tokens", "user").json()["items"]
    device = [t for t in listed if t["kind"] == "device"]
    assert len(device) == 1
    assert device[0]["machine"] == "WS-0042"
    assert device[0]["tool_version"] == "0.2.0"
    assert device[0]["created_at"]
    assert device[0]["last_used_at"]
    actions = audited(api)
    assert {"device.approve", "token.create"} <= set(actions)


def test_polling_sooner_than_the_interval_is_slow_down_and_the_interval_grows_for_good(
    api: Api,
) -> None:
    device_code = start(api)["device_code"]
    assert error_of(poll(api, device_code)) == "authorization_pending"
    api.world.clock.advance(seconds=2)
    assert error_of(poll(api, device_code)) == "slow_down"
    # The interval is 10 seconds now: 6 seconds, though more than the first 5, is too soon.
    api.world.clock.advance(seconds=6)
    assert error_of(poll(api, device_code)) == "slow_down"
    api.world.clock.advance(seconds=15)
    assert error_of(poll(api, device_code)) == "authorization_pending"


def test_a_sign_in_nobody_approves_in_time_expires(api: Api) -> None:
    started = start(api)
    api.world.clock.advance(seconds=601)
    assert error_of(poll(api, started["device_code"])) == "expired_token"
    portal(api, api.world.user)
    page = api.client.get("/device", params={"user_code": started["user_code"]})
    assert page.status_code == 422
    assert "This code has expired" in page.text
    answered = decide(api, started["user_code"], "approve")
    assert answered.status_code == 422
    assert error_of(poll(api, started["device_code"])) == "expired_token"


def test_a_denied_sign_in_is_access_denied_and_audited(api: Api) -> None:
    started = start(api)
    denied = decide(api, started["user_code"], "deny")
    assert denied.status_code == 200
    assert "Sign-in denied" in denied.text
    assert error_of(poll(api, started["device_code"])) == "access_denied"
    again = decide(api, started["user_code"], "approve")
    assert again.status_code == 409  # answered already: the denial stands
    assert error_of(poll(api, started["device_code"])) == "access_denied"
    actions = audited(api)
    assert "device.deny" in actions
    assert "device.approve" not in actions


def test_a_device_code_is_good_once_and_an_unknown_one_is_invalid_grant(api: Api) -> None:
    started = start(api)
    decide(api, started["user_code"], "approve")
    assert poll(api, started["device_code"]).status_code == 200
    api.world.clock.advance(seconds=10)
    assert error_of(poll(api, started["device_code"])) == "invalid_grant"
    assert error_of(poll(api, "not-a-device-code")) == "invalid_grant"
    listed = api.get("/api/v1/tokens", "user").json()["items"]
    assert len([t for t in listed if t["kind"] == "device"]) == 1


def test_an_unknown_user_code_is_a_field_message_and_guessing_stops_after_five(
    api: Api,
) -> None:
    started = start(api)
    portal(api, api.world.user)
    page = api.client.get("/device", params={"user_code": "BBBB-BBBB"})
    assert page.status_code == 422
    assert "No sign-in waits with this code" in page.text
    assert 'aria-invalid="true"' in page.text
    for _ in range(4):
        assert api.client.get("/device", params={"user_code": "BBBB-BBBB"}).status_code == 422
    limited = api.client.get("/device", params={"user_code": started["user_code"]})
    assert limited.status_code == 429
    assert "Too many wrong codes" in limited.text
    api.world.clock.advance(seconds=61)
    assert api.client.get("/device", params={"user_code": started["user_code"]}).status_code == 200


def test_answering_needs_the_sessions_csrf_token(api: Api) -> None:
    started = start(api)
    portal(api, api.world.user)
    answer = api.client.post(
        "/device", data={"user_code": started["user_code"], "decision": "approve"}
    )
    assert answer.status_code == 403
    assert error_of(poll(api, started["device_code"])) == "authorization_pending"


def test_a_revoked_credential_stops_its_access_and_refresh_tokens_at_once(api: Api) -> None:
    tokens = signed_in(api)
    device_id = next(
        t["id"] for t in api.get("/api/v1/tokens", "user").json()["items"] if t["kind"] == "device"
    )
    assert api.client.delete(f"/api/v1/tokens/{device_id}", headers=api.auth("user")).is_success
    assert who(api, tokens["access_token"]).status_code == 401
    assert error_of(refresh(api, tokens["refresh_token"])) == "invalid_grant"


def test_revocation_by_the_tool_ends_the_credential_and_is_audited(api: Api) -> None:
    tokens = signed_in(api)
    answer = api.client.post(
        "/oauth/revoke",
        data={
            "client_id": TOOL,
            "token": tokens["refresh_token"],
            "token_type_hint": "refresh_token",
        },
    )
    assert answer.status_code == 200
    assert who(api, tokens["access_token"]).status_code == 401
    assert error_of(refresh(api, tokens["refresh_token"])) == "invalid_grant"
    unknown = api.client.post("/oauth/revoke", data={"client_id": TOOL, "token": "entr_nothing"})
    assert unknown.status_code == 200  # RFC 7009: an unknown token is no error
    actions = audited(api)
    assert "token.revoke" in actions


def test_revoking_a_token_type_the_server_does_not_know_is_an_rfc_6749_error(api: Api) -> None:
    tokens = signed_in(api)
    answer = api.client.post(
        "/oauth/revoke",
        data={"client_id": TOOL, "token": tokens["access_token"], "token_type_hint": "saml"},
    )
    assert answer.status_code == 400  # RFC 7009 §2.2.1 with RFC 6749 §5.2
    assert error_of(answer) == "unsupported_token_type"
    assert who(api, tokens["access_token"]).status_code == 200  # nothing revoked


def test_refreshing_replaces_the_refresh_token_and_the_old_one_is_refused(api: Api) -> None:
    tokens = signed_in(api)
    api.world.clock.advance(seconds=3601)
    assert who(api, tokens["access_token"]).status_code == 401  # expired after an hour
    renewed = refresh(api, tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    fresh = renewed.json()
    assert fresh["refresh_token"] != tokens["refresh_token"]
    assert who(api, fresh["access_token"]).json()["user"]["email"] == api.world.user
    assert error_of(refresh(api, tokens["refresh_token"])) == "invalid_grant"


def test_a_replaced_refresh_token_presented_again_revokes_the_credential(api: Api) -> None:
    tokens = signed_in(api)
    fresh = refresh(api, tokens["refresh_token"]).json()
    assert error_of(refresh(api, tokens["refresh_token"])) == "invalid_grant"
    # Only a copy can present a refresh token twice: neither holder keeps the credential.
    assert who(api, fresh["access_token"]).status_code == 401
    assert error_of(refresh(api, fresh["refresh_token"])) == "invalid_grant"


def test_the_device_page_lists_the_users_workstations_and_revokes_one(api: Api) -> None:
    tokens = signed_in(api)
    page = api.client.get("/device")
    assert page.status_code == 200
    assert "WS-0042" in page.text
    device_id = next(
        t["id"] for t in api.get("/api/v1/tokens", "user").json()["items"] if t["kind"] == "device"
    )
    csrf = api.client.cookies["entitle_csrf"]
    revoked = api.client.post("/device/revoke", data={"token_id": device_id, "csrf_token": csrf})
    assert revoked.status_code == 200
    assert "Signed out" in revoked.text
    assert who(api, tokens["access_token"]).status_code == 401
