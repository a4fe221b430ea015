"""``entitle db backup``: an online copy of the SQLite database; PostgreSQL goes to pg_dump."""

from __future__ import annotations

import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from entitle.cli import main
from entitle.service.bootstrap import open_services
from tests.integration.fixtures import Clock, build_world


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ENTITLE_DATABASE_URL", raising=False)
    main(["db", "upgrade"])
    build_world(open_services(tmp_path), Clock())
    return tmp_path


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def test_backup_copies_the_live_database_while_another_connection_writes(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = data_dir / "entitle.sqlite3"
    stop, writing = threading.Event(), threading.Event()

    def write() -> None:
        with sqlite3.connect(live, timeout=30) as conn:
            while not stop.is_set():
                conn.execute("INSERT INTO settings VALUES (hex(randomblob(8)), 'x', '2026-01-01')")
                conn.commit()
                writing.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert writing.wait(timeout=30), "the writer never committed"
        main(["db", "backup", str(tmp_path / "copy.sqlite3")])
    finally:
        stop.set()
        writer.join()
    copy = tmp_path / "copy.sqlite3"
    assert "backed up" in capsys.readouterr().out
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _count(copy, "users") == _count(live, "users") == 4
    assert 0 < _count(copy, "settings") <= _count(live, "settings")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def _refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_backup_refuses_to_overwrite_a_file(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "old.sqlite3"
    existing.write_bytes(b"keep me")
    assert "exists" in _refusal(["db", "backup", str(existing)], capsys)
    assert existing.read_bytes() == b"keep me"


def test_backup_of_postgresql_points_to_pg_dump_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_DATABASE_URL", "postgresql://entitle@db.internal/entitle")
    err = _refusal(["db", "backup", str(tmp_path / "copy")], capsys)
    assert "pg_dump --format=custom" in err
    assert not (tmp_path / "copy").exists()
