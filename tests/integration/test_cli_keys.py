"""``entitle keys``: the issuer root, its fingerprint, rotation with the root kept offline."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from entitle.cli import main
from entitle.licensefile import load_keys

FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path))
    return tmp_path


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_keys_fingerprint_prints_the_sha256_of_the_root_certificate_alone_on_its_last_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "init"])
    created = capsys.readouterr().out
    main(["keys", "fingerprint"])
    last = capsys.readouterr().out.splitlines()[-1]
    assert FINGERPRINT.fullmatch(last)
    root = x509.load_der_x509_certificate(load_keys(data_dir).root_certificate)
    assert last == "sha256:" + root.fingerprint(hashes.SHA256()).hex()
    assert created.splitlines()[-1].endswith(last)


def test_rotation_needs_the_root_key_once_it_is_moved_off_the_server(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "init"])
    before = load_keys(data_dir).kids()
    usb = tmp_path / "usb-root.key.pem"
    main(["keys", "export-root", "--out", str(usb)])
    assert stat.S_IMODE(usb.stat().st_mode) == 0o600
    assert not (data_dir / "keys" / "root.key.pem").exists()
    capsys.readouterr()

    err = _refused(["keys", "rotate"], capsys)
    assert "needs the issuer root's private key" in err
    assert "--root-key PATH" in err
    assert load_keys(data_dir).kids() == before

    main(["keys", "rotate", "--root-key", str(usb)])
    assert set(load_keys(data_dir).kids()).isdisjoint(before)
    assert "exported already" in _refused(["keys", "export-root", "--out", str(usb)], capsys)


def test_a_missing_or_wrong_root_key_is_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "init"])
    missing = _refused(["keys", "rotate", "--root-key", str(tmp_path / "nope.pem")], capsys)
    assert "does not exist" in missing
    wrong = tmp_path / "wrong.pem"
    wrong.write_text("not a key")
    assert "not an unencrypted PEM private key" in _refused(
        ["keys", "rotate", "--root-key", str(wrong)], capsys
    )


def test_status_shows_each_keys_certificate_and_revoke_wants_a_retired_key(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "init"])
    first = load_keys(data_dir).kids()
    capsys.readouterr()
    main(["keys", "status"])
    shown = capsys.readouterr().out
    assert shown.count("active") == 3
    assert "issuer root fingerprint: sha256:" in shown
    assert "rotate the keys first" in _refused(["keys", "revoke", first[0]], capsys)
    main(["keys", "rotate"])
    main(["keys", "revoke", first[0]])
    capsys.readouterr()
    main(["keys", "status"])
    assert "revoked" in capsys.readouterr().out
    assert "there is no signing key" in _refused(["keys", "revoke", "no-such-kid"], capsys)


@pytest.mark.parametrize(
    "argv", [["keys", "revoke", "-Xq9_kid"], ["keys", "revoke", "--kid", "-Xq9_kid"]]
)
def test_revoke_takes_a_kid_that_begins_with_a_dash(
    argv: list[str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "init"])
    capsys.readouterr()
    assert "there is no signing key -Xq9_kid" in _refused(argv, capsys)


def test_revoke_takes_the_retired_key_as_an_option(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["keys", "init"])
    retired = load_keys(data_dir).kids()[0]
    main(["keys", "rotate"])
    main(["keys", "revoke", "--kid", retired])
    assert f"revoked signing keys: {retired}" in capsys.readouterr().out
