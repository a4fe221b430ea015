from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from entitle.tool import (
    UnknownCheckout,
    check,
    clean_expired,
    clear,
    list_licenses,
    send_receipts,
)
from entitle.tool import import_license_files as _import_files
from entitle.tool.cli import main
from entitle.tool.receipts import pending_receipts, send_receipt
from entitle.tool.store import RefusedCheckout, Store
from tests.claims import MACHINE, NOW
from tests.unit.tool.conftest import FakeServer, MakeLicense


def _import(home: Path, *files: Path) -> None:
    _import_files(files, home=home, now=NOW, machine_name=MACHINE)


def test_clearing_removes_the_license_and_writes_a_receipt_whose_digest_matches_the_file(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    license_file = make_license()
    _import(trusted_home, license_file)
    cleared = clear("chk-0001", home=trusted_home, now=NOW, user_profile="ada")
    assert list_licenses(home=trusted_home) == []
    receipt = json.loads(Path(cleared.receipt_path).read_text())
    assert Path(cleared.receipt_path).parent == trusted_home / "receipts"
    assert receipt == {
        "checkout_id": "chk-0001",
        "machine": MACHINE,
        "user_profile": "ada",
        "cleared_at": NOW.isoformat().replace("+00:00", "Z"),
        "license_digest": hashlib.sha256(license_file.read_bytes()).hexdigest(),
    }


def test_a_checkout_can_be_named_by_the_beginning_of_its_id(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license(checkout_id="4f1c2d9e-aaaa"))
    assert clear("4f1c", home=trusted_home).license.checkout_id == "4f1c2d9e-aaaa"


def test_clearing_an_unknown_checkout_changes_nothing(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    with pytest.raises(UnknownCheckout, match="chk-9999"):
        clear("chk-9999", home=trusted_home)
    assert len(list_licenses(home=trusted_home)) == 1
    assert pending_receipts(home=trusted_home) == []


def test_a_sent_receipt_is_recorded_by_the_server_and_filed_as_sent(
    trusted_home: Path, make_license: MakeLicense, server: FakeServer
) -> None:
    license_file = make_license()
    server.knows(license_file)
    _import(trusted_home, license_file)
    cleared = clear("chk-0001", home=trusted_home)
    outcome = send_receipt(cleared.receipt_path, server.url)
    assert outcome.status == "accepted"
    assert server.receipts == [cleared.receipt]
    assert (trusted_home / "receipts" / "sent" / "chk-0001.json").exists()
    assert pending_receipts(home=trusted_home) == []


def test_a_receipt_the_server_does_not_recognise_is_kept_with_its_reason(
    trusted_home: Path, make_license: MakeLicense, server: FakeServer
) -> None:
    _import(trusted_home, make_license())
    cleared = clear("chk-0001", home=trusted_home)
    outcome = send_receipt(cleared.receipt_path, server.url)
    assert outcome.status == "refused"
    assert "No match." in outcome.message
    assert pending_receipts(home=trusted_home) == [cleared.receipt_path]


def test_receipts_kept_while_offline_are_sent_later(
    trusted_home: Path, make_license: MakeLicense, server: FakeServer, offline_url: str
) -> None:
    first, second = make_license(), make_license(checkout_id="chk-0002")
    for license_file in (first, second):
        server.knows(license_file)
        _import(trusted_home, license_file)
    clear("chk-0001", home=trusted_home)
    clear("chk-0002", home=trusted_home)
    offline = send_receipts(offline_url, home=trusted_home)
    assert [o.status for o in offline] == ["offline", "offline"]
    assert len(pending_receipts(home=trusted_home)) == 2
    sent = send_receipts(server.url, home=trusted_home)
    assert [o.status for o in sent] == ["accepted", "accepted"]
    assert {r["checkout_id"] for r in server.receipts} == {"chk-0001", "chk-0002"}


def test_clean_removes_only_expired_licenses(trusted_home: Path, make_license: MakeLicense) -> None:
    _import(
        trusted_home,
        make_license(expires_at=NOW + timedelta(days=2)),
        make_license(checkout_id="chk-0002"),
    )
    removed = clean_expired(home=trusted_home, now=NOW + timedelta(days=3))
    assert [e.checkout_id for e in removed] == ["chk-0001"]
    assert [e.checkout_id for e in list_licenses(home=trusted_home)] == ["chk-0002"]
    assert pending_receipts(home=trusted_home) == []


def test_a_copy_of_a_cleared_and_sent_license_is_refused_on_import(
    trusted_home: Path,
    make_license: MakeLicense,
    server: FakeServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    license_file = make_license()
    copy = tmp_path / "copy.belic"
    copy.write_bytes(license_file.read_bytes())
    server.knows(license_file)
    assert main(["import", str(license_file)]) == 0
    assert main(["clear", "chk-0001", "--send", server.url]) == 0
    capsys.readouterr()
    assert main(["import", str(copy)]) == 1
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert capsys.readouterr().out == (
        f"{copy}: refused: Checkout chk-0001 was checked in on this machine on {today}; "
        "ask your administrator for a new checkout.\n"
    )
    assert main(["check", "--app", "Designer", "--version", "2.1"]) == 1
    assert "NO_LICENSE" in capsys.readouterr().err


def test_restoring_the_store_from_before_the_clear_grants_nothing(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    _import(trusted_home, make_license())
    backup = (trusted_home / "store.json").read_bytes()
    clear("chk-0001", home=trusted_home, now=NOW)
    (trusted_home / "store.json").write_bytes(backup)
    result = check("Designer", "2.1", home=trusted_home, now=NOW)
    assert not result.ok
    assert result.reason == "CHECKED_IN"
    assert "ask your administrator for a new checkout" in result.message


def test_deleting_the_store_does_not_forget_a_cleared_checkout(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    license_file = make_license()
    _import(trusted_home, license_file)
    clear("chk-0001", home=trusted_home, now=NOW)
    (trusted_home / "store.json").unlink()
    [outcome] = _import_files([license_file], home=trusted_home, now=NOW)
    assert outcome.refused
    assert "was checked in on this machine" in outcome.message


def test_deleting_store_and_guard_leaves_the_receipt_to_remember_the_clear(
    trusted_home: Path,
    make_license: MakeLicense,
    server: FakeServer,
) -> None:
    license_file = make_license()
    server.knows(license_file)
    _import(trusted_home, license_file)
    cleared = clear("chk-0001", home=trusted_home, now=NOW)
    assert send_receipt(cleared.receipt_path, server.url).status == "accepted"
    (trusted_home / "store.json").unlink()
    (trusted_home / "guard.json").unlink()
    [outcome] = _import_files([license_file], home=trusted_home, now=NOW)
    assert outcome.refused
    assert "was checked in on this machine" in outcome.message


def test_a_checkout_refused_for_another_reason_is_refused_with_it(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    license_file = make_license()
    _import(trusted_home, license_file)
    with Store(trusted_home).update() as state:
        state.refuse(RefusedCheckout("chk-0001", "SUSPENDED", NOW))
    result = check("Designer", "2.1", home=trusted_home, now=NOW)
    assert result.reason == "SUSPENDED"
    with Store(trusted_home).update() as state:
        del state.licenses["chk-0001"]
    [outcome] = _import_files([license_file], home=trusted_home, now=NOW)
    assert outcome.refused
    assert outcome.message.startswith("Checkout chk-0001 is refused here (SUSPENDED)")
