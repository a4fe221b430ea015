"""Answers built inside the route's worker thread, ready to send.

A plain ``def`` route that returns a pydantic model makes FastAPI validate that model again in
a second trip to the thread pool before serializing it on the event loop. The hot routes
(create, list, read) return :func:`json_response` instead and name their model in
``response_model``, which keeps the OpenAPI schema; the answer's bytes are the same.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Response
from pydantic import BaseModel


def json_response(
    model: BaseModel, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        model.model_dump_json(),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )
