"""A workstation for the licensing tool: its own store, a license server, license files.

``ring`` is the license server's keys, whose issuer root the ``trusted_home`` machine pins in
its machine-wide configuration; ``other_ring`` is keys of someone else's making, as a user
could make with ``entitle``'s own library. Licenses are made out to machine ``WS-1``, which is
the machine the ``home`` fixture pretends this is.
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
    LicenseClaims,
    init_keys,
    license_digest,
    verify,
    wellknown,
)
from entitle.licensefile.timestamps import UTC, datetime
from entitle.tool import ConfiguredIssuer, write_issuers
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
    """The license server's ``entitle-root.pem`` and ``entitle-certificates.pem``, as files."""
    directory = tmp_path_factory.mktemp("published")
    root = directory / "entitle-root.pem"
    root.write_bytes(ring.root_pem())
    certificates = directory / "entitle-certificates.pem"
    certificates.write_bytes(ring.certificates_pem())
    return root, certificates


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty store for this OS user; the machine is ``WS-1``, its configuration empty."""
    store = tmp_path / "home"
    monkeypatch.setenv("ENTITLE_TOOL_HOME", str(store))
    pretend_machine(monkeypatch, config_dir=tmp_path / "etc-entitle")
    return store


def pin(*rings: KeyRing, url: str | None = None) -> None:
    """What an administrator's ``trust --system`` leaves: the rings' roots pinned."""
    write_issuers(
        ConfiguredIssuer(
            r.root_fingerprint, "licenses.example.com", r.root_pem().decode("ascii"), url
        )
        for r in rings
    )


@pytest.fixture
def trusted_home(home: Path, ring: KeyRing) -> Path:
    """A store on a machine whose configuration pins the license server's issuer root."""
    pin(ring)
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
    """A license server's public endpoints: what it publishes under ``/.well-known/`` (root,
    certificates, revocation lists with their ETag) and client receipts.

    ``checked_in`` lists the checkouts each organisation's revocation list names (a receipt
    accepted adds its checkout, as the real server's check-in does); ``documents`` are served
    at paths of their own (a PEM file on a download page); ``requests`` records every path
    asked for.
    """

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self.digests: dict[str, str] = {}
        self.organisations: dict[str, str] = {}
        self.receipts: list[dict[str, Any]] = []
        self.checked_in: dict[str, set[str]] = {}
        self.superseded: dict[str, set[str]] = {}
        self.documents: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.url = ""

    def knows(self, license_file: Path) -> LicenseClaims:
        """Issue ``license_file``: receipts for it are accepted, its organisation has a list."""
        data = license_file.read_bytes()
        claims = verify(data, self.ring.issuers(NOW), now=NOW, machine_name=None)
        self.digests[claims.checkout_id] = license_digest(data)
        self.organisations[claims.checkout_id] = claims.organisation_id
        self.checked_in.setdefault(claims.organisation_id, set())
        return claims

    def check_in(self, license_file: Path) -> None:
        """An administrator's check-in: the organisation's list names the checkout from now."""
        claims = self.knows(license_file)
        self.checked_in[claims.organisation_id].add(claims.checkout_id)

    def revocation_list(self, organisation_id: str) -> tuple[bytes, str]:
        signed = self.ring.sign_revocation_list(
            organisation_id,
            self.checked_in.get(organisation_id, ()),
            self.superseded.get(organisation_id, ()),
            datetime.now(UTC),
        )
        return signed.data, f'"{signed.etag}"'


@pytest.fixture
def server(ring: KeyRing) -> Iterator[FakeServer]:
    """The license server, over http://."""
    yield from _serving(FakeServer(ring))


@pytest.fixture
def https_server(
    ring: KeyRing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeServer]:
    """The license server over https://, with a certificate this process trusts for TLS."""
    import ssl

    certificate, key = _tls_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    yield from _serving(FakeServer(ring), context)


def _tls_certificate(directory: Path) -> tuple[Path, Path]:
    import ipaddress
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "127.0.0.1")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path = directory / "tls.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path = directory / "tls.key"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path


def _serving(fake: FakeServer, tls: Any = None) -> Iterator[FakeServer]:
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
            fake.requests.append(self.path)
            pem = "application/x-pem-file"
            if self.path == wellknown.ROOT_PATH:
                self._answer(200, fake.ring.root_pem(), pem)
            elif self.path == wellknown.CERTIFICATES_PATH:
                self._answer(200, fake.ring.certificates_pem(), pem)
            elif self.path == wellknown.JWKS_PATH:
                self._answer(200, json.dumps(fake.ring.jwks()).encode())
            elif self.path.startswith(wellknown.REVOCATIONS_PREFIX):
                organisation = self.path.removeprefix(wellknown.REVOCATIONS_PREFIX)
                if organisation not in fake.checked_in:
                    self._answer(404, b'{"code": "ORGANISATION_NOT_FOUND"}')
                    return
                data, etag = fake.revocation_list(organisation)
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", "application/jose")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            elif self.path in fake.documents:
                self._answer(200, fake.documents[self.path], "application/octet-stream")
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
            fake.checked_in[fake.organisations[checkout_id]].add(checkout_id)
            self._answer(200, json.dumps({"id": checkout_id, "check_in_method": "client"}).encode())

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    fake.url = f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_address[1]}"
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
