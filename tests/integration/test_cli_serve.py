"""``entitle serve`` and ``make run``: a taken port is refused before anything is printed, and
the URL is printed once the server answers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from entitle.cli import main
from tests.servers import entitle, server_environment, serving

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_serve_refuses_a_taken_port_in_one_line_before_printing_anything(
    taken_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ENTITLE_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--host", "127.0.0.1", "--port", str(taken_port)])
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"entitle: port {taken_port} on 127.0.0.1 is taken; ")
    assert "choose another: entitle serve --port " in line
    assert not (tmp_path / "data").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_refuses_a_taken_port_before_it_installs_or_prints_anything(
    taken_port: int, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    done = subprocess.run(
        ["make", "run", f"PORT={taken_port}", f"VENV={venv}", f"ENTITLE_DATA_DIR={tmp_path}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"entitle: port {taken_port} on 127.0.0.1 is taken; run PORT=")
    assert first.endswith(" make run")
    assert not venv.exists()


def test_serve_prints_the_url_once_the_server_answers(tmp_path: Path) -> None:
    env = server_environment(tmp_path)
    entitle(env, "db", "upgrade")
    with serving(env, tmp_path / "serve.log") as server:
        for _ in range(600):  # the line follows the first answer; wait for it, within a minute
            if "entitle portal:" in server.log():
                break
            time.sleep(0.1)
        log = server.log()
    assert f"entitle portal: http://localhost:{server.port}/" in log
    assert log.index("Application startup complete") < log.index("entitle portal:")
    assert "entitle: creating signing keys in" in log
