"""Private keys stay private, and secrets are compared in constant time."""

from __future__ import annotations

import base64
import hmac
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from entitle.licensefile import init_keys, rotate_keys
from tests.integration.reliability.deployment import Deployment
from tests.integration.security.conftest import Callers
from tests.integration.security.test_authorization_matrix import TABLE, Fresh, _fresh
from tests.servers import ServerProcess, server_environment


def test_private_key_files_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    init_keys(tmp_path)
    rotate_keys(tmp_path)
    keys = tmp_path / "keys"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    private = _private_key_files(keys)
    assert len(private) == 4  # the root, the .belic, .xml and revocation-list keys
    for path in [*private, keys / "manifest.json"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def _private_key_files(keys_dir: Path) -> list[Path]:
    kinds = ("*.ed25519.pem", "*.rsa.pem", "*.revocation.pem", "root.key.pem")
    return [path for kind in kinds for path in keys_dir.glob(kind)]


def private_key_material(keys_dir: Path) -> list[str]:
    """Every spelling of the private keys that could leak: PEM lines, raw bytes, numbers."""
    found: list[str] = []
    for path in _private_key_files(keys_dir):
        pem = path.read_bytes()
        found += [line for line in pem.decode().splitlines() if "-----" not in line]
        key = serialization.load_pem_private_key(pem, None)
        if isinstance(key, ed25519.Ed25519PrivateKey):
            raw = key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        else:
            assert isinstance(key, rsa.RSAPrivateKey)
            d = key.private_numbers().d
            raw = d.to_bytes((d.bit_length() + 7) // 8, "big")
            found.append(str(d))
        found += [
            raw.hex(),
            base64.b64encode(raw).decode().rstrip("="),
            base64.urlsafe_b64encode(raw).decode().rstrip("="),
        ]
    assert len(found) > 10
    return found


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_route_answer_and_no_server_log_line_holds_private_key_material(
    deployment: Deployment, tmp_path: Path
) -> None:
    server = ServerProcess(
        server_environment(deployment.data_dir, deployment.database_url),
        tmp_path / "serve.log",
    )
    admin = {"Authorization": f"Bearer {deployment.admin_token}"}
    answers: list[str] = []
    server.start()
    try:
        world_fresh = _fresh_for(deployment)
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for (method, _pattern), (path, request, _expected) in TABLE.items():
                url = world_fresh.url(path)
                for headers in ({}, admin):
                    response = http.request(method, url, headers=headers, **request(world_fresh))
                    answers.append(f"{response.headers}\n{response.text}")
                    if response.headers.get("content-type", "").startswith("application/zip"):
                        answers.append(response.content.decode("latin-1"))
    finally:
        server.terminate()
    material = private_key_material(deployment.data_dir / "keys")
    log = server.log()
    assert "method=GET route=/.well-known/jwks.json" in log  # the server's log, and written
    leaks = [m for m in material if m in log or any(m in a for a in answers)]
    assert leaks == []
    assert deployment.admin_token not in log


def _fresh_for(deployment: Deployment) -> Fresh:
    from tests.integration.fixtures import Clock, World

    return _fresh(World(deployment.services, Clock()))


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    calls: list[tuple[Any, Any]] = []
    original: Callable[[Any, Any], bool] = hmac.compare_digest

    def compare_digest(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", compare_digest)
    return calls


def test_api_tokens_are_checked_with_a_constant_time_comparison(
    callers: Callers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from entitle.service.tokens import token_digest

    calls = _spy(monkeypatch)
    response = callers.client.get("/api/v1/session", headers=callers.headers("admin"))
    assert response.status_code == 200
    digest = token_digest(callers.tokens["admin"])
    assert (digest, digest) in calls


def test_csrf_tokens_are_checked_with_a_constant_time_comparison(
    callers: Callers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.fixtures import PASSWORD

    login = {"email": "admin@example.com", "password": PASSWORD}
    csrf = callers.client.post("/api/v1/session", json=login).json()["csrf_token"]
    calls = _spy(monkeypatch)
    response = callers.client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert (csrf, csrf) in calls


def test_client_receipt_digests_are_checked_with_a_constant_time_comparison(
    callers: Callers, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _fresh(callers.world)
    calls = _spy(monkeypatch)
    receipt = {
        "checkout_id": fresh.checkout_id,
        "machine": "WS-1",
        "user_profile": "ana",
        "cleared_at": fresh.created_at.isoformat(),
        "license_digest": fresh.digest,
    }
    response = callers.client.post(
        f"/api/v1/checkouts/{fresh.checkout_id}/client-receipts", json=receipt
    )
    assert response.status_code == 200
    assert (fresh.digest.encode(), fresh.digest.encode()) in calls
