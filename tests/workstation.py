"""The machine a test's workstation is: for the tool in this process and in the ones it starts.

The installed tool asks the operating system which machine it runs on. In this process,
:func:`pretend_machine` swaps the tool's readers through pytest's ``monkeypatch``; processes
a test starts get :func:`tool_environment`, which puts the suite's own start-up hook
(``tests/hooks/sitecustomize.py``) on ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.claims import MACHINE

HOOKS = Path(__file__).parent / "hooks"
MACHINE_ID = "0f5e7c2ab8d94c61a3e0d1b2c3d4e5f6"
"""The raw machine id of the test workstation (in the format of ``/etc/machine-id``)."""


def pretend_machine(
    monkeypatch: pytest.MonkeyPatch,
    name: str = MACHINE,
    machine_id: str | None = MACHINE_ID,
    config_dir: Path | None = None,
) -> None:
    """Make the tool in this process see host ``name``, ``machine_id`` and ``config_dir``."""
    from entitle.tool import config, fingerprint, home

    monkeypatch.setattr(home, "read_host_name", lambda: name)
    if machine_id is None:
        monkeypatch.setattr(fingerprint, "read_machine_id", _no_machine_id)
    else:
        monkeypatch.setattr(fingerprint, "read_machine_id", lambda: machine_id)
    if config_dir is not None:
        monkeypatch.setattr(config, "system_config_dir", lambda: str(config_dir))


def _no_machine_id() -> str:
    from entitle.tool.errors import MachineIdUnavailable

    raise MachineIdUnavailable("/etc/machine-id")


def tool_environment(
    home: Path,
    *,
    machine: str = MACHINE,
    machine_id: str = MACHINE_ID,
    config_dir: Path | None = None,
    base: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of an ``entitle-tool`` process on the test workstation.

    Its machine-wide configuration is ``config_dir``, by default the one this process was
    made to see (:func:`pretend_machine`), so that no test reads the real one.
    """
    from entitle.tool import config

    env = dict(os.environ if base is None else base)
    path = [str(HOOKS), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env |= {
        "PYTHONPATH": os.pathsep.join(path),
        "ENTITLE_TOOL_HOME": str(home),
        "ENTITLE_TEST_MACHINE_NAME": machine,
        "ENTITLE_TEST_MACHINE_ID": machine_id,
    }
    env["ENTITLE_TEST_CONFIG_DIR"] = str(config_dir or config.system_config_dir())
    return env


def without_administrator_rights() -> list[str]:
    """The command prefix that runs a process without administrator rights, as a user's."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail("running as root, the test needs setpriv (util-linux) to drop the rights")
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all"]


class Login:
    """``entitle-tool login URL`` running, and the code it printed."""

    def __init__(self, env: dict[str, str], url: str) -> None:
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("entitle-tool")), "login", url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.printed: list[str] = []
        for line in self.process.stdout:
            self.printed.append(line)
            if line.startswith("and enter the code "):
                self.user_code = line.split()[-1]
                break
        else:
            raise AssertionError(f"no code printed: {self.printed} {self.process.stderr.read()}")  # type: ignore[union-attr]

    def finish(self) -> tuple[int, str, str]:
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        out = self.process.stdout.read()  # what the line reader kept buffered, then the rest
        err = self.process.stderr.read()
        self.process.wait(timeout=120)
        return self.process.returncode, "".join(self.printed) + out, err


def approve_over_http(url: str, user_code: str, email: str, decision: str = "approve") -> str:
    """Sign in to the portal as ``email`` and answer a sign-in's ``user_code``, as the /device
    page's form does; the page shown before answering (it names the machine asking)."""
    import httpx

    from entitle.service.demo import DEMO_PASSWORD

    with httpx.Client(base_url=url, timeout=30) as browser:
        session = browser.post("/api/v1/session", json={"email": email, "password": DEMO_PASSWORD})
        assert session.status_code == 200, session.text
        shown = browser.get("/device", params={"user_code": user_code})
        assert shown.status_code == 200, shown.text
        answered = browser.post(
            "/device",
            data={
                "user_code": user_code,
                "decision": decision,
                "csrf_token": session.json()["csrf_token"],
            },
        )
        assert answered.status_code == 200, answered.text
        return shown.text
