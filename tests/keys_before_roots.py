"""A license server's keys as entitle made them before issuer roots, and files they signed.

Format 1 of the key manifest: an Ed25519 key and an RSA key with a self-signed certificate,
trusted by workstations one by one (``TrustedKeys``). ``entitle keys init`` certifies them by
a new root; workstations that cache the root-issued certificates keep verifying their files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from entitle.licensefile import SELECTSERVER, SES, TrustedKeys, keyfiles
from entitle.licensefile.jws import JwsSigner
from entitle.licensefile.xmlsig import XmlSigner
from tests.claims import KEYS_MADE, make_claims


@dataclass(frozen=True)
class OldFiles:
    """A ``.belic`` and an ``.xml`` file the old keys signed, and the keys as trusted then."""

    belic: bytes
    xml: bytes
    trusted: TrustedKeys


def keys_before_the_root(directory: Path, **changes: Any) -> OldFiles:
    """A format 1 key directory in ``directory / "keys"``, and files its keys signed for
    :func:`tests.claims.make_claims` with ``changes``."""
    keys_dir = directory / "keys"
    keyfiles.make_private_dir(keys_dir)
    ed_kid, ed_key = keyfiles.create_ed25519(keys_dir, "ed25519")
    rsa_kid, rsa_key = keyfiles.create_rsa(keys_dir)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "entitle license signing")])
    self_signed = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(rsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(KEYS_MADE - timedelta(days=1))
        .not_valid_after(KEYS_MADE + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(rsa_key, hashes.SHA256())
    )
    raw = ed_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    rsa_der = self_signed.public_bytes(serialization.Encoding.DER)
    entries = [(ed_kid, "ed25519", raw), (rsa_kid, "rsa", rsa_der)]
    manifest = {
        "format": "entitle-keys/1",
        "keys": [
            {
                "kid": kid,
                "kind": kind,
                "active": True,
                "created_at": KEYS_MADE.isoformat(),
                "retired_at": None,
                "signed_until": None,
                "public": keyfiles.b64(public),
            }
            for kid, kind, public in entries
        ],
    }
    keyfiles.write_private_file(keys_dir / "manifest.json", json.dumps(manifest).encode())
    belic = JwsSigner(ed_key, ed_kid).sign(make_claims(SES, **changes))
    xml = XmlSigner(rsa_key, [self_signed]).sign(make_claims(SELECTSERVER, **changes))
    return OldFiles(belic, xml, TrustedKeys({ed_kid: raw}, [rsa_der]))
