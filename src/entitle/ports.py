"""Whether the server can listen on a port, asked before anything is printed, and when it answers.

``entitle serve`` asks, and so does ``make run`` before it installs anything, with the system's
Python (this module needs the standard library only)::

    PYTHONPATH=src python3 -m entitle.ports HOST PORT 'run PORT={port} make run'

prints one line and exits 2 when the port is taken, else prints nothing.
"""

from __future__ import annotations

import errno
import http.client
import socket
import sys
import time
import urllib.request

TAKEN = 2
# Ports tried after a taken one, for the one the refusal suggests.
_NEIGHBOURS = 20


def refusal(host: str, port: int, hint: str) -> str | None:
    """Why the server cannot listen on ``host:port`` (None: it can). ``hint``, with ``{port}``
    a free port, is what a taken port's refusal tells to do."""
    try:
        _bind(host, port)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            return f"cannot listen on {host}:{port} ({error.strerror or error})"
        free = next((p for p in range(port + 1, port + 1 + _NEIGHBOURS) if _free(host, p)), None)
        return f"port {port} on {host} is taken; " + hint.format(port=free or port + 1)
    return None


def answers(host: str, port: int, path: str, timeout: float | None = None) -> bool:
    """Wait until the server on ``host:port`` answers ``path`` with 200 (False after
    ``timeout`` seconds; None: as long as the process lives)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    url = f"http://{_client_host(host)}:{port}{path}"
    deadline = None if timeout is None else time.monotonic() + timeout
    while deadline is None or time.monotonic() < deadline:
        try:
            with opener.open(url, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except (OSError, http.client.HTTPException):  # not answering yet, or not HTTP
            pass
        time.sleep(0.1)
    return False


def _bind(host: str, port: int) -> None:
    # As uvicorn binds: the family from the address, SO_REUSEADDR (a closing socket does not
    # count as taken, a listening one does).
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _free(host: str, port: int) -> bool:
    try:
        _bind(host, port)
    except OSError:
        return False
    return True


def _client_host(host: str) -> str:
    if host in ("0.0.0.0", ""):  # noqa: S104
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def main(argv: list[str]) -> None:
    host, port, hint = argv
    if not port.isdigit() or not 0 < int(port) < 65536:
        refused: str | None = f"the port is a number from 1 to 65535, not {port!r}"
    else:
        refused = refusal(host, int(port), hint)
    if refused:
        print(f"entitle: {refused}", file=sys.stderr)
        raise SystemExit(TAKEN)


if __name__ == "__main__":
    main(sys.argv[1:])
