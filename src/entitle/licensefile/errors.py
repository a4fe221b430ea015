"""Why a license file or a key store was refused.

    LicenseFileError(ValueError)   a license file cannot be used; ``code`` is stable
    ├── MalformedLicense           not a license file at all, or damaged       MALFORMED
    ├── BadSignature               altered, or signed by another key            BAD_SIGNATURE
    ├── UnknownKey                 signed by a key this workstation doesn't trust  UNKNOWN_KEY
    ├── UntrustedIssuer            its certificate chain does not end at a pinned
    │                              issuer root, or does not allow what it signed  UNTRUSTED_ISSUER
    ├── LicenseRevoked             its signing key was revoked, or the checkout
    │                              was checked in                               REVOKED
    ├── NotYetValid                issued in the future (check the clock)      NOT_YET_VALID
    ├── LicenseExpired             past its expiry                              EXPIRED
    └── WrongMachine               made out to another machine                  WRONG_MACHINE

    KeyStoreError(Exception)       the signing keys or trusted keys cannot be used
    ├── KeysAlreadyExist           ``init_keys`` would overwrite keys
    ├── KeysNotFound               no keys where they were expected
    ├── RootKeyUnavailable         the issuer root's private key is needed but absent
    ├── CertificateDoesNotCover    the signing certificate cannot cover a license
    ├── InvalidTrustedKeys         a JWKS / PEM / trust store / fingerprint is malformed
    └── InvalidRevocationList      a revocation list is malformed, or not signed by
                                   a key a pinned issuer certified       BAD_REVOCATION_LIST

Every message is a sentence a workstation user can act on. The key store's own refusals
(``KeysAlreadyExist`` to ``InvalidRevocationList`` but ``InvalidTrustedKeys``) live in
:mod:`entitle.licensefile.keyerrors` and load on first use, since no product start needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from entitle.licensefile.timestamps import datetime

if TYPE_CHECKING:
    from entitle.licensefile.keyerrors import (
        CertificateDoesNotCover,
        InvalidRevocationList,
        KeysAlreadyExist,
        KeysNotFound,
        RootKeyUnavailable,
    )

_KEY_STORE = frozenset(
    {
        "CertificateDoesNotCover",
        "InvalidRevocationList",
        "KeysAlreadyExist",
        "KeysNotFound",
        "RootKeyUnavailable",
    }
)


def __getattr__(name: str) -> Any:
    if name not in _KEY_STORE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from entitle.licensefile import keyerrors

    value = getattr(keyerrors, name)
    globals()[name] = value
    return value


def utc_text(moment: datetime) -> str:
    """A moment as messages show it: ``2026-12-01 09:30 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class LicenseFileError(ValueError):
    """A license file was refused; ``code`` is stable, ``str(error)`` is for people."""

    code = "LICENSE_FILE"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedLicense(LicenseFileError):
    """The bytes are not a license file of either format, or are damaged."""

    code = "MALFORMED"

    def __init__(self, detail: str = "") -> None:
        message = "This file is not a valid license file."
        super().__init__(f"{message} ({detail})" if detail else message)
        self.detail = detail


class BadSignature(LicenseFileError):
    """The signature does not match the content: the file was altered or forged."""

    code = "BAD_SIGNATURE"

    def __init__(self) -> None:
        super().__init__(
            "This license file has been altered or was not signed by your license server."
        )


class UnknownKey(LicenseFileError):
    """The file names a signing key that is not among the trusted keys."""

    code = "UNKNOWN_KEY"

    def __init__(self, kid: str | None = None) -> None:
        which = f" ({kid})" if kid else ""
        super().__init__(
            f"This license was signed with a key{which} this workstation does not trust. "
            "Update the trusted keys from your license server."
        )
        self.kid = kid


class NotYetValid(LicenseFileError):
    """The license was issued after the workstation's current time (beyond the clock skew)."""

    code = "NOT_YET_VALID"

    def __init__(self, issued_at: datetime, now: datetime) -> None:
        super().__init__(
            f"This license is valid from {utc_text(issued_at)}, but this workstation's clock says "
            f"{utc_text(now)}. Check the clock."
        )
        self.issued_at = issued_at
        self.now = now


class LicenseExpired(LicenseFileError):
    """The license's expiry has passed."""

    code = "EXPIRED"

    def __init__(self, expires_at: datetime) -> None:
        super().__init__(f"This license expired on {utc_text(expires_at)}.")
        self.expires_at = expires_at


class WrongMachine(LicenseFileError):
    """The license is made out to another machine."""

    code = "WRONG_MACHINE"

    def __init__(self, licensed: str, actual: str, *, fingerprint_differs: bool = False) -> None:
        if fingerprint_differs:
            message = (
                f"This license is for machine {licensed} with another machine fingerprint: "
                "it runs only on the computer it was issued for."
            )
        else:
            message = f"This license is for machine {licensed}, not {actual}."
        super().__init__(message)
        self.licensed_machine = licensed
        self.actual_machine = actual
        self.fingerprint_differs = fingerprint_differs


class UntrustedIssuer(LicenseFileError):
    """No pinned issuer root vouches for the key that signed the file, or not for this use."""

    code = "UNTRUSTED_ISSUER"

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"This license was not issued by a license server this workstation trusts: {detail}."
        )
        self.detail = detail


class LicenseRevoked(LicenseFileError):
    """The license may no longer be used: its signing key was revoked or it was checked in."""

    code = "REVOKED"

    def __init__(self, reason: str) -> None:
        super().__init__(f"This license has been revoked: {reason}.")
        self.reason = reason


class KeyStoreError(Exception):
    """The signing keys or the trusted keys cannot be used."""


class InvalidTrustedKeys(KeyStoreError, ValueError):
    """A JWKS, certificate PEM, stored trust document or issuer fingerprint is malformed."""


__all__ = [
    "BadSignature",
    "CertificateDoesNotCover",
    "InvalidRevocationList",
    "InvalidTrustedKeys",
    "KeyStoreError",
    "KeysAlreadyExist",
    "KeysNotFound",
    "LicenseExpired",
    "LicenseFileError",
    "LicenseRevoked",
    "MalformedLicense",
    "NotYetValid",
    "RootKeyUnavailable",
    "UnknownKey",
    "UntrustedIssuer",
    "WrongMachine",
    "utc_text",
]
