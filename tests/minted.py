"""License files a workstation user mints with keys and roots of their own making.

Everything an attacker needs is in the package they have installed (``entitle.licensefile``
and ``cryptography``): a root named exactly as the genuine one, a signing certificate for
license signing that runs until 2047, or a signing certificate that is its own issuer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from entitle.licensefile import LICENSE_SIGNING, LicenseClaims, fingerprint
from entitle.licensefile.certify import certify, make_root
from entitle.licensefile.jwk import ed25519_thumbprint
from entitle.licensefile.jws import JwsSigner
from entitle.licensefile.trust import pem_certificate
from tests.claims import NOW

UNTIL_2047 = datetime(2047, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class Minted:
    """A license file of the user's own and the certificates it carries (DER)."""

    data: bytes
    root: bytes
    certificate: bytes

    @property
    def root_fingerprint(self) -> str:
        return fingerprint(self.root)

    def certificates_pem(self) -> bytes:
        return pem_certificate(self.root) + pem_certificate(self.certificate)


def mint(claims: LicenseClaims, *, self_signed: bool = False) -> Minted:
    """Sign ``claims`` with a key of the user's own, certified by their own root named as the
    genuine one (``self_signed``: by the signing key itself), valid until 2047."""
    root_key = Ed25519PrivateKey.generate()
    root = make_root(root_key, "entitle", NOW - timedelta(days=2))
    key = Ed25519PrivateKey.generate() if not self_signed else root_key
    certificate = certify(
        root_key,
        root,
        key.public_key(),
        purpose=LICENSE_SIGNING,
        label="entitle issuer root" if self_signed else "entitle license signing",
        not_before=NOW - timedelta(days=2),
        not_after=UNTIL_2047,
    )
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    leaf = certificate.public_bytes(serialization.Encoding.DER)
    root_der = root.public_bytes(serialization.Encoding.DER)
    chain = [leaf] if self_signed else [leaf, root_der]
    data = JwsSigner(key, ed25519_thumbprint(raw), chain).sign(claims)
    return Minted(data, root_der if not self_signed else leaf, leaf)


def any_application_until_2047(**changes: object) -> LicenseClaims:
    """Claims for every application a user might want, from now until 2047."""
    from entitle.licensefile import LicensedApplication
    from tests.claims import make_claims

    values: dict[str, object] = {
        "checkout_id": "minted-0001",
        "issued_at": NOW - timedelta(hours=1),
        "expires_at": UNTIL_2047,
        "applications": tuple(
            LicensedApplication(name, version)
            for name in ("Designer", "Viewer", "Modeler")
            for version in ("2.1", "10.0.3", "1.0")
        ),
    }
    values.update(changes)
    return make_claims(**values)  # type: ignore[arg-type]
