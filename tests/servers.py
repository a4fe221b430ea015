"""Real ``entitle serve`` processes for tests: start, wait until ready, kill, restart.

One helper for every test that needs a server over real HTTP (API concurrency, the licensing
tool end to end, the portal in Chromium, faults and shutdown).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ENTITLE = str(Path(sys.executable).with_name("entitle"))
READY_SECONDS = 60.0
# Test passwords hash in milliseconds; each stored hash keeps its own parameters.
FAST_HASHES = {"ENTITLE_ARGON2_TIME_COST": "1", "ENTITLE_ARGON2_MEMORY_KIB": "64"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_environment(
    data_dir: Path, database_url: str | None = None, **extra: str
) -> dict[str, str]:
    """A server's environment: keys in ``data_dir``, and the database at ``database_url``
    (``None``: the SQLite file in ``data_dir``)."""
    env = {k: v for k, v in os.environ.items() if k != "ENTITLE_DATABASE_URL"}
    env.update(FAST_HASHES, ENTITLE_DATA_DIR=str(data_dir))
    if database_url is not None:
        env["ENTITLE_DATABASE_URL"] = database_url
    return {**env, **extra}


def entitle(env: dict[str, str], *args: str) -> str:
    """Run ``entitle ARGS`` and return its output; a failure fails the test with its stderr."""
    done = subprocess.run([ENTITLE, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"entitle {' '.join(args)} failed: {done.stderr}")
    return done.stdout


@dataclass
class ServerProcess:
    """One ``entitle serve`` on a fixed port, so a restarted server answers at the same URL."""

    env: dict[str, str]
    log_path: Path
    workers: int = 1
    port: int = field(default_factory=free_port)
    prefix: list[str] = field(default_factory=list)
    """A command ``entitle serve`` runs under, such as one that sets up its namespace."""
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [*self.prefix, ENTITLE, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=self.workers > 1,
            )
        self.starts += 1
        self._wait_ready()

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, connections cut mid-request."""
        self._stop(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM: uvicorn's graceful shutdown."""
        self._stop(signal.SIGTERM)

    def send(self, signum: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _stop(self, signum: signal.Signals) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if self.workers > 1:  # the supervisor and its worker processes
            os.killpg(self.process.pid, signum)
        else:
            self.process.send_signal(signum)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"entitle serve exited with {self.process.returncode}:\n{self.log()}"
                )
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"entitle serve was not ready in {READY_SECONDS:.0f} s:\n{self.log()}")


@contextmanager
def serving(env: dict[str, str], log_path: Path, workers: int = 1) -> Iterator[ServerProcess]:
    """A started server until the block ends, then a graceful stop."""
    server = ServerProcess(env, log_path, workers=workers)
    server.start()
    try:
        yield server
    finally:
        server.terminate()
