"""Independent verifiers accept our license files: xmlsec1 for ``.xml``, jwcrypto for ``.belic``.

Without xmlsec1 the XML tests skip, unless ENTITLE_REQUIRE_INTEROP=1 (as in CI): then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from jwcrypto import jwk
from jwcrypto import jws as jwcrypto_jws
from jwcrypto.common import JWKeyNotFound

from entitle.licensefile import SELECTSERVER, SES
from tests.claims import make_claims
from tests.unit.licensefile.conftest import Signers, _signers

pytestmark = pytest.mark.interop


def xmlsec1() -> str:
    """The xmlsec1 command; skip without it, or fail when interop checks are required."""
    found = shutil.which("xmlsec1")
    if found:
        return found
    if os.environ.get("ENTITLE_REQUIRE_INTEROP") == "1":
        pytest.fail("xmlsec1 not installed (ENTITLE_REQUIRE_INTEROP=1): apt-get install xmlsec1")
    pytest.skip("xmlsec1 not installed: apt-get install xmlsec1")


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> Signers:
    return _signers(tmp_path_factory.mktemp("ours"))


@pytest.fixture(scope="module")
def theirs(tmp_path_factory: pytest.TempPathFactory) -> Signers:
    return _signers(tmp_path_factory.mktemp("theirs"))


def _xmlsec1_verify(license_xml: bytes, trusted_pem: bytes, tmp_path: Path) -> bool:
    (tmp_path / "license.xml").write_bytes(license_xml)
    (tmp_path / "trusted.pem").write_bytes(trusted_pem)
    result = subprocess.run(
        [
            xmlsec1(),
            "--verify",
            "--enabled-key-data",
            "x509",
            "--trusted-pem",
            str(tmp_path / "trusted.pem"),
            str(tmp_path / "license.xml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stderr.startswith("OK")


def test_xmlsec1_accepts_our_xml_with_our_certificate(ours: Signers, tmp_path: Path) -> None:
    data = ours.ring.sign(make_claims(SELECTSERVER))
    assert _xmlsec1_verify(data, ours.ring.xml_certificates_pem(), tmp_path)


def test_xmlsec1_refuses_our_xml_with_another_certificate(
    ours: Signers, theirs: Signers, tmp_path: Path
) -> None:
    data = ours.ring.sign(make_claims(SELECTSERVER))
    assert not _xmlsec1_verify(data, theirs.ring.xml_certificates_pem(), tmp_path)


def test_xmlsec1_refuses_another_servers_xml_with_our_certificate(
    ours: Signers, theirs: Signers, tmp_path: Path
) -> None:
    data = theirs.ring.sign(make_claims(SELECTSERVER))
    assert not _xmlsec1_verify(data, ours.ring.xml_certificates_pem(), tmp_path)


def test_xmlsec1_refuses_altered_xml(ours: Signers, tmp_path: Path) -> None:
    data = ours.ring.sign(make_claims(SELECTSERVER))
    altered = data.replace(b"<Machine>WS-1<", b"<Machine>WS-2<")
    assert altered != data
    assert not _xmlsec1_verify(altered, ours.ring.xml_certificates_pem(), tmp_path)


def _jwcrypto_payload(data: bytes, jwks: dict[str, object]) -> dict[str, object]:
    token = jwcrypto_jws.JWS()
    token.deserialize(data.decode("ascii").strip())
    token.verify(jwk.JWKSet.from_json(json.dumps(jwks)))
    assert token.jose_header["typ"] == "entitle-license+jws"
    payload: dict[str, object] = json.loads(token.payload)
    return payload


def test_jwcrypto_verifies_our_belic_with_the_published_jwks(ours: Signers) -> None:
    claims = make_claims(SES)
    payload = _jwcrypto_payload(ours.ring.sign(claims), ours.ring.jwks())
    assert payload == claims.to_dict()


def test_jwcrypto_refuses_a_belic_from_another_key(ours: Signers, theirs: Signers) -> None:
    forged = theirs.ring.sign(make_claims(SES))
    with pytest.raises(JWKeyNotFound):
        _jwcrypto_payload(forged, ours.ring.jwks())
    _, payload, signature = forged.strip().split(b".")
    ours_header = ours.ring.sign(make_claims(SES)).split(b".")[0]
    # jwcrypto reports a key set whose only candidate key fails as "no working key"
    with pytest.raises((jwcrypto_jws.InvalidJWSSignature, JWKeyNotFound)):
        _jwcrypto_payload(b".".join([ours_header, payload, signature]), ours.ring.jwks())
