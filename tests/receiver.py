"""A webhook receiver on a local port: it verifies every delivery with the `standardwebhooks`
package (never entitle's own code) and keeps what it received."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True)
class Received:
    webhook_id: str
    body: dict[str, Any]
    verified: bool


@dataclass
class Receiver:
    url: str
    secret: str | None = None
    # The status to answer; a list is answered in turn, its last one from then on.
    answers: list[int] = field(default_factory=lambda: [204])
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], raw: bytes) -> int:
        verified = False
        if self.secret is not None:
            try:
                Webhook(self.secret).verify(raw, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
        with self.lock:
            self.received.append(Received(headers.get("webhook-id", ""), json.loads(raw), verified))
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def types(self) -> list[str]:
        return [r.body["type"] for r in self.received]


@contextmanager
def receiver(secret: str | None = None) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 at a free port, for the with block."""
    made: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            if made[0].delay:
                threading.Event().wait(made[0].delay)
            code = made[0].handle({k.lower(): v for k, v in self.headers.items()}, raw)
            self.send_response(code)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    made.append(Receiver(f"http://127.0.0.1:{server.server_port}/hooks", secret))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield made[0]
    finally:
        server.shutdown()
        server.server_close()
