"""The portal's CSS, JavaScript and vendored libraries, served by the app itself (no CDN)."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from entitle.web.templating import STATIC_DIR

router = APIRouter(include_in_schema=False)
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
FOREVER = "public, max-age=31536000, immutable"


@router.get("/static/{path:path}")
def static_file(path: str, request: Request) -> Response:
    root = STATIC_DIR.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or not target.is_file() or target.name.startswith("."):
        return Response("Not found", status_code=404, media_type="text/plain")
    media_type = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
    cache = FOREVER if request.query_params.get("v") else "no-cache"
    return FileResponse(
        target,
        media_type=media_type or "application/octet-stream",
        headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
    )
