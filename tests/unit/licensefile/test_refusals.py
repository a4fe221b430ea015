from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from entitle.licensefile import (
    SELECTSERVER,
    SES,
    BadSignature,
    LicenseExpired,
    LicenseFileError,
    LicenseRevoked,
    MalformedLicense,
    NotYetValid,
    TrustedIssuers,
    TrustedKeys,
    UnknownKey,
    UntrustedIssuer,
    WrongMachine,
    verify,
)
from entitle.licensefile.jwk import b64url_encode
from entitle.licensefile.jws import claims_payload
from entitle.licensefile.keyfiles import load_rsa
from tests.claims import NOW, make_claims
from tests.unit.licensefile.conftest import Signers

SERVICES = {"belic": SES, "xml": SELECTSERVER}


def _file(signers: Signers, file_format: str, **changes: object) -> bytes:
    return signers.sign(make_claims(SERVICES[file_format], **changes), file_format)


def test_a_license_for_another_machine_is_refused_with_both_names(
    signers: Signers, trusted: TrustedIssuers, file_format: str
) -> None:
    with pytest.raises(WrongMachine) as refused:
        verify(_file(signers, file_format), trusted, now=NOW, machine_name="WS-2")
    assert str(refused.value) == "This license is for machine WS-1, not WS-2."
    assert refused.value.code == "WRONG_MACHINE"


def test_a_license_is_expired_from_its_expiry_on(
    signers: Signers, trusted: TrustedIssuers, file_format: str
) -> None:
    expires_at = NOW + timedelta(days=30)
    data = _file(signers, file_format, expires_at=expires_at)
    verify(data, trusted, now=expires_at - timedelta(seconds=1), machine_name=None)
    with pytest.raises(LicenseExpired) as refused:
        verify(data, trusted, now=expires_at, machine_name=None)
    assert refused.value.code == "EXPIRED"
    assert expires_at.strftime("%Y-%m-%d") in str(refused.value)


def test_a_license_issued_beyond_the_clock_skew_is_not_yet_valid(
    signers: Signers, trusted: TrustedIssuers, file_format: str
) -> None:
    issued_at = NOW + timedelta(hours=1)
    data = _file(signers, file_format, issued_at=issued_at)
    verify(data, trusted, now=issued_at - timedelta(minutes=5), machine_name=None)
    with pytest.raises(NotYetValid) as refused:
        verify(data, trusted, now=issued_at - timedelta(minutes=5, seconds=1), machine_name=None)
    assert refused.value.code == "NOT_YET_VALID"
    assert "clock" in str(refused.value)


def test_a_file_from_another_license_server_has_an_untrusted_issuer(
    other_signers: Signers, trusted: TrustedIssuers, file_format: str
) -> None:
    with pytest.raises(UntrustedIssuer) as refused:
        verify(_file(other_signers, file_format), trusted, now=NOW, machine_name=None)
    assert refused.value.code == "UNTRUSTED_ISSUER"
    assert "does not end at a pinned issuer root" in str(refused.value)


def test_a_file_from_another_license_server_is_an_unknown_key_to_trusted_keys(
    other_signers: Signers, trusted_keys: TrustedKeys, file_format: str
) -> None:
    with pytest.raises(UnknownKey) as refused:
        verify(_file(other_signers, file_format), trusted_keys, now=NOW, machine_name=None)
    assert refused.value.code == "UNKNOWN_KEY"


def _jws(header: dict[str, object], payload: str, sign: object) -> bytes:
    signing_input = (
        b64url_encode(json.dumps(header).encode()) + "." + b64url_encode(payload.encode())
    ).encode()
    assert callable(sign)
    return signing_input + b"." + b64url_encode(sign(signing_input)).encode() + b"\n"


def _header(signers: Signers, alg: str) -> dict[str, object]:
    """The header of our files (with their certificate chain), ``alg`` changed."""
    genuine = signers.jws.sign(make_claims(SES)).split(b".")[0]
    header: dict[str, object] = json.loads(base64.urlsafe_b64decode(genuine + b"=="))
    return {**header, "alg": alg}


def _public_key(signers: Signers) -> Ed25519PublicKey:
    key = signers.ring.trusted().ed25519_key(signers.jws.kid)
    assert key is not None
    return key


def test_a_trusted_kid_on_a_file_signed_by_another_key_is_a_bad_signature(
    signers: Signers, other_signers: Signers, trusted: TrustedIssuers
) -> None:
    forged = other_signers.jws.sign(make_claims(SES, machine_name="WS-9"))
    _, payload, signature = forged.strip().split(b".")
    ours = signers.jws.sign(make_claims(SES)).split(b".")[0]
    with pytest.raises(BadSignature) as refused:
        verify(b".".join([ours, payload, signature]), trusted, now=NOW, machine_name=None)
    assert refused.value.code == "BAD_SIGNATURE"


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", "EdDSA", "ES256"])
def test_only_the_ed25519_algorithm_is_accepted(
    signers: Signers, trusted: TrustedIssuers, alg: str
) -> None:
    payload = claims_payload(make_claims(SES))
    rsa_key = load_rsa(signers.ring_dir, signers.ring.kids()[1])
    public_raw = _public_key(signers).public_bytes_raw()
    signers_by_alg = {
        "none": lambda data: b"",
        # alg confusion: the public key used as an HMAC secret
        "HS256": lambda data: hmac.new(public_raw, data, hashlib.sha256).digest(),
        # the XML signing key is trusted too, but never for .belic files
        "RS256": lambda data: rsa_key.sign(data, padding.PKCS1v15(), hashes.SHA256()),
        "EdDSA": lambda data: signers.jws._key.get_op_key("sign").sign(data),
        "ES256": lambda data: b"\x00" * 64,
    }
    forged = _jws(_header(signers, alg), payload, signers_by_alg[alg])
    with pytest.raises(BadSignature):
        verify(forged, trusted, now=NOW, machine_name=None)


def test_hmac_with_the_pem_public_key_as_secret_is_refused(
    signers: Signers, trusted: TrustedIssuers
) -> None:
    secret = _public_key(signers).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forged = _jws(
        _header(signers, "HS256"),
        claims_payload(make_claims(SES)),
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )
    with pytest.raises(BadSignature):
        verify(forged, trusted, now=NOW, machine_name=None)


def test_an_unknown_kid_is_refused_before_the_signature_is_checked(
    trusted_keys: TrustedKeys,
) -> None:
    header = {"alg": "Ed25519", "kid": "no-such-key", "typ": "entitle-license+jws"}
    forged = _jws(header, claims_payload(make_claims(SES)), lambda data: b"\x00" * 64)
    with pytest.raises(UnknownKey) as refused:
        verify(forged, trusted_keys, now=NOW, machine_name=None)
    assert refused.value.kid == "no-such-key"


def test_a_file_without_a_chain_is_refused_when_no_certificate_of_its_key_is_cached(
    signers: Signers, trusted: TrustedIssuers
) -> None:
    header = {"alg": "Ed25519", "kid": signers.jws.kid, "typ": "entitle-license+jws"}
    key = signers.jws._key.get_op_key("sign")
    unchained = _jws(header, claims_payload(make_claims(SES)), key.sign)
    with pytest.raises(UntrustedIssuer, match="no cached certificate"):
        verify(unchained, trusted, now=NOW, machine_name=None)
    with_cache = trusted.with_certificates(signers.ring.certificates())
    assert verify(unchained, with_cache, now=NOW, machine_name=None) == make_claims(SES)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n",
        b"hello",
        b"a.b.c",
        b"<License/>",
        b"<?xml version='1.0'?><License xmlns='urn:entitle:license:1'/>",
        b"<not xml",
        "é".encode("utf-16"),
        base64.b64encode(b"junk"),
    ],
)
def test_garbage_is_malformed(data: bytes, trusted: TrustedIssuers) -> None:
    with pytest.raises(MalformedLicense) as refused:
        verify(data, trusted, now=NOW, machine_name=None)
    assert refused.value.code == "MALFORMED"
    assert str(refused.value).startswith("This file is not a valid license file.")


def test_extra_header_members_are_refused(signers: Signers, trusted: TrustedIssuers) -> None:
    header = {**_header(signers, "Ed25519"), "crit": ["exp"], "exp": 1}
    key = signers.jws._key.get_op_key("sign")
    forged = _jws(header, claims_payload(make_claims(SES)), key.sign)
    with pytest.raises(MalformedLicense):
        verify(forged, trusted, now=NOW, machine_name=None)


def test_every_refusal_is_a_value_error_with_a_stable_code() -> None:
    codes = {
        cls.code
        for cls in (
            MalformedLicense,
            BadSignature,
            UnknownKey,
            NotYetValid,
            LicenseExpired,
            WrongMachine,
            UntrustedIssuer,
            LicenseRevoked,
        )
    }
    assert codes == {
        "MALFORMED",
        "BAD_SIGNATURE",
        "UNKNOWN_KEY",
        "NOT_YET_VALID",
        "EXPIRED",
        "WRONG_MACHINE",
        "UNTRUSTED_ISSUER",
        "REVOKED",
    }
    assert issubclass(LicenseFileError, ValueError)


def test_a_naive_now_is_a_programming_error(belic: bytes, trusted: TrustedIssuers) -> None:
    with pytest.raises(ValueError, match="timezone"):
        verify(belic, trusted, now=NOW.replace(tzinfo=None), machine_name=None)
