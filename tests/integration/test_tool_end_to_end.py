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


def _token(server_env: dict[str, str]) -> str:
    created = entitle(server_env, "token", "create", "--email", "admin@example.com")
    return created.strip().splitlines()[-1].strip()


def _fingerprint(server_env: dict[str, str]) -> str:
    """What the server's administrator reads out: ``entitle keys fingerprint``'s last line."""
    return entitle(server_env, "keys", "fingerprint").strip().splitlines()[-1]


def _checkout(url: str, token: str, directory: Path, name: str) -> tuple[str, Path]:
    """A new checkout for the workstation, and its license file downloaded."""
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
    license_file = directory / f"{name}.belic"
    license_file.write_bytes(license_bytes)
    return checkout_id, license_file


def _workstation(tmp_path: Path) -> dict[str, str]:
    return tool_environment(
        tmp_path / "workstation", machine=MACHINE, config_dir=tmp_path / "etc-entitle"
    )


def _checks(workstation: dict[str, str], issuer: str) -> subprocess.CompletedProcess[str]:
    return _tool(
        workstation, "check", "--app", APPLICATION, "--version", VERSION, "--issuer", issuer
    )


@pytest.mark.slow
def test_a_license_from_the_server_is_imported_checked_and_cleared_with_a_receipt(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, server_env = server
    token = _token(server_env)
    checkout_id, license_file = _checkout(url, token, tmp_path, "checkout")
    fingerprint = _fingerprint(server_env)

    workstation = _workstation(tmp_path)
    pinned = _tool(workstation, "trust", "--system", url, "--fingerprint", fingerprint)
    assert pinned.returncode == 0, pinned.stderr
    assert f"Pinned issuer {fingerprint}" in pinned.stdout
    imported = _tool(workstation, "import", str(license_file))
    assert imported.returncode == 0, imported.stdout
    checked = _checks(workstation, fingerprint)
    assert checked.returncode == 0, checked.stderr
    assert _tool(workstation, "check", "--app", APPLICATION, "--version", VERSION).returncode == 0

    cleared = _tool(workstation, "clear", checkout_id, "--send", url)
    assert cleared.returncode == 0, (cleared.stdout, cleared.stderr)
    assert "Receipt accepted" in cleared.stdout
    assert f"Synced with {url}" in cleared.stdout
    after = _checks(workstation, fingerprint)
    assert after.returncode == 1

    status, body = _api(f"{url}/api/v1/checkouts/{checkout_id}", token)
    assert status == 200
    assert json.loads(body)["check_in_method"] == "client"


@pytest.mark.slow
def test_checked_in_and_rotated_the_revocation_list_reaches_the_workstation_through_sync(
    server: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, server_env = server
    token = _token(server_env)
    fingerprint = _fingerprint(server_env)
    workstation = _workstation(tmp_path)
    first_id, first = _checkout(url, token, tmp_path, "first")
    kept_id, kept = _checkout(url, token, tmp_path, "kept")
    assert (
        _tool(workstation, "trust", "--system", url, "--fingerprint", fingerprint).returncode == 0
    )
    assert _tool(workstation, "import", str(first), str(kept)).returncode == 0
    assert _checks(workstation, fingerprint).returncode == 0

    status, _ = _api(f"{url}/api/v1/checkouts/{first_id}/check-in", token, {})
    assert status == 200
    synced = _tool(workstation, "sync", url)
    assert synced.returncode == 0, synced.stderr
    assert f"Dropped checkout {first_id}: Checkout {first_id} was checked in on the license " in (
        synced.stdout
    )
    again = _tool(workstation, "import", str(first))
    assert again.returncode == 1
    assert "was checked in on the license server" in again.stdout
    assert _checks(workstation, fingerprint).returncode == 0  # the other checkout still runs

    entitle(server_env, "keys", "rotate")
    assert _fingerprint(server_env) == fingerprint  # rotation keeps the issuer root
    new_id, new = _checkout(url, token, tmp_path, "new")
    assert _header_kid(new) != _header_kid(kept)
    assert _tool(workstation, "import", str(new)).returncode == 0
    assert _tool(workstation, "sync").returncode == 0  # no URL: the one trust --system named
    assert _checks(workstation, fingerprint).returncode == 0
    listed = _tool(workstation, "list")
    assert kept_id in listed.stdout
    assert new_id in listed.stdout

    status, _ = _api(f"{url}/api/v1/checkouts/{new_id}/check-in", token, {})
    assert status == 200
    synced = _tool(workstation, "sync")
    assert f"Dropped checkout {new_id}" in synced.stdout  # a list signed by the new keys
    assert kept_id in _tool(workstation, "list").stdout  # the old key's file still verifies

    entitle(server_env, "keys", "revoke", "--", _header_kid(kept))  # a kid may begin with -
    synced = _tool(workstation, "sync")
    assert f"Dropped checkout {kept_id}: Checkout {kept_id} was signed by a key its issuer " in (
        synced.stdout
    )
    assert _checks(workstation, fingerprint).returncode == 1
    refused = _tool(workstation, "import", str(kept))
    assert refused.returncode == 1


def _header_kid(license_file: Path) -> str:
    import base64

    header = license_file.read_bytes().split(b".")[0]
    return str(json.loads(base64.urlsafe_b64decode(header + b"=="))["kid"])
