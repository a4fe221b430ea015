"""Signed license files: what a workstation verifies before a product starts.

Two formats carry the same :class:`LicenseClaims`:

* ``.belic`` (license service SES): a JWS compact serialization signed with Ed25519;
* ``.xml`` (license service SELECTserver): ``<License xmlns="urn:entitle:license:1">`` with an
  enveloped XML-DSig RSA-SHA256 signature.

Each deployment has one **issuer root**, an Ed25519 CA whose fingerprint
(``sha256:<64 hex>``, printed by ``entitle keys fingerprint``) products pin. The root
certifies the signing keys; files carry the chain (``x5c`` / ``X509Data``), and
:mod:`entitle.licensefile.issuers` states the policy a chain must meet.

On a workstation::

    issuers = TrustedIssuers(
        [parse_fingerprint(text)],               # pinned: from the machine-wide configuration
        load_certificates(cached_pem),            # cached: /.well-known/entitle-certificates.pem
        revoked_serials=stored_revoked_serials,   # from verified revocation lists
    )
    # or, with the root certificate at hand (checked against its fingerprint once, when it was
    # configured), pinned byte for byte, which spares every start a hash:
    issuers = TrustedIssuers.for_roots([root_der], cached, revoked_serials=stored)
    try:
        claims = verify(data, issuers, now=datetime.now(UTC), machine_name=name,
                        machine_fingerprint=fingerprint)
    except LicenseFileError as error:
        print(error)         # a sentence for people; error.code is stable
    else:
        allowed = claims.covers("Designer", "2.1")

Online (``sync``): fetch ``wellknown.revocation_list_path(claims.organisation_id)`` (If-None-Match
with the ETag kept from last time) and::

    revocations = RevocationList.verify(body, issuers, organisation_id=claims.organisation_id)
    revocations.checkout_ids        # checked in before expiry: drop them, refuse re-imports
    revocations.revoked_serials     # keep them: issuers.with_revoked(...) refuses their files
    revocations.issued_at           # a server-signed time: a floor for the clock

Revocations only add: keep the union of every verified list. :class:`TrustedKeys` (keys
trusted one by one, before issuer roots) still verifies with the same :func:`verify`. Where
a server publishes what: :mod:`entitle.licensefile.wellknown`. Codes a workstation may see
from :func:`verify`: ``MALFORMED``, ``UNKNOWN_KEY`` (trusted keys), ``UNTRUSTED_ISSUER``,
``REVOKED``, ``BAD_SIGNATURE``, ``NOT_YET_VALID``, ``EXPIRED``, ``WRONG_MACHINE``; from
:meth:`RevocationList.verify`: ``BAD_REVOCATION_LIST``.

On the license server::

    ring = KeyRing.load(data_dir)          # once per process; init_keys(data_dir) first
    file_bytes = ring.sign(claims)         # .belic or .xml, from claims.license_service
    ring.root_pem(); ring.certificates_pem(); ring.crl   # what /.well-known/ publishes
    ring.sign_revocation_list(organisation_id, checked_in_ids, (), now)
    rotate_keys(data_dir, root_key=Path("/media/usb/root.key.pem"))

Claims are never exposed without verification; :func:`license_digest` only hashes the bytes.
Importing this package is cheap, as the licensing tool does it on every product start: the
signing side (``KeyRing`` and friends) loads on first use, and lxml, signxml, joserfc and
``cryptography.x509`` only when an ``.xml`` file or a revocation list is verified, a bundle is
loaded or a file is signed; a ``.belic`` chain is read by :mod:`entitle.licensefile.der`.
For other SHA-256 on the check path (a machine id), use :func:`entitle.licensefile.jwk.sha256`
rather than ``hashlib``, which costs a cold start 11 million instructions; to read JSON there,
:func:`entitle.licensefile.jsontext.loads` rather than ``json`` (5 million).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from entitle.licensefile.claims import (
    SELECTSERVER,
    SES,
    ClaimsError,
    LicenseClaims,
    LicensedApplication,
)
from entitle.licensefile.errors import (
    BadSignature,
    InvalidTrustedKeys,
    KeyStoreError,
    LicenseExpired,
    LicenseFileError,
    LicenseRevoked,
    MalformedLicense,
    NotYetValid,
    UnknownKey,
    UntrustedIssuer,
    WrongMachine,
)
from entitle.licensefile.issuers import (
    LICENSE_SIGNING,
    REVOCATION_SIGNING,
    TrustedIssuers,
    fingerprint,
    parse_fingerprint,
)
from entitle.licensefile.verify import CLOCK_SKEW, license_digest, verify

if TYPE_CHECKING:
    from entitle.licensefile.keyerrors import (
        CertificateDoesNotCover,
        InvalidRevocationList,
        KeysAlreadyExist,
        KeysNotFound,
        RootKeyUnavailable,
    )
    from entitle.licensefile.keys import (
        KeyRecord,
        KeyRing,
        KeyStatus,
        ServerKeys,
        SignedRevocationList,
        export_root_key,
        init_keys,
        keys_exist,
        keys_need_root,
        load_keys,
        revoke_key,
        rotate_keys,
    )
    from entitle.licensefile.revocation import RevocationList
    from entitle.licensefile.trust import TrustedKeys, load_certificates

_LAZY = {
    **dict.fromkeys(
        (
            "KeyRecord",
            "KeyRing",
            "KeyStatus",
            "ServerKeys",
            "SignedRevocationList",
            "export_root_key",
            "init_keys",
            "keys_exist",
            "keys_need_root",
            "load_keys",
            "revoke_key",
            "rotate_keys",
        ),
        "keys",
    ),
    **dict.fromkeys(
        (
            "CertificateDoesNotCover",
            "InvalidRevocationList",
            "KeysAlreadyExist",
            "KeysNotFound",
            "RootKeyUnavailable",
        ),
        "keyerrors",
    ),
    "RevocationList": "revocation",
    "TrustedKeys": "trust",
    "load_certificates": "trust",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"entitle.licensefile.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "CLOCK_SKEW",
    "LICENSE_SIGNING",
    "REVOCATION_SIGNING",
    "SELECTSERVER",
    "SES",
    "BadSignature",
    "CertificateDoesNotCover",
    "ClaimsError",
    "InvalidRevocationList",
    "InvalidTrustedKeys",
    "KeyRecord",
    "KeyRing",
    "KeyStatus",
    "KeyStoreError",
    "KeysAlreadyExist",
    "KeysNotFound",
    "LicenseClaims",
    "LicenseExpired",
    "LicenseFileError",
    "LicenseRevoked",
    "LicensedApplication",
    "MalformedLicense",
    "NotYetValid",
    "RevocationList",
    "RootKeyUnavailable",
    "ServerKeys",
    "SignedRevocationList",
    "TrustedIssuers",
    "TrustedKeys",
    "UnknownKey",
    "UntrustedIssuer",
    "WrongMachine",
    "export_root_key",
    "fingerprint",
    "init_keys",
    "keys_exist",
    "keys_need_root",
    "license_digest",
    "load_certificates",
    "load_keys",
    "parse_fingerprint",
    "revoke_key",
    "rotate_keys",
    "verify",
]
