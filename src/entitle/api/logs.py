"""The server's log: readable text by default, or JSON lines (``ENTITLE_LOG_FORMAT=json``).

Every logger of the process (entitle's, uvicorn's, the libraries') writes to standard error
through one structlog formatter: a timestamp (UTC), the level, the logger, the event, and
the ``request_id`` of the request being answered when there is one. The request line
(:mod:`entitle.api.observe`) adds its fields. Tracebacks are plain: no local variables, which
could hold a password or a token.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.typing import EventDict, Processor

from entitle.api import request_info
from entitle.settings import Settings

# The request line's fields (entitle.api.observe); nothing else a record carries is written.
REQUEST_FIELDS = ("method", "route", "status", "duration_ms", "organisation_id", "user_id")
_HANDLER_NAME = "entitle"


def _add_request_id(_logger: Any, _method: str, event: EventDict) -> EventDict:
    request_id = request_info.current_request_id()
    if request_id is not None:
        event["request_id"] = request_id
    return event


def formatter(log_format: str) -> logging.Formatter:
    """The one formatter of the process, for ``text`` or ``json``."""
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(
            colors=False,
            exception_formatter=structlog.dev.plain_traceback,
            sort_keys=False,
        )
    )
    chain: list[Processor] = [
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(REQUEST_FIELDS),
        _add_request_id,
    ]
    if log_format == "json":
        chain.append(structlog.processors.format_exc_info)
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=chain,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )


def configure(settings: Settings) -> None:
    """Route every log record of the process through :func:`formatter`, at the set level.

    Called by ``entitle serve`` and in each worker process; calling it again replaces the
    handler it installed, not the others'.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter(settings.log_format))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # uvicorn's own loggers write through the root's handler; its access log is replaced by
    # entitle's request line.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
