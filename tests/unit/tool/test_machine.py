"""Which machine this is: no environment variable moves a license, the fingerprint is stable."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from entitle.tool import MachineIdUnavailable, check, import_license_files, machine_fingerprint
from entitle.tool import fingerprint as fingerprint_module
from entitle.tool import home as home_module
from entitle.tool.cli import main
from entitle.tool.store import Store
from tests.claims import NOW
from tests.unit.tool.conftest import MakeLicense
from tests.workstation import MACHINE_ID, pretend_machine, tool_environment

TOOL = str(Path(sys.executable).with_name("entitle-tool"))


def _tool(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TOOL, *args], env=env, capture_output=True, text=True, check=False)


def test_the_machine_variable_does_not_let_another_host_import_a_license(
    trusted_home: Path, make_license: MakeLicense
) -> None:
    license_file = make_license(machine_name="WS-RT-01")
    env = tool_environment(trusted_home, machine="WS-2") | {"ENTITLE_MACHINE_NAME": "WS-RT-01"}
    imported = _tool(env, "import", str(license_file))
    assert imported.returncode == 1
    assert "refused: This license is for machine WS-RT-01, not WS-2." in imported.stdout
    checked = _tool(env, "check", "--app", "Designer", "--version", "2.1")
    assert checked.returncode == 1
    assert "NO_LICENSE" in checked.stderr


def test_the_machine_variable_does_not_let_another_host_run_a_copied_store(
    trusted_home: Path, make_license: MakeLicense, monkeypatch: pytest.MonkeyPatch
) -> None:
    pretend_machine(monkeypatch, name="WS-RT-01")
    [outcome] = import_license_files([make_license(machine_name="WS-RT-01")], home=trusted_home)
    assert outcome.status == "imported"
    env = tool_environment(trusted_home, machine="WS-2") | {"ENTITLE_MACHINE_NAME": "WS-RT-01"}
    checked = _tool(env, "check", "--app", "Designer", "--version", "2.1")
    assert checked.returncode == 1
    assert "Not licensed (WRONG_MACHINE)" in checked.stderr
    on_its_own_machine = env | {"ENTITLE_TEST_MACHINE_NAME": "WS-RT-01"}
    assert (
        _tool(on_its_own_machine, "check", "--app", "Designer", "--version", "2.1").returncode == 0
    )


def test_without_the_test_hook_no_variable_changes_the_machine(tmp_path: Path) -> None:
    env = {
        "PATH": "",
        "ENTITLE_TOOL_HOME": str(tmp_path),
        "ENTITLE_MACHINE_NAME": "WS-RT-01",
        "ENTITLE_TEST_MACHINE_NAME": "WS-RT-01",
        "ENTITLE_TEST_MACHINE_ID": "0" * 32,
        "COMPUTERNAME": "WS-RT-01",
    }
    script = (
        "import sys\nfrom entitle.tool import machine_name\n"
        "print('sitecustomize' in sys.modules, machine_name())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", socket.gethostname().split(".")[0]]
    assert "WS-RT-01" not in done.stdout


def test_the_machine_name_is_the_host_name_without_its_domain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pretend_machine(monkeypatch, name="ws-0042.corp.example.com")
    assert home_module.machine_name() == "ws-0042"


def test_the_fingerprint_is_stable_hex_and_never_the_raw_id(home: Path) -> None:
    first = machine_fingerprint()
    assert first == machine_fingerprint()
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert MACHINE_ID not in first
    assert first != hashlib.sha256(MACHINE_ID.encode()).hexdigest()


def test_another_machine_id_gives_another_fingerprint(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = machine_fingerprint()
    pretend_machine(monkeypatch, machine_id="9" * 32)
    assert machine_fingerprint() != first


def test_the_fingerprint_does_not_depend_on_the_case_the_os_writes_the_id_in(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pretend_machine(monkeypatch, machine_id="4C4C4544-0042-3510-8052-B4C04F4E3232")
    upper = machine_fingerprint()
    pretend_machine(monkeypatch, machine_id="4c4c4544-0042-3510-8052-b4c04f4e3232\n")
    assert machine_fingerprint() == upper


def test_the_linux_machine_id_falls_back_to_the_dbus_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etc, dbus = tmp_path / "machine-id", tmp_path / "dbus-machine-id"
    monkeypatch.setattr(fingerprint_module, "LINUX_MACHINE_ID_FILES", (str(etc), str(dbus)))
    monkeypatch.setattr(fingerprint_module.sys, "platform", "linux")
    dbus.write_text("b" * 32 + "\n")
    assert fingerprint_module.read_machine_id() == "b" * 32
    etc.write_text("uninitialized\n")
    assert fingerprint_module.read_machine_id() == "b" * 32
    etc.write_text("a" * 32 + "\n")
    assert fingerprint_module.read_machine_id() == "a" * 32


def test_the_macos_machine_id_is_the_platform_uuid_ioreg_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ioreg_output = (
        "+-o J316sAP  <class IOPlatformExpertDevice, id 0x100000228, registered>\n"
        '    "IOPlatformSerialNumber" = "C02XK0AAJGH6"\n'
        '    "IOPlatformUUID" = "4C4C4544-0042-3510-8052-B4C04F4E3232"\n'
    )
    fake_ioreg = (sys.executable, "-c", f"print({ioreg_output!r}, end='')")
    monkeypatch.setattr(fingerprint_module, "MACOS_IOREG", fake_ioreg)
    monkeypatch.setattr(fingerprint_module.sys, "platform", "darwin")
    assert fingerprint_module.read_machine_id() == "4C4C4544-0042-3510-8052-B4C04F4E3232"
    monkeypatch.setattr(fingerprint_module, "MACOS_IOREG", (sys.executable, "-c", "pass"))
    with pytest.raises(MachineIdUnavailable, match="IOPlatformUUID"):
        fingerprint_module.read_machine_id()


def test_a_machine_without_an_id_has_no_fingerprint_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = (str(tmp_path / "machine-id"), str(tmp_path / "dbus"))
    monkeypatch.setattr(fingerprint_module, "LINUX_MACHINE_ID_FILES", missing)
    monkeypatch.setattr(fingerprint_module.sys, "platform", "linux")
    (tmp_path / "dbus").write_text("")
    with pytest.raises(MachineIdUnavailable) as raised:
        machine_fingerprint()
    assert raised.value.code == "NO_MACHINE_ID"
    assert str(tmp_path / "machine-id") in raised.value.message


def test_the_machine_command_prints_the_name_and_fingerprint(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["machine"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Machine name:        WS-1",
        "Name-bound licenses: can run here",
        f"Machine fingerprint: {machine_fingerprint()}",
    ]
    assert MACHINE_ID not in out


def test_the_machine_command_says_a_non_ascii_name_cannot_run_name_bound_licenses(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pretend_machine(monkeypatch, name="Wſ-RT-01")
    assert main(["machine"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Machine name:        Wſ-RT-01"
    assert lines[1].startswith("Name-bound licenses: cannot run here: the name is not plain ASCII")


def test_the_machine_command_without_a_machine_id_fails_in_one_line(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pretend_machine(monkeypatch, machine_id=None)
    assert main(["machine"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "Machine name:        WS-1"
    assert len(err.splitlines()) == 1
    assert err.startswith("entitle-tool: This machine has no machine id")


def test_the_machine_command_in_a_process_of_its_own_gives_the_same_fingerprint(
    home: Path,
) -> None:
    done = _tool(tool_environment(home, machine="WS-RT-01"), "machine")
    assert done.returncode == 0, done.stderr
    assert "Machine name:        WS-RT-01" in done.stdout
    assert f"Machine fingerprint: {machine_fingerprint()}" in done.stdout
    assert MACHINE_ID not in done.stdout


def test_a_license_bound_to_this_machines_fingerprint_runs_here_and_on_no_other(
    trusted_home: Path, make_license: MakeLicense, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = make_license(machine_fingerprint=machine_fingerprint())
    [outcome] = import_license_files([bound], home=trusted_home, now=NOW)
    assert outcome.status == "imported"
    assert check("Designer", "2.1", home=trusted_home, now=NOW).ok
    pretend_machine(monkeypatch, machine_id="1" * 32)  # same name, another machine id
    result = check("Designer", "2.1", home=trusted_home, now=NOW)
    assert result.reason == "WRONG_MACHINE"
    [elsewhere] = import_license_files([bound], home=trusted_home, now=NOW)
    assert elsewhere.refused


def test_without_a_machine_id_a_name_bound_license_runs_and_a_fingerprint_bound_one_refuses(
    trusted_home: Path, make_license: MakeLicense, monkeypatch: pytest.MonkeyPatch
) -> None:
    bound = make_license(checkout_id="chk-0002", machine_fingerprint=machine_fingerprint())
    import_license_files([make_license(), bound], home=trusted_home, now=NOW)
    pretend_machine(monkeypatch, machine_id=None)
    granted = check("Viewer", "10.0.3", home=trusted_home, now=NOW)
    assert granted.claims is not None
    assert granted.claims.checkout_id == "chk-0001"
    with Store(trusted_home).update() as state:
        del state.licenses["chk-0001"]
    result = check("Viewer", "10.0.3", home=trusted_home, now=NOW)
    assert result.reason == "NO_MACHINE_ID"
    assert result.message.startswith("Checkout chk-0002: This machine has no machine id")
    [outcome] = import_license_files([bound], home=trusted_home, now=NOW)
    assert outcome.refused
    assert "no machine id" in outcome.message
