"""The little HTTP the tool needs (fetch certificates and revocation lists, post receipts, sign
in with OAuth forms, and send authorised requests for the signed-in user)."""

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


WELL_KNOWN = "/.well-known/"
_DOCUMENT_SUFFIXES = (".pem", ".crt", ".json")


def server_of(url: str) -> str | None:
    """The license server a URL names: itself, or the part before ``/.well-known/`` of a
    document it publishes there; None for the URL of a document elsewhere (a PEM file on a
    download page)."""
    from urllib.parse import urlsplit

    url = url.split("#", 1)[0]
    before, well_known, _ = url.partition(WELL_KNOWN)
    if well_known:
        return base_url(before)
    if urlsplit(url).path.lower().endswith(_DOCUMENT_SUFFIXES):
        return None
    return base_url(url)


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def is_https(text: str) -> bool:
    return text.startswith("https://")


def get(
    url: str, timeout: float = TIMEOUT_SECONDS, headers: dict[str, str] | None = None
) -> HttpAnswer:
    """GET ``url``; any HTTP status is an answer, no answer at all is :class:`ServerUnreachable`."""
    return _send(url, None, timeout, headers or {})


def post_json(
    url: str,
    document: Any,
    timeout: float = TIMEOUT_SECONDS,
    headers: dict[str, str] | None = None,
) -> HttpAnswer:
    """POST ``document`` as JSON to ``url``."""
    return _send(url, json.dumps(document).encode("utf-8"), timeout, headers or {})


def post_form(url: str, fields: dict[str, str], timeout: float = TIMEOUT_SECONDS) -> HttpAnswer:
    """POST ``fields`` form-encoded (``application/x-www-form-urlencoded``), as OAuth wants."""
    from urllib.parse import urlencode

    data = urlencode(fields).encode("ascii")
    content_type = {"Content-Type": "application/x-www-form-urlencoded"}
    return _send(url, data, timeout, content_type)


def send(
    method: str,
    url: str,
    document: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> HttpAnswer:
    """Any ``method`` to ``url``, with ``document`` as JSON when given."""
    data = None if document is None else json.dumps(document).encode("utf-8")
    return _send(url, data, timeout, headers or {}, method)


def _send(
    url: str,
    data: bytes | None,
    timeout: float,
    extra: dict[str, str],
    method: str | None = None,
) -> HttpAnswer:
    import urllib.error
    import urllib.request

    if not is_url(url):
        raise ServerUnreachable(f"{url} is not an http:// or https:// URL.")
    headers = {"Accept": "application/json, application/x-pem-file, */*"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    headers.update(extra)
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    # A redirect would carry the Authorization header to wherever it points: an authorised
    # request takes the redirect as its answer instead.
    opener = _opener_without_redirects() if "Authorization" in headers else _opener()
    try:
        with opener.open(request, timeout=timeout) as response:
            return HttpAnswer(response.status, response.read(), _headers(response.headers))
    except urllib.error.HTTPError as error:
        return HttpAnswer(error.code, error.read(), _headers(error.headers))
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise ServerUnreachable(f"Cannot reach {url}: {reason}.") from None


def _opener() -> Any:
    import urllib.request

    return urllib.request.build_opener()


def _opener_without_redirects() -> Any:
    import urllib.request

    class KeepRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None  # urllib then raises HTTPError with the 3xx, which is the answer

    return urllib.request.build_opener(KeepRedirects)


def _headers(message: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in (message or {}).items()}
