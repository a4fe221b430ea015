"""Signed license files: what a workstation verifies before a product starts.

Two formats carry the same :class:`LicenseClaims`:

* ``.belic`` (license service SES): a JWS compact serialization signed with Ed25519;
* ``.xml`` (license service SELECTserver): ``<License xmlns="urn:entitle:license:1">`` with an
  enveloped XML-DSig RSA-SHA256 signature.

On a workstation::

    trusted = TrustedKeys.from_json(stored_bytes)   # or TrustedKeys.from_documents(jwks, pem)
    try:
        claims = verify(data, trusted, now=datetime.now(UTC), machine_name=socket.gethostname())
    except LicenseFileError as error:
        print(error)         # a sentence for people; error.code is stable
    else:
        allowed = claims.covers("Designer", "2.1")

On the license server::

    ring = KeyRing.load(data_dir)          # once per process; init_keys(data_dir) first
    file_bytes = ring.sign(claims)         # .belic or .xml, from claims.license_service
    ring.jwks(); ring.xml_certificates_pem()   # what /.well-known/ publishes

Claims are never exposed without verification; :func:`license_digest` only hashes the bytes.
Importing this package is cheap, as the licensing tool does it on every product start: the
signing side (``KeyRing`` and friends) loads on first use, and lxml, signxml and joserfc only
when an ``.xml`` file is verified or a file is signed.
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
    KeysAlreadyExist,
    KeysNotFound,
    KeyStoreError,
    LicenseExpired,
    LicenseFileError,
    MalformedLicense,
    NotYetValid,
    UnknownKey,
    WrongMachine,
)
from entitle.licensefile.trust import TrustedKeys
from entitle.licensefile.verify import CLOCK_SKEW, license_digest, verify

if TYPE_CHECKING:
    from entitle.licensefile.keys import (
        KeyRecord,
        KeyRing,
        init_keys,
        keys_exist,
        load_keys,
        rotate_keys,
    )

_SIGNING = frozenset(
    {"KeyRecord", "KeyRing", "init_keys", "keys_exist", "load_keys", "rotate_keys"}
)


def __getattr__(name: str) -> Any:
    if name in _SIGNING:
        from entitle.licensefile import keys

        value = getattr(keys, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CLOCK_SKEW",
    "SELECTSERVER",
    "SES",
    "BadSignature",
    "ClaimsError",
    "InvalidTrustedKeys",
    "KeyRecord",
    "KeyRing",
    "KeyStoreError",
    "KeysAlreadyExist",
    "KeysNotFound",
    "LicenseClaims",
    "LicenseExpired",
    "LicenseFileError",
    "LicensedApplication",
    "MalformedLicense",
    "NotYetValid",
    "TrustedKeys",
    "UnknownKey",
    "WrongMachine",
    "init_keys",
    "keys_exist",
    "license_digest",
    "load_keys",
    "rotate_keys",
    "verify",
]
