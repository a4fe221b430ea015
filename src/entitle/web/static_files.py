"""The portal's CSS, JavaScript and vendored libraries, served by the app itself (no CDN).

Starlette's ``StaticFiles`` does the serving: paths stay inside the folder, ``ETag`` and
``If-None-Match`` give 304, ``HEAD`` works. What is added here: no name starting with a dot,
the types the portal's files need, their cache policy, and a 404 for any path the file system
refuses, whatever the reason.
"""

from __future__ import annotations

import mimetypes
import os

from fastapi import APIRouter
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from entitle.domain.languages import LANGUAGES
from entitle.web.templating import STATIC_DIR, js_catalog_script

_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
# static_url() adds ?v=<digest of the content>: such a URL always names the same bytes.
FOREVER = "public, max-age=31536000, immutable"


class PortalStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        if any(part.startswith(".") for part in path.split(os.sep)):
            raise HTTPException(status_code=404)
        try:
            return await super().get_response(path, scope)
        except OSError:
            # Names the file system refuses (a loop of links, an invalid name, no permission)
            # name no file of the portal.
            raise HTTPException(status_code=404) from None
        except HTTPException as refused:
            if refused.status_code == 401:  # StaticFiles' answer to a permission error
                raise HTTPException(status_code=404) from None
            raise

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        name = os.fspath(full_path)
        suffix = os.path.splitext(name)[1]
        media_type = _TYPES.get(suffix) or mimetypes.guess_type(name)[0]
        fingerprinted = bool(QueryParams(scope.get("query_string", b"")).get("v"))
        response = FileResponse(
            full_path,
            status_code=status_code,
            stat_result=stat_result,
            media_type=media_type or "application/octet-stream",
            headers={"Cache-Control": FOREVER if fingerprinted else "no-cache"},
        )
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response


router = APIRouter(include_in_schema=False)
router.mount("/static", PortalStaticFiles(directory=STATIC_DIR), name="static")


@router.get("/i18n/{language}.js")
def js_catalog(language: str, v: str | None = None) -> Response:
    """The ``js`` catalog of a language, for the page's modules (``i18n.js`` reads it)."""
    if language not in LANGUAGES:
        raise HTTPException(status_code=404)
    return Response(
        js_catalog_script(language),
        media_type="text/javascript",
        headers={"Cache-Control": FOREVER if v else "no-cache"},
    )
