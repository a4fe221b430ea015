from __future__ import annotations

import base64
import json
import re

import pytest
from lxml import etree

from entitle.licensefile import SELECTSERVER, SES, TrustedIssuers, license_digest, verify
from entitle.licensefile.jwk import b64url_decode
from tests.claims import NOW, make_claims
from tests.unit.licensefile.conftest import Signers

DS = "{http://www.w3.org/2000/09/xmldsig#}"


@pytest.mark.parametrize("service", [SES, SELECTSERVER])
def test_a_signed_file_verifies_to_the_claims_it_was_signed_with(
    signers: Signers, trusted: TrustedIssuers, service: str
) -> None:
    claims = make_claims(service)
    data = signers.ring.sign(claims)
    assert verify(data, trusted, now=NOW, machine_name="WS-1") == claims


def test_the_license_service_picks_the_format(signers: Signers) -> None:
    assert signers.ring.sign(make_claims(SES)).startswith(b"eyJ")
    assert signers.ring.sign(make_claims(SELECTSERVER)).startswith(b"<?xml")


@pytest.mark.parametrize("service", [SES, SELECTSERVER])
def test_both_formats_decode_the_same_claims_to_equal_values(
    signers: Signers, trusted: TrustedIssuers, service: str
) -> None:
    claims = make_claims(service)
    from_belic = verify(signers.sign(claims, "belic"), trusted, now=NOW, machine_name=None)
    from_xml = verify(signers.sign(claims, "xml"), trusted, now=NOW, machine_name=None)
    assert from_belic == from_xml == claims


def test_sub_second_times_are_kept_to_whole_seconds_in_both_formats(
    signers: Signers, trusted: TrustedIssuers
) -> None:
    claims = make_claims(SES, issued_at=NOW.replace(microsecond=999_999))
    assert claims.issued_at == NOW
    for file_format in ("belic", "xml"):
        data = signers.sign(claims, file_format)
        assert verify(data, trusted, now=NOW, machine_name=None) == claims


def test_machine_names_compare_without_regard_to_case(
    belic: bytes, trusted: TrustedIssuers
) -> None:
    assert verify(belic, trusted, now=NOW, machine_name="ws-1").machine_name == "WS-1"


def test_belic_is_a_jws_compact_serialization_with_our_header_and_sorted_json(
    belic: bytes, signers: Signers
) -> None:
    assert belic.endswith(b"\n")
    assert belic.count(b"\n") == 1
    header_b64, payload_b64, signature_b64 = belic.strip().split(b".")
    header = json.loads(b64url_decode(header_b64))
    assert header == {
        "alg": "Ed25519",
        "kid": signers.jws.kid,
        "typ": "entitle-license+jws",
        "x5c": [
            base64.b64encode(der).decode()
            for der in (signers.ring.certificates()[1], signers.ring.root_certificate)
        ],
    }
    claims = make_claims(SES)
    expected = json.dumps(claims.to_dict(), sort_keys=True, separators=(",", ":"))
    assert b64url_decode(payload_b64) == expected.encode()
    assert len(b64url_decode(signature_b64)) == 64


def test_xml_is_readable_and_carries_an_enveloped_rsa_sha256_signature(xml: bytes) -> None:
    root = etree.fromstring(xml)
    ns = "{urn:entitle:license:1}"
    assert root.tag == f"{ns}License"
    assert root.findtext(f"{ns}Machine") == "WS-1"
    assert root.findtext(f"{ns}ActivationKey") == "AK-1234-5678"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", root.findtext(f"{ns}ExpiresAt") or "")
    assert [a.get("name") for a in root.iter(f"{ns}Application")] == ["Designer", "Viewer"]
    signature = root.find(f"{DS}Signature")
    assert signature is not None
    algorithms = [e.get("Algorithm") for e in signature.iter() if e.get("Algorithm")]
    assert "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" in algorithms
    assert algorithms[0] == "http://www.w3.org/2001/10/xml-exc-c14n#"
    assert signature.find(f"{DS}SignedInfo/{DS}Reference").get("URI") == ""
    assert signature.find(f".//{DS}X509Certificate") is not None


def test_license_digest_is_the_sha256_of_the_exact_bytes(belic: bytes) -> None:
    import hashlib

    assert license_digest(belic) == hashlib.sha256(belic).hexdigest()
    assert license_digest(belic + b"\n") != license_digest(belic)


def test_a_utf8_bom_before_xml_is_tolerated(xml: bytes, trusted: TrustedIssuers) -> None:
    claims = verify(b"\xef\xbb\xbf" + xml, trusted, now=NOW, machine_name=None)
    assert claims == make_claims(SELECTSERVER)
