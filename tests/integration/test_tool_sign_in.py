"""``entitle-tool login`` and ``logout`` against a real server, the approval made over HTTP as
a browser would make it; and the authorised requests later commands make."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from entitle import __version__
from entitle.tool.errors import NotSignedIn
from entitle.tool.signin import authorised_request, credential_path
from tests.servers import ServerProcess, entitle, server_environment, serving
from tests.workstation import Login, approve_over_http, tool_environment

BIN = Path(sys.executable).parent
USER = "ana.lima@example.com"
MACHINE = "SIGN-IN-WS-1"


@contextmanager
def _server(directory: Path, **settings: str) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    env = server_environment(directory, **settings)
    entitle(env, "db", "upgrade")
    entitle(env, "demo")
    with serving(env, directory / "serve.log") as running:
        yield running, env


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """The demo behind a real server that lets the tool poll every second."""
    with _server(tmp_path_factory.mktemp("sign-in"), ENTITLE_DEVICE_POLL_SECONDS="1") as started:
        yield started


@pytest.fixture
def workstation(tmp_path: Path) -> dict[str, str]:
    return tool_environment(
        tmp_path / "workstation", machine=MACHINE, config_dir=tmp_path / "etc-entitle"
    )


def _tool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "entitle-tool"), *args], env=env, capture_output=True, text=True, check=False
    )


def _answer(url: str, user_code: str, decision: str) -> str:
    """Sign in to the portal as Ana and answer the sign-in, as the /device page's form does."""
    return approve_over_http(url, user_code, USER, decision)


def _stored(workstation: dict[str, str]) -> dict[str, str]:
    document: dict[str, str] = json.loads(
        Path(credential_path(workstation["ENTITLE_TOOL_HOME"])).read_bytes()
    )
    return document


def _session_status(url: str, token: str) -> int:
    answer = httpx.get(f"{url}/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    return answer.status_code


@pytest.mark.slow
def test_login_approved_in_the_portal_stores_the_credential_and_logout_revokes_it(
    server: tuple[ServerProcess, dict[str, str]], workstation: dict[str, str]
) -> None:
    running, server_env = server
    login = Login(workstation, running.url)
    assert f"open {running.url}/device\n" in "".join(login.printed)

    page = _answer(running.url, login.user_code, "approve")
    assert MACHINE in page  # the page named the machine asking

    code, out, err = login.finish()
    assert code == 0, err
    assert f"(or open {running.url}/device?user_code={login.user_code})" in out
    assert out.splitlines()[-1] == f"Signed in as {USER} to {running.url}."
    path = Path(credential_path(workstation["ENTITLE_TOOL_HOME"]))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    stored = _stored(workstation)
    assert stored["server"] == running.url
    assert stored["email"] == USER
    assert _session_status(running.url, stored["access_token"]) == 200

    whoami = _tool(workstation, "whoami")
    assert whoami.returncode == 0
    assert f"Signed in as {USER} to {running.url} (machine {MACHINE}" in whoami.stdout
    listed = entitle({**server_env, "COLUMNS": "200"}, "token", "list", "--email", USER)
    assert f"device │ entitle-tool {__version__} on {MACHINE}" in listed

    logout = _tool(workstation, "logout")
    assert logout.returncode == 0, logout.stderr
    assert logout.stdout.strip() == f"Signed out of {running.url}."
    assert not path.exists()
    assert _session_status(running.url, stored["access_token"]) == 401
    assert _tool(workstation, "whoami").returncode == 1


@pytest.mark.slow
def test_a_denied_login_says_so_in_one_line_and_stores_nothing(
    server: tuple[ServerProcess, dict[str, str]], workstation: dict[str, str]
) -> None:
    running, _ = server
    login = Login(workstation, running.url)
    _answer(running.url, login.user_code, "deny")
    code, _, err = login.finish()
    assert code == 1
    assert err.splitlines() == [
        "entitle-tool: The sign-in was denied in the portal; nothing was stored. If you did "
        "not deny it yourself, tell your administrator."
    ]
    assert not Path(credential_path(workstation["ENTITLE_TOOL_HOME"])).exists()


@pytest.mark.slow
def test_a_login_nobody_approves_in_time_says_the_code_expired_in_one_line(
    tmp_path: Path, workstation: dict[str, str]
) -> None:
    with _server(
        tmp_path / "server", ENTITLE_DEVICE_CODE_SECONDS="2", ENTITLE_DEVICE_POLL_SECONDS="1"
    ) as (running, _):
        login = Login(workstation, running.url)
        code, _, err = login.finish()
        assert code == 1
        assert err.splitlines() == [
            "entitle-tool: The sign-in code expired before it was approved; run "
            f"'entitle-tool login {running.url}' again for a new one."
        ]


@pytest.mark.slow
def test_logout_deletes_the_credential_even_when_the_server_is_unreachable(
    server: tuple[ServerProcess, dict[str, str]], workstation: dict[str, str]
) -> None:
    running, _ = server
    login = Login(workstation, running.url)
    _answer(running.url, login.user_code, "approve")
    assert login.finish()[0] == 0
    path = Path(credential_path(workstation["ENTITLE_TOOL_HOME"]))
    document = json.loads(path.read_bytes())
    document["server"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    path.write_text(json.dumps(document))
    logout = _tool(workstation, "logout")
    assert logout.returncode == 0
    assert logout.stdout.startswith(
        "Deleted the sign-in here, but http://127.0.0.1:9 could not revoke it"
    )
    assert not path.exists()


@pytest.mark.slow
def test_an_authorised_request_refreshes_an_expired_access_token_and_keeps_the_new_refresh_token(
    server: tuple[ServerProcess, dict[str, str]], workstation: dict[str, str]
) -> None:
    running, _ = server
    home = workstation["ENTITLE_TOOL_HOME"]
    login = Login(workstation, running.url)
    _answer(running.url, login.user_code, "approve")
    assert login.finish()[0] == 0

    answer = authorised_request("GET", "/api/v1/session", home=home)
    assert answer.status == 200
    assert answer.json()["user"]["email"] == USER
    before = _stored(workstation)
    expired = {
        **before,
        "access_expires_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
    }
    Path(credential_path(home)).write_text(json.dumps(expired))

    answer = authorised_request("GET", "/api/v1/tokens", home=home)
    assert answer.status == 200
    after = _stored(workstation)
    assert after["refresh_token"] != before["refresh_token"]
    assert after["access_token"] != before["access_token"]
    assert datetime.fromisoformat(after["access_expires_at"]) > datetime.now(UTC)

    # This login's credential: the newest of Ana's (the module's other tests signed in too).
    device = max(
        (t for t in answer.json()["items"] if t["kind"] == "device"), key=lambda t: t["id"]
    )
    revoked = authorised_request("DELETE", f"/api/v1/tokens/{device['id']}", home=home)
    assert revoked.status == 200
    with pytest.raises(NotSignedIn, match="no longer accepts this workstation's sign-in"):
        authorised_request("GET", "/api/v1/session", home=home)
    assert not Path(credential_path(home)).exists()
