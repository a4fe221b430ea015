"""A throw-away PostgreSQL cluster for tests that stop the database: never the shared one.

``initdb`` into a temporary directory, ``pg_ctl start`` on a free port of 127.0.0.1 (no Unix
socket), ``pg_ctl stop -m immediate`` to take it down as a crash does (no checkpoint: the next
start recovers from the WAL). PostgreSQL refuses to run as root; as root, the cluster runs as
the ``postgres`` account the server package made, in a directory that account owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from entitle.store.database import make_engine
from tests.servers import free_port


def _binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts)
    return found[-1].parent if found else None


@dataclass
class Cluster:
    bin: Path
    directory: Path
    port: int
    user: str | None

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "entitle") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run(
            "initdb",
            "--no-sync",
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--no-instructions",
            "-D",
            str(self.data),
        )

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories=''"
        log = self.directory / "postgres.log"
        self._run("pg_ctl", "start", "--wait", "-D", str(self.data), "-l", str(log), "-o", options)

    def crash(self) -> None:
        """Stop at once, as a crash does: every connection cut, nothing checkpointed."""
        self._run("pg_ctl", "stop", "--wait", "-m", "immediate", "-D", str(self.data))

    def create_database(self, name: str = "entitle") -> None:
        admin = make_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [str(self.bin / program), *args],
            user=self.user,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"{program} failed: {done.stdout}{done.stderr}")


@contextmanager
def scratch_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A started cluster of its own, stopped and deleted when the block ends."""
    binaries = _binaries()
    if binaries is None:
        pytest.skip("PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin)")
    user: str | None = None
    directory = tmp_path / "postgres"
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root, and no postgres account to run PostgreSQL as")
        user = account.pw_name
        # tmp_path's parents are root's alone; the cluster needs a directory postgres reaches.
        directory = Path(tempfile.mkdtemp(prefix="entitle-postgres-"))
        os.chown(directory, account.pw_uid, account.pw_gid)
    else:
        directory.mkdir()
    cluster = Cluster(binaries, directory, free_port(), user)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            cluster.crash()
        if user is not None:
            shutil.rmtree(directory, ignore_errors=True)
