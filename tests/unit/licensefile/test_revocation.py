"""Revocation lists: signed by the revocation key the root certified, verified to a pinned root."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from entitle.licensefile import (
    SES,
    InvalidRevocationList,
    KeyRing,
    RevocationList,
    TrustedIssuers,
)
from entitle.licensefile.jwk import b64url_decode, b64url_encode
from entitle.licensefile.revocation import sign_revocation_list
from tests.claims import NOW, make_claims
from tests.unit.licensefile.conftest import Signers


def _list(ring: KeyRing, ids: list[str], organisation: str = "42") -> bytes:
    return ring.sign_revocation_list(organisation, ids, ["ab" * 32], NOW).data


def test_a_verified_list_gives_the_checkouts_the_keys_and_a_signed_time(
    ring: KeyRing, trusted: TrustedIssuers
) -> None:
    found = RevocationList.verify(_list(ring, ["chk-2", "chk-1"]), trusted, organisation_id="42")
    assert found.organisation_id == "42"
    assert found.checkout_ids == {"chk-1", "chk-2"}
    assert found.superseded_digests == {"ab" * 32}
    assert found.revoked_serials == frozenset()
    assert found.issued_at == NOW
    assert found.next_update == NOW + timedelta(days=1)


def test_a_list_of_another_organisation_is_refused(ring: KeyRing, trusted: TrustedIssuers) -> None:
    with pytest.raises(InvalidRevocationList, match="organisation 7, not 42") as refused:
        RevocationList.verify(_list(ring, [], "7"), trusted, organisation_id="42")
    assert refused.value.code == "BAD_REVOCATION_LIST"


def test_a_list_from_another_deployment_is_refused(
    other_signers: Signers, trusted: TrustedIssuers
) -> None:
    with pytest.raises(InvalidRevocationList, match="pinned issuer root"):
        RevocationList.verify(_list(other_signers.ring, []), trusted)


def test_a_list_signed_with_a_license_signing_key_is_refused(
    signers: Signers, trusted: TrustedIssuers
) -> None:
    forged = sign_revocation_list(signers.jws, signers.ring.crl, "42", [], [], NOW)
    with pytest.raises(InvalidRevocationList, match="not for revocation lists"):
        RevocationList.verify(forged, trusted)


def test_an_edited_list_is_refused(ring: KeyRing, trusted: TrustedIssuers) -> None:
    header, payload, signature = _list(ring, ["chk-1"]).strip().split(b".")
    content = json.loads(b64url_decode(payload))
    content["checked_in"] = []
    edited = b".".join([header, b64url_encode(json.dumps(content).encode()).encode(), signature])
    with pytest.raises(InvalidRevocationList, match="altered"):
        RevocationList.verify(edited, trusted)


def test_a_license_file_is_no_revocation_list(ring: KeyRing, trusted: TrustedIssuers) -> None:
    with pytest.raises(InvalidRevocationList):
        RevocationList.verify(ring.sign(make_claims(SES)), trusted)


def test_the_embedded_crl_must_be_the_roots(
    signers: Signers, other_signers: Signers, trusted: TrustedIssuers
) -> None:
    revocation_signer = _revocation_signer(signers)
    forged = sign_revocation_list(revocation_signer, other_signers.ring.crl, "42", [], [], NOW)
    with pytest.raises(InvalidRevocationList, match="key revocations"):
        RevocationList.verify(forged, trusted)


def _revocation_signer(signers: Signers):  # type: ignore[no-untyped-def]
    from entitle.licensefile.jws import JwsSigner
    from entitle.licensefile.keyfiles import load_ed25519

    record = next(r for r in signers.ring.records if r.kind == "revocation" and r.active)
    assert record.certificate
    key = load_ed25519(signers.ring_dir, record.kid, "revocation")
    return JwsSigner(key, record.kid, [record.certificate, signers.ring.root_certificate])


def test_equal_content_has_the_same_entity_tag_at_any_time(ring: KeyRing) -> None:
    first = ring.sign_revocation_list("42", ["a", "b"], [], NOW)
    later = ring.sign_revocation_list("42", ["b", "a"], [], NOW + timedelta(hours=3))
    changed = ring.sign_revocation_list("42", ["a"], [], NOW)
    assert first.etag == later.etag != changed.etag
    assert first.data != later.data


def test_the_list_is_a_jws_whose_chain_independent_tools_can_read(ring: KeyRing) -> None:
    header = json.loads(b64url_decode(_list(ring, []).split(b".")[0]))
    assert header["typ"] == "entitle-revocations+jws"
    assert header["alg"] == "Ed25519"
    assert base64.b64decode(header["x5c"][1]) == ring.root_certificate
