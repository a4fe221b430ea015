"""``entitle-tool trust URL``: a user caches what a license server publishes; it adds no issuer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from entitle.licensefile import KeyRing, wellknown
from entitle.tool import (
    NotTrusted,
    TrustSourceError,
    check,
    configured_issuers,
    import_license_files,
    trust,
)
from entitle.tool.errors import ServerUnreachable
from entitle.tool.store import Store
from tests.claims import NOW
from tests.minted import any_application_until_2047, mint
from tests.unit.tool.conftest import FakeServer, MakeLicense


def test_trusting_a_server_caches_its_certificates_and_remembers_it_for_sync(
    trusted_home: Path, server: FakeServer, ring: KeyRing
) -> None:
    pinned = configured_issuers()
    result = trust([server.url + "/"], home=trusted_home, now=NOW)
    state = Store(trusted_home).read()
    assert set(state.certificates) == set(ring.certificates(NOW))
    assert result.certificates_added == len(ring.certificates(NOW))
    assert state.servers == (server.url,)
    assert result.servers == (server.url,)
    assert configured_issuers() == pinned


def test_the_url_of_a_document_the_server_publishes_names_the_server(
    trusted_home: Path, server: FakeServer
) -> None:
    result = trust([server.url + wellknown.JWKS_PATH], home=trusted_home, now=NOW)
    assert result.servers == (server.url,)
    assert server.requests[0] == wellknown.CERTIFICATES_PATH


def test_the_url_of_the_servers_root_names_the_server_and_caches_its_certificates(
    trusted_home: Path, server: FakeServer, ring: KeyRing
) -> None:
    result = trust([server.url + wellknown.ROOT_PATH], home=trusted_home, now=NOW)
    assert result.servers == (server.url,)
    assert result.certificates_added == len(ring.certificates(NOW))
    assert Store(trusted_home).read().servers == (server.url,)


def test_the_url_of_a_pem_document_elsewhere_caches_its_certificates_and_names_no_server(
    trusted_home: Path, server: FakeServer, ring: KeyRing
) -> None:
    server.documents["/downloads/certificates.pem"] = ring.certificates_pem()
    result = trust([server.url + "/downloads/certificates.pem"], home=trusted_home, now=NOW)
    assert server.requests == ["/downloads/certificates.pem"]
    assert result.certificates_added == len(ring.certificates(NOW))
    assert result.servers == ()


def test_the_url_of_a_jwks_elsewhere_is_refused_and_grants_nothing(
    trusted_home: Path, server: FakeServer, ring: KeyRing
) -> None:
    server.documents["/downloads/jwks.json"] = json.dumps(ring.jwks()).encode()
    with pytest.raises(TrustSourceError, match="keys are no longer trusted one by one"):
        trust([server.url + "/downloads/jwks.json"], home=trusted_home, now=NOW)
    assert not (trusted_home / "store.json").exists()


def test_trusting_again_adds_nothing(trusted_home: Path, server: FakeServer) -> None:
    trust([server.url], home=trusted_home, now=NOW)
    before = (trusted_home / "store.json").read_bytes()
    again = trust([server.url], home=trusted_home, now=NOW)
    assert again.certificates_added == 0
    assert (trusted_home / "store.json").read_bytes() == before


def test_a_pem_file_of_the_servers_certificates_is_cached(
    trusted_home: Path, published: tuple[Path, Path], ring: KeyRing
) -> None:
    result = trust([str(published[1])], home=trusted_home, now=NOW)
    assert result.certificates_added == len(ring.certificates(NOW))
    assert result.servers == ()


def test_a_jwks_file_the_user_made_is_refused_and_grants_nothing(
    trusted_home: Path, other_ring: KeyRing, make_license: MakeLicense, tmp_path: Path
) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(other_ring.jwks()))
    with pytest.raises(TrustSourceError) as refused:
        trust([str(jwks)], home=trusted_home, now=NOW)
    assert "keys are no longer trusted one by one" in refused.value.message
    assert "trust --system" in refused.value.message
    assert not (trusted_home / "store.json").exists()
    [outcome] = import_license_files([make_license(signer=other_ring)], home=trusted_home, now=NOW)
    assert outcome.refused
    assert "not issued by a license server this workstation trusts" in outcome.message


def test_certificates_of_a_root_the_user_made_are_not_cached(
    trusted_home: Path, tmp_path: Path
) -> None:
    minted = mint(any_application_until_2047())
    own = tmp_path / "my-root.pem"
    own.write_bytes(minted.certificates_pem())
    with pytest.raises(TrustSourceError) as refused:
        trust([str(own)], home=trusted_home, now=NOW)
    assert "none of its certificates was issued by an issuer this machine trusts" in (
        refused.value.message
    )
    assert not (trusted_home / "store.json").exists()


def test_a_server_of_another_issuer_is_refused_and_not_remembered(
    trusted_home: Path, other_ring: KeyRing, server: FakeServer
) -> None:
    server.ring = other_ring
    with pytest.raises(TrustSourceError, match="issued by an issuer this machine trusts"):
        trust([server.url], home=trusted_home, now=NOW)
    assert not (trusted_home / "store.json").exists()


def test_on_a_machine_that_pins_no_issuer_trust_says_nothing_is_trusted(
    home: Path, server: FakeServer, make_license: MakeLicense
) -> None:
    with pytest.raises(NotTrusted) as refused:
        trust([server.url], home=home, now=NOW)
    assert "trust --system" in refused.value.message
    assert server.requests == []
    assert check("Designer", "2.1", home=home, now=NOW).reason == "NOT_TRUSTED"


def test_a_file_that_is_not_pem_is_refused_in_one_line(trusted_home: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("not certificates")
    with pytest.raises(TrustSourceError) as refused:
        trust([str(junk)], home=trusted_home)
    assert str(junk) in refused.value.message
    assert "\n" not in refused.value.message
    assert not (trusted_home / "store.json").exists()


def test_a_missing_file_is_refused(trusted_home: Path, tmp_path: Path) -> None:
    with pytest.raises(TrustSourceError, match="cannot read"):
        trust([str(tmp_path / "absent.pem")], home=trusted_home)


def test_an_unreachable_server_is_reported_in_one_line(
    trusted_home: Path, offline_url: str
) -> None:
    with pytest.raises(ServerUnreachable) as refused:
        trust([offline_url], home=trusted_home)
    expected = f"Cannot reach {offline_url}{wellknown.CERTIFICATES_PATH}"
    assert refused.value.message.startswith(expected)
    assert "\n" not in refused.value.message


def test_a_url_that_publishes_no_certificates_is_refused(
    trusted_home: Path, server: FakeServer
) -> None:
    with pytest.raises(TrustSourceError, match="HTTP 404"):
        trust([server.url + "/elsewhere"], home=trusted_home)
