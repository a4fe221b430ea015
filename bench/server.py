"""A real ``entitle serve`` process on a loaded database, and an API token for its admin."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from bench.databases import BenchDatabase

BIN = Path(sys.executable).parent
# A busy two-core machine has taken over a minute to start a server.
READY_SECONDS = 300


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    token: str
    workers: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def environment(db: BenchDatabase) -> dict[str, str]:
    env = dict(os.environ)
    env["ENTITLE_DATA_DIR"] = str(db.data_dir)
    env["ENTITLE_DATABASE_URL"] = db.url
    env["ENTITLE_BENCH_ROUTES"] = "1"
    env["ENTITLE_ISSUER"] = "entitle-bench"
    return env


def token_for(db: BenchDatabase, email: str) -> str:
    """``entitle token create --email``: the token is the last line it prints (made once)."""
    key = (db.url, str(db.data_dir), email)
    if key not in _tokens:
        _tokens[key] = _create_token(db, email)
    return _tokens[key]


_tokens: dict[tuple[str, str, str], str] = {}


def _create_token(db: BenchDatabase, email: str) -> str:
    done = subprocess.run(
        [str(BIN / "entitle"), "token", "create", "--email", email],
        env=environment(db),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1].strip()


@contextmanager
def serve(db: BenchDatabase, workers: int, email: str | None = None) -> Iterator[RunningServer]:
    """``entitle serve`` with ``workers`` processes; stopped when the block ends."""
    token = token_for(db, email or db.world.dominant.admin_email)
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                str(BIN / "entitle"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-access-log",
            ],
            env=environment(db),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(process, base_url, log)
            yield RunningServer(base_url, token, workers)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            error = log.read().decode(errors="replace")[-4000:]
            raise RuntimeError(f"entitle serve exited with {process.returncode}:\n{error}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"entitle serve did not become ready within {READY_SECONDS} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
