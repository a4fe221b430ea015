from __future__ import annotations

import json
from pathlib import Path

import pytest

from entitle.licensefile import KeyRing
from entitle.tool import TrustSourceError, trust
from entitle.tool.errors import ServerUnreachable
from entitle.tool.store import Store
from tests.unit.tool.conftest import FakeServer


def test_the_jwks_and_certificate_files_are_trusted(
    home: Path, published: tuple[Path, Path], ring: KeyRing
) -> None:
    jwks, pem = published
    result = trust([str(jwks), str(pem)], home=home)
    assert set(result.added_kids) == ring.trusted().kids
    assert result.added_certificates == 1
    assert Store(home).read().trusted_keys == ring.trusted()


def test_a_server_url_is_trusted_from_its_well_known_documents(
    home: Path, server: FakeServer, ring: KeyRing
) -> None:
    trust([server.url + "/"], home=home)
    assert Store(home).read().trusted_keys == ring.trusted()


def test_trusting_again_adds_nothing(home: Path, published: tuple[Path, Path]) -> None:
    trust([str(p) for p in published], home=home)
    before = (home / "store.json").read_bytes()
    again = trust([str(published[0])], home=home)
    assert again.added_kids == ()
    assert again.added_certificates == 0
    assert (home / "store.json").read_bytes() == before


def test_a_second_server_is_trusted_beside_the_first(
    home: Path, published: tuple[Path, Path], ring: KeyRing, other_ring: KeyRing, tmp_path: Path
) -> None:
    trust([str(p) for p in published], home=home)
    other = tmp_path / "other.json"
    other.write_text(json.dumps(other_ring.jwks()))
    trust([str(other)], home=home)
    trusted = Store(home).read().trusted_keys
    assert trusted is not None
    assert trusted.kids == ring.trusted().kids | other_ring.trusted().kids


def test_a_file_without_keys_is_refused_in_one_line(home: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("not keys")
    with pytest.raises(TrustSourceError) as refused:
        trust([str(junk)], home=home)
    assert str(junk) in refused.value.message
    assert "\n" not in refused.value.message
    assert not (home / "store.json").exists()


def test_an_empty_jwks_is_refused(home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "jwks.json"
    empty.write_text('{"keys": []}')
    with pytest.raises(TrustSourceError, match="no Ed25519 signing key"):
        trust([str(empty)], home=home)


def test_a_missing_file_is_refused(home: Path, tmp_path: Path) -> None:
    with pytest.raises(TrustSourceError, match="cannot read"):
        trust([str(tmp_path / "absent.json")], home=home)


def test_an_unreachable_server_is_reported_in_one_line(home: Path, offline_url: str) -> None:
    with pytest.raises(ServerUnreachable) as refused:
        trust([offline_url], home=home)
    assert refused.value.message.startswith(f"Cannot reach {offline_url}/.well-known/jwks.json")
    assert "\n" not in refused.value.message


def test_a_url_without_published_keys_is_refused(home: Path, server: FakeServer) -> None:
    with pytest.raises(TrustSourceError, match="HTTP 404"):
        trust([server.url + "/elsewhere"], home=home)
