"""A real OpenID provider on loopback: oidc-provider (a certified implementation) run with
the machine's Node.js from tests/oidc, whose JavaScript is configuration only.

``npm ci`` installs it into tests/oidc/node_modules (git-ignored) the first time. Without
node or npm the tests that need it skip, unless ENTITLE_REQUIRE_INTEROP=1 (as in CI).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from filelock import FileLock
from joserfc.jwk import RSAKey

from tests.conftest import require_tool
from tests.servers import free_port

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
READY_SECONDS = 30.0
CLIENT_ID = "entitle-portal"
CLIENT_SECRET = "a-client-secret-for-tests-only"


def install() -> str:
    """The path of node, after ``npm ci`` when node_modules is missing or older than the lock."""
    node = require_tool("node", "ENTITLE_REQUIRE_INTEROP", "apt-get install nodejs npm")
    npm = require_tool("npm", "ENTITLE_REQUIRE_INTEROP", "apt-get install nodejs npm")
    with FileLock(str(PROVIDER_DIR / ".install.lock")):
        installed = PROVIDER_DIR / "node_modules" / ".package-lock.json"
        lock = PROVIDER_DIR / "package-lock.json"
        if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=PROVIDER_DIR,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise AssertionError(f"npm ci in {PROVIDER_DIR} failed: {done.stderr}")
    return node


def new_key() -> RSAKey:
    return RSAKey.generate_key(2048, {"use": "sig", "alg": "RS256"}, private=True, auto_kid=True)


@dataclass
class IdentityProvider:
    """One provider process; its accounts file is read on every lookup, its keys at start."""

    node: str
    workdir: Path
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    keys: list[RSAKey] = field(default_factory=lambda: [new_key()])
    process: subprocess.Popen[bytes] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def accounts_path(self) -> Path:
        return self.workdir / "accounts.json"

    def set_accounts(self, accounts: dict[str, dict[str, Any]]) -> None:
        self.accounts_path.write_text(json.dumps(accounts))

    def accounts(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = json.loads(self.accounts_path.read_text())
        return found

    def disable(self, sub: str) -> None:
        accounts = self.accounts()
        accounts[sub]["disabled"] = True
        self.set_accounts(accounts)

    def start(self) -> None:
        if not self.accounts_path.exists():
            self.set_accounts({})
        config = {
            "port": self.port,
            "accounts": str(self.accounts_path),
            "cookie_key": "test-cookie-key",
            "jwks": {"keys": [k.as_dict(private=True) for k in self.keys]},
            "client": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": self.redirect_uris,
                "post_logout_redirect_uris": self.post_logout_redirect_uris,
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
            },
        }
        config_path = self.workdir / "provider.json"
        config_path.write_text(json.dumps(config))
        log = (self.workdir / "provider.log").open("ab")
        self.process = subprocess.Popen(
            [self.node, str(PROVIDER_DIR / "provider.js")],
            cwd=PROVIDER_DIR,
            env={"ENTITLE_TEST_OIDC_CONFIG": str(config_path), "PATH": "/usr/bin:/bin"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the provider exited: {self.log()}")
            try:
                httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"the provider did not answer in {READY_SECONDS}s: {self.log()}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def rotate(self, keep_old: bool = False) -> RSAKey:
        """Start again with a new signing key (and the old one still published, if kept)."""
        fresh = new_key()
        self.keys = [fresh, *self.keys] if keep_old else [fresh]
        self.stop()
        self.start()
        return fresh

    def log(self) -> str:
        path = self.workdir / "provider.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextmanager
def identity_provider(
    workdir: Path, redirect_uris: list[str], post_logout_redirect_uris: list[str] | None = None
) -> Iterator[IdentityProvider]:
    provider = IdentityProvider(install(), workdir, redirect_uris, post_logout_redirect_uris or [])
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()
