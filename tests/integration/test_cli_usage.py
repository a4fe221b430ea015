from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from entitle.cli import main


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One demo database for the module: loading it signs many license files."""
    directory = tmp_path_factory.mktemp("usage")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ENTITLE_DATA_DIR", str(directory))
        patch.delenv("ENTITLE_DATABASE_URL", raising=False)
        main(["db", "upgrade"])
        main(["demo"])
        yield directory


def span() -> list[str]:
    today = datetime.now(UTC).date()
    return ["--from", str(today - timedelta(days=365 * 2)), "--to", str(today + timedelta(days=1))]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    main(argv)
    return capsys.readouterr().out


def test_usage_prints_csv_whose_groups_add_up_to_the_total(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = ["usage", "--org", "Northwind Engineering", *span(), "--csv"]
    total = list(csv.DictReader(io.StringIO(run(org, capsys))))
    by_month = list(
        csv.DictReader(
            io.StringIO(run([*org, "--group-by", "month", "--group-by", "user"], capsys))
        )
    )
    assert list(by_month[0]) == ["month", "user", "minutes", "duration"]
    assert int(total[0]["minutes"]) == sum(int(r["minutes"]) for r in by_month) > 0


def test_usage_table_names_the_organisation(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(
        ["usage", "--org", "Northwind Engineering", *span(), "--group-by", "application"], capsys
    )
    assert "Northwind Engineering" in out
    assert "total:" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--group-by", "week"], "Cannot group by 'week'"),
        (["--country", "USA"], "not a country code"),
        (["--license-service", "floating"], "use SES or SELECTserver"),
    ],
)
def test_bad_usage_input_is_one_line_and_exit_2(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["usage", "--org", "Northwind Engineering", *span(), *extra])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


@pytest.mark.parametrize(
    "dates",
    [
        ["--from", "2026-02-30", "--to", "2026-03-01"],
        ["--from", "2026-03-01", "--to", "2026-03-01"],
    ],
)
def test_bad_range_is_refused(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], dates: list[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["usage", "--org", "Northwind Engineering", *dates])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith("entitle: ")


def test_unknown_organisation_is_refused(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["usage", "--org", "Nobody", "--from", "2026-01-01", "--to", "2026-02-01"])
    assert "No organisation named Nobody" in capsys.readouterr().err
