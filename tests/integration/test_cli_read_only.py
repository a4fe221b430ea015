"""Commands that read create nothing: no data directory, no database file, no keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from entitle.cli import main

NEEDS_THE_DATABASE = [
    ["org", "list"],
    ["checkouts", "--org", "Northwind"],
    ["token", "list", "--email", "admin@example.com"],
    ["usage", "--org", "Northwind", "--from", "2027-01-01", "--to", "2027-02-01"],
]
NEEDS_THE_KEYS = [["keys", "fingerprint"], ["keys", "status"]]


@pytest.fixture(params=["empty", "missing"])
def data_dir(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A data directory that is empty, or does not exist."""
    directory = tmp_path / "data"
    if request.param == "empty":
        directory.mkdir()
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(directory))
    monkeypatch.delenv("ENTITLE_DATABASE_URL", raising=False)
    return directory


def _as_it_was(directory: Path) -> list[Path] | None:
    return sorted(directory.iterdir()) if directory.exists() else None


def _refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    return captured.err


@pytest.mark.parametrize("argv", NEEDS_THE_DATABASE, ids=" ".join)
def test_a_listing_before_the_database_exists_says_to_create_it_and_creates_nothing(
    argv: list[str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _as_it_was(data_dir)
    err = _refusal(argv, capsys)
    assert err == (
        f"entitle: there is no database yet ({data_dir / 'entitle.sqlite3'}); "
        "create it with 'entitle db upgrade'\n"
    )
    assert _as_it_was(data_dir) == before


@pytest.mark.parametrize("argv", NEEDS_THE_KEYS, ids=" ".join)
def test_a_look_at_the_keys_before_there_are_any_says_how_to_make_them_and_makes_none(
    argv: list[str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _as_it_was(data_dir)
    err = _refusal(argv, capsys)
    assert "there are no signing keys yet" in err
    assert "'entitle keys init'" in err
    assert _as_it_was(data_dir) == before


def test_config_creates_nothing(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _as_it_was(data_dir)
    main(["config"])
    assert f"ENTITLE_DATA_DIR={data_dir}" in capsys.readouterr().out
    assert _as_it_was(data_dir) == before


def test_a_change_before_the_database_exists_is_refused_and_creates_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _as_it_was(data_dir)
    err = _refusal(["org", "create", "Acme", "--contract-end", "2027-09-30"], capsys)
    assert "'entitle db upgrade'" in err
    assert _as_it_was(data_dir) == before


def test_listings_of_an_existing_database_make_no_keys(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys_dir = tmp_path / "keys-live-here"
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(keys_dir))
    monkeypatch.setenv("ENTITLE_DATABASE_URL", database_url)
    main(["org", "create", "Northwind", "--contract-end", "2027-09-30"])
    main(["org", "list"])
    main(["checkouts", "--org", "Northwind"])
    main(["usage", "--org", "Northwind", "--from", "2027-01-01", "--to", "2027-02-01"])
    assert "Northwind" in capsys.readouterr().out
    assert not keys_dir.exists()


def test_the_first_command_that_signs_says_it_is_making_the_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ENTITLE_DATABASE_URL", raising=False)
    main(["db", "upgrade"])
    assert not (tmp_path / "keys").exists()
    capsys.readouterr()
    main(["demo"])
    assert capsys.readouterr().err == f"entitle: creating signing keys in {tmp_path / 'keys'}\n"
    main(["demo"])
    assert capsys.readouterr().err == ""
