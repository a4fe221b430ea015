"""``.belic`` files (SES): a JWS compact serialization (RFC 7515) signed with Ed25519.

Algorithm name: ``"Ed25519"`` (RFC 9864, fully specified). joserfc 1.x signs with it and
warns that the older polymorphic ``"EdDSA"`` (RFC 8037) is deprecated; jwcrypto 1.6 accepts
``"Ed25519"`` as well, so there is no reason to emit the deprecated name. Verification
accepts exactly this one algorithm: ``none``, HMAC, RSA, ECDSA and ``EdDSA`` are refused.

The protected header holds exactly ``alg``, ``kid`` (the RFC 7638 thumbprint of the signing
key) and ``typ`` = ``"entitle-license+jws"``. The payload is the claims as compact JSON with
sorted keys. A file is the ASCII compact serialization plus a newline.

Signing goes through joserfc. Verification uses cryptography directly, because it runs on
every product start: it accepts exactly what ``joserfc.jws.deserialize_compact`` accepts with
``algorithms=["Ed25519"]`` and the trusted key, after refusing any header other than the three
members above (the test suite checks the two agree on tampered files).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature

from entitle.licensefile.claims import ClaimsError, LicenseClaims
from entitle.licensefile.errors import BadSignature, MalformedLicense, UnknownKey
from entitle.licensefile.jwk import b64url_decode
from entitle.licensefile.trust import JWS_ALG, TrustedKeys

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

JWS_TYP = "entitle-license+jws"
_HEADER_MEMBERS = frozenset({"alg", "kid", "typ"})


def claims_payload(claims: LicenseClaims) -> str:
    """The exact JWS payload for ``claims``."""
    return json.dumps(claims.to_dict(), sort_keys=True, separators=(",", ":"))


class JwsSigner:
    """Signs ``.belic`` files with one Ed25519 key; build once, sign many."""

    def __init__(self, private_key: Ed25519PrivateKey, kid: str) -> None:
        from joserfc.jwk import OKPKey
        from joserfc.jws import JWSRegistry

        self.kid = kid
        self._key = OKPKey.import_key(private_key)
        self._registry = JWSRegistry(algorithms=[JWS_ALG])
        self._header = {"alg": JWS_ALG, "kid": kid, "typ": JWS_TYP}

    def sign(self, claims: LicenseClaims) -> bytes:
        """The ``.belic`` file bytes for ``claims``."""
        from joserfc import jws

        token = jws.serialize_compact(
            dict(self._header), claims_payload(claims), self._key, registry=self._registry
        )
        return token.encode("ascii") + b"\n"


def verify_jws(data: bytes, trusted: TrustedKeys) -> LicenseClaims:
    """The claims of a ``.belic`` file whose signature checks out with a trusted key."""
    parts = data.strip().split(b".")
    if len(parts) != 3:
        raise MalformedLicense("not a JWS compact serialization")
    header_b64, payload_b64, signature_b64 = parts
    header = _json(header_b64, "header")
    if not isinstance(header, dict) or header.keys() != _HEADER_MEMBERS:
        raise MalformedLicense("unexpected JWS header")
    if header["alg"] != JWS_ALG:
        raise BadSignature()
    if header["typ"] != JWS_TYP:
        raise MalformedLicense("not an entitle license")
    kid = header["kid"]
    if not isinstance(kid, str):
        raise MalformedLicense("unexpected JWS header")
    key = trusted.ed25519_key(kid)
    if key is None:
        raise UnknownKey(kid)
    try:
        signature = b64url_decode(signature_b64)
    except ValueError:
        raise MalformedLicense("the signature is not base64url") from None
    try:
        key.verify(signature, header_b64 + b"." + payload_b64)
    except InvalidSignature:
        raise BadSignature() from None
    try:
        return LicenseClaims.from_dict(_json(payload_b64, "payload"))
    except ClaimsError as error:
        raise MalformedLicense(str(error)) from None


def _json(part: bytes, what: str) -> Any:
    try:
        return json.loads(b64url_decode(part))
    except (ValueError, RecursionError):
        raise MalformedLicense(f"the JWS {what} is not base64url JSON") from None
