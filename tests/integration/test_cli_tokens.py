from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from entitle.cli import main
from entitle.server import create_app
from entitle.service.bootstrap import open_services


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ENTITLE_DATABASE_URL", raising=False)
    main(["db", "upgrade"])
    main(["org", "create", "Acme", "--contract-end", "2099-01-31"])
    main(["user", "add", "Acme", "boss@acme.example", "--role", "Administrator"])
    return tmp_path


def test_token_create_prints_the_token_alone_on_the_last_line_and_revoke_ends_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main(["token", "create", "--email", "boss@acme.example", "--label", "ci"])
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("ent_")
    assert " " not in token
    client = TestClient(create_app(open_services(data_dir)))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/checkouts", headers=headers).status_code == 200
    main(["token", "list", "--email", "boss@acme.example"])
    listing = capsys.readouterr().out
    assert "ci" in listing
    assert token not in listing
    main(["token", "revoke", "1"])
    # The command is another process than the server: the server refuses within a second.
    deadline = time.monotonic() + 1.0
    while (answer := client.get("/api/v1/checkouts", headers=headers)).status_code == 200:
        assert time.monotonic() < deadline, "the server still accepts the revoked token"
    assert answer.status_code == 401


def test_token_commands_refuse_unknown_users_and_tokens_in_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    for argv in (["token", "create", "--email", "nobody@acme.example"], ["token", "revoke", "9"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_serve_refuses_in_one_line_when_the_schema_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ENTITLE_DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--port", "1"])
    assert exit_.value.code == 2
    assert "entitle db upgrade" in capsys.readouterr().err
