from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from entitle.cli import main
from entitle.store.database import make_engine, upgrade
from entitle.store.tables import application_versions, checkouts, organisations, users


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ENTITLE_DATABASE_URL", raising=False)
    main(["db", "upgrade"])
    return tmp_path


def rows(data_dir: Path, table) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{data_dir / 'entitle.sqlite3'}")
    with engine.connect() as conn:
        found = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    engine.dispose()
    return found


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_demo_loads_once_and_prints_the_logins(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo"])
    assert "admin@example.com" in capsys.readouterr().out
    before = (rows(data_dir, organisations), rows(data_dir, users), rows(data_dir, checkouts))
    assert before[0] == 2
    assert before[2] > 20
    main(["demo"])
    after = (rows(data_dir, organisations), rows(data_dir, users), rows(data_dir, checkouts))
    assert after == before


def test_operator_sets_up_an_organisation_without_the_demo(
    data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    main(["org", "create", "Acme", "--contract-end", "2027-09-30", "--no-select"])
    main(["country", "set", "Acme", "de", "--max-days", "60"])
    main(
        [
            "user",
            "add",
            "Acme",
            "boss@acme.example",
            "--role",
            "Administrator",
            "--country",
            "DE",
            "--password",
            "s3cret-pass",
        ]
    )
    main(["activation-keys", "add", "Acme", "DE", "de-key-1"])
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "application,version,license_service\nAtlas,1.2.3,SES\nAtlas,1.1,SELECTserver\n"
    )
    main(["catalog", "import", str(catalog)])
    main(["org", "list"])
    out = capsys.readouterr().out
    assert "Acme" in out
    assert "DE (60 d)" in out
    assert rows(data_dir, application_versions) == 2


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["org", "create", "Acme", "--contract-end", "30/09/2027"], "must be a date"),
        (["country", "set", "Nobody", "US"], "No organisation named Nobody"),
        (["user", "add", "Acme", "not-an-email"], "is not an email address"),
        (["user", "add", "Acme", "a@acme.example", "--role", "Boss"], "role is one of"),
        (["country", "set", "Acme", "USA"], "two letters"),
        (["country", "set", "Acme", "US", "--max-days", "400"], "1 to 365 days"),
        (["activation-keys", "add", "Acme", "FR", "K1"], "entitlement country first"),
        (["checkouts", "--org", "Acme", "--status", "lost"], "--status is one of"),
        (["no-such-command"], "No such command"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    main(["org", "create", "Acme", "--contract-end", "2027-09-30"])
    capsys.readouterr()
    before = (rows(data_dir, organisations), rows(data_dir, users))
    assert says in refused(argv, capsys)
    assert (rows(data_dir, organisations), rows(data_dir, users)) == before


def test_catalog_import_is_all_or_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("application,version,license_service\nAtlas,1.2.3,SES\nAtlas,1.x,SES\n")
    assert "Line 3" in refused(["catalog", "import", str(catalog)], capsys)
    catalog.write_text("app,ver\nAtlas,1.2.3\n")
    assert "header" in refused(["catalog", "import", str(catalog)], capsys)
    assert rows(data_dir, application_versions) == 0


def test_catalog_import_names_every_bad_row_on_one_line_and_adds_only_once(
    data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "application,version,license_service\n,1.0,SES\nAtlas,1.2.3,SES\nAtlas,2,Flex\n"
    )
    said = refused(["catalog", "import", str(catalog)], capsys)
    assert "2 bad rows, nothing imported. Line 2: " in said
    assert "; Line 4: 'Flex' is not a license service" in said
    catalog.write_text("application,version,license_service\nAtlas,1.2.3,SES\nAtlas,1.3,SES\n")
    main(["catalog", "import", str(catalog)])
    main(["catalog", "import", str(catalog)])
    out = capsys.readouterr().out
    assert "2 new version(s) (1 new application(s)), 0 already known" in out
    assert "0 new version(s) (0 new application(s)), 2 already known" in out
    assert rows(data_dir, application_versions) == 2


def test_the_operator_marks_the_organisations_that_maintain_the_catalog(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["org", "create", "Acme", "--contract-end", "2027-09-30", "--maintains-catalog"])
    main(["org", "create", "Beta", "--contract-end", "2027-09-30"])
    capsys.readouterr()
    main(["org", "list"])
    listed = capsys.readouterr().out
    assert "maintains" in next(line for line in listed.splitlines() if "Acme" in line)
    assert "maintains" not in next(line for line in listed.splitlines() if "Beta" in line)
    main(["org", "set", "Acme", "--no-maintains-catalog"])
    assert "maintains the catalog: no" in capsys.readouterr().out
    main(["org", "set", "Beta", "--maintains-catalog"])
    assert "maintains the catalog: yes" in capsys.readouterr().out


def test_signing_keys_are_never_overwritten(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "init"])
    assert "already holds keys" in refused(["keys", "init"], capsys)
    main(["keys", "rotate"])
    assert "active signing keys" in capsys.readouterr().out


def test_a_database_that_was_never_upgraded_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path / "fresh"))
    assert "entitle db upgrade" in refused(["org", "list"], capsys)


def test_serve_refuses_a_schema_behind_head_in_one_line_naming_the_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ENTITLE_DATABASE_URL", raising=False)
    engine = make_engine(f"sqlite:///{tmp_path / 'entitle.sqlite3'}")
    upgrade(engine, "0001")
    engine.dispose()
    line = refused(["serve"], capsys)
    assert "schema is at 0001, behind" in line
    assert "run 'entitle db upgrade' first" in line


def test_serve_names_the_demo_login_only_while_the_demo_password_still_works(
    data_dir: Path,
) -> None:
    from entitle.service import admin
    from entitle.service.bootstrap import open_services
    from entitle.service.demo import demo_login

    main(["demo"])
    services = open_services(data_dir)
    try:
        assert demo_login(services) == ("admin@example.com", "entitle-demo")
        admin.set_password(services, "admin@example.com", "a much better secret")
        assert demo_login(services) is None
    finally:
        services.engine.dispose()
