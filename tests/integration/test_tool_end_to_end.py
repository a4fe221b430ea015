"""A real server issues a license; the workstation tool trusts, imports, checks and clears it."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import entitle, server_environment, serving
from tests.workstation import tool_environment

BIN = Path(sys.executable).parent
APPLICATION, VERSION = "Atlas Designer", "10.17.2.61"
MACHINE = "E2E-WS-1"


def _tool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "entitle-tool"), *args], env=env, capture_output=True, text=True, check=False
    )


def _api(url: str, token: str, body: Any = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A running ``entitle serve`` with the demo data, and its environment."""
    env = server_environment(tmp_path / "server")
    entitle(env, "db", "upgrade")
    entitle(env, "demo")
    with serving(env, tmp_path / "serve.log") as running:
        yield running.url, env


@pytest.mark.slow
def test_a_license_from_the_server_is_imported_checked_and_cleared_with_a_receipt(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, server_env = server
    token = entitle(server_env, "token", "create", "--email", "admin@example.com")
    token = token.strip().splitlines()[-1].strip()

    status, body = _api(
        f"{url}/api/v1/checkouts",
        token,
        {
            "country": "US",
            "license_service": "SES",
            "user": "admin@example.com",
            "machine": MACHINE,
            "applications": [{"name": APPLICATION, "version": VERSION}],
        },
    )
    assert status == 201, body
    checkout_id = json.loads(body)["id"]
    status, license_bytes = _api(f"{url}/api/v1/checkouts/{checkout_id}/license-file", token)
    assert status == 200
    license_file = tmp_path / "checkout.belic"
    license_file.write_bytes(license_bytes)

    workstation = tool_environment(tmp_path / "workstation", machine=MACHINE)
    trusted = _tool(workstation, "trust", url)
    assert trusted.returncode == 0, trusted.stderr
    imported = _tool(workstation, "import", str(license_file))
    assert imported.returncode == 0, imported.stdout
    checked = _tool(workstation, "check", "--app", APPLICATION, "--version", VERSION)
    assert checked.returncode == 0, checked.stderr

    cleared = _tool(workstation, "clear", checkout_id, "--send", url)
    assert cleared.returncode == 0, (cleared.stdout, cleared.stderr)
    assert "Receipt accepted" in cleared.stdout
    after = _tool(workstation, "check", "--app", APPLICATION, "--version", VERSION)
    assert after.returncode == 1

    status, body = _api(f"{url}/api/v1/checkouts/{checkout_id}", token)
    assert status == 200
    assert json.loads(body)["check_in_method"] == "client"
