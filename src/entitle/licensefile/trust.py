"""The public keys a workstation trusts: Ed25519 keys for ``.belic``, certificates for ``.xml``."""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from entitle.licensefile.errors import InvalidTrustedKeys
from entitle.licensefile.jwk import JWS_ALG, b64url_decode, b64url_encode, ed25519_thumbprint

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MIN_RSA_BITS = 3072
_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----\s*(.*?)\s*-----END CERTIFICATE-----", re.S)
_TRUST_FORMAT = "entitle-trusted-keys/1"


class TrustedKeys:
    """The keys a workstation trusts, as published by its license server.

    Build it from the server's ``/.well-known/jwks.json`` and
    ``/.well-known/entitle-xml-cert.pem`` with :meth:`from_documents`, store it with
    :meth:`to_json` and read it back with :meth:`from_json`. A key embedded in a license
    file is never trusted by itself: only these keys are.
    """

    def __init__(self, ed25519: Mapping[str, bytes], certificates: Iterable[bytes]) -> None:
        """``ed25519`` maps each kid to its 32-byte raw public key; ``certificates`` are DER."""
        self._ed25519 = dict(ed25519)
        self._certificates = tuple(dict.fromkeys(certificates))
        self._public_keys: dict[str, Ed25519PublicKey] = {}
        self._parsed: dict[bytes, x509.Certificate] = {}

    @property
    def kids(self) -> frozenset[str]:
        """The kids of the trusted Ed25519 keys."""
        return frozenset(self._ed25519)

    @property
    def certificates_der(self) -> tuple[bytes, ...]:
        """The trusted certificates, DER encoded."""
        return self._certificates

    def ed25519_key(self, kid: str) -> Ed25519PublicKey | None:
        """The trusted Ed25519 key named ``kid``, or None."""
        key = self._public_keys.get(kid)
        if key is None and kid in self._ed25519:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            key = self._public_keys[kid] = Ed25519PublicKey.from_public_bytes(self._ed25519[kid])
        return key

    def certificate(self, der: bytes) -> x509.Certificate | None:
        """The trusted certificate whose DER encoding is exactly ``der``, or None."""
        cert = self._parsed.get(der)
        if cert is None and der in self._certificates:
            from cryptography import x509

            cert = self._parsed[der] = x509.load_der_x509_certificate(der)
        return cert

    def jwks(self) -> dict[str, Any]:
        """The trusted Ed25519 keys as a public JWKS document."""
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": b64url_encode(raw),
                    "kid": kid,
                    "use": "sig",
                    "alg": JWS_ALG,
                }
                for kid, raw in self._ed25519.items()
            ]
        }

    def certificates_pem(self) -> bytes:
        """The trusted certificates, PEM concatenated."""
        return b"".join(pem_certificate(der) for der in self._certificates)

    @classmethod
    def from_documents(cls, jwks: Mapping[str, Any] | bytes | str, pem: bytes) -> TrustedKeys:
        """Trust the keys in a JWKS document and a PEM bundle of certificates.

        Only Ed25519 signing keys of the JWKS are taken; certificates must hold RSA keys of
        at least 3072 bits. Raises :class:`InvalidTrustedKeys` for anything else malformed.
        """
        trusted = cls(_ed25519_from_jwks(jwks), _certificates_from_pem(pem))
        for der in trusted.certificates_der:
            _check_certificate(der)
        return trusted

    def to_json(self) -> bytes:
        """A JSON document holding only public keys, for :meth:`from_json`."""
        document = {
            "format": _TRUST_FORMAT,
            "jwks": self.jwks(),
            "xml_certificates_pem": self.certificates_pem().decode("ascii"),
        }
        return json.dumps(document, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes | str) -> TrustedKeys:
        """Read a document written by :meth:`to_json` (cheap: certificates parse on use)."""
        try:
            document = json.loads(data)
            if document["format"] != _TRUST_FORMAT:
                raise InvalidTrustedKeys("unknown trusted keys format")
            pem = document["xml_certificates_pem"].encode("ascii")
            return cls(_ed25519_from_jwks(document["jwks"]), _certificates_from_pem(pem))
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            if isinstance(error, InvalidTrustedKeys):
                raise
            raise InvalidTrustedKeys(f"the trusted keys document is malformed: {error}") from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrustedKeys):
            return NotImplemented
        return self._ed25519 == other._ed25519 and set(self._certificates) == set(
            other._certificates
        )

    def __hash__(self) -> int:
        return hash((frozenset(self._ed25519.items()), frozenset(self._certificates)))

    def __repr__(self) -> str:
        return f"TrustedKeys(kids={sorted(self._ed25519)}, certificates={len(self._certificates)})"


def _ed25519_from_jwks(jwks: Mapping[str, Any] | bytes | str) -> dict[str, bytes]:
    try:
        document = json.loads(jwks) if isinstance(jwks, bytes | str) else jwks
        keys: dict[str, bytes] = {}
        for jwk in document["keys"]:
            if "d" in jwk:
                raise InvalidTrustedKeys("a published JWKS must not contain private keys")
            if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
                continue
            if jwk.get("use", "sig") != "sig" or jwk.get("alg", JWS_ALG) != JWS_ALG:
                continue
            raw = b64url_decode(jwk["x"])
            if len(raw) != 32:
                raise InvalidTrustedKeys("an Ed25519 key has 32 bytes")
            kid = jwk.get("kid") or ed25519_thumbprint(raw)
            if not isinstance(kid, str):
                raise InvalidTrustedKeys("a kid is text")
            keys[kid] = raw
        return keys
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        if isinstance(error, InvalidTrustedKeys):
            raise
        raise InvalidTrustedKeys(f"the JWKS document is malformed: {error}") from None


def _certificates_from_pem(pem: bytes) -> list[bytes]:
    try:
        return [
            binascii.a2b_base64(b"".join(m.split()), strict_mode=True)
            for m in _PEM_CERT.findall(pem)
        ]
    except (binascii.Error, TypeError) as error:
        raise InvalidTrustedKeys(f"the certificate PEM is malformed: {error}") from None


def _check_certificate(der: bytes) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = x509.load_der_x509_certificate(der).public_key()
    except ValueError as error:
        raise InvalidTrustedKeys(f"a certificate is malformed: {error}") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        raise InvalidTrustedKeys(f"XML signing certificates hold RSA keys of {MIN_RSA_BITS}+ bits")


def pem_certificate(der: bytes) -> bytes:
    """One DER certificate as PEM."""
    body = binascii.b2a_base64(der, newline=False)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"-----BEGIN CERTIFICATE-----\n" + b"\n".join(lines) + b"\n-----END CERTIFICATE-----\n"


def load_certificates(pem: bytes) -> tuple[bytes, ...]:
    """The certificates of a PEM bundle as DER, each parsed in full by ``cryptography.x509``.

    For what a workstation fetches and caches (``/.well-known/entitle-certificates.pem``,
    ``/.well-known/entitle-root.pem``): raises :class:`InvalidTrustedKeys` when the bundle
    holds no certificate or one that does not parse. Parsing grants no trust.
    """
    from cryptography import x509

    found = tuple(_certificates_from_pem(pem))
    if not found:
        raise InvalidTrustedKeys("the document holds no PEM certificate")
    for der in found:
        try:
            x509.load_der_x509_certificate(der)
        except ValueError as error:
            raise InvalidTrustedKeys(f"a certificate is malformed: {error}") from None
    return found
