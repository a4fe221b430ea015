from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from entitle.licensefile import InvalidTrustedKeys, KeyRing, TrustedKeys, verify
from tests.claims import NOW


def test_the_published_documents_rebuild_the_servers_trust(ring: KeyRing) -> None:
    published = TrustedKeys.from_documents(
        json.dumps(ring.jwks()).encode(), ring.xml_certificates_pem()
    )
    assert published == ring.trusted()


def test_trusted_keys_survive_a_json_round_trip(ring: KeyRing, belic: bytes, xml: bytes) -> None:
    stored = ring.trusted().to_json()
    assert b'"d"' not in stored
    restored = TrustedKeys.from_json(stored)
    assert restored == ring.trusted()
    for data in (belic, xml):
        assert verify(data, restored, now=NOW, machine_name="WS-1").machine_name == "WS-1"


def test_a_jwks_with_a_private_key_is_refused(ring: KeyRing) -> None:
    jwks = ring.jwks()
    jwks["keys"][0]["d"] = jwks["keys"][0]["x"]
    with pytest.raises(InvalidTrustedKeys, match="private"):
        TrustedKeys.from_documents(jwks, b"")


@pytest.mark.parametrize("document", [b"{", b"[]", b'{"keys": [{"kty": "OKP", "crv": "Ed25519"}]}'])
def test_a_malformed_jwks_is_refused(document: bytes) -> None:
    with pytest.raises(InvalidTrustedKeys):
        TrustedKeys.from_documents(document, b"")


def test_a_certificate_with_a_small_rsa_key_is_refused() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "weak")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    with pytest.raises(InvalidTrustedKeys, match="3072"):
        TrustedKeys.from_documents(
            {"keys": []}, certificate.public_bytes(serialization.Encoding.PEM)
        )


def test_a_malformed_trust_store_is_refused() -> None:
    with pytest.raises(InvalidTrustedKeys):
        TrustedKeys.from_json(b'{"format": "something else"}')
