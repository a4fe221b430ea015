from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api.conftest import NEW_CHECKOUT, Api, assert_problem
from tests.integration.fixtures import PASSWORD


def _log_in(api: Api, email: str, password: str = PASSWORD, **kw: object) -> object:
    return api.client.post("/api/v1/session", json={"email": email, "password": password}, **kw)


def test_login_sets_a_secure_session_cookie_and_a_csrf_token(api: Api) -> None:
    response = _log_in(api, "co@example.com")
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["user"]["role"] == "Co-Administrator"
    cookies = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    session = next(c for c in cookies if c.startswith("entitle_session="))
    assert "HttpOnly" in session
    assert "SameSite=lax" in session
    csrf = next(c for c in cookies if c.startswith("entitle_csrf="))
    assert body["csrf_token"] in csrf
    assert api.client.get("/api/v1/session").json()["user"]["email"] == "co@example.com"


def test_the_cookie_is_secure_over_https(api: Api) -> None:
    with TestClient(api.client.app, base_url="https://entitle.test") as https:
        response = https.post(
            "/api/v1/session", json={"email": "admin@example.com", "password": PASSWORD}
        )
    assert all("Secure" in c for c in response.headers.get_list("set-cookie"))


def test_cookie_requests_that_change_things_need_the_csrf_token(api: Api) -> None:
    csrf = _log_in(api, "admin@example.com").json()["csrf_token"]  # type: ignore[attr-defined]
    refused = api.client.post("/api/v1/checkouts", json=NEW_CHECKOUT)
    assert_problem(refused, 403, "X-CSRF-Token")
    wrong = api.client.post("/api/v1/checkouts", json=NEW_CHECKOUT, headers={"X-CSRF-Token": "x"})
    assert_problem(wrong, 403)
    made = api.client.post("/api/v1/checkouts", json=NEW_CHECKOUT, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    assert api.client.get("/api/v1/checkouts").json()["total"] == 1


def test_a_wrong_password_is_401_and_five_failures_a_minute_lock_the_account(api: Api) -> None:
    for _ in range(5):
        assert_problem(_log_in(api, "admin@example.com", "wrong password"), 401, "password")
    locked = _log_in(api, "admin@example.com")
    assert_problem(locked, 429)
    assert int(locked.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    api.world.clock.advance(minutes=1, seconds=1)
    assert _log_in(api, "admin@example.com").status_code == 200  # type: ignore[attr-defined]


def test_five_failures_from_one_address_lock_every_account_from_it(api: Api) -> None:
    for number in range(5):
        _log_in(api, f"nobody{number}@example.com", "wrong password")
    assert_problem(_log_in(api, "co@example.com"), 429)


def test_login_input_is_validated(api: Api) -> None:
    assert_problem(api.client.post("/api/v1/session", json={"email": "a@b.c"}), 422, "password")


def test_logout_clears_the_session(api: Api) -> None:
    csrf = _log_in(api, "admin@example.com").json()["csrf_token"]  # type: ignore[attr-defined]
    assert_problem(api.client.delete("/api/v1/session"), 403)
    response = api.client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert_problem(api.client.get("/api/v1/session"), 401)


def test_a_cookie_kept_from_before_the_portal_logout_is_refused(api: Api) -> None:
    csrf = _log_in(api, "admin@example.com").json()["csrf_token"]  # type: ignore[attr-defined]
    kept = {"Cookie": f"entitle_session={api.client.cookies['entitle_session']}"}
    logout = api.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert logout.status_code == 303
    api.client.cookies.clear()
    assert_problem(api.client.get("/api/v1/session", headers=kept), 401)
    page = api.client.get("/checkouts", headers=kept, follow_redirects=False)
    assert page.headers["location"].startswith("/login")


def test_a_session_ends_twelve_hours_after_the_login(api: Api) -> None:
    _log_in(api, "admin@example.com")
    api.world.clock.advance(hours=11, minutes=59)
    assert api.client.get("/api/v1/session").status_code == 200
    api.world.clock.advance(minutes=1)
    assert_problem(api.client.get("/api/v1/session"), 401)


def test_users_create_list_and_revoke_their_own_tokens(api: Api) -> None:
    made = api.post("/api/v1/tokens", "user", json={"label": "laptop"})
    assert made.status_code == 201
    token = made.json()["token"]
    mine = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/session", headers=mine).json()["user"]["email"] == (
        "ana@example.com"
    )
    listed = api.get("/api/v1/tokens", "user").json()["items"]
    assert "laptop" in [t["label"] for t in listed]
    assert "token" not in listed[0]
    assert_problem(
        api.client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=api.auth("admin")), 404
    )
    revoked = api.client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=mine)
    assert revoked.json()["revoked_at"] is not None
    assert_problem(api.client.get("/api/v1/session", headers=mine), 401)


def test_the_audit_trail_records_logins_tokens_and_checkouts_for_administrators(
    api: Api,
) -> None:
    made = api.create()
    api.get(f"/api/v1/checkouts/{made['id']}/license-file")
    api.post(f"/api/v1/checkouts/{made['id']}/check-in")
    _log_in(api, "co@example.com", "wrong password")
    trail = api.get("/api/v1/audit").json()
    actions = [e["action"] for e in trail["items"]]
    for action in (
        "checkout.create",
        "checkout.download",
        "checkout.check_in",
        "login.failed",
        "token.create",
    ):
        assert action in actions
    assert trail["total"] == len(trail["items"])
    assert all(e["at"] and e["actor"] for e in trail["items"])
    assert_problem(api.get("/api/v1/audit", "co_admin"), 403)
    assert_problem(api.get("/api/v1/audit", "user"), 403)
    assert_problem(api.get("/api/v1/audit", None), 401)
    theirs = api.get("/api/v1/audit", "other_admin").json()["items"]
    assert made["id"] not in [e["subject"] for e in theirs]
    assert_problem(api.get("/api/v1/audit", params={"page_size": 0}), 422, "page_size")
