from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import ExtensionOID
from joserfc.jwk import OKPKey, RSAKey

from entitle.licensefile import (
    LICENSE_SIGNING,
    REVOCATION_SIGNING,
    SELECTSERVER,
    SES,
    CertificateDoesNotCover,
    KeyRing,
    KeysAlreadyExist,
    KeysNotFound,
    KeyStoreError,
    LicenseExpired,
    LicenseRevoked,
    RevocationList,
    RootKeyUnavailable,
    ServerKeys,
    TrustedIssuers,
    UntrustedIssuer,
    export_root_key,
    init_keys,
    keys_exist,
    load_keys,
    revoke_key,
    rotate_keys,
    verify,
)
from entitle.licensefile.keyfiles import load_ed25519, load_rsa
from entitle.licensefile.keys import (
    CLOCK_MARGIN,
    LONGEST_LICENSE,
    SIGNING_CERTIFICATE_LIFETIME,
)
from tests.claims import KEYS_MADE, NOW, make_claims
from tests.keys_before_roots import keys_before_the_root
from tests.unit.licensefile.conftest import Signers


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _certificate(ring: KeyRing, kind: str) -> x509.Certificate:
    record = next(r for r in ring.records if r.active and r.kind == kind)
    assert record.certificate is not None
    return x509.load_der_x509_certificate(record.certificate)


def test_init_keys_writes_private_files_only_the_owner_can_read(signers: Signers) -> None:
    keys_dir = signers.ring_dir
    assert _mode(keys_dir) == 0o700
    files = list(keys_dir.iterdir())
    names = {p.name for p in files}
    assert {"manifest.json", "root.key.pem"} <= names
    assert len(files) == 5  # manifest, the root key, three signing keys
    assert all(_mode(p) == 0o600 for p in files)


def test_init_keys_refuses_to_overwrite_keys(signers: Signers) -> None:
    before = {p.name: p.read_bytes() for p in signers.ring_dir.iterdir()}
    with pytest.raises(KeysAlreadyExist, match="entitle keys rotate"):
        init_keys(signers.ring_dir.parent)
    assert {p.name: p.read_bytes() for p in signers.ring_dir.iterdir()} == before


def test_kids_are_rfc7638_thumbprints(signers: Signers) -> None:
    ed_kid, rsa_kid = signers.ring.kids()
    assert OKPKey.import_key(load_ed25519(signers.ring_dir, ed_kid)).thumbprint() == ed_kid
    assert RSAKey.import_key(load_rsa(signers.ring_dir, rsa_kid)).thumbprint() == rsa_kid


def test_the_manifest_lists_each_key_its_kind_and_its_certificate(signers: Signers) -> None:
    manifest = json.loads((signers.ring_dir / "manifest.json").read_text())
    entries = {e["kid"]: e for e in manifest["keys"]}
    assert set(signers.ring.kids()) < set(entries)
    assert {e["kind"] for e in entries.values()} == {"ed25519", "rsa", "revocation"}
    assert all(e["active"] and e["retired_at"] is None for e in entries.values())
    assert all(e["certificate"] and e["created_at"].endswith("Z") for e in entries.values())


def test_the_root_is_a_self_signed_ed25519_ca_whose_fingerprint_is_the_sha256_of_its_der(
    ring: KeyRing,
) -> None:
    root = x509.load_der_x509_certificate(ring.root_certificate)
    assert isinstance(root.public_key(), ed25519.Ed25519PublicKey)
    root.verify_directly_issued_by(root)
    constraints = root.extensions.get_extension_for_class(x509.BasicConstraints)
    usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert constraints.critical
    assert constraints.value.ca
    assert usage.key_cert_sign
    assert usage.crl_sign
    assert not usage.digital_signature
    ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = root.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert ring.root_fingerprint == "sha256:" + root.fingerprint(hashes.SHA256()).hex()
    assert ring.root_pem().startswith(b"-----BEGIN CERTIFICATE-----")


@pytest.mark.parametrize(
    ("kind", "purpose", "key_type"),
    [
        ("ed25519", LICENSE_SIGNING, ed25519.Ed25519PublicKey),
        ("rsa", LICENSE_SIGNING, rsa.RSAPublicKey),
        ("revocation", REVOCATION_SIGNING, ed25519.Ed25519PublicKey),
    ],
)
def test_each_signing_key_is_certified_by_the_root_for_one_purpose_for_three_years(
    ring: KeyRing, kind: str, purpose: str, key_type: type
) -> None:
    root = x509.load_der_x509_certificate(ring.root_certificate)
    certificate = _certificate(ring, kind)
    certificate.verify_directly_issued_by(root)
    assert isinstance(certificate.public_key(), key_type)
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert not usage.key_cert_sign
    purposes = certificate.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    assert [p.dotted_string for p in purposes.value] == [purpose]  # type: ignore[attr-defined]
    assert certificate.not_valid_before_utc == KEYS_MADE - CLOCK_MARGIN
    assert certificate.not_valid_after_utc == KEYS_MADE + SIGNING_CERTIFICATE_LIFETIME


def test_load_keys_without_keys_says_how_to_create_them(tmp_path: Path) -> None:
    assert not keys_exist(tmp_path)
    with pytest.raises(KeysNotFound, match="init_keys"):
        load_keys(tmp_path)


def test_the_key_ring_is_loaded_once_and_reused(signers: Signers) -> None:
    directory = signers.ring_dir.parent
    assert keys_exist(directory)
    assert KeyRing.load(directory) is KeyRing.load(directory)


def test_the_jwks_holds_only_public_license_signing_keys(ring: KeyRing) -> None:
    jwks = ring.jwks()
    assert [k["kid"] for k in jwks["keys"]] == ring.kids()[:1]
    for key in jwks["keys"]:
        assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
        assert key["use"] == "sig"
        assert key["alg"] == "Ed25519"


def test_a_license_that_ends_after_the_signing_certificate_is_refused_at_signing(
    ring: KeyRing,
) -> None:
    ends = _certificate(ring, "ed25519").not_valid_after_utc
    for service in (SES, SELECTSERVER):
        with pytest.raises(CertificateDoesNotCover) as refused:
            ring.sign(make_claims(service, expires_at=ends + timedelta(seconds=1)))
        assert refused.value.code == "SIGNING_CERTIFICATE_ENDS"
        assert "entitle keys rotate" in str(refused.value)
        assert ring.sign(make_claims(service, expires_at=ends))


def test_status_asks_for_a_rotation_a_month_before_a_full_year_no_longer_fits(
    ring: KeyRing,
) -> None:
    ends = _certificate(ring, "ed25519").not_valid_after_utc
    full_year_until = ends - LONGEST_LICENSE
    assert ring.notices(full_year_until - timedelta(days=31)) == []
    soon = ring.notices(full_year_until - timedelta(days=29))
    assert len(soon) == 2  # the .belic key and the .xml key
    assert all("rotate the signing keys before" in n for n in soon)
    late = ring.notices(full_year_until + timedelta(days=1))
    assert all("rotate the signing keys now" in n for n in late)
    states = {(s.kind, s.state) for s in ring.status(NOW)}
    assert states == {("ed25519", "active"), ("rsa", "active"), ("revocation", "active")}


def _copy_keys(signers: Signers, tmp_path: Path) -> Path:
    """A deployment of its own with the session's keys (rotating must not touch those)."""
    import shutil

    shutil.copytree(signers.ring_dir, tmp_path / "keys")
    return tmp_path


def test_after_rotation_old_files_verify_until_they_expire_and_the_retired_key_signs_nothing(
    signers: Signers, tmp_path: Path
) -> None:
    directory = _copy_keys(signers, tmp_path)
    first = load_keys(directory)
    old_claims = make_claims(SES, expires_at=NOW + timedelta(days=30))
    old_files = [first.sign(old_claims), first.sign(make_claims(SELECTSERVER))]

    second = rotate_keys(directory, now=NOW)

    assert set(second.kids()).isdisjoint(first.kids())
    issuers = TrustedIssuers([second.root_fingerprint])
    for data in old_files:
        assert verify(data, issuers, now=NOW, machine_name="WS-1").machine_name == "WS-1"
    with pytest.raises(LicenseExpired):
        verify(old_files[0], issuers, now=old_claims.expires_at, machine_name=None)
    for kid, kind in zip(first.kids(), ("ed25519", "rsa"), strict=True):
        assert not (directory / "keys" / f"{kid}.{kind}.pem").exists()
    new_file = second.sign(make_claims(SES, issued_at=NOW))
    assert json.loads(_header(new_file))["kid"] == second.kids()[0]
    retired = [r for r in second.records if not r.active]
    assert {r.kind for r in retired} == {"ed25519", "rsa", "revocation"}
    assert all(r.signed_until == NOW + LONGEST_LICENSE for r in retired)
    assert second.root_certificate == first.root_certificate


def test_a_running_server_signs_with_the_new_keys_after_a_rotation_elsewhere(
    signers: Signers, tmp_path: Path
) -> None:
    directory = _copy_keys(signers, tmp_path)
    server = ServerKeys(directory)
    before = json.loads(_header(server.sign(make_claims(SES))))["kid"]

    rotated = rotate_keys(directory, now=NOW)  # as another process: `entitle keys rotate`

    after = json.loads(_header(server.sign(make_claims(SES, issued_at=NOW))))["kid"]
    assert before != after == rotated.kids()[0]


def test_rotation_needs_the_root_key_which_can_be_moved_off_the_server(
    signers: Signers, tmp_path: Path
) -> None:
    directory = _copy_keys(signers, tmp_path / "server")
    usb = tmp_path / "usb" / "root.key.pem"
    usb.parent.mkdir()

    export_root_key(directory, usb)

    assert _mode(usb) == 0o600
    assert not (directory / "keys" / "root.key.pem").exists()
    with pytest.raises(RootKeyUnavailable, match="--root-key PATH"):
        rotate_keys(directory)
    with pytest.raises(RootKeyUnavailable, match="exported already"):
        export_root_key(directory, tmp_path / "again.pem")
    assert load_keys(directory).sign(make_claims(SES))  # signing needs no root
    rotated = rotate_keys(directory, root_key=usb, now=NOW)
    assert set(rotated.kids()).isdisjoint(load_keys(signers.ring_dir.parent).kids())


def test_a_key_that_is_not_the_deployments_root_cannot_rotate(
    signers: Signers, other_signers: Signers, tmp_path: Path
) -> None:
    directory = _copy_keys(signers, tmp_path)
    with pytest.raises(RootKeyUnavailable, match="not the private key of this deployment"):
        rotate_keys(directory, root_key=other_signers.ring_dir / "root.key.pem")


def test_a_revoked_key_fails_wherever_the_revocation_list_has_reached(
    signers: Signers, tmp_path: Path
) -> None:
    directory = _copy_keys(signers, tmp_path)
    first = load_keys(directory)
    old_file = first.sign(make_claims(SES))
    with pytest.raises(KeyStoreError, match="rotate the keys first"):
        revoke_key(directory, first.kids()[0])
    rotate_keys(directory, now=NOW)

    revoked = revoke_key(directory, first.kids()[0], now=NOW)

    issuers = TrustedIssuers([revoked.root_fingerprint])
    assert verify(old_file, issuers, now=NOW, machine_name=None)  # not heard of it yet
    listed = revoked.sign_revocation_list("org-42", [], [], NOW)
    revocations = RevocationList.verify(listed.data, issuers, organisation_id="org-42")
    with pytest.raises(LicenseRevoked) as refused:
        verify(
            old_file, issuers.with_revoked(revocations.revoked_serials), now=NOW, machine_name=None
        )
    assert refused.value.code == "REVOKED"
    crl = x509.load_der_x509_crl(revoked.crl)
    assert crl.is_signature_valid(
        x509.load_der_x509_certificate(revoked.root_certificate).public_key()
    )  # type: ignore[arg-type]
    assert len(list(crl)) == 1
    published = {
        x509.load_der_x509_certificate(der).serial_number for der in revoked.certificates(NOW)
    }
    assert published.isdisjoint(revocations.revoked_serials)


def _header(data: bytes) -> bytes:
    import base64

    return base64.urlsafe_b64decode(data.split(b".")[0] + b"==")


def test_init_certifies_keys_made_before_the_root_so_their_files_keep_verifying(
    tmp_path: Path,
) -> None:
    old = keys_before_the_root(tmp_path)
    old_files = (old.belic, old.xml)
    with pytest.raises(KeyStoreError, match="entitle keys init"):
        load_keys(tmp_path)

    ring = init_keys(tmp_path, now=NOW)

    assert set(ring.kids()) == {json.loads(_header(old_files[0]))["kid"], ring.kids()[1]}
    pinned = TrustedIssuers([ring.root_fingerprint])
    cached = pinned.with_certificates(ring.certificates(NOW))
    for data in old_files:
        with pytest.raises(UntrustedIssuer):
            verify(data, pinned, now=NOW, machine_name=None)
        assert verify(data, cached, now=NOW, machine_name="WS-1").checkout_id == "chk-0001"
    new_file = ring.sign(make_claims(SES))
    assert verify(new_file, pinned, now=NOW, machine_name=None)
    assert verify(old_files[1], ring.trusted(NOW), now=NOW, machine_name=None)


def test_keys_made_before_the_root_are_refused_by_a_root_they_do_not_chain_to(
    tmp_path: Path, other_signers: Signers
) -> None:
    old = keys_before_the_root(tmp_path)
    old_files = (old.belic, old.xml)
    ring = init_keys(tmp_path, now=NOW)
    others = TrustedIssuers([other_signers.ring.root_fingerprint], ring.certificates(NOW))
    for data in old_files:
        with pytest.raises(UntrustedIssuer):
            verify(data, others, now=NOW, machine_name=None)


def test_a_server_keeps_signing_while_a_rotated_copy_of_the_keys_is_still_arriving(
    signers: Signers, tmp_path: Path
) -> None:
    import shutil

    primary = _copy_keys(signers, tmp_path / "primary")
    replica = _copy_keys(signers, tmp_path / "replica")
    server = ServerKeys(replica)
    before = json.loads(_header(server.sign(make_claims(SES))))["kid"]
    rotated = rotate_keys(primary, now=NOW)

    shutil.copy2(primary / "keys" / "manifest.json", replica / "keys" / "manifest.json")
    assert json.loads(_header(server.sign(make_claims(SES, issued_at=NOW))))["kid"] == before

    for kid in rotated.kids():
        for key in (primary / "keys").glob(f"{kid}.*.pem"):
            shutil.copy2(key, replica / "keys" / key.name)
    for key in (primary / "keys").glob("*.revocation.pem"):
        shutil.copy2(key, replica / "keys" / key.name)
    after = json.loads(_header(server.sign(make_claims(SES, issued_at=NOW))))["kid"]
    assert after == rotated.kids()[0]
