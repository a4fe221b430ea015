"""The two distributions built from this repository, installed as their users install them.

``entitle`` (the repository's pyproject.toml) is the workstation's: the licensing tool and the
license formats. ``entitle-server`` (server/pyproject.toml) is everything else. Both wheels are
built here with the build backend the test environment already has; each install goes into a
fresh virtual environment, its dependencies resolved by pip as configured on this machine.
"""

from __future__ import annotations

import email
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

import entitle
from entitle.licensefile import KeyRing
from tests.claims import make_claims
from tests.workstation import tool_environment

REPOSITORY = Path(__file__).resolve().parents[2]
SOURCE = REPOSITORY / "src"
SERVER_PACKAGES = ("api", "cli.py", "domain", "server.py", "service", "store", "web")
SERVER_DEPENDENCIES = ("fastapi", "sqlalchemy", "typer", "uvicorn", "alembic", "pydantic")


@dataclass(frozen=True)
class Wheels:
    workstation: Path
    server: Path


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Wheels:
    out = tmp_path_factory.mktemp("wheels")
    _pip(
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--quiet",
        "-w",
        str(out),
        str(REPOSITORY),
        str(REPOSITORY / "server"),
    )
    version = entitle.__version__
    return Wheels(
        out / f"entitle-{version}-py3-none-any.whl",
        out / f"entitle_server-{version}-py3-none-any.whl",
    )


def _files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {n for n in archive.namelist() if not n.split("/")[0].endswith(".dist-info")}


def _metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name))


def test_the_workstation_wheel_carries_the_tool_and_license_formats_and_no_server_code(
    wheels: Wheels,
) -> None:
    files = _files(wheels.workstation)
    assert "entitle/tool/cli.py" in files
    assert "entitle/licensefile/verify.py" in files
    tops = {name.split("/")[1] for name in files}
    assert not tops & set(SERVER_PACKAGES), sorted(tops)
    requires = " ".join(_metadata(wheels.workstation).get_all("Requires-Dist") or [])
    for server_dependency in SERVER_DEPENDENCIES:
        assert server_dependency not in requires


def test_every_source_file_is_in_exactly_one_of_the_two_wheels(wheels: Wheels) -> None:
    workstation, server = _files(wheels.workstation), _files(wheels.server)
    sources = {
        path.relative_to(SOURCE).as_posix()
        for path in (SOURCE / "entitle").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert not workstation & server
    assert workstation | server == sources
    assert "entitle/store/migrations/versions/0001_initial_schema.py" in server
    assert "entitle/web/templates/checkouts.html" in server


def test_both_have_the_one_version_the_license_and_the_server_needs_that_very_tool(
    wheels: Wheels,
) -> None:
    for wheel in (wheels.workstation, wheels.server):
        metadata = _metadata(wheel)
        assert metadata["Version"] == entitle.__version__
        assert metadata["License-Expression"] == "Apache-2.0"
        with zipfile.ZipFile(wheel) as archive:
            license_text = next(
                archive.read(n) for n in archive.namelist() if n.endswith("licenses/LICENSE")
            )
        assert license_text == (REPOSITORY / "LICENSE").read_bytes()
    requires = _metadata(wheels.server).get_all("Requires-Dist") or []
    assert f"entitle=={entitle.__version__}" in requires


class Venv:
    """A fresh virtual environment with no packages but what a test installs into it."""

    def __init__(self, directory: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True)
        self.bin = directory / "bin"

    def install(self, *wheels: Path) -> None:
        _pip("--python", str(self.bin / "python"), "install", "--quiet", *map(str, wheels))

    def run(self, command: str, *args: str, env: dict[str, str] | None = None) -> Done:
        done = subprocess.run(
            [str(self.bin / command), *args], capture_output=True, text=True, env=env, check=False
        )
        return Done(done.returncode, done.stdout, done.stderr)

    def has(self, command: str) -> bool:
        return (self.bin / command).exists()


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str


@pytest.fixture(scope="module")
def workstation(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    venv = Venv(tmp_path_factory.mktemp("workstation") / "venv")
    venv.install(wheels.workstation)
    return venv


@pytest.mark.slow
def test_the_workstation_install_runs_the_tool_and_its_version(workstation: Venv) -> None:
    done = workstation.run("entitle-tool", "--version")
    assert (done.code, done.out.strip()) == (0, f"entitle-tool {entitle.__version__}")
    probe = workstation.run("python", "-c", "import entitle.store")
    assert probe.code != 0
    assert "No module named 'entitle.store'" in probe.err


@pytest.mark.slow
def test_the_workstation_install_imports_a_license_and_check_answers_with_its_exit_codes(
    workstation: Venv, key_ring: KeyRing, tmp_path: Path
) -> None:
    root = tmp_path / "root.pem"
    root.write_bytes(key_ring.root_pem())
    license_file = tmp_path / "chk-0001.belic"
    license_file.write_bytes(key_ring.sign(make_claims()))
    env = tool_environment(tmp_path / "home", config_dir=tmp_path / "etc-entitle")

    pinned = workstation.run(
        "entitle-tool",
        "trust",
        "--system",
        str(root),
        "--fingerprint",
        key_ring.root_fingerprint,
        env=env,
    )
    assert pinned.code == 0, pinned.err
    imported = workstation.run("entitle-tool", "import", str(license_file), env=env)
    assert imported.code == 0, imported.err
    licensed = workstation.run(
        "entitle-tool", "check", "--app", "Designer", "--version", "2.1", env=env
    )
    assert licensed.code == 0, licensed.err
    unlicensed = workstation.run(
        "entitle-tool", "check", "--app", "Designer", "--version", "3.0", env=env
    )
    assert unlicensed.code == 1
    assert unlicensed.err.startswith("Not licensed")


@pytest.mark.slow
def test_entitle_on_a_workstation_says_in_one_line_what_to_install_for_the_server(
    workstation: Venv,
) -> None:
    assert workstation.has("entitle")
    for args in ((), ("serve",), ("--version",)):
        done = workstation.run("entitle", *args)
        assert done.code == 2
        assert done.out == ""
        lines = done.err.splitlines()
        assert len(lines) == 1, done.err
        assert "pip install entitle-server" in lines[0]
        assert "Traceback" not in done.err


@pytest.mark.slow
def test_the_server_install_brings_the_server_command_with_the_same_version(
    wheels: Wheels, tmp_path: Path
) -> None:
    venv = Venv(tmp_path / "venv")
    venv.install(wheels.server, wheels.workstation)
    done = venv.run("entitle", "--version")
    assert (done.code, done.out.strip()) == (0, f"entitle {entitle.__version__}")
    upgraded = venv.run("entitle", "db", "upgrade", "--data-dir", str(tmp_path / "data"))
    assert upgraded.code == 0, upgraded.err
    assert venv.run("entitle-tool", "--version").code == 0
