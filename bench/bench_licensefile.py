"""License files: verification and signing rates beside the raw cryptographic operations.

A ``.belic`` file verified against a pinned issuer root needs two Ed25519 verifications: the
root's signature on the signing certificate the file carries (``x5c``) and the signing key's
on the file. The baseline does exactly those two on the same bytes, so the ratio shows what
parsing, the chain policy and the claims cost on top of the floor.
"""

from __future__ import annotations

import base64
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from lxml import etree

from bench.harness import Context, Figure, paired_rates
from entitle.licensefile import (
    SELECTSERVER,
    SES,
    LicenseClaims,
    LicensedApplication,
    TrustedIssuers,
    init_keys,
    verify,
)
from entitle.licensefile.der import parse_certificate
from entitle.licensefile.keyfiles import load_ed25519, load_rsa

DS = "{http://www.w3.org/2000/09/xmldsig#}"


def _claims(service: str, now: datetime) -> LicenseClaims:
    return LicenseClaims(
        checkout_id="chk-bench",
        issuer="https://licenses.example.com",
        organisation_id="org-1",
        organisation_name="Bench Ltd",
        user_email="bench@example.com",
        machine_name="WS-1",
        country="DE",
        license_service=service,
        activation_key="AK-1" if service == SELECTSERVER else None,
        issued_at=now,
        expires_at=now + timedelta(days=365),
        applications=(LicensedApplication("Designer", "2.1"),),
    )


def run(ctx: Context) -> None:
    seconds = 0.05 if ctx.tiny else (0.5 if ctx.quick else 2.0)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as directory:
        ring = init_keys(Path(directory), now=now - timedelta(days=1))
        ed_kid, rsa_kid = ring.kids()
        keys_dir = Path(directory) / "keys"
        ed_key = load_ed25519(keys_dir, ed_kid)
        rsa_key = load_rsa(keys_dir, rsa_kid)
    pinned = TrustedIssuers([ring.root_fingerprint])
    trusted = ring.trusted()
    ses, select = _claims(SES, now), _claims(SELECTSERVER, now)
    belic, xml = ring.sign(ses), ring.sign(select)

    signing_input, _, signature_b64 = belic.strip().rpartition(b".")
    signature = base64.urlsafe_b64decode(signature_b64 + b"==")
    ed_public = ed_key.public_key()
    leaf = parse_certificate(next(r.certificate for r in ring.records if r.kid == ed_kid))  # type: ignore[arg-type]
    root_public = Ed25519PublicKey.from_public_bytes(
        parse_certificate(ring.root_certificate).public_key
    )

    def two_verifies() -> None:
        root_public.verify(leaf.signature, leaf.tbs)
        ed_public.verify(signature, signing_input)

    ours, raw = paired_rates(
        lambda: verify(belic, pinned, now=now, machine_name="WS-1"), two_verifies, seconds
    )
    ctx.add(
        Figure(
            ".belic verify, chain to a pinned root",
            ours,
            "2 Ed25519 verifies (certificate, file)",
            raw,
            "files/s",
            goal=">= 0.75",
            met=ours / raw >= 0.75,
            notes="the chain is read by entitle's DER reader, not cryptography.x509",
        )
    )
    legacy, raw_one = paired_rates(
        lambda: verify(belic, trusted, now=now, machine_name="WS-1"),
        lambda: ed_public.verify(signature, signing_input),
        seconds,
    )
    ctx.add(
        Figure(
            ".belic verify, trusted keys (no chain)",
            legacy,
            "Ed25519 verify (cryptography)",
            raw_one,
            "files/s",
            notes="how workstations trusted keys before issuer roots",
        )
    )

    signed_info = etree.fromstring(xml).find(f"{DS}Signature/{DS}SignedInfo")
    c14n = etree.tostring(signed_info, method="c14n", exclusive=True)
    rsa_signature = base64.b64decode(etree.fromstring(xml).findtext(f".//{DS}SignatureValue"))
    rsa_public = rsa_key.public_key()
    rsa_public.verify(rsa_signature, c14n, padding.PKCS1v15(), hashes.SHA256())
    xml_rate, rsa_rate = paired_rates(
        lambda: verify(xml, pinned, now=now, machine_name="WS-1"),
        lambda: rsa_public.verify(rsa_signature, c14n, padding.PKCS1v15(), hashes.SHA256()),
        seconds,
    )
    ctx.add(
        Figure(
            ".xml verify",
            xml_rate,
            "RSA-SHA256 verify of SignedInfo",
            rsa_rate,
            "files/s",
            notes="signxml parses, canonicalizes and digests the document; chain to a pinned root",
        )
    )

    payload = signing_input
    ed_sign, raw_ed_sign = paired_rates(
        lambda: ring.sign(ses), lambda: ed_key.sign(payload), seconds
    )
    ctx.add(Figure(".belic sign", ed_sign, "Ed25519 sign (cryptography)", raw_ed_sign, "files/s"))
    xml_sign, raw_rsa_sign = paired_rates(
        lambda: ring.sign(select),
        lambda: rsa_key.sign(c14n, padding.PKCS1v15(), hashes.SHA256()),
        seconds,
    )
    ctx.add(
        Figure(
            ".xml sign", xml_sign, "RSA-3072 SHA256 sign (cryptography)", raw_rsa_sign, "files/s"
        )
    )
