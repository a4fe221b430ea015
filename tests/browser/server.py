"""The demo behind a real ``entitle serve``, with a data directory of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests import servers


def entitle(data_dir: Path, *args: str) -> None:
    servers.entitle(servers.server_environment(data_dir), *args)


@contextmanager
def serving(data_dir: Path) -> Iterator[str]:
    """Serve ``data_dir`` (its SQLite file) until the block ends; yields the base URL."""
    with servers.serving(servers.server_environment(data_dir), data_dir / "serve.log") as server:
        yield server.url
