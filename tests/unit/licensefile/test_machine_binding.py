"""Which machine a license runs on, and what a workstation user cannot make it run on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from entitle.licensefile import (
    SELECTSERVER,
    SES,
    TrustedIssuers,
    UntrustedIssuer,
    WrongMachine,
    init_keys,
    verify,
)
from entitle.machine_names import comparison_key, is_licensed_machine
from tests.claims import NOW, make_claims
from tests.unit.licensefile.conftest import Signers

FINGERPRINT = "5d41402abc4b2a76b9719d911017c592" * 2


@pytest.mark.parametrize(
    ("licensed", "this_machine", "matches"),
    [
        ("WS-RT-01", "WS-RT-01", True),
        ("WS-RT-01", "ws-rt-01", True),
        ("WS-RT-01", "W\u017f-RT-01", False),  # LATIN SMALL LETTER LONG S: casefold says "s"
        ("WS-RT-01", "\uff37\uff33-RT-01", False),  # full-width letters, as the host reports
        ("WS-RT-01", "WS-RT-0\u0661", False),  # an Arabic-Indic digit one
        ("\uff37\uff33-RT-01", "WS-RT-01", True),  # a licensed name is read after NFKC
        ("W\u017f-RT-01", "WS-RT-01", True),  # NFKC makes it ASCII Ws-RT-01
        ("WS-RT-01\u0130", "WS-RT-01I", False),  # still not ASCII after NFKC: never matches
        ("K-1", "\u212a-1", False),  # KELVIN SIGN
    ],
)
def test_machine_names_match_in_ascii_only(licensed: str, this_machine: str, matches: bool) -> None:
    assert is_licensed_machine(licensed, this_machine) is matches


def test_a_name_that_is_not_ascii_after_nfkc_has_no_comparison_key() -> None:
    assert comparison_key("ws-1") == "WS-1"
    assert comparison_key("ＷＳ-1") == "WS-1"
    assert comparison_key("WS-\u0130") is None


def test_a_look_alike_host_name_does_not_take_another_machines_license(
    signers: Signers, trusted: TrustedIssuers, file_format: str
) -> None:
    service = SES if file_format == "belic" else SELECTSERVER
    data = signers.sign(make_claims(service, machine_name="WS-RT-01"), file_format)
    assert verify(data, trusted, now=NOW, machine_name="ws-rt-01").machine_name == "WS-RT-01"
    with pytest.raises(WrongMachine):
        verify(data, trusted, now=NOW, machine_name="W\u017f-RT-01")


def test_a_fingerprint_bound_license_runs_only_on_that_machine(
    signers: Signers, trusted: TrustedIssuers, file_format: str
) -> None:
    service = SES if file_format == "belic" else SELECTSERVER
    claims = make_claims(service, machine_fingerprint=FINGERPRINT)
    data = signers.sign(claims, file_format)
    found = verify(data, trusted, now=NOW, machine_name="WS-1", machine_fingerprint=FINGERPRINT)
    assert found == claims
    assert found.machine_fingerprint == FINGERPRINT
    for other in ("0" * 64, None, FINGERPRINT.upper()):
        with pytest.raises(WrongMachine) as refused:
            verify(data, trusted, now=NOW, machine_name="WS-1", machine_fingerprint=other)
        assert refused.value.fingerprint_differs
        assert "another machine fingerprint" in str(refused.value)
    with pytest.raises(WrongMachine):
        verify(data, trusted, now=NOW, machine_name="WS-2", machine_fingerprint=FINGERPRINT)


def test_a_license_without_a_fingerprint_is_bound_by_name_alone(
    signers: Signers, trusted: TrustedIssuers
) -> None:
    claims = make_claims(SES)
    assert "machine_fingerprint" not in claims.to_dict()
    data = signers.sign(claims, "belic")
    assert verify(data, trusted, now=NOW, machine_name="WS-1", machine_fingerprint="any")


def test_a_license_a_user_signed_with_a_root_of_their_own_is_refused(
    tmp_path: Path, ring_fingerprint: str, belic: bytes
) -> None:
    mine = init_keys(tmp_path, now=NOW - timedelta(days=1))
    minted = mine.sign(
        make_claims(SES, issued_at=NOW, expires_at=mine.status()[0].certificate_until)
    )
    pinned = TrustedIssuers([ring_fingerprint])
    with pytest.raises(UntrustedIssuer):
        verify(minted, pinned, now=NOW, machine_name="WS-1")
    # Caching their own root and certificates beside the pinned one grants nothing either.
    with pytest.raises(UntrustedIssuer):
        verify(minted, pinned.with_certificates(mine.certificates()), now=NOW, machine_name="WS-1")
    assert verify(belic, pinned, now=NOW, machine_name="WS-1")


@pytest.fixture
def ring_fingerprint(signers: Signers) -> str:
    return signers.ring.root_fingerprint
