"""Writing the store: under a file lock, atomically (a reader sees the old or the new file).

Loaded only when something is written, so ``check`` stays fast.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from entitle.tool.errors import ToolError

if TYPE_CHECKING:
    from entitle.tool.store import Store, StoreState

LOCK_TIMEOUT_SECONDS = 60.0


@contextlib.contextmanager
def locked(store: Store) -> Iterator[None]:
    """Hold the store's lock; other ``entitle-tool`` processes wait for it."""
    from filelock import FileLock, Timeout

    ensure_private_dir(store.home)
    lock = FileLock(store.lock_path, timeout=LOCK_TIMEOUT_SECONDS)
    try:
        lock.acquire()
    except Timeout:
        raise ToolError(
            f"The license store {store.path} is busy (another entitle-tool is running)."
        ) from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def locked_update(store: Store) -> Iterator[StoreState]:
    """Lock, read, yield the state, and write it back atomically if it changed.

    The guard file is written first: a crash between the two writes leaves the copy outside
    the store ahead of it, never behind.
    """
    with locked(store):
        state = store.read_locked()
        before = state.to_bytes()
        guard_before = store.guard_on_disk()
        yield state
        guard = state.guard_bytes()
        if guard != guard_before:
            write_atomic(store.guard_path, guard)
        after = state.to_bytes()
        if after != before:
            write_atomic(store.path, after)


def ensure_private_dir(path: str) -> None:
    """Create ``path`` (and parents) readable by the current OS user only."""
    os.makedirs(path, mode=0o700, exist_ok=True)


def write_atomic(path: str, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``: temporary file, fsync, rename, fsync the directory.

    The file gets ``mode`` on POSIX (default: readable by the current OS user only).
    """
    import tempfile

    directory = os.path.dirname(path) or "."
    ensure_private_dir(directory)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode != 0o600 and os.name == "posix":
                os.fchmod(handle.fileno(), mode)
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
