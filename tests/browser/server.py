"""A real ``entitle serve`` process on a free port, with a data directory of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ENTITLE = str(Path(sys.executable).with_name("entitle"))
# Demo passwords hash in milliseconds; each hash keeps its own parameters.
FAST_HASHES = {"ENTITLE_ARGON2_TIME_COST": "1", "ENTITLE_ARGON2_MEMORY_KIB": "8192"}


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ENTITLE_DATABASE_URL"}
    return {**env, **FAST_HASHES, "ENTITLE_DATA_DIR": str(data_dir)}


def entitle(data_dir: Path, *args: str) -> None:
    subprocess.run([ENTITLE, *args], env=environment(data_dir), check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"entitle serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("entitle serve did not become ready in 20 seconds")


@contextmanager
def serving(data_dir: Path) -> Iterator[str]:
    """Serve ``data_dir`` until the block ends; yields the base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (data_dir / "serve.log").open("wb")
    process = subprocess.Popen(
        [ENTITLE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment(data_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(process, url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
