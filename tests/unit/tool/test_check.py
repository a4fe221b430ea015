from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import pytest

from entitle.licensefile import SELECTSERVER, KeyRing, LicensedApplication
from entitle.tool import check, import_license_files
from entitle.tool.store import Store
from tests.claims import MACHINE, NOW
from tests.unit.tool.conftest import MakeLicense


def _import(home: Path, *files: Path) -> None:
    outcomes = import_license_files(files, home=home, now=NOW, machine_name=MACHINE)
    assert [o.status for o in outcomes] == ["imported"] * len(files), outcomes


def _edit_store(home: Path, edit: object) -> None:
    path = home / "store.json"
    document = json.loads(path.read_text())
    edit(document)  # type: ignore[operator]
    path.write_text(json.dumps(document))


def test_a_stored_license_lets_its_application_version_run(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    result = check("Designer", "2.1", home=trusted_home, now=NOW)
    assert result.ok
    assert result
    assert result.reason == "OK"
    assert result.claims is not None
    assert result.claims.checkout_id == "chk-0001"
    assert "until" in result.message


def test_application_names_are_matched_without_regard_to_case(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    assert check("designer", "2.1", home=trusted_home, now=NOW).ok


def test_an_xml_license_lets_its_application_run(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license(service=SELECTSERVER))
    assert check("Viewer", "10.0.3", home=trusted_home, now=NOW).ok


def test_without_a_license_for_the_application_the_check_says_so(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    result = check("Modeler", "1.0", home=trusted_home, now=NOW)
    assert not result
    assert result.reason == "NO_LICENSE"
    assert "Modeler" in result.message
    assert result.claims is None


def test_an_empty_store_grants_nothing(trusted_home: Path) -> None:
    assert check("Designer", "2.1", home=trusted_home, now=NOW).reason == "NO_LICENSE"
    assert not (trusted_home / "store.json").exists()


def test_another_version_is_refused_naming_the_versions_that_are_licensed(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(
        trusted_home,
        make_license(),
        make_license(
            checkout_id="chk-0002", applications=(LicensedApplication("Designer", "2.10"),)
        ),
    )
    result = check("Designer", "3.0", home=trusted_home, now=NOW)
    assert result.reason == "WRONG_VERSION"
    assert "2.1, 2.10" in result.message


def test_an_expired_license_is_refused_as_expired(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license(expires_at=NOW + timedelta(days=2)))
    result = check("Designer", "2.1", home=trusted_home, now=NOW + timedelta(days=3))
    assert result.reason == "EXPIRED"
    assert "expired" in result.message


def test_a_license_for_another_machine_is_refused(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    result = check("Designer", "2.1", home=trusted_home, now=NOW, machine_name="WS-2")
    assert result.reason == "WRONG_MACHINE"
    assert "WS-2" in result.message


def test_a_tampered_license_in_the_store_grants_nothing(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())

    def extend_expiry(document: dict) -> None:  # type: ignore[type-arg]
        entry = document["licenses"]["chk-0001"]
        header, payload, signature = base64.b64decode(entry["data"]).split(b".")
        claims = json.loads(base64.urlsafe_b64decode(payload + b"=="))
        claims["exp"] += 365 * 86400
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
        entry["data"] = base64.b64encode(b".".join([header, forged, signature])).decode()

    _edit_store(trusted_home, extend_expiry)
    result = check("Designer", "2.1", home=trusted_home, now=NOW)
    assert not result.ok
    assert result.reason == "BAD_SIGNATURE"


def test_an_edited_listing_in_the_store_grants_no_other_version(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())

    def add_version(document: dict) -> None:  # type: ignore[type-arg]
        document["licenses"]["chk-0001"]["claims"]["apps"].append(
            {"name": "Designer", "version": "9.9"}
        )

    _edit_store(trusted_home, add_version)
    result = check("Designer", "9.9", home=trusted_home, now=NOW)
    assert not result.ok
    assert "altered" in result.message


def test_a_license_signed_by_a_key_swapped_into_the_store_is_refused(
    trusted_home: Path, make_license: MakeLicense, other_ring: KeyRing
) -> None:
    _import(trusted_home, make_license())
    forged = make_license(signer=other_ring).read_bytes()

    def swap(document: dict) -> None:  # type: ignore[type-arg]
        document["licenses"]["chk-0001"]["data"] = base64.b64encode(forged).decode()

    _edit_store(trusted_home, swap)
    assert check("Designer", "2.1", home=trusted_home, now=NOW).reason == "UNTRUSTED_ISSUER"


def test_a_clock_set_back_more_than_a_day_is_refused(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license(expires_at=NOW + timedelta(days=20)))
    assert check("Designer", "2.1", home=trusted_home, now=NOW + timedelta(days=10)).ok
    result = check("Designer", "2.1", home=trusted_home, now=NOW + timedelta(days=5))
    assert result.reason == "CLOCK_WRONG"
    assert "clock looks wrong" in result.message


def test_a_clock_a_few_hours_behind_is_tolerated(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    assert check("Designer", "2.1", home=trusted_home, now=NOW + timedelta(hours=10)).ok
    assert check("Designer", "2.1", home=trusted_home, now=NOW + timedelta(hours=1)).ok


def test_a_clock_earlier_than_the_license_issue_time_is_refused(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    before_issue = NOW - timedelta(days=2)
    with Store(trusted_home).update() as state:
        state.last_seen = before_issue
    result = check("Designer", "2.1", home=trusted_home, now=before_issue)
    assert result.reason == "CLOCK_WRONG"
    assert "before this license was issued" in result.message


def test_the_check_remembers_the_latest_time_it_has_seen(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    later = NOW + timedelta(days=3)
    check("Designer", "2.1", home=trusted_home, now=later)
    assert Store(trusted_home).read().last_seen == later


def test_a_valid_license_wins_over_an_expired_one_for_the_same_version(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(
        trusted_home,
        make_license(expires_at=NOW + timedelta(days=1)),
        make_license(checkout_id="chk-0002", expires_at=NOW + timedelta(days=60)),
    )
    result = check("Designer", "2.1", home=trusted_home, now=NOW + timedelta(days=2))
    assert result.ok
    assert result.claims is not None
    assert result.claims.checkout_id == "chk-0002"


def test_now_must_carry_a_time_zone(trusted_home: Path) -> None:
    with pytest.raises(ValueError, match="timezone"):
        check("Designer", "2.1", home=trusted_home, now=NOW.replace(tzinfo=None))
