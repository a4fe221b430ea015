"""The key store's refusals: creating, rotating and loading keys, and revocation lists.

Part of the hierarchy drawn in :mod:`entitle.licensefile.errors` (which re-exports them); a
module of their own so that no product start pays for defining them.
"""

from __future__ import annotations

from entitle.licensefile.errors import KeyStoreError, utc_text
from entitle.licensefile.timestamps import datetime


class KeysAlreadyExist(KeyStoreError, FileExistsError):
    """``init_keys`` refuses to overwrite existing keys."""


class KeysNotFound(KeyStoreError, FileNotFoundError):
    """There are no signing keys in the directory."""


class RootKeyUnavailable(KeyStoreError):
    """An operation needs the issuer root's private key, which is kept elsewhere."""


class CertificateDoesNotCover(KeyStoreError):
    """The active signing certificate's validity does not cover the license to be signed."""

    code = "SIGNING_CERTIFICATE_ENDS"

    def __init__(self, kid: str, not_before: datetime, not_after: datetime) -> None:
        super().__init__(
            f"The license signing certificate of key {kid} is valid from {utc_text(not_before)} "
            f"until {utc_text(not_after)}, so it cannot sign this license; the operator must "
            "rotate the signing keys (entitle keys rotate)."
        )
        self.kid = kid
        self.not_before = not_before
        self.not_after = not_after


class InvalidRevocationList(KeyStoreError, ValueError):
    """A revocation list is malformed or not signed by a key a pinned issuer certified."""

    code = "BAD_REVOCATION_LIST"

    def __init__(self, detail: str) -> None:
        super().__init__(f"The revocation list cannot be used: {detail}.")
        self.detail = detail
