"""What a workstation fetches to trust this server: root, certificates, CRL, revocation lists."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from entitle.licensefile import (
    KeyRing,
    LicenseExpired,
    RevocationList,
    ServerKeys,
    TrustedIssuers,
    fingerprint,
    init_keys,
    load_certificates,
    rotate_keys,
    verify,
)
from entitle.licensefile.jwk import b64url_decode
from entitle.licensefile.keys import SIGNING_CERTIFICATE_LIFETIME
from entitle.server import create_app
from entitle.service import tokens
from entitle.service.context import Services
from tests.claims import KEYS_MADE
from tests.integration.api.conftest import NEW_CHECKOUT, Api, assert_problem
from tests.integration.api.documented import documented
from tests.integration.fixtures import NOW, PASSWORD, Clock, build_world


def _pinned(api: Api) -> TrustedIssuers:
    """As an administrator pins it: the fingerprint `entitle keys fingerprint` prints."""
    ring = api.world.services.signer
    assert isinstance(ring, KeyRing)
    return TrustedIssuers([ring.root_fingerprint])


def test_the_root_certificate_is_published_and_its_fingerprint_is_the_pinned_one(
    api: Api,
) -> None:
    response = api.get("/.well-known/entitle-root.pem", who=None)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-pem-file")
    (root,) = load_certificates(response.content)
    assert {fingerprint(root)} == _pinned(api).fingerprints


def test_the_published_certificates_chain_every_file_to_the_root(api: Api) -> None:
    created = api.create()
    data = api.get(f"/api/v1/checkouts/{created['id']}/license-file").content
    response = api.get("/.well-known/entitle-certificates.pem", who=None)
    certificates = load_certificates(response.content)
    purposes = {
        x509.load_der_x509_certificate(der).subject.rfc4514_string() for der in certificates
    }
    assert len(certificates) == 4  # the root, the .belic, .xml and revocation-list keys
    assert any("issuer root" in p for p in purposes)
    claims = verify(data, _pinned(api), now=api.world.clock.now, machine_name="WS-0042")
    assert claims.checkout_id == created["id"]


def test_the_crl_is_signed_by_the_root(api: Api) -> None:
    response = api.get("/.well-known/entitle-root.crl", who=None)
    assert response.headers["content-type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    root = x509.load_pem_x509_certificate(api.get("/.well-known/entitle-root.pem").content)
    assert crl.is_signature_valid(root.public_key())  # type: ignore[arg-type]
    assert crl.issuer == root.subject


def test_a_checked_in_checkout_is_on_its_organisations_revocation_list(api: Api) -> None:
    created = api.create()
    other = api.create()
    organisation = _organisation_id(api, created["id"])
    path = f"/.well-known/entitle-revocations/{organisation}"
    before = api.get(path, who=None)
    assert before.status_code == 200
    assert before.headers["content-type"] == "application/jose"
    listed = RevocationList.verify(before.content, _pinned(api), organisation_id=organisation)
    assert listed.checkout_ids == set()
    assert listed.issued_at == api.world.clock.now.replace(microsecond=0)

    assert api.post(f"/api/v1/checkouts/{created['id']}/check-in").status_code == 200

    after = api.get(path, who=None)
    listed = RevocationList.verify(after.content, _pinned(api), organisation_id=organisation)
    assert listed.checkout_ids == {created["id"]}
    assert other["id"] not in listed.checkout_ids
    assert after.headers["etag"] != before.headers["etag"]


def test_an_unchanged_revocation_list_answers_304_to_its_entity_tag(api: Api) -> None:
    organisation = _organisation_id(api, api.create()["id"])
    path = f"/.well-known/entitle-revocations/{organisation}"
    first = api.get(path, who=None)
    api.world.clock.advance(hours=2)
    again = api.client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    stale = api.client.get(path, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


@pytest.mark.parametrize("organisation", ["999999", "abc", "0", "-1", "1e3", "٣"])
def test_an_unknown_organisation_has_no_revocation_list(api: Api, organisation: str) -> None:
    response = api.get(f"/.well-known/entitle-revocations/{organisation}", who=None)
    body = assert_problem(response, 404)
    assert body["code"] == "ORGANISATION_NOT_FOUND"


def test_the_checkout_page_shows_the_issuer_fingerprint(api: Api) -> None:
    login = api.client.post("/login", data={"email": api.world.admin, "password": PASSWORD})
    assert login.status_code in (200, 303)
    page = api.client.get("/checkouts")
    assert page.status_code == 200
    (pinned,) = _pinned(api).fingerprints
    assert f'<code id="issuer-fingerprint">{pinned}</code>' in page.text


def _organisation_id(api: Api, checkout_id: str) -> str:
    data = api.get(f"/api/v1/checkouts/{checkout_id}/license-file").content
    return verify(data, _pinned(api), now=api.world.clock.now, machine_name=None).organisation_id


# A deployment of its own: rotating must not touch the session's keys.


def _deployment(engine: Engine, clock: Clock, directory: Path) -> Iterator[Api]:
    services = Services(engine=engine, signer=ServerKeys(directory), issuer="test", clock=clock)
    world = build_world(services, clock)
    token = tokens.create_token(services, world.admin).token
    with documented(TestClient(create_app(services))) as client:
        yield Api(client, world, {"admin": token})


@pytest.fixture
def deployment(engine: Engine, clock: Clock, tmp_path: Path) -> Iterator[tuple[Api, Path]]:
    init_keys(tmp_path, now=KEYS_MADE)
    for api in _deployment(engine, clock, tmp_path):
        yield api, tmp_path


def test_after_a_rotation_old_files_verify_new_ones_use_new_keys_and_lists_still_verify(
    deployment: tuple[Api, Path],
) -> None:
    api, directory = deployment
    old = api.create()
    old_file = api.get(f"/api/v1/checkouts/{old['id']}/license-file").content
    pinned = TrustedIssuers([ServerKeys(directory).root_fingerprint])
    now = api.world.clock.now

    rotated = rotate_keys(directory, now=now)  # `entitle keys rotate`, beside the server
    api.world.clock.advance(minutes=1)

    new = api.create(machine="WS-0043")
    new_file = api.get(f"/api/v1/checkouts/{new['id']}/license-file").content
    assert verify(old_file, pinned, now=now, machine_name="WS-0042").checkout_id == old["id"]
    assert verify(new_file, pinned, now=now + timedelta(minutes=1), machine_name="WS-0043")
    assert _header(new_file)["kid"] == rotated.kids()[0] != _header(old_file)["kid"]
    retired = {r.kid for r in rotated.records if not r.active}
    assert _header(old_file)["kid"] in retired
    assert all(not (directory / "keys" / f"{kid}.ed25519.pem").exists() for kid in retired)
    expires = verify(old_file, pinned, now=now, machine_name=None).expires_at
    with pytest.raises(LicenseExpired):
        verify(old_file, pinned, now=expires, machine_name=None)

    assert api.post(f"/api/v1/checkouts/{old['id']}/check-in").status_code == 200
    organisation = verify(old_file, pinned, now=now, machine_name=None).organisation_id
    response = api.get(f"/.well-known/entitle-revocations/{organisation}", who=None)
    listed = RevocationList.verify(response.content, pinned, organisation_id=organisation)
    assert listed.checkout_ids == {old["id"]}
    assert _header(response.content)["kid"] in rotated.kids() + [
        r.kid for r in rotated.records if r.kind == "revocation" and r.active
    ]


def test_a_checkout_beyond_the_signing_certificate_is_refused_until_keys_are_rotated(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    init_keys(tmp_path, now=clock.now - SIGNING_CERTIFICATE_LIFETIME + timedelta(days=100))
    for api in _deployment(engine, clock, tmp_path):
        response = api.post("/api/v1/checkouts", json=_request(days=200))
        body = assert_problem(response, 409, field="expires_on")
        assert body["code"] == "SIGNING_CERTIFICATE_ENDS"
        assert "entitle keys rotate" in body["detail"]
        assert api.post("/api/v1/checkouts", json=_request(days=50)).status_code == 201
        rotate_keys(tmp_path, now=clock.now)
        clock.advance(minutes=1)
        assert api.post("/api/v1/checkouts", json=_request(days=200)).status_code == 201


def _request(days: int) -> dict[str, object]:
    return {**NEW_CHECKOUT, "expires_on": (NOW.date() + timedelta(days=days)).isoformat()}


def _header(data: bytes) -> dict[str, object]:
    header: dict[str, object] = json.loads(b64url_decode(data.split(b".")[0]))
    return header
