"""The clock guard against a user who sets the clock back and edits or deletes the store.

Each test first lets the tool see a later time (the user worked on day 10), then sets the
clock back to day 2, where a license that expired on day 5 would still run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from entitle.tool import check, clear, import_license_files
from entitle.tool.store import Store
from tests.claims import NOW
from tests.unit.tool.conftest import MakeLicense

LATER = NOW + timedelta(days=10)
SET_BACK = NOW + timedelta(days=2)


@pytest.fixture
def license_file(make_license: MakeLicense) -> Path:
    return make_license(expires_at=NOW + timedelta(days=5))


@pytest.fixture
def seen_later(trusted_home: Path, license_file: Path, make_license: MakeLicense) -> Path:
    """A store that has seen day 10; a second license (valid until day 30) keeps it in use."""
    imported = import_license_files(
        [license_file, make_license(checkout_id="chk-0002")], home=trusted_home, now=NOW
    )
    assert [o.status for o in imported] == ["imported", "imported"]
    assert check("Viewer", "10.0.3", home=trusted_home, now=LATER).ok
    return trusted_home


def _edit_store(home: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = home / "store.json"
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document, indent=2))


def _iso(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


def _reimport_set_back(home: Path, license_file: Path) -> str:
    [outcome] = import_license_files([license_file], home=home, now=SET_BACK)
    assert outcome.refused
    return outcome.message


def test_a_store_edited_to_a_null_last_seen_counts_as_tampered(
    seen_later: Path, license_file: Path
) -> None:
    def forget(document: dict[str, Any]) -> None:
        document["last_seen"] = None

    _edit_store(seen_later, forget)
    result = check("Designer", "2.1", home=seen_later, now=SET_BACK)
    assert not result.ok
    assert result.reason == "STORE_DAMAGED"
    assert "holds licenses but no time last seen" in result.message
    assert "clock looks wrong" in _reimport_set_back(seen_later, license_file)
    assert not check("Designer", "2.1", home=seen_later, now=SET_BACK).ok


def test_setting_the_stores_last_seen_back_does_not_reset_the_guard(seen_later: Path) -> None:
    def set_back(document: dict[str, Any]) -> None:
        document["last_seen"] = _iso(NOW)

    _edit_store(seen_later, set_back)
    result = check("Designer", "2.1", home=seen_later, now=SET_BACK)
    assert result.reason == "CLOCK_WRONG"


def test_each_license_entry_keeps_the_time_seen_when_the_guard_file_is_deleted(
    seen_later: Path,
) -> None:
    def set_back(document: dict[str, Any]) -> None:
        document["last_seen"] = _iso(NOW)

    _edit_store(seen_later, set_back)
    (seen_later / "guard.json").unlink()
    result = check("Designer", "2.1", home=seen_later, now=SET_BACK)
    assert result.reason == "CLOCK_WRONG"
    assert "has already been seen" in result.message


def test_removing_the_time_seen_from_every_entry_counts_as_tampered(
    seen_later: Path, license_file: Path
) -> None:
    def strip(document: dict[str, Any]) -> None:
        document["last_seen"] = _iso(NOW)
        for entry in document["licenses"].values():
            del entry["last_seen"]

    _edit_store(seen_later, strip)
    result = check("Designer", "2.1", home=seen_later, now=SET_BACK)
    assert result.reason == "STORE_DAMAGED"
    assert "clock looks wrong" in _reimport_set_back(seen_later, license_file)


def test_deleting_the_store_and_importing_again_with_the_clock_set_back_is_refused(
    seen_later: Path, license_file: Path
) -> None:
    (seen_later / "store.json").unlink()
    assert "clock looks wrong" in _reimport_set_back(seen_later, license_file)
    assert check("Designer", "2.1", home=seen_later, now=SET_BACK).reason == "CLOCK_WRONG"


def test_deleting_store_and_guard_leaves_the_receipts_to_remember_the_time(
    seen_later: Path, license_file: Path
) -> None:
    clear("chk-0002", home=seen_later, now=LATER)
    (seen_later / "store.json").unlink()
    (seen_later / "guard.json").unlink()
    assert "clock looks wrong" in _reimport_set_back(seen_later, license_file)


def test_a_garbled_guard_file_neither_stops_the_check_nor_stays_garbled(
    seen_later: Path,
) -> None:
    (seen_later / "guard.json").write_text("{garbled")
    assert check("Designer", "2.1", home=seen_later, now=LATER).ok
    with Store(seen_later).update() as state:
        state.saw(LATER + timedelta(hours=1))
    assert json.loads((seen_later / "guard.json").read_text())["last_seen"] == _iso(
        LATER + timedelta(hours=1)
    )


def test_the_guard_file_follows_the_latest_time_seen(seen_later: Path) -> None:
    guard = json.loads((seen_later / "guard.json").read_text())
    assert guard["format"] == "entitle-tool-guard/1"
    assert guard["last_seen"] == _iso(LATER)
    stored = json.loads((seen_later / "store.json").read_text())
    assert {e["last_seen"] for e in stored["licenses"].values()} == {_iso(LATER)}


def test_a_store_written_before_entries_kept_the_time_seen_still_works(
    seen_later: Path,
) -> None:
    def first_format(document: dict[str, Any]) -> None:
        document["format"] = "entitle-tool-store/1"
        del document["refused"]
        for entry in document["licenses"].values():
            del entry["last_seen"]

    _edit_store(seen_later, first_format)
    (seen_later / "guard.json").unlink()
    assert check("Designer", "2.1", home=seen_later, now=LATER).ok
    assert check("Designer", "2.1", home=seen_later, now=SET_BACK).reason == "CLOCK_WRONG"
    with Store(seen_later).update() as state:
        state.saw(LATER + timedelta(hours=2))
    assert json.loads((seen_later / "store.json").read_text())["format"] == "entitle-tool-store/3"
