"""``.belic`` files (SES): a JWS compact serialization (RFC 7515) signed with Ed25519.

Algorithm name: ``"Ed25519"`` (RFC 9864, fully specified). joserfc 1.x signs with it and
warns that the older polymorphic ``"EdDSA"`` (RFC 8037) is deprecated; jwcrypto 1.6 accepts
``"Ed25519"`` as well, so there is no reason to emit the deprecated name. Verification
accepts exactly this one algorithm: ``none``, HMAC, RSA, ECDSA and ``EdDSA`` are refused.

The protected header holds ``alg``, ``kid`` (the RFC 7638 thumbprint of the signing key),
``typ`` = ``"entitle-license+jws"`` and, in files issued since the deployment has an issuer
root, ``x5c``: the signing certificate and the root certificate, base64 DER (RFC 7515
section 4.1.6), so that standard X.509 tools validate the chain with the root alone. No other
member is accepted. The payload is the claims as compact JSON with sorted keys. A file is the
ASCII compact serialization plus a newline. Revocation lists use the same form with
``typ`` = ``"entitle-revocations+jws"`` (:mod:`entitle.licensefile.revocation`).

Signing goes through joserfc. Verification uses cryptography directly, because it runs on
every product start: it accepts exactly what ``joserfc.jws.deserialize_compact`` accepts with
``algorithms=["Ed25519"]`` and the trusted key, after refusing any header other than the
members above (the test suite checks the two agree on tampered files).

With :class:`~entitle.licensefile.issuers.TrustedIssuers` the key comes from the chain in
``x5c`` (or, for files without one, a cached certificate of the ``kid``); with the older
:class:`~entitle.licensefile.trust.TrustedKeys` from the ``kid`` alone, ``x5c`` unused.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from entitle.licensefile.claims import ClaimsError, LicenseClaims
from entitle.licensefile.der import Certificate, CertificateError
from entitle.licensefile.errors import BadSignature, MalformedLicense, UnknownKey
from entitle.licensefile.issuers import LICENSE_SIGNING, TrustedIssuers
from entitle.licensefile.jsontext import loads
from entitle.licensefile.jwk import JWS_ALG, b64url_decode
from entitle.licensefile.timestamps import datetime

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    from entitle.licensefile.trust import TrustedKeys

JWS_TYP = "entitle-license+jws"
_REQUIRED = frozenset({"alg", "kid", "typ"})
_ALLOWED = frozenset({"alg", "kid", "typ", "x5c"})
MAX_CHAIN = 4


def claims_payload(claims: LicenseClaims) -> str:
    """The exact JWS payload for ``claims``."""
    import json  # signing only: the check path reads JSON with entitle.licensefile.jsontext

    return json.dumps(claims.to_dict(), sort_keys=True, separators=(",", ":"))


class JwsSigner:
    """Signs compact JWS with one Ed25519 key; build once, sign many.

    ``chain`` is the signing certificate and the root certificate (DER) for ``x5c``; files
    of a key that has none carry no ``x5c``.
    """

    def __init__(
        self, private_key: Ed25519PrivateKey, kid: str, chain: Sequence[bytes] = ()
    ) -> None:
        from joserfc.jwk import OKPKey
        from joserfc.jws import JWSRegistry

        self.kid = kid
        self._key = OKPKey.import_key(private_key)
        self._registry = JWSRegistry(algorithms=[JWS_ALG])
        self._header: dict[str, Any] = {"alg": JWS_ALG, "kid": kid, "typ": JWS_TYP}
        if chain:
            self._header["x5c"] = [
                binascii.b2a_base64(der, newline=False).decode("ascii") for der in chain
            ]

    def sign(self, claims: LicenseClaims) -> bytes:
        """The ``.belic`` file bytes for ``claims``."""
        return self.sign_payload(claims_payload(claims), JWS_TYP)

    def sign_payload(self, payload: str, typ: str) -> bytes:
        """A compact JWS of ``payload`` with this header and ``typ``, plus a newline."""
        from joserfc import jws

        header = dict(self._header, typ=typ)
        token = jws.serialize_compact(header, payload, self._key, registry=self._registry)
        return token.encode("ascii") + b"\n"


def verify_jws(
    data: bytes, trusted: TrustedKeys | TrustedIssuers, now: datetime
) -> tuple[LicenseClaims, Certificate | None]:
    """The claims of a ``.belic`` file whose signature checks out with a trusted key, and
    the signing certificate when ``trusted`` pins issuers (None with :class:`TrustedKeys`)."""
    payload, certificate, _ = verify_compact(data, JWS_TYP, trusted, LICENSE_SIGNING, now)
    try:
        return LicenseClaims.from_dict(_json(payload, "payload")), certificate
    except ClaimsError as error:
        raise MalformedLicense(str(error)) from None


def verify_compact(
    data: bytes,
    typ: str,
    trusted: TrustedKeys | TrustedIssuers,
    purpose: str,
    now: datetime,
) -> tuple[bytes, Certificate | None, list[bytes]]:
    """The base64url payload of a compact JWS of ``typ`` signed by a trusted key for
    ``purpose``, the signing certificate (None with :class:`TrustedKeys`) and the chain the
    header carries (DER, possibly empty)."""
    parts = data.strip().split(b".")
    if len(parts) != 3:
        raise MalformedLicense("not a JWS compact serialization")
    header_b64, payload_b64, signature_b64 = parts
    header = _json(header_b64, "header")
    if not isinstance(header, dict) or not _REQUIRED <= header.keys() <= _ALLOWED:
        raise MalformedLicense("unexpected JWS header")
    if header["alg"] != JWS_ALG:
        raise BadSignature()
    if header["typ"] != typ:
        raise MalformedLicense("not an entitle license")
    kid = header["kid"]
    if not isinstance(kid, str):
        raise MalformedLicense("unexpected JWS header")
    # Only a chain policy reads the certificates; trusted keys go by the kid alone.
    chain = _chain(header.get("x5c"), decode=isinstance(trusted, TrustedIssuers))
    certificate = None
    if isinstance(trusted, TrustedIssuers):
        try:
            certificate = trusted.signing_certificate(chain, purpose, now, kid=kid)
        except CertificateError as error:
            raise MalformedLicense(f"a certificate of the chain is malformed: {error}") from None
        if not certificate.is_ed25519:
            raise BadSignature()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        key = Ed25519PublicKey.from_public_bytes(certificate.public_key)
    else:
        found = trusted.ed25519_key(kid)
        if found is None:
            raise UnknownKey(kid)
        key = found
    try:
        signature = b64url_decode(signature_b64)
    except ValueError:
        raise MalformedLicense("the signature is not base64url") from None
    if not verified(key, signature, header_b64 + b"." + payload_b64):
        raise BadSignature()
    return payload_b64, certificate, chain


def verified(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is ``key``'s on ``data``.

    ``cryptography.exceptions`` is imported only when a signature fails: defining its seven
    exception classes costs every product start almost a million instructions otherwise.
    """
    try:
        key.verify(signature, data)
    except Exception as error:
        from cryptography.exceptions import InvalidSignature

        if isinstance(error, InvalidSignature):
            return False
        raise
    return True


def _chain(x5c: Any, *, decode: bool) -> list[bytes]:
    if x5c is None:
        return []
    if not isinstance(x5c, list) or not 0 < len(x5c) <= MAX_CHAIN:
        raise MalformedLicense("x5c is not a list of certificates")
    chain = []
    for entry in x5c:
        if not isinstance(entry, str):
            raise MalformedLicense("x5c is not a list of certificates")
        if not decode:
            continue
        try:
            chain.append(binascii.a2b_base64(entry.encode("ascii"), strict_mode=True))
        except (binascii.Error, UnicodeEncodeError):
            raise MalformedLicense("a certificate in x5c is not base64") from None
    return chain


def _json(part: bytes, what: str) -> Any:
    try:
        return loads(b64url_decode(part))
    except (ValueError, RecursionError):
        raise MalformedLicense(f"the JWS {what} is not base64url JSON") from None
