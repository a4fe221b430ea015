"""Base64url and RFC 7638 JWK thumbprints, with the standard library only."""

from __future__ import annotations

import binascii

JWS_ALG = "Ed25519"
"""The one JWS algorithm of entitle's documents (RFC 9864)."""
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_TO_URL = bytes.maketrans(b"+/", b"-_")


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return binascii.b2a_base64(data, newline=False).translate(_TO_URL).rstrip(b"=").decode("ascii")


def b64url_decode(text: bytes | str) -> bytes:
    """Strict base64url: no padding, no other alphabet, only the canonical encoding.

    Refusing non-canonical trailing bits means one encoded text has one meaning, as
    joserfc's decoder also insists.
    """
    raw = text.encode("ascii") if isinstance(text, str) else text
    try:
        standard = raw.translate(_TO_STANDARD) + b"=" * (-len(raw) % 4)
        data = binascii.a2b_base64(standard, strict_mode=True)
    except binascii.Error as error:
        raise ValueError("not base64url") from error
    # Re-encoding must give the text back: this refuses the other alphabet, padding and
    # non-zero trailing bits in one comparison.
    if binascii.b2a_base64(data, newline=False).translate(_TO_URL).rstrip(b"=") != raw:
        raise ValueError("not canonical base64url")
    return data


def sha256(data: bytes) -> bytes:
    """The SHA-256 digest of ``data``, as cheaply as a cold process can have it.

    On the check path every million instructions counts: ``hashlib`` costs a cold process
    about 11 million (it sets up OpenSSL's digests), ``cryptography``'s first SHA-256 about
    4 million; CPython's own ``_sha256`` (``_sha2`` since 3.12) under half a million.
    """
    try:
        from _sha256 import sha256 as new  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # pragma: no cover - Python 3.12+, or an interpreter without it
        try:
            from _sha2 import sha256 as new  # type: ignore[import-not-found, no-redef, unused-ignore]
        except ImportError:
            from hashlib import sha256 as new  # type: ignore[assignment, unused-ignore]
    digest: bytes = new(data).digest()
    return digest


def _thumbprint(members: dict[str, str]) -> str:
    import json  # not at the top: importing json costs a product start 5 M instructions

    canonical = json.dumps(members, sort_keys=True, separators=(",", ":"))
    return b64url_encode(sha256(canonical.encode("utf-8")))


def ed25519_thumbprint(public_key: bytes) -> str:
    """The RFC 7638 thumbprint of an Ed25519 public key given as its 32 raw bytes."""
    return _thumbprint({"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(public_key)})


def rsa_jwk_members(n: int, e: int) -> dict[str, str]:
    """The required public members of an RSA JWK (RFC 7518 section 6.3.1)."""
    return {"e": _int_b64(e), "kty": "RSA", "n": _int_b64(n)}


def rsa_thumbprint(n: int, e: int) -> str:
    """The RFC 7638 thumbprint of an RSA public key."""
    return _thumbprint(rsa_jwk_members(n, e))


def _int_b64(number: int) -> str:
    return b64url_encode(number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big"))
