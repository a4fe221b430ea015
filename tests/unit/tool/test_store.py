from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import pytest

from entitle.tool import DamagedStore, check, import_license_files, list_licenses, tool_home
from entitle.tool.store import Store
from tests.claims import NOW
from tests.unit.tool.conftest import MakeLicense


@pytest.fixture
def stored(trusted_home: Path, make_license: MakeLicense) -> Path:
    """A store that holds a license."""
    import_license_files([make_license()], home=trusted_home, now=NOW)
    return trusted_home


def test_a_damaged_store_is_reported_and_kept_aside_not_emptied(
    stored: Path, make_license: MakeLicense
) -> None:
    trusted_home = stored
    store_file = trusted_home / "store.json"
    store_file.write_bytes(b'{"format": "entitle-tool-store/1", "licenses": {trunc')
    with pytest.raises(DamagedStore) as damaged:
        list_licenses(home=trusted_home)
    assert damaged.value.kept_as is not None
    kept = Path(damaged.value.kept_as)
    assert kept.name.startswith("store.json.damaged-")
    assert kept.read_bytes() == b'{"format": "entitle-tool-store/1", "licenses": {trunc'
    assert str(kept) in damaged.value.message
    assert not store_file.exists()
    import_license_files([make_license()], home=trusted_home, now=NOW)
    assert list(Store(trusted_home).read().licenses) == ["chk-0001"]


def test_a_damaged_store_makes_the_check_refuse_with_its_reason(stored: Path) -> None:
    trusted_home = stored
    (trusted_home / "store.json").write_text("[]")
    result = check("Designer", "2.1", home=trusted_home, now=NOW)
    assert result.reason == "STORE_DAMAGED"
    assert list(trusted_home.glob("store.json.damaged-*"))


def test_writes_leave_no_temporary_files_and_keep_the_store_private(stored: Path) -> None:
    trusted_home = stored
    leftovers = [p.name for p in trusted_home.iterdir() if p.name.startswith(".tmp-")]
    assert leftovers == []
    if os.name == "posix":
        assert (trusted_home / "store.json").stat().st_mode & 0o077 == 0
        assert trusted_home.stat().st_mode & 0o077 == 0


def test_an_update_that_changes_nothing_does_not_rewrite_the_store(stored: Path) -> None:
    trusted_home = stored
    before = (trusted_home / "store.json").stat().st_mtime_ns
    with Store(trusted_home).update():
        pass
    assert (trusted_home / "store.json").stat().st_mtime_ns == before


def test_entitle_tool_home_overrides_the_store_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTITLE_TOOL_HOME", str(tmp_path / "elsewhere"))
    assert tool_home() == str(tmp_path / "elsewhere")


@pytest.mark.parametrize("xdg_data_home", [None, "/srv/xdg-data"])
def test_the_default_store_is_the_platformdirs_user_data_directory(
    xdg_data_home: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENTITLE_TOOL_HOME", raising=False)
    if xdg_data_home is None:
        monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg_data_home)
    assert tool_home() == platformdirs.user_data_dir("entitle-tool")
