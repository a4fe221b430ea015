"""An outage is logged once a minute per kind, with its cause; the rest are counted."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from entitle.api.outages import OutageLog
from entitle.domain.codes import Code
from entitle.domain.errors import Unavailable


class Minutes:
    """A clock moved by hand, and the end-of-minute actions the log asked for."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.pending: list[tuple[float, Callable[[], None]]] = []

    def clock(self) -> float:
        return self.now

    def schedule(self, delay: float, action: Callable[[], None]) -> None:
        self.pending.append((self.now + delay, action))

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [action for at, action in self.pending if at <= self.now]
        self.pending = [(at, action) for at, action in self.pending if at > self.now]
        for action in due:
            action()


def _outage(code: Code, cause: str = "connection refused") -> Unavailable:
    return Unavailable(code, "unavailable", retry_after=5, cause=cause)


@pytest.fixture
def minutes() -> Minutes:
    return Minutes()


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "entitle.api"]


def test_the_first_outage_of_a_minute_is_a_warning_and_the_rest_one_count_at_its_end(
    minutes: Minutes, caplog: pytest.LogCaptureFixture
) -> None:
    log = OutageLog(minutes.clock, minutes.schedule)
    for _ in range(135):
        log.record(_outage(Code.DATABASE_UNAVAILABLE))
        minutes.advance(0.1)
    assert len(_lines(caplog)) == 1
    assert "connection refused" in _lines(caplog)[0]
    minutes.advance(60)
    assert _lines(caplog)[1:] == [
        "database unavailable: 134 more requests answered 503 in the last minute"
    ]
    assert all(r.levelno == logging.WARNING and not r.exc_info for r in caplog.records)


def test_each_kind_has_its_own_minute(minutes: Minutes, caplog: pytest.LogCaptureFixture) -> None:
    log = OutageLog(minutes.clock, minutes.schedule)
    log.record(_outage(Code.DATABASE_UNAVAILABLE))
    log.record(_outage(Code.STORAGE_FULL, "database or disk is full"))
    log.record(_outage(Code.STORAGE_FULL, "database or disk is full"))
    lines = _lines(caplog)
    assert len(lines) == 2
    assert lines[1].startswith("storage full: requests answer 503 STORAGE_FULL")


def test_an_outage_a_minute_later_is_a_warning_again(
    minutes: Minutes, caplog: pytest.LogCaptureFixture
) -> None:
    log = OutageLog(minutes.clock, minutes.schedule)
    log.record(_outage(Code.DATABASE_UNAVAILABLE))
    minutes.advance(61)
    log.record(_outage(Code.DATABASE_UNAVAILABLE, "the database system is starting up"))
    lines = _lines(caplog)
    assert len(lines) == 2
    assert "starting up" in lines[1]


def test_closing_logs_the_count_not_yet_logged(
    minutes: Minutes, caplog: pytest.LogCaptureFixture
) -> None:
    log = OutageLog(minutes.clock, minutes.schedule)
    for _ in range(3):
        log.record(_outage(Code.STORAGE_FULL))
    log.close()
    minutes.advance(60)  # the end of that minute, after the close: nothing more to say
    assert _lines(caplog)[1:] == ["storage full: 2 more requests answered 503 in the last minute"]
