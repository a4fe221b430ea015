"""Making the issuer root, its certificates and its CRL (server side, ``cryptography.x509``).

The root certificate is self-signed Ed25519: basicConstraints CA (path length 0: no
intermediate CAs), keyUsage keyCertSign and cRLSign, subject and authority key identifiers.
Each signing key gets a certificate from the root: no CA, keyUsage digitalSignature, one
extended key usage of :mod:`entitle.licensefile.issuers`, the root's key identifier. The CRL
lists the serial numbers of revoked signing certificates, signed by the root.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.x509.oid import NameOID

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPublicKeyTypes

ROOT_LIFETIME = timedelta(days=20 * 365 + 5)
"""An issuer root lasts twenty years: products pin it, so it should outlive them."""
CRL_LIFETIME = timedelta(days=366)
"""The CRL's next update; it is signed again at every rotation and revocation."""


def _name(issuer: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer[:64] or "entitle"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def make_root(key: Ed25519PrivateKey, issuer: str, now: datetime) -> x509.Certificate:
    """A new self-signed issuer root certificate for ``key``, valid from ``now``."""
    public = key.public_key()
    name = _name(issuer, "entitle issuer root")
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + ROOT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, None)
    )


def certify(
    root_key: Ed25519PrivateKey,
    root: x509.Certificate,
    public_key: CertificateIssuerPublicKeyTypes,
    *,
    purpose: str,
    label: str,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """The root's certificate for a signing key: one ``purpose``, valid in the given window."""
    issuer = root.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    return (
        x509.CertificateBuilder()
        .subject_name(_name(str(issuer), label))
        .issuer_name(root.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.ObjectIdentifier(purpose)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, None)
    )


def make_crl(
    root_key: Ed25519PrivateKey,
    root: x509.Certificate,
    revoked: Iterable[tuple[int, datetime]],
    now: datetime,
) -> bytes:
    """The root-signed CRL (DER) of ``revoked`` (serial number, revocation time) pairs."""
    from cryptography.hazmat.primitives import serialization

    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.subject)
        .last_update(now)
        .next_update(now + CRL_LIFETIME)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        # RFC 5280 wants an increasing CRL number; the signing time in seconds is one.
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
    )
    for serial, at in sorted(revoked):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(at).build()
        )
    return builder.sign(root_key, None).public_bytes(serialization.Encoding.DER)
