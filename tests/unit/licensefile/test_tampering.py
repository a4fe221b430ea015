"""Any damage to a real file is refused, or the file still says exactly what was signed."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from entitle.licensefile import SELECTSERVER, SES, LicenseFileError, TrustedKeys, verify
from entitle.licensefile.jws import JWS_TYP, verify_jws
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


def _refused_or_same(data: bytes, trusted: TrustedKeys, service: str) -> None:
    try:
        claims = verify(data, trusted, now=NOW, machine_name=None)
    except LicenseFileError:
        return
    assert claims == make_claims(service)


@SETTINGS
@given(data=st.data())
def test_damaged_belic_files_never_yield_different_claims(
    data: st.DataObject, belic: bytes, trusted: TrustedKeys
) -> None:
    _refused_or_same(data.draw(damaged(belic)), trusted, SES)


@SETTINGS
@given(data=st.data())
def test_damaged_xml_files_never_yield_different_claims(
    data: st.DataObject, xml: bytes, trusted: TrustedKeys
) -> None:
    _refused_or_same(data.draw(damaged(xml)), trusted, SELECTSERVER)


def _joserfc_accepts(data: bytes, trusted: TrustedKeys, kid: str) -> bytes | None:
    key = trusted.ed25519_key(kid)
    assert key is not None
    try:
        token = jws.deserialize_compact(
            data.strip(), OKPKey.import_key(key), algorithms=["Ed25519"]
        )
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    if token.protected != {"alg": "Ed25519", "kid": kid, "typ": JWS_TYP}:
        return None
    return token.payload


@SETTINGS
@given(data=st.data())
def test_the_belic_fast_path_accepts_exactly_what_joserfc_accepts(
    data: st.DataObject, belic: bytes, trusted: TrustedKeys
) -> None:
    kid = next(iter(trusted.kids))
    candidate = data.draw(damaged(belic))
    by_joserfc = _joserfc_accepts(candidate, trusted, kid)
    try:
        verify_jws(candidate, trusted)
        ours = True
    except LicenseFileError:
        ours = False
    assert ours == (by_joserfc is not None)


def test_the_fast_path_agrees_with_joserfc_on_the_genuine_file(
    belic: bytes, trusted: TrustedKeys
) -> None:
    kid = next(iter(trusted.kids))
    payload = _joserfc_accepts(belic, trusted, kid)
    assert payload is not None
    assert verify_jws(belic, trusted).to_dict() == __import__("json").loads(payload)


@pytest.mark.parametrize("module", ["lxml", "signxml", "joserfc", "entitle.licensefile.keys"])
def test_importing_the_package_and_verifying_a_belic_loads_no_heavy_modules(
    module: str, belic: bytes, trusted: TrustedKeys
) -> None:
    script = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from entitle.licensefile import TrustedKeys, verify\n"
        "trusted = TrustedKeys.from_json(sys.stdin.buffer.readline())\n"
        "verify(bytes.fromhex(sys.stdin.readline()), trusted, now=datetime.now(UTC),"
        " machine_name=None)\n"
        f"print({module!r} in sys.modules)\n"
    )
    stdin = trusted.to_json().replace(b"\n", b"") + b"\n" + belic.hex().encode() + b"\n"
    result = subprocess.run(
        [sys.executable, "-c", script], input=stdin, capture_output=True, check=True
    )
    assert result.stdout.strip() == b"False"
