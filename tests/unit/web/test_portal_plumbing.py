"""The portal's own plumbing: static files stay inside their folder, logins go back home."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from entitle.web import static_files
from entitle.web.pages import safe_next
from entitle.web.templating import static_url


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.include_router(static_files.router)
    return TestClient(app)


def test_static_files_are_served_with_their_type_and_cached_when_fingerprinted(
    client: TestClient,
) -> None:
    answer = client.get(static_url("app.css"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert "immutable" in answer.headers["cache-control"]
    assert client.get("/static/js/api.js").headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path", ["/static/../pages.py", "/static/%2e%2e/pages.py", "/static/js/", "/static/nothing.js"]
)
def test_nothing_outside_the_static_folder_is_served(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("asked", "sent"),
    [
        ("/checkouts?country=GB", "/checkouts?country=GB"),
        ("https://evil.example/", "/checkouts"),
        ("//evil.example/", "/checkouts"),
        ("/\\evil.example", "/checkouts"),
        (None, "/checkouts"),
    ],
)
def test_after_login_only_paths_of_this_site_are_followed(asked: str | None, sent: str) -> None:
    assert safe_next(asked) == sent
