"""The chain policy of ``entitle.licensefile.issuers``, written again on ``cryptography.x509``.

A second reading of the same rules, by a full X.509 parser instead of the check path's DER
reader, for the property test that the two always give the same verdict. Besides the rules of
the chain, the policy refuses what entitle's certificates never carry (the DER reader's
docstring lists it): here those are checks on what cryptography parsed.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtensionOID, SignatureAlgorithmOID

SKEW = timedelta(minutes=5)
UNDERSTOOD = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.SUBJECT_KEY_IDENTIFIER,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
}


def accepts(
    leaf_der: bytes,
    root_der: bytes,
    pinned: set[str],
    purpose: str,
    now: datetime,
    window: tuple[datetime, datetime],
) -> bool:
    """Whether ``leaf_der``, issued by ``root_der``, may sign for ``purpose`` over ``window``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cryptography warns of negative serial numbers
        return _accepts(leaf_der, root_der, pinned, purpose, now, window)


def _accepts(
    leaf_der: bytes,
    root_der: bytes,
    pinned: set[str],
    purpose: str,
    now: datetime,
    window: tuple[datetime, datetime],
) -> bool:
    try:
        leaf = x509.load_der_x509_certificate(leaf_der)
        root = x509.load_der_x509_certificate(root_der)
        if not (_plain(leaf) and _plain(root)):
            return False
        return _root_ok(root, pinned, now) and _leaf_ok(leaf, root, purpose, window)
    except (
        ValueError,
        TypeError,
        InvalidSignature,
        UnsupportedAlgorithm,
        x509.DuplicateExtension,
        x509.InvalidVersion,
    ):
        return False


def _plain(certificate: x509.Certificate) -> bool:
    """Nothing entitle's certificates never carry: positive serial, UTF8String or
    PrintableString names, only the five understood extensions, an AKI with a key id only."""
    if certificate.serial_number <= 0:
        return False
    for name in (certificate.subject, certificate.issuer):
        for attribute in name:
            if attribute._type not in (_ASN1Type.UTF8String, _ASN1Type.PrintableString):
                return False
            str(attribute.value)
    extensions = _extensions(certificate)
    if extensions is None:
        return False
    authority = _get(extensions, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    return authority is None or (
        authority.value.key_identifier is not None
        and authority.value.authority_cert_issuer is None
        and authority.value.authority_cert_serial_number is None
    )


def _extensions(certificate: x509.Certificate) -> x509.Extensions | None:
    if certificate.version != x509.Version.v3:
        return None
    extensions = certificate.extensions
    if len(extensions) == 0 or any(e.oid not in UNDERSTOOD for e in extensions):
        return None
    return extensions


def _get(extensions: x509.Extensions, oid: x509.ObjectIdentifier) -> x509.Extension | None:  # type: ignore[type-arg]
    try:
        return extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return None


def _root_ok(root: x509.Certificate, pinned: set[str], now: datetime) -> bool:
    if "sha256:" + root.fingerprint(hashes.SHA256()).hex() not in pinned:
        return False
    extensions = _extensions(root)
    if extensions is None or not isinstance(root.public_key(), ed25519.Ed25519PublicKey):
        return False
    constraints = _get(extensions, ExtensionOID.BASIC_CONSTRAINTS)
    usage = _get(extensions, ExtensionOID.KEY_USAGE)
    if constraints is None or not constraints.value.ca:
        return False
    if usage is None or not usage.value.key_cert_sign:
        return False
    return root.not_valid_before_utc - SKEW <= now < root.not_valid_after_utc


def _leaf_ok(
    leaf: x509.Certificate,
    root: x509.Certificate,
    purpose: str,
    window: tuple[datetime, datetime],
) -> bool:
    extensions = _extensions(leaf)
    if extensions is None or not isinstance(
        leaf.public_key(), ed25519.Ed25519PublicKey | rsa.RSAPublicKey
    ):
        return False
    if leaf.issuer.public_bytes() != root.subject.public_bytes():
        return False
    if leaf.signature_algorithm_oid != SignatureAlgorithmOID.ED25519:
        return False
    leaf.verify_directly_issued_by(root)
    authority = _get(extensions, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    subject_key = _get(
        _extensions(root) or x509.Extensions([]), ExtensionOID.SUBJECT_KEY_IDENTIFIER
    )
    if (
        authority is not None
        and subject_key is not None
        and authority.value.key_identifier != subject_key.value.digest
    ):
        return False
    constraints = _get(extensions, ExtensionOID.BASIC_CONSTRAINTS)
    if constraints is not None and constraints.value.ca:
        return False
    usage = _get(extensions, ExtensionOID.KEY_USAGE)
    if usage is None or not usage.value.digital_signature or usage.value.key_cert_sign:
        return False
    purposes = _get(extensions, ExtensionOID.EXTENDED_KEY_USAGE)
    if purposes is None or purpose not in [p.dotted_string for p in purposes.value]:
        return False
    start, end = window
    return leaf.not_valid_before_utc <= start <= end <= leaf.not_valid_after_utc
