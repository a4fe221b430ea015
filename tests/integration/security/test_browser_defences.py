"""What protects people using the portal: cookies, CSRF, cross-site posts, rate limits, CSP."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.integration.fixtures import PASSWORD
from tests.integration.reliability.deployment import Deployment
from tests.integration.security.conftest import Callers
from tests.servers import ServerProcess, server_environment

LOGIN = {"email": "admin@example.com", "password": PASSWORD, "next": "/checkouts"}


def _portal_login(callers: Callers, email: str = "admin@example.com") -> str:
    response = callers.client.post("/login", data={**LOGIN, "email": email})
    assert response.status_code == 303, response.text
    return str(callers.client.cookies["entitle_csrf"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_session_cookies_are_httponly_samesite_and_secure_behind_a_tls_proxy(
    deployment: Deployment, tmp_path: Path
) -> None:
    """The server trusts X-Forwarded-Proto and -For from FORWARDED_ALLOW_IPS (127.0.0.1)."""
    server = ServerProcess(
        server_environment(deployment.data_dir, deployment.database_url),
        tmp_path / "serve.log",
    )
    login = {"email": "co@example.com", "password": PASSWORD}
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            tls = http.post("/api/v1/session", json=login, headers={"X-Forwarded-Proto": "https"})
            plain = http.post("/api/v1/session", json=login)
    finally:
        server.terminate()
    session = [c for c in tls.headers.get_list("set-cookie") if "entitle_session=" in c]
    assert len(session) == 1
    assert "HttpOnly" in session[0]
    assert "SameSite=lax" in session[0]
    assert all("Secure" in c for c in tls.headers.get_list("set-cookie"))
    assert not any("Secure" in c for c in plain.headers.get_list("set-cookie"))


def test_a_login_form_posted_from_another_site_is_refused(callers: Callers) -> None:
    response = callers.client.post(
        "/login", data=LOGIN, headers={"Origin": "https://attacker.example"}
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    same_site = callers.client.post("/login", data=LOGIN, headers={"Origin": "http://testserver"})
    assert same_site.status_code == 303


def test_a_cookie_api_call_from_another_site_is_refused_even_with_the_csrf_token(
    callers: Callers,
) -> None:
    csrf = _portal_login(callers)
    response = callers.client.delete(
        "/api/v1/session",
        headers={"X-CSRF-Token": csrf, "Origin": "https://attacker.example"},
    )
    assert response.status_code == 403
    assert callers.client.get("/api/v1/session").status_code == 200


def test_the_portal_logout_form_needs_the_sessions_csrf_token(callers: Callers) -> None:
    csrf = _portal_login(callers)
    refused = callers.client.post("/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert callers.client.get("/api/v1/session").status_code == 200
    done = callers.client.post("/logout", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert callers.client.get("/api/v1/session").status_code == 401


def test_five_failed_portal_logins_a_minute_lock_the_account(callers: Callers) -> None:
    for _ in range(5):
        failed = callers.client.post("/login", data={**LOGIN, "password": "wrong password"})
        assert failed.status_code == 401
    locked = callers.client.post("/login", data=LOGIN)
    assert locked.status_code == 429
    assert "entitle_session" not in callers.client.cookies
    callers.world.clock.advance(minutes=1, seconds=1)
    assert callers.client.post("/login", data=LOGIN).status_code == 303


@pytest.mark.parametrize("path", ["/login", "/checkouts", "/usage"])
def test_portal_pages_carry_no_inline_script_and_a_policy_that_forbids_it(
    callers: Callers, path: str
) -> None:
    if path != "/login":
        _portal_login(callers)
    page = callers.client.get(path)
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src is not None
    assert script_src.group(1).split() == ["'self'"]
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts
    assert all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert not re.search(r"\son[a-z]+\s*=", page.text), "inline event handler"
    assert "javascript:" not in page.text


def test_the_api_docs_run_from_the_apps_own_files_with_no_inline_script(
    callers: Callers,
) -> None:
    page = callers.client.get("/docs")
    policy = page.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src is not None
    assert script_src.group(1).split() == ["'self'"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert all(source.startswith("/") for source in sources), sources
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, re.S)
    assert all("src=" in attributes and not body.strip() for attributes, body in scripts)
    for source in sources:
        assert callers.client.get(source).status_code == 200, source
