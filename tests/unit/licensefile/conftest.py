"""Keys made once per session (RSA key generation is slow) and claims to sign with them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from entitle.licensefile import (
    SELECTSERVER,
    SES,
    KeyRing,
    LicenseClaims,
    TrustedKeys,
    init_keys,
)
from entitle.licensefile.jws import JwsSigner
from entitle.licensefile.keyfiles import load_ed25519, load_rsa
from entitle.licensefile.xmlsig import XmlSigner
from tests.claims import make_claims


@dataclass(frozen=True)
class Signers:
    """Both formats' signers of one key ring, to put any claims in either format."""

    ring: KeyRing
    ring_dir: Path
    jws: JwsSigner
    xml: XmlSigner

    def sign(self, claims: LicenseClaims, file_format: str) -> bytes:
        return (self.jws if file_format == "belic" else self.xml).sign(claims)


def _signers(directory: Path) -> Signers:
    ring = init_keys(directory)
    kids = dict(zip(("ed25519", "rsa"), ring.kids(), strict=True))
    keys_dir = directory / "keys"
    rsa_key, certificate = load_rsa(keys_dir, kids["rsa"])
    return Signers(
        ring,
        keys_dir,
        JwsSigner(load_ed25519(keys_dir, kids["ed25519"]), kids["ed25519"]),
        XmlSigner(rsa_key, certificate),
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
def trusted(ring: KeyRing) -> TrustedKeys:
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
