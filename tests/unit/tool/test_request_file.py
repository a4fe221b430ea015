"""``entitle-tool request``: the request file an air-gapped machine hands its administrator,
written by the tool alone and read by the server's own parser."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest

from entitle import __version__
from entitle.domain.request_file import parse_request_file
from entitle.tool import MachineIdUnavailable, machine_fingerprint
from entitle.tool.cli import main
from entitle.tool.request_file import checkout_request
from tests.claims import NOW
from tests.workstation import pretend_machine

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "checkout-request.schema.json"


def _request(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["request", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_file_the_tool_writes_is_read_by_the_server_with_this_machines_fingerprint(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "usb" / "request.json"
    code, printed, err = _request(
        capsys,
        "--app",
        "Atlas Designer",
        "--version",
        "10.17.2.61",
        "--app",
        "Road Planner",
        "--version",
        "10.14.0.81",
        "--until",
        "2027-03-31",
        "--country",
        "de",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert printed == (
        "Wrote the checkout request of WS-1 for Atlas Designer 10.17.2.61, Road Planner "
        f"10.14.0.81 to {out}; hand it to your administrator.\n"
    )
    data = out.read_bytes()
    jsonschema.validate(json.loads(data), json.loads(SCHEMA.read_text()))
    read = parse_request_file(data)
    assert read.machine_name == "WS-1"
    assert read.machine_fingerprint == machine_fingerprint()
    assert read.applications == (("Atlas Designer", "10.17.2.61"), ("Road Planner", "10.14.0.81"))
    assert read.expires_on == date(2027, 3, 31)
    assert read.country == "DE"
    assert read.os_user
    assert read.tool_version == __version__
    assert read.created_at is not None


def test_days_are_counted_from_today_as_the_server_counts_them(home: Path) -> None:
    document = checkout_request([("Atlas Designer", "10.17.2.61")], days=30, now=NOW)
    read = parse_request_file(json.dumps(document))
    assert read.expires_on == NOW.date() + timedelta(days=30)
    assert read.created_at == NOW.replace(microsecond=0)
    assert read.country is None


def test_a_malformed_version_is_refused_before_anything_is_written(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "request.json"
    code, _, err = _request(capsys, "--app", "Atlas", "--version", "ten", "--out", str(out))
    assert code == 2
    assert "'ten' is not a version such as 10.17.2.61." in err
    assert not out.exists()


def test_a_machine_name_no_checkout_can_carry_is_one_line_and_no_file(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pretend_machine(monkeypatch, name="lab_airgap", config_dir=tmp_path / "etc-entitle")
    out = tmp_path / "request.json"
    code, _, err = _request(capsys, "--app", "Atlas", "--version", "1.2", "--out", str(out))
    assert code == 1
    assert err.splitlines() == [
        "entitle-tool: This machine's name 'lab_airgap' cannot be named in a checkout (1 to 63 "
        "letters, digits and hyphens, not only digits): ask the system administrator to rename it."
    ]
    assert not out.exists()


def test_a_machine_without_a_machine_id_cannot_write_a_request(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pretend_machine(monkeypatch, machine_id=None, config_dir=tmp_path / "etc-entitle")
    with pytest.raises(MachineIdUnavailable):
        checkout_request([("Atlas", "1.2")])
