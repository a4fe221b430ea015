"""Verify a license file of either format: signature, issuer, validity window, machine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from entitle.licensefile.claims import LicenseClaims
from entitle.licensefile.errors import LicenseExpired, NotYetValid, WrongMachine
from entitle.licensefile.issuers import TrustedIssuers, check_within
from entitle.licensefile.jws import verify_jws
from entitle.licensefile.timestamps import CLOCK_SKEW, datetime
from entitle.machine_names import is_licensed_machine

if TYPE_CHECKING:
    from entitle.licensefile.trust import TrustedKeys

__all__ = ["CLOCK_SKEW", "is_xml", "license_digest", "verify"]

_BOM = b"\xef\xbb\xbf"


def verify(
    data: bytes,
    trusted: TrustedIssuers | TrustedKeys,
    *,
    now: datetime,
    machine_name: str | None,
    machine_fingerprint: str | None = None,
) -> LicenseClaims:
    """The claims of a license file, once everything about it checks out.

    ``data`` is the exact file content, ``.belic`` or ``.xml`` (told apart by content: XML
    starts with ``<``). ``trusted`` is what this workstation trusts: pinned issuer roots
    (:class:`TrustedIssuers`, whose chain policy :mod:`entitle.licensefile.issuers` states),
    or the older list of keys (:class:`TrustedKeys`). ``now`` must be timezone-aware; a
    license issued up to five minutes in the future is accepted to allow for clock skew.

    ``machine_name`` is this machine's name; the licensed name matches it by the rule of
    :mod:`entitle.machine_names` (ASCII, case-insensitive; look-alikes never match). A
    license that carries a machine fingerprint also needs ``machine_fingerprint`` to be that
    same text (compared in constant time); one without is bound by name alone. None for
    ``machine_name`` skips both machine checks.

    Raises a :class:`~entitle.licensefile.errors.LicenseFileError` subclass, in this order of
    checks: :class:`MalformedLicense`, :class:`UnknownKey` (``TrustedKeys``) or
    :class:`UntrustedIssuer` and :class:`LicenseRevoked` (``TrustedIssuers``),
    :class:`BadSignature`, :class:`NotYetValid`, :class:`LicenseExpired`,
    :class:`UntrustedIssuer` (the license's window is not inside its signing certificate's),
    :class:`WrongMachine`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if is_xml(data):
        from entitle.licensefile.xmlsig import verify_xml

        claims, certificate = verify_xml(data, trusted, now)
    else:
        claims, certificate = verify_jws(data, trusted, now)
    if claims.issued_at > now + CLOCK_SKEW:
        raise NotYetValid(claims.issued_at, now)
    if now >= claims.expires_at:
        raise LicenseExpired(claims.expires_at)
    if certificate is not None:
        check_within(certificate, claims.issued_at, claims.expires_at)
    if machine_name is not None:
        _check_machine(claims, machine_name, machine_fingerprint)
    return claims


def _check_machine(claims: LicenseClaims, name: str, fingerprint: str | None) -> None:
    if not is_licensed_machine(claims.machine_name, name):
        raise WrongMachine(claims.machine_name, name)
    if claims.machine_fingerprint is not None:
        import hmac

        given = (fingerprint or "").encode("utf-8")
        if not hmac.compare_digest(claims.machine_fingerprint.encode("utf-8"), given):
            raise WrongMachine(claims.machine_name, name, fingerprint_differs=True)


def is_xml(data: bytes) -> bool:
    """Whether ``data`` is an ``.xml`` license rather than a ``.belic`` one."""
    return data.removeprefix(_BOM).lstrip().startswith(b"<")


def license_digest(data: bytes) -> str:
    """The SHA-256 hex digest of the exact file bytes, as quoted in check-in receipts."""
    from entitle.licensefile.jwk import sha256

    return sha256(data).hex()
