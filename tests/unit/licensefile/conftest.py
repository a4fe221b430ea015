"""Keys made once per session (RSA key generation is slow) and claims to sign with them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509

from entitle.licensefile import (
    SELECTSERVER,
    SES,
    KeyRing,
    LicenseClaims,
    TrustedIssuers,
    TrustedKeys,
    init_keys,
)
from entitle.licensefile.jws import JwsSigner
from entitle.licensefile.keyfiles import load_ed25519, load_rsa
from entitle.licensefile.xmlsig import XmlSigner
from tests.claims import KEYS_MADE, make_claims


@dataclass(frozen=True)
class Signers:
    """Both formats' signers of one key ring, to put any claims in either format (the key
    ring itself refuses claims its certificates do not cover)."""

    ring: KeyRing
    ring_dir: Path
    jws: JwsSigner
    xml: XmlSigner

    def sign(self, claims: LicenseClaims, file_format: str) -> bytes:
        return (self.jws if file_format == "belic" else self.xml).sign(claims)


def _signers(directory: Path) -> Signers:
    ring = init_keys(directory, now=KEYS_MADE)
    keys_dir = directory / "keys"
    active = {r.kind: r for r in ring.records if r.active}
    ed, rsa = active["ed25519"], active["rsa"]
    assert ed.certificate
    assert rsa.certificate
    root = x509.load_der_x509_certificate(ring.root_certificate)
    return Signers(
        ring,
        keys_dir,
        JwsSigner(load_ed25519(keys_dir, ed.kid), ed.kid, [ed.certificate, ring.root_certificate]),
        XmlSigner(
            load_rsa(keys_dir, rsa.kid), [x509.load_der_x509_certificate(rsa.certificate), root]
        ),
    )


@pytest.fixture(scope="session")
def signers(tmp_path_factory: pytest.TempPathFactory) -> Signers:
    return _signers(tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="session")
def other_signers(tmp_path_factory: pytest.TempPathFactory) -> Signers:
    """Keys of another, untrusted license server."""
    return _signers(tmp_path_factory.mktemp("other-server"))


@pytest.fixture(scope="session")
def ring(signers: Signers) -> KeyRing:
    return signers.ring


@pytest.fixture(scope="session")
def trusted(ring: KeyRing) -> TrustedIssuers:
    """What a workstation trusts: this deployment's root, pinned by its fingerprint."""
    return TrustedIssuers([ring.root_fingerprint])


@pytest.fixture(scope="session")
def trusted_keys(ring: KeyRing) -> TrustedKeys:
    """The older way to trust: the server's keys one by one."""
    return ring.trusted()


@pytest.fixture(scope="session")
def belic(ring: KeyRing) -> bytes:
    return ring.sign(make_claims(SES))


@pytest.fixture(scope="session")
def xml(ring: KeyRing) -> bytes:
    return ring.sign(make_claims(SELECTSERVER))


@pytest.fixture(params=["belic", "xml"])
def file_format(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sign_any(ring: KeyRing) -> Callable[[LicenseClaims], bytes]:
    return ring.sign
