"""A workstation for the licensing tool: its own store, a trusted server, license files.

``ring`` is the trusted license server's key ring, ``other_ring`` an untrusted one. Licenses
are made out to machine ``WS-1``, which is the machine the ``home`` fixture pretends this is.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from entitle.licensefile import (
    SES,
    KeyRing,
    init_keys,
    license_digest,
)
from entitle.tool import trust
from tests.claims import KEYS_MADE, NOW, make_claims
from tests.workstation import pretend_machine

MakeLicense = Callable[..., Path]


@pytest.fixture(scope="session")
def ring(key_ring: KeyRing) -> KeyRing:
    return key_ring


@pytest.fixture(scope="session")
def other_ring(tmp_path_factory: pytest.TempPathFactory) -> KeyRing:
    return init_keys(tmp_path_factory.mktemp("other-server"), now=KEYS_MADE)


@pytest.fixture(scope="session")
def published(ring: KeyRing, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The trusted server's ``jwks.json`` and ``entitle-xml-cert.pem``, as files."""
    directory = tmp_path_factory.mktemp("published")
    jwks = directory / "jwks.json"
    jwks.write_text(json.dumps(ring.jwks()))
    pem = directory / "entitle-xml-cert.pem"
    pem.write_bytes(ring.xml_certificates_pem())
    return jwks, pem


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store for this OS user; the machine is ``WS-1``, its configuration empty."""
    store = tmp_path / "home"
    monkeypatch.setenv("ENTITLE_TOOL_HOME", str(store))
    pretend_machine(monkeypatch, config_dir=tmp_path / "etc-entitle")
    return store


@pytest.fixture
def trusted_home(home: Path, published: tuple[Path, Path]) -> Path:
    """A store that trusts the license server."""
    trust([str(p) for p in published], home=home)
    return home


@pytest.fixture
def make_license(ring: KeyRing, tmp_path: Path) -> MakeLicense:
    """Write a license file signed by ``signer`` (default: the trusted server)."""

    def make(signer: KeyRing | None = None, service: str = SES, **changes: Any) -> Path:
        claims = make_claims(service, **changes)
        path = tmp_path / f"{claims.checkout_id}{claims.file_extension}"
        path.write_bytes((signer or ring).sign(claims))
        return path

    return make


class FakeServer:
    """A license server's public endpoints: published keys and client receipts."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self.digests: dict[str, str] = {}
        self.receipts: list[dict[str, Any]] = []
        self.url = ""

    def knows(self, license_file: Path) -> None:
        data = license_file.read_bytes()
        from entitle.licensefile import verify

        claims = verify(data, self.ring.trusted(), now=NOW, machine_name=None)
        self.digests[claims.checkout_id] = license_digest(data)


@pytest.fixture
def server(ring: KeyRing) -> Iterator[FakeServer]:
    fake = FakeServer(ring)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/.well-known/jwks.json":
                self._answer(200, json.dumps(fake.ring.jwks()).encode())
            elif self.path == "/.well-known/entitle-xml-cert.pem":
                self._answer(200, fake.ring.xml_certificates_pem(), "application/x-pem-file")
            else:
                self._answer(404, b'{"detail": "Not Found"}')

        def do_POST(self) -> None:
            parts = self.path.strip("/").split("/")
            receipt = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            checkout_id = parts[3] if len(parts) == 5 else ""
            if fake.digests.get(checkout_id) != receipt.get("license_digest"):
                self._answer(404, b'{"code": "RECEIPT_NOT_RECOGNISED", "message": "No match."}')
                return
            fake.receipts.append(receipt)
            self._answer(200, json.dumps({"id": checkout_id, "check_in_method": "client"}).encode())

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield fake
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def offline_url() -> str:
    """A URL where nothing listens."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
