from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from joserfc.jwk import OKPKey, RSAKey

from entitle.licensefile import (
    SELECTSERVER,
    SES,
    KeyRing,
    KeysAlreadyExist,
    KeysNotFound,
    TrustedKeys,
    UnknownKey,
    init_keys,
    keys_exist,
    load_keys,
    rotate_keys,
    verify,
)
from entitle.licensefile.keyfiles import load_ed25519, load_rsa
from entitle.licensefile.keys import RETIRED_KEY_TRUST
from tests.claims import NOW, make_claims
from tests.unit.licensefile.conftest import Signers


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_keys_writes_private_files_only_the_owner_can_read(signers: Signers) -> None:
    keys_dir = signers.ring_dir
    assert _mode(keys_dir) == 0o700
    files = list(keys_dir.iterdir())
    assert {p.name for p in files} >= {"manifest.json"}
    assert len(files) == 4  # manifest, two private keys, one certificate
    assert all(_mode(p) == 0o600 for p in files)


def test_init_keys_refuses_to_overwrite_keys(signers: Signers) -> None:
    before = {p.name: p.read_bytes() for p in signers.ring_dir.iterdir()}
    with pytest.raises(KeysAlreadyExist, match="rotate_keys"):
        init_keys(signers.ring_dir.parent)
    assert {p.name: p.read_bytes() for p in signers.ring_dir.iterdir()} == before


def test_kids_are_rfc7638_thumbprints(signers: Signers) -> None:
    ed_kid, rsa_kid = signers.ring.kids()
    ed_key = load_ed25519(signers.ring_dir, ed_kid)
    rsa_key, _ = load_rsa(signers.ring_dir, rsa_kid)
    assert OKPKey.import_key(ed_key).thumbprint() == ed_kid
    assert RSAKey.import_key(rsa_key).thumbprint() == rsa_kid


def test_the_manifest_lists_each_key_its_kind_and_whether_it_is_active(signers: Signers) -> None:
    manifest = json.loads((signers.ring_dir / "manifest.json").read_text())
    entries = {e["kid"]: e for e in manifest["keys"]}
    assert set(entries) == set(signers.ring.kids())
    assert {e["kind"] for e in entries.values()} == {"ed25519", "rsa"}
    assert all(e["active"] and e["retired_at"] is None for e in entries.values())
    assert all(e["created_at"].endswith("Z") for e in entries.values())


def test_load_keys_without_keys_says_how_to_create_them(tmp_path: Path) -> None:
    assert not keys_exist(tmp_path)
    with pytest.raises(KeysNotFound, match="init_keys"):
        load_keys(tmp_path)


def test_the_key_ring_is_loaded_once_and_reused(signers: Signers) -> None:
    directory = signers.ring_dir.parent
    assert keys_exist(directory)
    assert KeyRing.load(directory) is KeyRing.load(directory)


def test_the_jwks_holds_only_public_signing_keys(ring: KeyRing) -> None:
    jwks = ring.jwks()
    assert [k["kid"] for k in jwks["keys"]] == ring.kids()[:1]
    for key in jwks["keys"]:
        assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"}
        assert key["use"] == "sig"
        assert key["alg"] == "Ed25519"


def test_rotation_keeps_old_files_valid_and_signs_new_ones_with_new_keys(tmp_path: Path) -> None:
    first = init_keys(tmp_path)
    old_belic = first.sign(make_claims(SES))
    old_xml = first.sign(make_claims(SELECTSERVER))

    second = rotate_keys(tmp_path)

    assert set(second.kids()).isdisjoint(first.kids())
    trusted = TrustedKeys.from_documents(second.jwks(), second.xml_certificates_pem())
    for data in (old_belic, old_xml, second.sign(make_claims(SES))):
        assert verify(data, trusted, now=NOW, machine_name="WS-1").machine_name == "WS-1"
    new_belic = second.sign(make_claims(SES))
    assert new_belic.split(b".")[0] != old_belic.split(b".")[0]
    assert {k["kid"] for k in second.jwks()["keys"]} == {first.kids()[0], second.kids()[0]}
    assert second.xml_certificates_pem().count(b"BEGIN CERTIFICATE") == 2
    assert not (tmp_path / "keys" / f"{first.kids()[0]}.ed25519.pem").exists()
    assert not (tmp_path / "keys" / f"{first.kids()[1]}.rsa.pem").exists()


def test_a_retired_key_is_trusted_until_its_licenses_have_expired(tmp_path: Path) -> None:
    first = init_keys(tmp_path)
    old_belic = first.sign(make_claims(SES))
    second = rotate_keys(tmp_path)
    retired = [r for r in second.records if not r.active]
    assert len(retired) == 2
    assert all(r.retired_at and r.signed_until == r.retired_at + RETIRED_KEY_TRUST for r in retired)
    later = retired[0].signed_until + timedelta(seconds=1)  # type: ignore[operator]
    trusted_later = second.trusted(now=later)
    assert trusted_later.kids == {second.kids()[0]}
    with pytest.raises(UnknownKey):
        verify(old_belic, trusted_later, now=NOW, machine_name=None)
