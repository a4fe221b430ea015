"""Jinja2 templates, and static file URLs that change whenever the file does."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi.templating import Jinja2Templates

WEB = Path(__file__).parent
STATIC_DIR = WEB / "static"
TEMPLATES_DIR = WEB / "templates"


@cache
def _fingerprint(path: str) -> str:
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    """``/static/<path>?v=<digest>``: browsers keep a file until its content changes."""
    return f"/static/{path}?v={_fingerprint(path)}"


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["static_url"] = static_url
