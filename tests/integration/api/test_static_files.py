"""The portal's static files: any path a client can send gets a 4xx or a file of the folder.

Requests go to the real app as uvicorn hands them over: ``raw_path`` as sent, ``path``
percent-decoded (so ``%00`` arrives as a NUL character and ``%2e%2e`` as ``..``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import anyio
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from entitle.server import create_app
from entitle.web.templating import STATIC_DIR, static_url
from tests.integration.fixtures import World

Answer = tuple[int, dict[str, str], bytes]
# Static files read no database: one run, on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SERVED = {path.read_bytes() for path in STATIC_DIR.rglob("*") if path.is_file()}
SECURITY_HEADERS = {
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
}


@pytest.fixture
def app(world: World) -> FastAPI:
    return create_app(world.services)


def call(
    app: FastAPI, raw: bytes, method: str = "GET", headers: dict[str, str] | None = None
) -> Answer:
    """One request to the ASGI app, with the scope uvicorn would build for ``raw``."""
    path, _, query = raw.partition(b"?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path.decode("ascii")),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    start: dict[str, object] = {}
    body = bytearray()
    requested = False

    async def run() -> None:
        answered = anyio.Event()

        async def receive() -> dict[str, object]:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await answered.wait()  # the client stays connected until the answer is complete
            return {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                body.extend(message.get("body", b""))  # type: ignore[arg-type]
                if not message.get("more_body", False):
                    answered.set()

        try:
            await app(scope, receive, send)  # type: ignore[arg-type]
        except Exception:  # uvicorn answers 500 when the app raises
            start.setdefault("status", 500)
            start.setdefault("headers", [])

    # A thread of its own: a browser test in this worker may hold a running event loop here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(anyio.run, run).result()
    listed = start["headers"]
    assert isinstance(listed, list)
    names = {k.decode().lower(): v.decode("latin-1") for k, v in listed}
    status = start["status"]
    assert isinstance(status, int)
    return status, names, bytes(body)


def test_a_nul_byte_in_a_static_path_is_not_found(app: FastAPI) -> None:
    status, headers, _ = call(app, b"/static/js/api.js%00.png")
    assert status == 404
    assert set(headers) >= SECURITY_HEADERS


def test_static_files_keep_their_type_security_and_cache_headers(app: FastAPI) -> None:
    status, headers, body = call(app, static_url("js/api.js").encode())
    assert status == 200
    assert headers["content-type"].startswith("text/javascript")
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert set(headers) >= SECURITY_HEADERS
    assert body == (STATIC_DIR / "js" / "api.js").read_bytes()
    assert call(app, b"/static/app.css")[1]["cache-control"] == "no-cache"
    assert call(app, b"/static/favicon.svg")[1]["content-type"].startswith("image/svg+xml")


def test_a_static_file_the_browser_has_is_answered_304_and_head_sends_no_body(
    app: FastAPI,
) -> None:
    _, first, body = call(app, b"/static/app.css")
    status, again, rest = call(app, b"/static/app.css", headers={"If-None-Match": first["etag"]})
    assert (status, rest) == (304, b"")
    assert again["etag"] == first["etag"]
    assert again["cache-control"] == "no-cache"
    assert set(again) >= SECURITY_HEADERS
    status, head, nothing = call(app, b"/static/app.css", method="HEAD")
    assert (status, nothing) == (200, b"")
    assert int(head["content-length"]) == len(body)


@pytest.mark.parametrize(
    "raw",
    [
        b"/static/../server.py",
        b"/static/%2e%2e/pages.py",
        b"/static/%2e%2e%2fpages.py",
        b"/static/..%5cpages.py",
        b"/static/%c0%ae%c0%ae/pages.py",
        b"/static//etc/passwd",
        b"/static/js/",
        b"/static/",
        b"/static/vendor/.hidden",
        b"/static/" + b"a" * 5000 + b".js",
        b"/static/" + b"%ff" * 300,
    ],
)
def test_nothing_outside_the_static_folder_and_no_odd_name_is_served(
    app: FastAPI, raw: bytes
) -> None:
    assert call(app, raw)[0] == 404


SEGMENTS = st.one_of(
    st.sampled_from(
        [
            "",
            ".",
            "..",
            "%2e",
            "%2e%2e",
            "%2E.",
            ".%2e",
            "%00",
            "%2f",
            "%5c",
            "\\",
            "%c0%ae",
            "%c0%af",
            "%e0%80%ae",
            "%ff%fe",
            "%25",
            "%",
            "%%32%65",
            "~",
            ".git",
            "js",
            "api.js",
            "vendor",
            "app.css",
            "a" * 300,
            "%e2%80%ae",
        ]
    ),
    st.binary(max_size=40).map(lambda raw: "".join(f"%{byte:02x}" for byte in raw)),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    segments=st.lists(SEGMENTS, min_size=1, max_size=8),
    method=st.sampled_from(["GET", "HEAD"]),
    etag=st.one_of(st.none(), st.text(max_size=20).map(lambda t: t.encode().hex())),
)
def test_no_path_to_a_static_file_answers_a_server_error(
    app: FastAPI, segments: list[str], method: str, etag: str | None
) -> None:
    raw = ("/static/" + "/".join(segments)).replace("?", "%3f").replace("#", "%23")
    headers = {"If-None-Match": etag} if etag is not None else {}
    status, answered, body = call(app, raw.encode("ascii"), method, headers)
    assert status < 500, raw
    assert set(answered) >= SECURITY_HEADERS
    if status == 200 and method == "GET":
        assert body in SERVED, raw
