"""Outages answered: 503 with Retry-After, and a log that says so once a minute, not per request.

A request that meets an outage (:class:`entitle.domain.errors.Unavailable`: the database gone,
its storage full) answers 503 problem+json with its code and ``Retry-After``; a browser asking
for a page gets the portal's page that says the service is briefly unavailable. Each outage
kind is logged by each process as one warning with its cause, the first time in a minute;
the requests that meet it in the rest of that minute are counted, and the count is logged when
the minute ends: no stack trace, and a few lines a minute however many requests come.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response

from entitle.api.problems import domain_problem
from entitle.domain.codes import Code
from entitle.domain.errors import Unavailable

log = logging.getLogger("entitle.api")
WINDOW_SECONDS = 60.0
NAMES = {Code.DATABASE_UNAVAILABLE: "database unavailable", Code.STORAGE_FULL: "storage full"}

OutagePage = Callable[[Request, Unavailable], Response]
"""What the portal answers a page request with during an outage (its status: 503)."""
Schedule = Callable[[float, Callable[[], None]], None]


def _in_background(delay: float, action: Callable[[], None]) -> None:
    timer = threading.Timer(delay, action)
    timer.daemon = True
    timer.start()


@dataclass
class _Minute:
    started: float
    more: int = 0


class OutageLog:
    """Per outage kind, a warning at the first occurrence in a minute and a count at its end."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        schedule: Schedule = _in_background,
    ) -> None:
        self._clock = clock
        self._schedule = schedule
        self._lock = threading.Lock()
        self._minutes: dict[Code, _Minute] = {}

    def record(self, outage: Unavailable) -> None:
        code = outage.problem
        with self._lock:
            now = self._clock()
            minute = self._minutes.get(code)
            if minute is not None and now - minute.started < WINDOW_SECONDS:
                minute.more += 1
                if minute.more == 1:
                    ends = minute.started + WINDOW_SECONDS - now
                    self._schedule(ends, lambda: self._end(code, minute))
                return
            if minute is not None:
                self._summarize(code, minute)
            self._minutes[code] = _Minute(started=now)
        log.warning(
            "%s: requests answer 503 %s with Retry-After: %d (%s); more this minute are counted",
            NAMES[code],
            code.name,
            outage.retry_after,
            outage.cause,
        )

    def close(self) -> None:
        """End every minute now (the process stops), logging how many more each counted."""
        with self._lock:
            minutes, self._minutes = self._minutes, {}
        for code, minute in minutes.items():
            self._summarize(code, minute)

    def _end(self, code: Code, minute: _Minute) -> None:
        with self._lock:
            if self._minutes.get(code) is minute:
                del self._minutes[code]
                self._summarize(code, minute)

    @staticmethod
    def _summarize(code: Code, minute: _Minute) -> None:
        if minute.more:
            log.warning(
                "%s: %d more requests answered 503 in the last minute", NAMES[code], minute.more
            )


def outage_log(app: FastAPI) -> OutageLog:
    found: OutageLog = app.state.outage_log
    return found


def install(app: FastAPI, page: OutagePage | None = None) -> None:
    """Answer outages on ``app``; ``page`` renders them for browsers (the portal's)."""
    app.state.outage_log = OutageLog()
    app.state.outage_page = page

    async def on_outage(request: Request, error: Exception) -> Response:
        assert isinstance(error, Unavailable)
        outage_log(request.app).record(error)
        render: OutagePage | None = request.app.state.outage_page
        if render is not None and "text/html" in request.headers.get("accept", ""):
            answer = render(request, error)
            answer.headers["Retry-After"] = str(error.retry_after)
            return answer
        return domain_problem(error)

    app.add_exception_handler(Unavailable, on_outage)
