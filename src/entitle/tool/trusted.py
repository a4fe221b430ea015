"""What this workstation trusts: the issuer roots a product or an administrator pinned.

Pins come from one of two places only: the product (``check(..., issuer="sha256:…")``,
``entitle-tool check --issuer``) or, where it names none, the machine-wide configuration
(:func:`entitle.tool.config.configured_issuers`, which only administrators can write). The
user's store gives what pins work with, never a pin: the certificates fetched from license
servers (read, not trusted: a file issued before issuer roots is verified through the cached
certificate of its key, which a pinned root must have issued) and the serial numbers of
signing certificates the issuer revoked.

On every product start: without ``hashlib``, and without reading the configuration when the
product pins its issuer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from entitle.licensefile import TrustedIssuers, parse_fingerprint
from entitle.tool.errors import NotTrusted

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from entitle.tool.store import StoreState

Pins = tuple[str, ...]


def product_pins(issuer: str | Sequence[str] | None) -> Pins | None:
    """The fingerprints a product pins (``sha256:…``, in lowercase); None when it pins none.

    Raises ValueError (:class:`~entitle.licensefile.InvalidTrustedKeys`) for one that is not
    ``sha256:`` and 64 hex digits, or an empty sequence.
    """
    if issuer is None:
        return None
    texts = (issuer,) if isinstance(issuer, str) else tuple(issuer)
    if not texts:
        raise ValueError("issuer names no fingerprint: give sha256: and 64 hex digits")
    return tuple(parse_fingerprint(text) for text in texts)


def workstation_issuers(
    pins: Pins | None, certificates: Iterable[bytes] = (), revoked_serials: Iterable[int] = ()
) -> TrustedIssuers:
    """The issuers to verify with: ``pins``, else the configured issuers, with what is cached.

    A configured issuer whose root certificate the configuration holds is pinned by that
    certificate (its fingerprint was checked when the file was read), so no start hashes it
    again. Raises :class:`~entitle.tool.errors.NotTrusted` when nothing is pinned, and
    :class:`~entitle.tool.errors.ConfigurationError` when the configuration is unusable.
    """
    if pins is not None:
        return TrustedIssuers(pins, certificates, revoked_serials=revoked_serials)
    from entitle.tool.config import configured_issuers

    configured = configured_issuers()
    if not configured:
        raise NotTrusted()
    roots = [der for der in (issuer.root_der for issuer in configured) if der is not None]
    fingerprints = [issuer.fingerprint for issuer in configured if issuer.root_certificate is None]
    return TrustedIssuers(fingerprints, certificates, roots=roots, revoked_serials=revoked_serials)


def store_issuers(state: StoreState, pins: Pins | None = None) -> TrustedIssuers:
    """:func:`workstation_issuers` with the certificates and revocations ``state`` caches."""
    return workstation_issuers(pins, state.certificates, state.revoked_serials)
