"""Atomic file writes: a reader sees the old content or the new, never half of either."""

from __future__ import annotations

import contextlib
import os


def ensure_private_dir(path: str) -> None:
    """Create ``path`` (and parents) readable by the current OS user only."""
    os.makedirs(path, mode=0o700, exist_ok=True)


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data``: temporary file, fsync, rename, fsync the directory."""
    import tempfile

    directory = os.path.dirname(path) or "."
    ensure_private_dir(directory)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
