"""Any damage to a real file is refused, or the file still says exactly what was signed."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from entitle.licensefile import SELECTSERVER, SES, LicenseFileError, TrustedIssuers, verify
from entitle.licensefile.jws import verify_jws
from tests.claims import NOW, make_claims

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    kind = draw(st.sampled_from(["flip", "truncate", "append", "delete"]))
    if kind == "append":
        return original + draw(st.binary(min_size=1, max_size=64))
    if kind == "truncate":
        return original[: draw(st.integers(0, len(original) - 1))]
    index = draw(st.integers(0, len(original) - 1))
    if kind == "delete":
        return original[:index] + original[index + 1 :]
    byte = draw(st.integers(0, 255).filter(lambda b: b != original[index]))
    return original[:index] + bytes([byte]) + original[index + 1 :]


def _refused_or_same(data: bytes, trusted: TrustedIssuers, service: str) -> None:
    try:
        claims = verify(data, trusted, now=NOW, machine_name=None)
    except LicenseFileError:
        return
    assert claims == make_claims(service)


@SETTINGS
@given(data=st.data())
def test_damaged_belic_files_never_yield_different_claims(
    data: st.DataObject, belic: bytes, trusted: TrustedIssuers
) -> None:
    _refused_or_same(data.draw(damaged(belic)), trusted, SES)


@SETTINGS
@given(data=st.data())
def test_damaged_xml_files_never_yield_different_claims(
    data: st.DataObject, xml: bytes, trusted: TrustedIssuers
) -> None:
    _refused_or_same(data.draw(damaged(xml)), trusted, SELECTSERVER)


def _genuine_header_and_key(belic: bytes) -> tuple[dict[str, object], Ed25519PublicKey]:
    """The header of the genuine file and the key its certificate holds (not trusted by
    itself: the fast path checks the chain; joserfc is only handed the key)."""
    header = json.loads(base64.urlsafe_b64decode(belic.split(b".")[0] + b"=="))
    certificate = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    key = certificate.public_key()
    assert isinstance(key, Ed25519PublicKey)
    return header, key


def _joserfc_accepts(data: bytes, belic: bytes) -> bytes | None:
    header, key = _genuine_header_and_key(belic)
    registry = jws.JWSRegistry(algorithms=["Ed25519"])
    registry.max_header_length = 4096  # the x5c chain is longer than joserfc's default 512
    try:
        token = jws.deserialize_compact(data.strip(), OKPKey.import_key(key), registry=registry)
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    if token.protected != header:
        return None
    return token.payload


@SETTINGS
@given(data=st.data())
def test_the_belic_fast_path_accepts_exactly_what_joserfc_accepts(
    data: st.DataObject, belic: bytes, trusted: TrustedIssuers
) -> None:
    candidate = data.draw(damaged(belic))
    by_joserfc = _joserfc_accepts(candidate, belic)
    try:
        verify_jws(candidate, trusted, NOW)
        ours = True
    except LicenseFileError:
        ours = False
    assert ours == (by_joserfc is not None)


def test_the_fast_path_agrees_with_joserfc_on_the_genuine_file(
    belic: bytes, trusted: TrustedIssuers
) -> None:
    payload = _joserfc_accepts(belic, belic)
    assert payload is not None
    claims, certificate = verify_jws(belic, trusted, NOW)
    assert claims.to_dict() == json.loads(payload)
    assert certificate is not None


@pytest.mark.parametrize(
    "module",
    [
        "lxml",
        "signxml",
        "joserfc",
        "entitle.licensefile.keys",
        "cryptography.x509",
        "hashlib",
        "entitle.licensefile.trust",
    ],
)
def test_importing_the_package_and_verifying_a_belic_loads_no_heavy_modules(
    module: str, belic: bytes, trusted: TrustedIssuers
) -> None:
    script = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from entitle.licensefile import TrustedIssuers, verify\n"
        "trusted = TrustedIssuers([sys.stdin.readline().strip()])\n"
        "verify(bytes.fromhex(sys.stdin.readline()), trusted, now=datetime.now(UTC),"
        " machine_name='WS-1')\n"
        f"print({module!r} in sys.modules)\n"
    )
    (fingerprint,) = trusted.fingerprints
    stdin = fingerprint.encode() + b"\n" + belic.hex().encode() + b"\n"
    result = subprocess.run(
        [sys.executable, "-c", script], input=stdin, capture_output=True, check=True
    )
    assert result.stdout.strip() == b"False"
