"""``entitle config`` and the environment as every command checks it first."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from entitle.cli import main
from entitle.settings import MASK
from tests.servers import ENTITLE


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path))
    for name in ("ENTITLE_DATABASE_URL", "ENTITLE_SECRET_KEY", "ENTITLE_ISSUER"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_config_prints_each_setting_with_its_source_and_masks_secrets(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_SECRET_KEY", "cookie-secret")
    monkeypatch.setenv("ENTITLE_ISSUER", "licenses.example.com")
    main(["config"])
    lines = capsys.readouterr().out.splitlines()
    assert f"ENTITLE_DATA_DIR={data_dir}  (source: environment)" in lines
    assert (
        f"ENTITLE_DATABASE_URL=sqlite:///{data_dir / 'entitle.sqlite3'}  (source: default)" in lines
    )
    assert f"ENTITLE_SECRET_KEY={MASK}  (source: environment)" in lines
    assert "ENTITLE_ISSUER=licenses.example.com  (source: environment)" in lines
    assert "ENTITLE_BENCH_ROUTES=false  (source: default)" in lines
    assert "cookie-secret" not in "\n".join(lines)


def test_config_masks_the_password_of_the_database_url(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_DATABASE_URL", "postgresql://entitle:pa55word@db.internal/e")
    main(["config"])
    out = capsys.readouterr().out
    assert f"ENTITLE_DATABASE_URL=postgresql://entitle:{MASK}@db.internal/e" in out
    assert "pa55word" not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["config"],
        ["org", "list"],
        ["keys", "status"],
        ["db", "upgrade"],
        ["serve", "--port", "1"],
        ["token", "list", "--email", "boss@acme.example"],
    ],
)
def test_a_malformed_value_stops_every_command_with_one_line_naming_the_variable(
    argv: list[str],
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ENTITLE_ARGON2_TIME_COST", "abc")
    out, err = _refused(argv, capsys)
    assert out == ""
    assert err == (
        "entitle: ENTITLE_ARGON2_TIME_COST is 'abc', not a whole number of at least 1: "
        "correct it, or unset it for the default\n"
    )
    assert list(data_dir.iterdir()) == []


def test_help_and_the_version_still_answer_with_a_malformed_value(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_ARGON2_TIME_COST", "abc")
    main(["--version"])
    assert capsys.readouterr().out.startswith("entitle ")
    main(["config", "--help"])
    assert "Usage: entitle config" in capsys.readouterr().out


def test_the_command_line_gives_one_line_and_no_traceback_for_a_malformed_value(
    data_dir: Path,
) -> None:
    env = {"PATH": "/usr/bin:/bin", "ENTITLE_DATA_DIR": str(data_dir), "ENTITLE_BENCH_ROUTES": "2"}
    done = subprocess.run(
        [ENTITLE, "org", "list"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("entitle: ENTITLE_BENCH_ROUTES is '2', not true or false")


def test_a_misspelt_variable_is_warned_of_before_the_command_runs(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_DATABSE_URL", "postgresql://elsewhere/entitle")
    main(["config"])
    captured = capsys.readouterr()
    assert captured.err == (
        "entitle: warning: ENTITLE_DATABSE_URL is not a setting "
        "(did you mean ENTITLE_DATABASE_URL?)\n"
    )
    assert "elsewhere" not in captured.out


def test_serve_warns_of_a_misspelt_variable_at_start_up(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_SECRETKEY", "x")
    _, err = _refused(["serve", "--port", "1"], capsys)
    assert err.splitlines()[0] == (
        "entitle: warning: ENTITLE_SECRETKEY is not a setting (did you mean ENTITLE_SECRET_KEY?)"
    )


def test_the_variables_of_the_tool_and_the_tests_are_not_warned_of(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_TOOL_HOME", str(data_dir / "tool"))
    monkeypatch.setenv("ENTITLE_TEST_MACHINE_NAME", "WS-1")
    monkeypatch.setenv("ENTITLE_SOAK", "1")
    monkeypatch.setenv("ENTITLE_PASSWORD", "s3cret-pass")
    main(["config"])
    assert capsys.readouterr().err == ""
