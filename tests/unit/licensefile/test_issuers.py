"""The chain policy: which certificate may sign, proved against a full X.509 parser.

The check path reads certificates with entitle's own DER reader (importing
``cryptography.x509`` would cost every product start more than all the rest of verifying).
These properties hold it to the verdicts of ``tests/unit/licensefile/x509_reference.py``,
the same rules written on ``cryptography.x509``: certificates built with every variation of
the fields the policy looks at, and byte-level mutations of a genuine certificate, signed
again by the root so that the signature does not hide what the parsers make of them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entitle.licensefile import (
    LICENSE_SIGNING,
    REVOCATION_SIGNING,
    LicenseRevoked,
    TrustedIssuers,
    UntrustedIssuer,
    fingerprint,
    parse_fingerprint,
)
from entitle.licensefile.der import CertificateError, parse_certificate
from entitle.licensefile.issuers import _PURPOSE_OCTETS, check_within
from tests.claims import NOW
from tests.unit.licensefile import x509_reference

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROOT_KEY = ed25519.Ed25519PrivateKey.generate()
OTHER_KEY = ed25519.Ed25519PrivateKey.generate()
LEAF_KEY = ed25519.Ed25519PrivateKey.generate()
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ROOT_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "entitle"),
        x509.NameAttribute(NameOID.COMMON_NAME, "entitle issuer root"),
    ]
)
OTHER_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "someone else")])
WINDOW = (NOW - timedelta(days=1), NOW + timedelta(days=30))


def _usage(*, digital_signature: bool = False, cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


def _root(ca: bool | None = True, cert_sign: bool = True, days: int = 3650) -> bytes:
    builder = (
        x509.CertificateBuilder()
        .subject_name(ROOT_NAME)
        .issuer_name(ROOT_NAME)
        .public_key(ROOT_KEY.public_key())
        .serial_number(7)
        .not_valid_before(NOW - timedelta(days=400))
        .not_valid_after(NOW + timedelta(days=days))
        .add_extension(_usage(cert_sign=cert_sign), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ROOT_KEY.public_key()), False)
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
    return _der(builder.sign(ROOT_KEY, None))


GOOD_ROOT = _root()


@st.composite
def leaves(draw: st.DrawFn) -> bytes:
    """A signing certificate with any of the variations the policy cares about."""
    key = draw(st.sampled_from([LEAF_KEY, RSA_KEY]))
    start = NOW + timedelta(days=draw(st.sampled_from([-500, -2, 0])))
    end = NOW + timedelta(days=draw(st.sampled_from([-3, 10, 29, 31, 700])))
    if end <= start:
        end = start + timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signing")]))
        .issuer_name(draw(st.sampled_from([ROOT_NAME, OTHER_NAME])))
        .public_key(key.public_key())
        .serial_number(draw(st.integers(1, 2**64)))
        .not_valid_before(start)
        .not_valid_after(end)
    )
    constraints = draw(st.sampled_from([None, False, True]))
    if constraints is not None:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=constraints, path_length=None), draw(st.booleans())
        )
    usage = draw(st.sampled_from(["none", "sign", "cert", "both"]))
    if usage != "none":
        builder = builder.add_extension(
            _usage(
                digital_signature=usage in ("sign", "both"), cert_sign=usage in ("cert", "both")
            ),
            draw(st.booleans()),
        )
    purposes = draw(
        st.lists(
            st.sampled_from([LICENSE_SIGNING, REVOCATION_SIGNING, "1.3.6.1.5.5.7.3.3"]),
            max_size=3,
            unique=True,
        )
    )
    if purposes:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(p) for p in purposes]), draw(st.booleans())
        )
    authority = draw(st.sampled_from(["none", "root", "other"]))
    if authority != "none":
        issuer_key = ROOT_KEY if authority == "root" else OTHER_KEY
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    if draw(st.booleans()):
        builder = builder.add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), b"\x05\x00"),
            draw(st.booleans()),
        )
    signer = draw(st.sampled_from([ROOT_KEY, ROOT_KEY, OTHER_KEY]))
    return _der(builder.sign(signer, None))


def _fast_path_accepts(
    leaf: bytes, root: bytes, pinned: set[str], purpose: str, window: tuple[datetime, datetime]
) -> bool:
    try:
        found = TrustedIssuers(pinned).signing_certificate([leaf, root], purpose, NOW)
        check_within(found, *window)
    except (UntrustedIssuer, LicenseRevoked, CertificateError):
        return False
    return True


def _agree(leaf: bytes, root: bytes, pinned: set[str], purpose: str) -> bool:
    ours = _fast_path_accepts(leaf, root, pinned, purpose, WINDOW)
    reference = x509_reference.accepts(leaf, root, pinned, purpose, NOW, WINDOW)
    assert ours == reference, (ours, reference, leaf.hex())
    return ours


@SETTINGS
@given(
    leaf=leaves(),
    root=st.sampled_from(
        [
            GOOD_ROOT,
            GOOD_ROOT,
            _root(ca=False),
            _root(ca=None),
            _root(cert_sign=False),
            _root(days=-1),
        ]
    ),
    pin_it=st.booleans(),
    purpose=st.sampled_from([LICENSE_SIGNING, REVOCATION_SIGNING]),
)
def test_the_fast_path_and_cryptography_agree_on_built_certificates(
    leaf: bytes, root: bytes, pin_it: bool, purpose: str
) -> None:
    pinned = {fingerprint(root)} if pin_it else {fingerprint(GOOD_ROOT + b"x")}
    _agree(leaf, root, pinned, purpose)


def _genuine_leaf() -> bytes:
    return _der(
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signing")]))
        .issuer_name(ROOT_NAME)
        .public_key(LEAF_KEY.public_key())
        .serial_number(12345)
        .not_valid_before(NOW - timedelta(days=100))
        .not_valid_after(NOW + timedelta(days=700))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(_usage(digital_signature=True), True)
        .add_extension(x509.ExtendedKeyUsage([x509.ObjectIdentifier(LICENSE_SIGNING)]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ROOT_KEY.public_key()), False
        )
        .sign(ROOT_KEY, None)
    )


GENUINE = _genuine_leaf()


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    size = (n.bit_length() + 7) // 8
    return bytes([0x80 + size]) + n.to_bytes(size, "big")


def _signed_again(tbs: bytes) -> bytes:
    """A certificate of ``tbs`` (however malformed) with the root's genuine signature on it."""
    algorithm = bytes.fromhex("300506032b6570")
    signature = b"\x03\x41\x00" + ROOT_KEY.sign(tbs)
    body = tbs + algorithm + signature
    return b"\x30" + _length(len(body)) + body


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    tbs = bytearray(x509.load_der_x509_certificate(GENUINE).tbs_certificate_bytes)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "set", "delete", "insert"]))
        index = draw(st.integers(0, len(tbs) - 1))
        if kind == "flip":
            tbs[index] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            tbs[index] = draw(st.sampled_from([0x00, 0x01, 0x05, 0x30, 0x80, 0xFF]))
        elif kind == "delete":
            del tbs[index]
        else:
            tbs.insert(index, draw(st.integers(0, 255)))
    return _signed_again(bytes(tbs))


def test_a_genuine_certificate_signed_again_is_still_accepted() -> None:
    tbs = x509.load_der_x509_certificate(GENUINE).tbs_certificate_bytes
    assert _signed_again(tbs) == GENUINE
    assert _agree(GENUINE, GOOD_ROOT, {fingerprint(GOOD_ROOT)}, LICENSE_SIGNING)


@settings(max_examples=1500, deadline=None)
@given(leaf=mutated())
def test_the_fast_path_and_cryptography_agree_on_mutated_certificates(leaf: bytes) -> None:
    _agree(leaf, GOOD_ROOT, {fingerprint(GOOD_ROOT)}, LICENSE_SIGNING)


def test_the_purpose_octets_are_the_der_encoding_of_the_purpose_oids() -> None:
    for purpose, octets in _PURPOSE_OCTETS.items():
        encoded = x509.ExtendedKeyUsage([x509.ObjectIdentifier(purpose)]).public_bytes()
        assert encoded.endswith(octets)
        assert encoded[-len(octets) - 2 :][:2] == bytes([0x06, len(octets)])


def test_a_revoked_signing_certificate_is_refused_with_its_own_reason() -> None:
    issuers = TrustedIssuers([fingerprint(GOOD_ROOT)], revoked_serials=[12345])
    with pytest.raises(LicenseRevoked) as refused:
        issuers.signing_certificate([GENUINE, GOOD_ROOT], LICENSE_SIGNING, NOW)
    assert refused.value.code == "REVOKED"


def test_a_root_is_never_trusted_because_a_file_carries_it() -> None:
    with pytest.raises(UntrustedIssuer, match="does not end at a pinned issuer root"):
        TrustedIssuers([]).signing_certificate([GENUINE, GOOD_ROOT], LICENSE_SIGNING, NOW)


def test_the_root_itself_cannot_sign_a_license() -> None:
    issuers = TrustedIssuers([fingerprint(GOOD_ROOT)])
    with pytest.raises(UntrustedIssuer, match="certificate authority"):
        issuers.signing_certificate([GOOD_ROOT, GOOD_ROOT], LICENSE_SIGNING, NOW)


@pytest.mark.parametrize(
    "text",
    ["", "sha256:", "sha1:" + "0" * 64, "sha256:" + "0" * 63, "sha256:" + "g" * 64, "0" * 64],
)
def test_a_malformed_fingerprint_says_what_is_expected(text: str) -> None:
    from entitle.licensefile import InvalidTrustedKeys

    with pytest.raises(InvalidTrustedKeys, match="expected sha256: and 64 hex digits"):
        parse_fingerprint(text)


def test_a_fingerprint_is_read_in_any_case_and_kept_in_lowercase() -> None:
    value = "sha256:" + "AB" * 32
    assert parse_fingerprint(f"  {value.upper()} ") == value.lower()


def test_the_der_reader_refuses_trailing_bytes_and_indefinite_lengths() -> None:
    with pytest.raises(CertificateError, match="after the certificate"):
        parse_certificate(GENUINE + b"\x00")
    with pytest.raises(CertificateError, match="indefinite"):
        parse_certificate(b"\x30\x80" + GENUINE[4:] + b"\x00\x00")
