"""The little HTTP the tool needs (fetch certificates and revocation lists, post receipts)."""

from __future__ import annotations

import json
from typing import Any

from entitle.tool.errors import ServerUnreachable

TIMEOUT_SECONDS = 10.0


class HttpAnswer:
    """A server's answer: status code, body (JSON decoded when it is JSON) and headers (with
    lowercase names)."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def base_url(url: str) -> str:
    """``url`` without trailing slashes, so paths can be appended."""
    return url.rstrip("/")


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def is_https(text: str) -> bool:
    return text.startswith("https://")


def get(
    url: str, timeout: float = TIMEOUT_SECONDS, headers: dict[str, str] | None = None
) -> HttpAnswer:
    """GET ``url``; any HTTP status is an answer, no answer at all is :class:`ServerUnreachable`."""
    return _send(url, None, timeout, headers or {})


def post_json(url: str, document: Any, timeout: float = TIMEOUT_SECONDS) -> HttpAnswer:
    """POST ``document`` as JSON to ``url``."""
    return _send(url, json.dumps(document).encode("utf-8"), timeout, {})


def _send(url: str, data: bytes | None, timeout: float, extra: dict[str, str]) -> HttpAnswer:
    import urllib.error
    import urllib.request

    if not is_url(url):
        raise ServerUnreachable(f"{url} is not an http:// or https:// URL.")
    headers = {"Accept": "application/json, application/x-pem-file, */*", **extra}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return HttpAnswer(response.status, response.read(), _headers(response.headers))
    except urllib.error.HTTPError as error:
        return HttpAnswer(error.code, error.read(), _headers(error.headers))
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise ServerUnreachable(f"Cannot reach {url}: {reason}.") from None


def _headers(message: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in (message or {}).items()}
