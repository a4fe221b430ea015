"""``entitle checkouts import``: the template, a dry run, all or nothing, and the files."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from entitle.cli import main
from entitle.store.tables import audit_events, checkouts
from tests.integration.test_cli import data_dir, refused, rows

__all__ = ["data_dir"]  # the fixture


@pytest.fixture
def acme(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    main(["org", "create", "Acme", "--contract-end", "2027-09-30"])
    main(["country", "set", "Acme", "US", "--max-days", "90"])
    main(
        ["user", "add", "Acme", "admin@acme.example", "--role", "Administrator", "--country", "US"]
    )
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("application,version,license_service\nAtlas Designer,10.17.2.61,SES\n")
    main(["catalog", "import", str(catalog)])
    capsys.readouterr()
    return data_dir


def _file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "site.csv"
    path.write_text("user;machine;country;applications;expires_on\n" + "\n".join(lines) + "\n")
    return path


def test_the_template_is_printed_with_the_documented_header(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["checkouts", "template"])
    assert capsys.readouterr().out.splitlines()[0] == (
        "user,machine,country,license_service,applications,expires_on,activation_key,notes"
    )


def test_a_dry_run_lists_problems_and_an_import_refuses_them_creating_nothing(
    acme: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _file(
        tmp_path,
        "ana@example.com;WS-1;US;Atlas Designer 10.17.2.61;",
        "ben@example.com;WS-2;US;Atlas Designer 9.0;2027-12-31",
    )
    with pytest.raises(SystemExit) as exit_:
        main(["checkouts", "import", str(bad), "--org", "Acme", "--dry-run"])
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "1 of 2 row(s) valid" in out
    assert "no released version" in out
    out_dir = tmp_path / "out"
    says = refused(
        ["checkouts", "import", str(bad), "--org", "Acme", "--out", str(out_dir)], capsys
    )
    assert "1 of 2 rows have problems" in says
    assert rows(acme, checkouts) == 0
    sheet = list(csv.DictReader(io.StringIO((out_dir / "result.csv").read_text())))
    assert [r["status"] for r in sheet] == ["valid", "invalid"]


def test_an_import_writes_the_zip_and_the_result_sheet_and_a_retry_creates_nothing(
    acme: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _file(
        tmp_path,
        "ana@example.com;WS-1;US;Atlas Designer 10.17.2.61;",
        "ben@example.com;WS-2;US;Atlas Designer 10.17.2.61;",
    )
    out_dir = tmp_path / "out"
    argv = ["checkouts", "import", str(good), "--org", "Acme", "--out", str(out_dir), "--key", "k"]
    main(argv)
    assert "2 checkout(s) created, 0 row(s) skipped" in capsys.readouterr().out
    names = zipfile.ZipFile(out_dir / "license-files.zip").namelist()
    assert len(names) == 2
    assert names[0].startswith("ana_WS-1_")
    main(argv)
    assert "nothing new" in capsys.readouterr().out
    assert rows(acme, checkouts) == 2
    assert rows(acme, audit_events) >= 3
