"""Eight ``entitle-tool`` processes at once leave one consistent store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from entitle.licensefile import KeyRing, LicensedApplication
from entitle.tool import ConfiguredIssuer, list_licenses, write_issuers
from entitle.tool.receipts import pending_receipts
from tests.claims import make_claims
from tests.workstation import pretend_machine, tool_environment

WORKERS = 8
TOOL = str(Path(sys.executable).with_name("entitle-tool"))


def _license(ring: KeyRing, directory: Path, checkout_id: str) -> Path:
    claims = make_claims(
        checkout_id=checkout_id, applications=(LicensedApplication("Designer", "2.1"),)
    )
    path = directory / f"{checkout_id}.belic"
    path.write_bytes(ring.sign(claims))
    return path


def _all_at_once(commands: list[list[str]], env: dict[str, str]) -> None:
    running = [
        subprocess.Popen(c, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for c in commands
    ]
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, (out, err)


@pytest.mark.slow
def test_eight_processes_importing_and_clearing_leave_a_consistent_store(
    key_ring: KeyRing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    pretend_machine(monkeypatch, config_dir=tmp_path / "etc-entitle")
    write_issuers([ConfiguredIssuer(key_ring.root_fingerprint)])
    own = [_license(key_ring, tmp_path, f"chk-{i}") for i in range(WORKERS)]
    extra = [_license(key_ring, tmp_path, f"chk-extra-{i}") for i in range(WORKERS)]
    shared = _license(key_ring, tmp_path, "chk-shared")
    env = tool_environment(home)

    _all_at_once([[TOOL, "import", str(own[i]), str(shared)] for i in range(WORKERS)], env)
    _all_at_once(
        [
            [TOOL, "clear", f"chk-{i}"] if i % 2 == 0 else [TOOL, "import", str(extra[i])]
            for i in range(WORKERS)
        ],
        env,
    )

    stored = {entry.checkout_id for entry in list_licenses(home=home)}
    expected = {f"chk-{i}" for i in range(1, WORKERS, 2)}
    expected |= {f"chk-extra-{i}" for i in range(1, WORKERS, 2)} | {"chk-shared"}
    assert stored == expected
    receipts = {Path(p).stem for p in pending_receipts(home=home)}
    assert receipts == {f"chk-{i}" for i in range(0, WORKERS, 2)}
    leftovers = [p.name for p in home.iterdir() if p.name.startswith((".tmp-", "store.json."))]
    assert leftovers == []
    done = subprocess.run(
        [TOOL, "check", "--app", "Designer", "--version", "2.1"], env=env, check=False
    )
    assert done.returncode == 0
