"""Independent verifiers accept our license files with the issuer root alone.

``.xml``: ``xmlsec1 --verify --enabled-key-data x509 --trusted-pem root.pem file.xml``.
xmlsec1 1.2.37 builds the chain from the file's ``X509Data`` (signing certificate, root) and
validates it with OpenSSL against the trusted root, then checks the signature with the
signing certificate's key; ``--enabled-key-data x509`` keeps it from taking a key from
anywhere else. Trusting the signing certificate alone fails ("self-signed certificate in
certificate chain"), so the root really is the anchor.

``.belic``: no JOSE library at hand does both halves. jwcrypto verifies JWS (and knows
``"Ed25519"``) but never validates ``x5c``; Debian's go-jose v2 validates ``x5c`` chains but
knows only the older ``"EdDSA"`` name, which entitle does not emit. So each half is done by
the tool made for it, neither of them ours: OpenSSL (``openssl verify -x509_strict -CAfile
root.pem``) validates the ``x5c`` chain to the root (RFC 5280 path validation: signatures,
validity, CA constraints), and jwcrypto verifies the JWS with the key of the certificate
OpenSSL accepted. The file is good only when both say so. (The extended key usage that
limits the key to signing licenses is entitle's own policy; entitle checks it, and
``tests/unit/licensefile/test_issuers.py`` holds that check to cryptography's reading.)

Without xmlsec1 or openssl these tests skip, unless ENTITLE_REQUIRE_INTEROP=1 (as in CI).
"""

from __future__ import annotations

import base64
import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from jwcrypto import jwk
from jwcrypto import jws as jwcrypto_jws
from jwcrypto.common import JWException

from entitle.licensefile import SELECTSERVER, SES
from entitle.licensefile.jws import JwsSigner
from entitle.licensefile.keyfiles import create_ed25519
from tests.claims import make_claims
from tests.conftest import require_tool
from tests.unit.licensefile.conftest import Signers, _signers

pytestmark = pytest.mark.interop


def _tool(name: str) -> str:
    return require_tool(name, "ENTITLE_REQUIRE_INTEROP", f"apt-get install {name}")


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
            _tool("xmlsec1"),
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


def test_xmlsec1_accepts_our_xml_with_only_the_root_certificate(
    ours: Signers, tmp_path: Path
) -> None:
    data = ours.ring.sign(make_claims(SELECTSERVER))
    assert _xmlsec1_verify(data, ours.ring.root_pem(), tmp_path)


def test_xmlsec1_does_not_accept_the_signing_certificate_as_the_anchor(
    ours: Signers, tmp_path: Path
) -> None:
    data = ours.ring.sign(make_claims(SELECTSERVER))
    signing = [der for der in ours.ring.certificates() if der != ours.ring.root_certificate]
    assert not _xmlsec1_verify(data, b"".join(_pem(der) for der in signing), tmp_path)


def test_xmlsec1_refuses_our_xml_with_another_root(
    ours: Signers, theirs: Signers, tmp_path: Path
) -> None:
    data = ours.ring.sign(make_claims(SELECTSERVER))
    assert not _xmlsec1_verify(data, theirs.ring.root_pem(), tmp_path)


def test_xmlsec1_refuses_xml_signed_by_a_key_our_root_never_certified(
    ours: Signers, theirs: Signers, tmp_path: Path
) -> None:
    data = theirs.ring.sign(make_claims(SELECTSERVER))
    assert not _xmlsec1_verify(data, ours.ring.root_pem(), tmp_path)


def test_xmlsec1_refuses_altered_xml(ours: Signers, tmp_path: Path) -> None:
    data = ours.ring.sign(make_claims(SELECTSERVER))
    altered = data.replace(b"<Machine>WS-1<", b"<Machine>WS-2<")
    assert altered != data
    assert not _xmlsec1_verify(altered, ours.ring.root_pem(), tmp_path)


def _pem(der: bytes) -> bytes:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n".encode()


def _independently_verified(data: bytes, root_pem: bytes, tmp_path: Path) -> dict[str, object]:
    """The payload, once OpenSSL validated the x5c chain to the root and jwcrypto the JWS."""
    token = jwcrypto_jws.JWS()
    token.deserialize(data.decode("ascii").strip())
    chain = token.jose_header.get("x5c")
    if not chain:
        raise JWException("the file carries no certificate chain")
    (tmp_path / "root.pem").write_bytes(root_pem)
    (tmp_path / "leaf.pem").write_bytes(_pem(base64.b64decode(chain[0])))
    (tmp_path / "chain.pem").write_bytes(b"".join(_pem(base64.b64decode(c)) for c in chain[1:]))
    checked = subprocess.run(
        [
            _tool("openssl"),
            "verify",
            "-x509_strict",
            "-CAfile",
            str(tmp_path / "root.pem"),
            "-untrusted",
            str(tmp_path / "chain.pem"),
            str(tmp_path / "leaf.pem"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if checked.returncode != 0:
        raise JWException(f"openssl: {checked.stdout}{checked.stderr}")
    token.verify(jwk.JWK.from_pem((tmp_path / "leaf.pem").read_bytes()))
    assert token.jose_header["typ"] == "entitle-license+jws"
    payload: dict[str, object] = json.loads(token.payload)
    return payload


def test_openssl_and_jwcrypto_verify_our_belic_with_only_the_root(
    ours: Signers, tmp_path: Path
) -> None:
    claims = make_claims(SES)
    payload = _independently_verified(ours.ring.sign(claims), ours.ring.root_pem(), tmp_path)
    assert payload == claims.to_dict()


def test_a_belic_of_a_key_our_root_never_certified_fails_the_chain(
    ours: Signers, theirs: Signers, tmp_path: Path
) -> None:
    forged = theirs.ring.sign(make_claims(SES, machine_name="WS-9"))
    with pytest.raises(JWException, match="openssl"):
        _independently_verified(forged, ours.ring.root_pem(), tmp_path)


def test_a_belic_of_an_uncertified_key_carrying_our_chain_fails_the_signature(
    ours: Signers, tmp_path: Path
) -> None:
    kid, key = create_ed25519(tmp_path, "ed25519")
    genuine = json.loads(
        base64.urlsafe_b64decode(ours.ring.sign(make_claims(SES)).split(b".")[0] + b"==")
    )
    chain = [base64.b64decode(c) for c in genuine["x5c"]]
    forged = JwsSigner(key, genuine["kid"], chain).sign(make_claims(SES, machine_name="WS-9"))
    with pytest.raises(jwcrypto_jws.InvalidJWSSignature):
        _independently_verified(forged, ours.ring.root_pem(), tmp_path)
    unchained = JwsSigner(key, kid).sign(make_claims(SES, machine_name="WS-9"))
    with pytest.raises(JWException, match="no certificate chain"):
        _independently_verified(unchained, ours.ring.root_pem(), tmp_path)


def test_jwcrypto_verifies_our_belic_with_the_published_jwks(ours: Signers) -> None:
    """How workstations trusted keys before issuer roots: the JWKS still verifies new files."""
    claims = make_claims(SES)
    token = jwcrypto_jws.JWS()
    token.deserialize(ours.ring.sign(claims).decode("ascii").strip())
    token.verify(jwk.JWKSet.from_json(json.dumps(ours.ring.jwks())))
    assert json.loads(token.payload) == claims.to_dict()
