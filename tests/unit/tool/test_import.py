from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from entitle.licensefile import SELECTSERVER, KeyRing, license_digest
from entitle.tool import import_license_files, list_licenses
from entitle.tool.store import Store
from tests.claims import MACHINE, NOW
from tests.unit.tool.conftest import MakeLicense


def _import(home: Path, *files: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    options = {"home": home, "now": NOW, "machine_name": MACHINE} | kwargs
    return import_license_files(files, **options)  # type: ignore[arg-type]


def test_imported_files_of_both_formats_are_stored_with_their_exact_bytes(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    belic = make_license()
    xml = make_license(checkout_id="chk-0002", service=SELECTSERVER)
    outcomes = _import(trusted_home, belic, xml)
    assert [o.status for o in outcomes] == ["imported", "imported"]
    stored = {e.checkout_id: e for e in list_licenses(home=trusted_home)}
    assert stored["chk-0001"].data == belic.read_bytes()
    assert stored["chk-0002"].digest == license_digest(xml.read_bytes())
    assert stored["chk-0002"].file_name == "chk-0002.xml"


def test_importing_the_same_file_again_changes_nothing(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    license_file = make_license()
    _import(trusted_home, license_file)
    before = (trusted_home / "store.json").read_bytes()
    [again] = _import(trusted_home, license_file)
    assert again.status == "already imported"
    assert not again.refused
    assert (trusted_home / "store.json").read_bytes() == before


def test_a_license_for_another_machine_is_refused(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    [outcome] = _import(trusted_home, make_license(machine_name="WS-9"))
    assert outcome.refused
    assert outcome.message == "This license is for machine WS-9, not WS-1."
    assert list_licenses(home=trusted_home) == []


def test_machine_names_match_without_regard_to_case(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    [outcome] = _import(trusted_home, make_license(), machine_name="ws-1")
    assert outcome.status == "imported"


def test_a_file_signed_by_an_untrusted_server_is_refused(
    trusted_home: Path, make_license: MakeLicense, other_ring: KeyRing
) -> None:
    for service in ("SES", SELECTSERVER):
        [outcome] = _import(trusted_home, make_license(signer=other_ring, service=service))
        assert outcome.refused
        assert "not issued by a license server this workstation trusts" in outcome.message
    assert list_licenses(home=trusted_home) == []


def test_an_expired_file_is_refused(trusted_home: Path, make_license: MakeLicense) -> None:
    old = make_license(issued_at=NOW - timedelta(days=40), expires_at=NOW - timedelta(days=1))
    [outcome] = _import(trusted_home, old)
    assert outcome.refused
    assert "expired" in outcome.message


def test_an_altered_file_is_refused(trusted_home: Path, make_license: MakeLicense) -> None:
    license_file = make_license(service=SELECTSERVER)
    license_file.write_bytes(license_file.read_bytes().replace(b"WS-1", b"WS-2"))
    [outcome] = _import(trusted_home, license_file, machine_name="WS-2")
    assert outcome.refused
    assert "altered" in outcome.message


def test_a_file_that_is_not_a_license_is_refused(trusted_home: Path, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    [outcome] = _import(trusted_home, junk)
    assert outcome.refused
    assert "not a valid license file" in outcome.message


def test_a_missing_file_is_refused_and_the_others_still_import(
    trusted_home: Path, make_license: MakeLicense, tmp_path: Path
) -> None:
    missing, present = tmp_path / "missing.belic", make_license()
    outcomes = _import(trusted_home, missing, present)
    assert outcomes[0].refused
    assert "cannot read" in outcomes[0].message
    assert outcomes[1].status == "imported"


def test_nothing_imports_before_a_server_is_trusted(home: Path, make_license: MakeLicense) -> None:
    [outcome] = _import(home, make_license())
    assert outcome.refused
    assert "entitle-tool trust" in outcome.message


def test_a_clock_set_back_refuses_imports(trusted_home: Path, make_license: MakeLicense) -> None:
    _import(trusted_home, make_license(), now=NOW + timedelta(days=20))
    expired_later = make_license(checkout_id="chk-0002", expires_at=NOW + timedelta(days=5))
    [outcome] = _import(trusted_home, expired_later)
    assert outcome.refused
    assert "clock looks wrong" in outcome.message


def test_a_file_issued_in_the_future_is_refused_with_the_clock_hint(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    future = make_license(issued_at=NOW + timedelta(days=2), expires_at=NOW + timedelta(days=9))
    [outcome] = _import(trusted_home, future)
    assert outcome.refused
    assert "Check the clock" in outcome.message


def test_a_new_file_for_the_same_checkout_replaces_the_stored_one(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    [outcome] = _import(trusted_home, make_license(expires_at=NOW + timedelta(days=40)))
    assert outcome.status == "replaced"
    [stored] = Store(trusted_home).read().licenses.values()
    assert stored.claims.expires_at == NOW + timedelta(days=40)
