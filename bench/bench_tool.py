"""Cold ``entitle-tool check`` process time, against a bare interpreter importing Ed25519.

Every product start runs ``entitle-tool check``; its floor is an interpreter that loads the
signature algorithm. Both run alternately (median of N), with bytecode caching on, as in an
installed package, and a ``.belic`` license made out to this host, so that it verifies with
its chain to the issuer root the product pins (``--issuer sha256:…``). When valgrind is
installed, the two are also counted in instructions (callgrind), a figure that does not move
with load.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import Context, Figure

GOAL = 1.3
BASELINE = "from cryptography.hazmat.primitives.asymmetric import ed25519"


def _prepare(home: Path) -> str:
    """A store holding one license of a fresh deployment; the fingerprint of its root."""
    from entitle.licensefile import SES, LicenseClaims, LicensedApplication, init_keys
    from entitle.tool import import_license_files, machine_name

    now = datetime.now(UTC)
    ring = init_keys(home / "server", now=now - timedelta(days=2))
    claims = LicenseClaims(
        checkout_id="bench-0001",
        issuer="https://licenses.example.com",
        organisation_id="org-1",
        organisation_name="Bench",
        user_email="ada@example.com",
        machine_name=machine_name(),
        country="DE",
        license_service=SES,
        activation_key=None,
        issued_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=30),
        applications=(LicensedApplication("Designer", "2.1"),),
    )
    license_file = home / "bench.belic"
    license_file.write_bytes(ring.sign(claims))
    issuer = ring.root_fingerprint
    outcome = import_license_files([license_file], issuer=issuer, home=home / "store")
    assert not outcome[0].refused, outcome[0].message
    return issuer


def _entitle_tool() -> str:
    found = Path(sys.executable).with_name("entitle-tool")
    return str(found) if found.exists() else (shutil.which("entitle-tool") or "entitle-tool")


def _once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
    else:
        process.wait()
        cpu = float("nan")
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {process.returncode}")
    return elapsed, cpu


@contextmanager
def _commands() -> Iterator[tuple[list[str], list[str], dict[str, str]]]:
    """The check and baseline commands and their environment, on a prepared tool home."""
    with tempfile.TemporaryDirectory(prefix="entitle-bench-tool-") as directory:
        home = Path(directory)
        issuer = _prepare(home)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["ENTITLE_TOOL_HOME"] = str(home / "store")
        check = [_entitle_tool(), "check", "--app", "Designer", "--version", "2.1"]
        check += ["--issuer", issuer]
        yield check, [sys.executable, "-c", BASELINE], env


def run(ctx: Context) -> None:
    runs = 5 if ctx.tiny else 20 if ctx.quick else 50
    with _commands() as (check, baseline, env):
        for _ in range(3):  # warm the page cache and write bytecode caches
            _once(check, env)
            _once(baseline, env)
        tool_times = []
        base_times = []
        for _ in range(runs):
            tool_times.append(_once(check, env))
            base_times.append(_once(baseline, env))
    for index, kind in enumerate(("wall clock", "CPU time")):
        value = statistics.median(t[index] for t in tool_times) * 1000
        base = statistics.median(t[index] for t in base_times) * 1000
        if value != value:  # no CPU times on this platform
            continue
        ctx.add(
            Figure(
                name=f"cold entitle-tool check ({kind})",
                value=value,
                baseline_name="python -c 'import ed25519'",
                baseline=base,
                unit="ms",
                goal=f"<= {GOAL}x",
                met=value <= GOAL * base,
                notes=f"median of {runs} alternating runs, .belic license with its chain, "
                "--issuer, bytecode cached",
            )
        )
        print(f"{kind}: entitle-tool check {value:.1f} ms, baseline {base:.1f} ms")
    _instructions(ctx)


def _instructions(ctx: Context) -> None:
    """The same two processes counted in instructions by callgrind: the same count every run.

    Times on a shared two-core machine move by 10 % between runs; instruction counts do not,
    so this ratio shows whether a change to the check path's imports helped or hurt.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind not found: no instruction counts")
        return
    with _commands() as (check, baseline, env):
        for command in (check, baseline):  # write bytecode caches
            _once(command, env)
        tool = _callgrind(valgrind, check, env)
        base = _callgrind(valgrind, baseline, env)
    ctx.add(
        Figure(
            name="cold entitle-tool check (instructions)",
            value=tool / 1e6,
            baseline_name="python -c 'import ed25519'",
            baseline=base / 1e6,
            unit="M instr",
            goal=f"<= {GOAL}x",
            met=tool <= GOAL * base,
            notes="valgrind --tool=callgrind, one run each: deterministic",
        )
    )


def _callgrind(valgrind: str, command: list[str], env: dict[str, str]) -> int:
    done = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count: {done.stderr[-500:]}")
    return int(found.group(1))
