"""Verify a license file of either format: signature, trusted key, validity window, machine."""

from __future__ import annotations

from entitle.licensefile.claims import LicenseClaims
from entitle.licensefile.errors import LicenseExpired, NotYetValid, WrongMachine
from entitle.licensefile.jws import verify_jws
from entitle.licensefile.timestamps import datetime, timedelta
from entitle.licensefile.trust import TrustedKeys

CLOCK_SKEW = timedelta(minutes=5)
_BOM = b"\xef\xbb\xbf"


def verify(
    data: bytes, trusted: TrustedKeys, *, now: datetime, machine_name: str | None
) -> LicenseClaims:
    """The claims of a license file, once everything about it checks out.

    ``data`` is the exact file content, ``.belic`` or ``.xml`` (told apart by content: XML
    starts with ``<``). ``now`` must be timezone-aware; a license issued up to five minutes
    in the future is accepted to allow for clock skew. ``machine_name`` is compared without
    regard to case; None skips the check.

    Raises a :class:`~entitle.licensefile.errors.LicenseFileError` subclass, in this order of
    checks: :class:`MalformedLicense`, :class:`UnknownKey`, :class:`BadSignature`,
    :class:`NotYetValid`, :class:`LicenseExpired`, :class:`WrongMachine`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if is_xml(data):
        from entitle.licensefile.xmlsig import verify_xml

        claims = verify_xml(data, trusted)
    else:
        claims = verify_jws(data, trusted)
    if claims.issued_at > now + CLOCK_SKEW:
        raise NotYetValid(claims.issued_at, now)
    if now >= claims.expires_at:
        raise LicenseExpired(claims.expires_at)
    if machine_name is not None and claims.machine_name.casefold() != machine_name.casefold():
        raise WrongMachine(claims.machine_name, machine_name)
    return claims


def is_xml(data: bytes) -> bool:
    """Whether ``data`` is an ``.xml`` license rather than a ``.belic`` one."""
    return data.removeprefix(_BOM).lstrip().startswith(b"<")


def license_digest(data: bytes) -> str:
    """The SHA-256 hex digest of the exact file bytes, as quoted in check-in receipts."""
    import hashlib

    return hashlib.sha256(data).hexdigest()
